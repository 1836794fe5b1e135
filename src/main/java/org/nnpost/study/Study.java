package org.nnpost.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.analysis.RunRow;
import org.nnpost.io.Json;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Setting;
import org.nnpost.run.Settings;
import org.nnpost.spec.SpecException;

/**
 * A study: runs that differ in a few settings, as one JSON object (a study file) or the same
 * from the command line ({@code nnpost sweep --grid N=50,100 --seeds 3 ...}):
 *
 * <pre>
 *   {"base":  {"L": 1, "N0": 24, "P": 20, "steps": 4000},      settings every point shares
 *    "grid":  {"N": [50, 100, 200], "phi": ["linear", "erf"]}, every combination (cartesian product)
 *    "zip":   {"P": [20, 40], "N0": [24, 48]},                 lists of one length, taken together
 *    "seeds": 3,                                               sampler seeds 1..3, or a list [4, 7]
 *    "observables": ["coding", "test_error"],                  table columns (default: every group)
 *    "names": ["a", "b", ...]}                                 point names (default: from their values)
 * </pre>
 *
 * Keys inside base, grid and zip are the run settings' file keys ({@code sigma_w2}), as in
 * {@code --config} files and manifests; a value may be anything such a file takes (a number, a
 * string, true/false, a list of numbers). Points are the grid's product (the last key varies
 * fastest), times the zip's tuples, times the seeds (fastest of all); the data seed stays as the
 * base says unless the study varies {@code data_seed}. A point is named after what varies,
 * {@code N=200,phi=erf,seed=2}, and runs into the directory of that name.
 *
 * <p>Left out of a study, because the sweep decides them: {@code out} and {@code name} (a point's
 * directory), {@code seed} (the seeds), {@code device} and {@code devices} (the sweep's
 * {@code --devices} hands out GPUs), {@code progress} and {@code strict} (the sweep reports).
 */
public final class Study {
    public static final String BASE = "base", GRID = "grid", ZIP = "zip", SEEDS = "seeds", OBSERVABLES = "observables",
            NAMES = "names";
    static final List<String> SECTIONS = List.of(BASE, GRID, ZIP, SEEDS, OBSERVABLES, NAMES);

    /** Settings a study cannot hold, and why. */
    static final Map<String, String> LEFT_OUT = Map.of(
            "out", "each point's directory is named after the point, under the sweep's --out",
            "name", "each point's directory is named after the point, under the sweep's --out",
            "seed", "the sampler seeds are the study's \"seeds\" (--seeds on the command line)",
            "device", "the sweep hands out GPUs: nnpost sweep --devices",
            "devices", "the sweep hands out GPUs: nnpost sweep --devices",
            "progress", "how progress shows is the sweep's --progress",
            "strict", "a sweep records each point's warnings in its table");

    /** Settings that say where and how the chains run, not what they compute: the command line may give them anew. */
    public static final Set<String> MACHINE = Set.of("backend", "threads", "precision", "rng", "data-dir", "checkpoint-every");

    /** The largest number of points a study may have. */
    static final int MAX_POINTS = 100_000;

    /** How messages name a value: the study file's sections, or the command line's flags. */
    private final boolean commandLine;
    private final String where;
    private final ObjectNode given;
    private final Map<String, String> base = new LinkedHashMap<>();
    private final Map<String, List<String>> grid = new LinkedHashMap<>(), zip = new LinkedHashMap<>();
    private final List<Long> seeds = new ArrayList<>();
    private final List<String> observables, names;

    /** One run of the study: its place in the expanded list, its name and the values that make it differ. */
    public record Point(int index, String name, Map<String, String> values, String group) {
        public Point {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        /** The sampler seed. */
        public long seed() { return Long.parseLong(values.get("seed")); }
    }

    private Study(ObjectNode given, String where, boolean commandLine) {
        this.given = given.deepCopy();
        this.where = where;
        this.commandLine = commandLine;
        for (Map.Entry<String, JsonNode> e : given.properties())
            if (!SECTIONS.contains(e.getKey()))
                throw SpecException.input(where, "unknown key \"" + e.getKey() + "\"", String.join(", ", SECTIONS));
        JsonNode b = given.path(BASE);
        if (!b.isMissingNode()) {
            if (!b.isObject()) throw bad(BASE, "not an object", "{\"N\": 200, \"phi\": \"erf\", ...}");
            for (Map.Entry<String, JsonNode> e : b.properties()) {
                String key = settingKey(BASE, e.getKey());
                base.put(key, Settings.text(label(BASE, key), e.getValue()));
            }
        }
        lists(GRID, grid, false);
        lists(ZIP, zip, true);
        for (String k : grid.keySet()) {
            if (base.containsKey(k)) throw bad(GRID, Setting.fileKey(k) + " is in base too", "each setting in one place");
        }
        for (String k : zip.keySet()) {
            if (base.containsKey(k) || grid.containsKey(k))
                throw bad(ZIP, Setting.fileKey(k) + " is in " + (base.containsKey(k) ? BASE : GRID) + " too", "each setting in one place");
        }
        seeds(given.path(SEEDS));
        observables = strings(OBSERVABLES, given.path(OBSERVABLES));
        if (observables != null)
            for (String o : observables)
                if (!RunRow.isObservable(o))
                    throw bad(OBSERVABLES, "unknown observable \"" + o + "\"", "groups " + String.join(", ", RunRow.GROUPS)
                            + ", or a column of sweep.csv such as participation_ratio_per_N, test_error, readout_U_0_1");
        names = strings(NAMES, given.path(NAMES));
        long count = (long) seeds.size();
        for (List<String> l : grid.values()) count *= l.size();
        if (!zip.isEmpty()) count *= zip.values().iterator().next().size();
        if (count > MAX_POINTS) throw bad(GRID, count + " points", "at most " + MAX_POINTS);
        if (names != null) {
            if (names.size() != count) throw bad(NAMES, names.size() + " names for " + count + " points", "one name per point, in order");
            Set<String> seen = new HashSet<>();
            for (String n : names) {
                if (!n.matches(NAME_PATTERN)) throw bad(NAMES, "\"" + n + "\" is not a plain name", NAME_ALLOWED);
                if (!seen.add(n)) throw bad(NAMES, "\"" + n + "\" twice", "distinct names");
            }
        }
    }

    static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._,=+-]{0,199}";
    static final String NAME_ALLOWED = "letters, digits and . _ , = + -, not starting with a sign or a dot, at most 200 characters";

    // ---------------------------------------------------------------- reading

    /** A study file: one JSON object, strictly read (no duplicate keys, nothing after it). */
    public static Study read(Path file) {
        String label = file.toString();
        if (!Files.exists(file)) throw SpecException.input(label, "no such file", "a study file (JSON)");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) throw SpecException.input(label, "cannot be read", "a readable study file (JSON)");
        JsonNode root;
        try {
            ObjectMapper mapper = new ObjectMapper();
            mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            root = mapper.readTree(file.toFile());
        } catch (JsonParseException e) {
            throw SpecException.input(label, "not valid JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + " (" + oneLine(e.getOriginalMessage()) + ")", "a study file (JSON)");
        } catch (JsonProcessingException e) {
            throw SpecException.input(label, "not valid JSON (" + oneLine(e.getOriginalMessage()) + ")", "a study file (JSON)");
        } catch (IOException e) {
            throw SpecException.input(label, "cannot be read (" + oneLine(String.valueOf(e.getMessage())) + ")", "a readable study file (JSON)");
        }
        if (root == null || !root.isObject())
            throw SpecException.input(label, "not a JSON object", "{\"base\": {...}, \"grid\": {\"N\": [50, 100]}, \"seeds\": 3}");
        return new Study((ObjectNode) root, file.getFileName().toString(), false);
    }

    /** A study held as JSON (a resource, a sweep directory's study.json), named in messages as where. */
    public static Study of(JsonNode json, String where) {
        if (json == null || !json.isObject()) throw SpecException.input(where, "not a JSON object", "a study");
        return new Study((ObjectNode) json, where, false);
    }

    /** A study made of command-line flags: messages name them as flags (--grid N, --seeds). */
    public static Study fromCommandLine(ObjectNode json) {
        return new Study(json, "the command line", true);
    }

    private void lists(String section, Map<String, List<String>> into, boolean equalLengths) {
        JsonNode g = given.path(section);
        if (g.isMissingNode()) return;
        if (!g.isObject()) throw bad(section, "not an object", "{\"N\": [50, 100, 200], ...}");
        int length = -1;
        for (Map.Entry<String, JsonNode> e : g.properties()) {
            String key = settingKey(section, e.getKey());
            JsonNode list = e.getValue();
            if (!list.isArray() || list.isEmpty())
                throw bad(section, Setting.fileKey(key) + " is not a non-empty list", "\"" + Setting.fileKey(key) + "\": [value, value, ...]");
            List<String> values = new ArrayList<>();
            for (JsonNode x : list) {
                String t = Settings.text(label(section, key), x);
                // a grid's values are distinct; a zip's lists are columns of its tuples, which may repeat a value
                if (!equalLengths && values.contains(t)) throw bad(section, Setting.fileKey(key) + " lists " + t + " twice", "distinct values");
                values.add(t);
            }
            if (equalLengths && length >= 0 && values.size() != length)
                throw bad(section, "lists of " + length + " and " + values.size() + " values (" + Setting.fileKey(key) + ")",
                        "lists of one length, taken together");
            length = values.size();
            into.put(key, values);
        }
    }

    private void seeds(JsonNode s) {
        String allowed = "a count k (seeds 1..k), or a list of distinct seeds from 0 to 4294967295";
        if (s.isMissingNode()) {
            seeds.add(1L);
            return;
        }
        if (s.isIntegralNumber() || (s.isTextual() && s.asText().trim().matches("[0-9]+"))) {
            long k = s.isTextual() ? parse(s.asText().trim(), allowed) : s.asLong();
            if (k < 1 || k > 10_000) throw bad(SEEDS, "count " + s.asText() + " out of range", "1 to 10000; " + allowed);
            for (long i = 1; i <= k; i++) seeds.add(i);
            return;
        }
        if (!s.isArray() || s.isEmpty()) throw bad(SEEDS, "not a count or a list", allowed);
        for (JsonNode x : s) {
            long v;
            if (x.isIntegralNumber()) v = x.asLong();
            else if (x.isTextual() && x.asText().trim().matches("[0-9]+")) v = parse(x.asText().trim(), allowed);
            else throw bad(SEEDS, x + " is not a seed", allowed);
            if (v < 0 || v > 0xFFFF_FFFFL) throw bad(SEEDS, v + " out of range", allowed);
            if (seeds.contains(v)) throw bad(SEEDS, v + " twice", allowed);
            seeds.add(v);
        }
    }

    private long parse(String s, String allowed) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad(SEEDS, s + " is too large", allowed);
        }
    }

    private List<String> strings(String section, JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return null;
        if (!n.isArray() || n.isEmpty()) throw bad(section, "not a list of strings", "[\"...\", ...]");
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) {
            if (!x.isTextual()) throw bad(section, x + " is not a string", "[\"...\", ...]");
            out.add(x.asText());
        }
        return out;
    }

    /** The setting a file key names, refused when unknown, spelled with dashes or left out of studies. */
    private String settingKey(String section, String fileKey) {
        String key = null;
        for (Setting s : RunSettings.all()) if (s.fileKey().equals(fileKey)) key = s.key();
        if (key == null) {
            String dashed = Setting.fileKey(fileKey);
            boolean isDashed = !dashed.equals(fileKey) && RunSettings.all().stream().anyMatch(s -> s.fileKey().equals(dashed));
            if (commandLine && isDashed) key = RunSettings.all().stream().filter(s -> s.fileKey().equals(dashed)).findFirst().get().key();
            else throw bad(section, "unknown setting \"" + fileKey + "\"", isDashed ? dashed + " (files spell keys with underscores)"
                    : "the keys of nnpost sample --config files, e.g. N, phi, sigma_w2, data_seed");
        }
        if (LEFT_OUT.containsKey(key)) throw bad(section, "\"" + Setting.fileKey(key) + "\" cannot be part of a study", LEFT_OUT.get(key));
        return key;
    }

    // ---------------------------------------------------------------- what it holds

    /** The study as it was given: the file's JSON, or the command line's flags as that JSON. */
    public ObjectNode given() { return given.deepCopy(); }

    /** Where it came from, for messages: the file's name, or "the command line". */
    public String where() { return where; }

    public boolean fromCommandLine() { return commandLine; }

    /** The base's settings (setting key to text). */
    public Map<String, String> base() { return Collections.unmodifiableMap(base); }

    /** The settings that vary, in the order of a point's name (grid, then zip; the seed is last). */
    public List<String> varied() {
        List<String> v = new ArrayList<>(grid.keySet());
        v.addAll(zip.keySet());
        return v;
    }

    public List<Long> seeds() { return List.copyOf(seeds); }

    /** The observables asked for, or null for the default (every group). */
    public List<String> observables() { return observables == null ? null : List.copyOf(observables); }

    /**
     * The points in order: the grid's product with its last key varying fastest, then the zip's
     * tuples, then the seeds, fastest of all (so that round-robin shards share out the seeds of
     * one setting).
     */
    public List<Point> points() {
        List<Map<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> g : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combos)
                for (String v : g.getValue()) {
                    Map<String, String> d = new LinkedHashMap<>(c);
                    d.put(g.getKey(), v);
                    next.add(d);
                }
            combos = next;
        }
        if (!zip.isEmpty()) {
            int n = zip.values().iterator().next().size();
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combos)
                for (int i = 0; i < n; i++) {
                    Map<String, String> d = new LinkedHashMap<>(c);
                    for (Map.Entry<String, List<String>> z : zip.entrySet()) d.put(z.getKey(), z.getValue().get(i));
                    next.add(d);
                }
            combos = next;
        }
        List<Point> out = new ArrayList<>();
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (Map<String, String> c : combos)
            for (long seed : seeds) {
                Map<String, String> values = new LinkedHashMap<>(c);
                values.put("seed", Long.toString(seed));
                String group = name(c);
                int index = out.size();
                String name = names != null ? names.get(index) : (group.isEmpty() ? "" : group + ",") + "seed=" + seed;
                if (name.length() > 200)
                    throw bad(GRID, "point " + (index + 1) + "'s name is " + name.length() + " characters, too long for a directory",
                            "at most 200; give the points \"names\"");
                Integer other = byName.put(name, index);
                if (other != null)
                    throw bad(GRID, "points " + (other + 1) + " and " + (index + 1) + " are both named " + name,
                            "values that differ in their text");
                out.add(new Point(index, name, values, group));
            }
        return out;
    }

    /** "N=200,phi=erf": key=value joined by commas; commas inside a value (a list) become '_', other unsafe characters %XX. */
    static String name(Map<String, String> values) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (s.length() > 0) s.append(',');
            s.append(Setting.fileKey(e.getKey())).append('=').append(safe(e.getValue()));
        }
        return s.toString();
    }

    static String safe(String value) {
        StringBuilder s = new StringBuilder();
        List<String> parts = new ArrayList<>();
        for (String part : value.trim().split(",", -1)) parts.add(plain(part.trim()));
        for (byte b : String.join(",", parts).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c == ',') s.append('_');
            else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == '_')
                s.append(c);
            else s.append(String.format("%%%02X", b & 0xff));
        }
        return s.toString();
    }

    /** A number as a name shows it: 0.0005 rather than 5.0E-4, 1E+30 rather than 1.0E30; anything else as it is. */
    static String plain(String text) {
        if (!text.matches("[+-]?[0-9.]+([eE][+-]?[0-9]+)?") || !text.matches(".*[0-9].*")) return text;
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(text).stripTrailingZeros();
            String p = d.toPlainString();
            return p.length() <= 12 ? p : d.toString();
        } catch (NumberFormatException e) {
            return text;
        }
    }

    /**
     * A point's settings: the base, the point's values and the invocation's machine settings
     * (given anew on the command line, over the base's), each labelled as the user gave it.
     */
    public Settings settings(Point p, Settings invocation) {
        Settings v = new Settings();
        for (Map.Entry<String, String> e : base.entrySet()) v.put(e.getKey(), e.getValue(), label(BASE, e.getKey()));
        for (Map.Entry<String, String> e : p.values().entrySet()) {
            String key = e.getKey();
            String section = key.equals("seed") ? SEEDS : grid.containsKey(key) ? GRID : ZIP;
            v.put(key, e.getValue(), label(section, key));
        }
        if (invocation != null) for (String k : invocation.keys()) v.put(k, invocation.raw(k), invocation.label(k));
        return v;
    }

    /** How a message names a setting of a section: "N (in study.json grid)", or the flag: "--grid N", "--N". */
    String label(String section, String key) {
        if (commandLine) {
            return switch (section) {
                case BASE -> "--" + key;
                case SEEDS -> "--seeds";
                default -> "--" + section + " " + key;
            };
        }
        return section.equals(SEEDS) ? "seeds (in " + where + ")" : Setting.fileKey(key) + " (in " + where + " " + section + ")";
    }

    private SpecException bad(String section, String problem, String allowed) {
        String name = commandLine ? (section.equals(BASE) ? "the command line" : "--" + section) : where + ": " + section;
        return SpecException.input(name, problem, allowed);
    }

    // ---------------------------------------------------------------- comparing

    /**
     * The study reduced to what decides its runs and its table, for comparing two: values as the
     * text a flag would carry (50 and "50" are the same), the base's keys in order, seeds as a
     * list. A study from the command line and a file of the same settings compare equal.
     */
    public ObjectNode normalized() {
        ObjectNode o = Json.object();
        ObjectNode b = o.putObject(BASE);
        for (Map.Entry<String, String> e : new TreeMap<>(base).entrySet()) b.put(Setting.fileKey(e.getKey()), e.getValue());
        for (String section : List.of(GRID, ZIP)) {
            ObjectNode s = o.putObject(section);
            for (Map.Entry<String, List<String>> e : (section.equals(GRID) ? grid : zip).entrySet()) {
                ArrayNode a = s.putArray(Setting.fileKey(e.getKey()));
                e.getValue().forEach(a::add);
            }
        }
        ArrayNode s = o.putArray(SEEDS);
        seeds.forEach(s::add);
        if (observables == null) o.putNull(OBSERVABLES);
        else observables.forEach(o.putArray(OBSERVABLES)::add);
        if (names == null) o.putNull(NAMES);
        else names.forEach(o.putArray(NAMES)::add);
        return o;
    }

    /**
     * What changed from {@code before} to this study, one line each ("grid.N: [50, 100] -> [50,
     * 100, 200]", "base.steps: 400 -> 800", "base.eta: added 0.01"); empty when they are the same.
     * Settings the command line may give anew ({@link #MACHINE}) count when they are in the study.
     */
    public List<String> diff(Study before) {
        ObjectNode a = before.normalized(), b = normalized();
        List<String> out = new ArrayList<>();
        for (String section : List.of(BASE, GRID, ZIP)) {
            JsonNode x = a.path(section), y = b.path(section);
            Set<String> keys = new java.util.LinkedHashSet<>();
            x.fieldNames().forEachRemaining(keys::add);
            y.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                JsonNode u = x.get(k), v = y.get(k);
                if (u == null) out.add(section + "." + k + ": added " + show(v));
                else if (v == null) out.add(section + "." + k + ": removed (was " + show(u) + ")");
                else if (!u.equals(v)) out.add(section + "." + k + ": " + show(u) + " -> " + show(v));
            }
            List<String> ox = new ArrayList<>(), oy = new ArrayList<>();
            x.fieldNames().forEachRemaining(ox::add);
            y.fieldNames().forEachRemaining(oy::add);
            if (!section.equals(BASE) && new HashSet<>(ox).equals(new HashSet<>(oy)) && !ox.equals(oy))
                out.add(section + ": order " + ox + " -> " + oy + " (the points' order and names)");
        }
        for (String section : List.of(SEEDS, OBSERVABLES, NAMES))
            if (!a.path(section).equals(b.path(section)))
                out.add(section + ": " + show(a.path(section)) + " -> " + show(b.path(section)));
        return out;
    }

    private static String show(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return "(default)";
        if (n.isTextual()) return n.asText();
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode x : n) parts.add(x.isTextual() ? x.asText() : x.toString());
            return "[" + String.join(", ", parts) + "]";
        }
        return n.toString();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
