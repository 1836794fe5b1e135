package org.nnpost.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * The values of one request, each as text with the name to use for it in messages: the flag
 * ("--N") or the key and the file it came from ("N (in run.json)"). Every value travels as
 * text, whether from a flag, a config file, a manifest or a study, so it is checked by the same
 * code wherever it came from. The typed getters and {@link #relabel} turn a bad value into one
 * {@link SpecException} that names it as the user wrote it.
 */
public final class Settings {
    private final Map<String, String> value = new LinkedHashMap<>();
    private final Map<String, String> label = new LinkedHashMap<>();

    public void put(String key, String text, String how) {
        value.put(key, text);
        label.put(key, how);
    }

    public boolean has(String key) { return value.containsKey(key); }

    /** Forgets a setting (one given anew that excludes it, say). */
    public void remove(String key) {
        value.remove(key);
        label.remove(key);
    }

    public String raw(String key) { return value.get(key); }

    /** The keys given, in the order they came. */
    public List<String> keys() { return new ArrayList<>(value.keySet()); }

    /** How to name the input in a message: the flag, or the key and the file it came from. */
    public String label(String key) { return label.getOrDefault(key, "--" + key); }

    public SpecException bad(String key, String problem, String allowed) {
        return SpecException.of(key, null, problem, allowed).relabel(label(key), has(key) ? raw(key) : null);
    }

    /** A record's complaint about a setting, named as the user gave it (unchanged when not given here). */
    public SpecException relabel(SpecException e) {
        String k = e.key();
        return k != null && has(k) ? e.relabel(label(k), raw(k)) : e;
    }

    /**
     * Adds the settings of a JSON object whose keys are settings' file keys ({@code sigma_w2}).
     *
     * @param where names the file in each value's label ("N (in run.json)")
     * @param what  names the file in a complaint about the object itself ("--config run.json")
     */
    public void putJson(JsonNode root, String where, List<Setting> known, String what) {
        Map<String, Setting> byFileKey = new LinkedHashMap<>();
        for (Setting s : known) byFileKey.put(s.fileKey(), s);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            Setting s = byFileKey.get(key);
            if (s == null) {
                String fileKey = Setting.fileKey(key);
                throw SpecException.input(what, "unknown key \"" + key + "\"", byFileKey.containsKey(fileKey)
                        ? fileKey + " (files spell keys with underscores)" : String.join(", ", byFileKey.keySet()));
            }
            String label = key + " (in " + where + ")";
            put(s.key(), text(label, e.getValue()), label);
        }
    }

    /** A JSON value as the text the same flag would carry: lists become comma lists. */
    public static String text(String label, JsonNode n) {
        if (n.isNumber() || n.isTextual() || n.isBoolean()) return n.asText();
        if (n.isArray() && n.size() > 0) {
            List<String> parts = new ArrayList<>();
            for (JsonNode x : n) {
                if (!(x.isNumber() || x.isTextual())) break;
                parts.add(x.asText());
            }
            if (parts.size() == n.size()) return String.join(",", parts);
        }
        throw SpecException.input(label + " " + oneLine(n.toString()),
                "wrong type", "a number, a string, true/false, or a list of numbers");
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    // ---------------------------------------------------------------- typed getters

    public boolean switchValue(String key) {
        if (!has(key)) return false;
        String s = raw(key).trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw bad(key, "not a switch value", "true or false");
    }

    /** on/off (also true/false, as a JSON file writes a switch). */
    public boolean onOff(String key, boolean def) {
        return switch (choice(key, def ? "on" : "off", "on", "off", "true", "false")) {
            case "on", "true" -> true;
            default -> false;
        };
    }

    public String string(String key, String def) { return has(key) ? raw(key).trim() : def; }

    public String choice(String key, String def, String... allowed) {
        String s = string(key, def);
        for (String a : allowed) if (a.equals(s)) return s;
        throw bad(key, "unknown value", String.join(", ", allowed));
    }

    /** An integer in ASCII digits (not full-width or other scripts' digits, which Java would also read). */
    public long integer(String key, long def, long min, long max) {
        if (!has(key)) return def;
        String allowed = Check.integers(min, max);
        String s = raw(key).trim();
        long x;
        try {
            if (!s.matches("[+-]?[0-9]+")) throw new NumberFormatException();
            x = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad(key, "not an integer", allowed);
        }
        if (x < min || x > max) throw bad(key, "out of range", allowed);
        return x;
    }

    public double real(String key, double def) {
        if (!has(key)) return def;
        return parseReal(key, raw(key).trim(), "a finite number");
    }

    public double positive(String key, double def) {
        double x = real(key, def);
        if (!(x > 0)) throw bad(key, "not positive", "a number > 0");
        return x;
    }

    public double between(String key, double def, double lo, double hi) {
        double x = real(key, def);
        if (x < lo || x > hi) throw bad(key, "out of range", "a number from " + lo + " to " + hi);
        return x;
    }

    /** A comma list of finite numbers (one value is a list of one). */
    public double[] reals(String key, double[] def, String allowed) {
        if (!has(key)) return def.clone();
        String[] parts = raw(key).split(",", -1);
        double[] x = new double[parts.length];
        for (int i = 0; i < parts.length; i++) x[i] = parseReal(key, parts[i].trim(), allowed);
        return x;
    }

    private double parseReal(String key, String s, String allowed) {
        double x;
        try {
            // Java also reads "NaN", "Infinity" and "1f"; none of them is a number a user means
            if (s.isEmpty() || !s.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) throw new NumberFormatException();
            x = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw bad(key, "not a number", allowed);
        }
        if (!Double.isFinite(x)) throw bad(key, "not finite", allowed);
        return x;
    }
}
