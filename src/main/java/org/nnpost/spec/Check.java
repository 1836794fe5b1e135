package org.nnpost.spec;

/**
 * The checks the settings records run on themselves, each with the one wording every reader of
 * settings shares: a value read from a flag, a config file or a recipe is refused in the same
 * words wherever it came from.
 */
public final class Check {
    private Check() {}

    /** An integer from min to max (max Integer.MAX_VALUE or Long.MAX_VALUE: no upper bound worth naming). */
    public static long range(String key, long value, long min, long max) {
        if (value < min || value > max) throw SpecException.of(key, value, "out of range", integers(min, max));
        return value;
    }

    /** The wording of {@link #range}'s allowed values. */
    public static String integers(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE || max == Long.MAX_VALUE / 2
                ? "an integer >= " + min : "an integer from " + min + " to " + max;
    }

    /** A finite number > 0. */
    public static double positive(String key, double value) {
        finite(key, value, "a number > 0");
        if (!(value > 0)) throw SpecException.of(key, value, "not positive", "a number > 0");
        return value;
    }

    /** A finite number. */
    public static double finite(String key, double value) {
        return finite(key, value, "a finite number");
    }

    private static double finite(String key, double value, String allowed) {
        if (!Double.isFinite(value)) throw SpecException.of(key, value, "not finite", allowed);
        return value;
    }

    /** A number from lo to hi, both included. */
    public static double between(String key, double value, double lo, double hi) {
        finite(key, value);
        if (value < lo || value > hi) throw SpecException.of(key, value, "out of range", "a number from " + lo + " to " + hi);
        return value;
    }

    /** One of the allowed words. */
    public static String oneOf(String key, String value, String... allowed) {
        for (String a : allowed) if (a.equals(value)) return value;
        throw SpecException.of(key, value, "unknown value", String.join(", ", allowed));
    }

    /** Fails with the given complaint when the condition does not hold. */
    public static void that(boolean condition, String key, Object value, String problem, String allowed) {
        if (!condition) throw SpecException.of(key, value, problem, allowed);
    }
}
