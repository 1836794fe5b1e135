package org.nnpost.spec;

/**
 * A setting that cannot be used: it names the setting, the value given, what is wrong with it
 * and what is allowed, in one line. The records that make up a run (ModelSpec, TaskSpec,
 * SamplerSpec, BackendSpec, RunConfig) throw it from their constructors, so every way of making
 * a run (flags, a config file, a figure recipe, a benchmark preset, a test) meets the same
 * checks; the command line ends with exit code 2 and this line.
 *
 * <p>A setting is named by its key, the flag's name without dashes (N, sigma-w2, burn-in), and
 * shown as the flag ("--N 0: ...") unless whoever read the value knows better where it came from
 * ("N (in run.json) 0: ...", see {@link #relabel}).
 */
public final class SpecException extends NnpostException {
    private final String key, value, problem, allowed;
    private final String label;

    private SpecException(String key, String label, String value, String problem, String allowed) {
        super(BAD_INPUT, render(label, value, problem, allowed));
        this.key = key;
        this.label = label;
        this.value = value;
        this.problem = problem;
        this.allowed = allowed;
    }

    /**
     * @param key     the setting (a flag's name without dashes), or null when the input is no setting
     * @param value   the value as the user would recognise it, or null to show none
     * @param problem what is wrong ("out of range", "larger than N0 = 64")
     * @param allowed what would be accepted, or null
     */
    public static SpecException of(String key, Object value, String problem, String allowed) {
        return new SpecException(key, key == null ? null : "--" + key, value == null ? null : text(value), problem, allowed);
    }

    /** An input that is no setting (a directory given as an argument, say): named as given. */
    public static SpecException input(String name, String problem, String allowed) {
        return new SpecException(null, name, null, problem, allowed);
    }

    /** The same complaint with the setting named as it was given (a flag, or a key in a file) and its text. */
    public SpecException relabel(String newLabel, String rawValue) {
        return new SpecException(key, newLabel, rawValue != null ? rawValue : value, problem, allowed);
    }

    /** The same complaint about an input named in full by the caller (no value shown after it). */
    public SpecException named(String fullName) {
        return new SpecException(key, fullName, null, problem, allowed);
    }

    /** The setting's key, or null. */
    public String key() { return key; }

    public String problem() { return problem; }

    public String allowed() { return allowed; }

    private static String render(String label, String value, String problem, String allowed) {
        StringBuilder s = new StringBuilder();
        if (label != null) s.append(label);
        if (value != null) s.append(s.length() > 0 ? " " : "").append(value);
        if (s.length() > 0) s.append(": ");
        s.append(problem);
        if (allowed != null) s.append(" (allowed: ").append(allowed).append(')');
        return s.toString();
    }

    /** Numbers as a user writes them: 64, not 64.0; floats without the double's extra digits. */
    static String text(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        if (v instanceof Double || v instanceof Float) return String.valueOf(v).replaceFirst("\\.0E", "E").replace('E', 'e');
        return String.valueOf(v);
    }
}
