package org.nnpost.study;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.analysis.RunRow;
import org.nnpost.io.AtomicFile;
import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.run.Setting;
import org.nnpost.spec.SpecException;

/**
 * A sweep's tables, made from whatever points are complete ({@code nnpost sweep collect DIR}, and
 * at the end of every unsharded sweep): {@value #CSV} and {@value #JSON} with one row per point
 * (its varied settings, status and observables, {@link RunRow}), and {@value #BY_SEED} with one row
 * per group of points that differ only in the seed: for every numeric column its mean over the
 * group's complete points, the standard error of that mean (sample standard deviation / √n; empty
 * for n &lt; 2) and n, the number of points where it is defined.
 *
 * <p>CSV as RFC 4180 has it: a header row, CRLF line ends, fields with a comma, a quote or a line
 * break in double quotes. Numbers carry every digit (Java's shortest representation that reads
 * back to the same double); an undefined value is an empty field. Timings, which differ from one
 * run of the same study to the next, are kept out of the CSV files (sweep.json has them per point),
 * so two sweeps of one study on the CPU give the same bytes.
 */
public final class SweepTable {
    private SweepTable() {}

    public static final String CSV = "sweep.csv", JSON = "sweep.json", BY_SEED = "sweep_by_seed.csv";

    /** One point of the table: name, status, varied settings (file keys to text), values by column. */
    public record Row(String point, String status, Map<String, String> settings, Map<String, Object> values, String error) {
        /** A numeric value, or NaN where undefined or not a number. */
        public double number(String column) {
            Object v = values.get(column);
            if (v instanceof Number n) return n.doubleValue();
            String s = settings.get(column);
            if (s != null) {
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
            return Double.NaN;
        }

        public boolean complete() { return Manifest.COMPLETE.equals(status); }
    }

    /** The table: the varied settings (seed last), the observable columns, the rows in point order. */
    public record Table(List<String> settings, List<String> columns, List<Row> rows) {}

    /** @param used complete points that passed --max-rhat (all complete ones without it) */
    public record Result(Path csv, Path json, Path bySeed, int rows, int complete, int used, Table table) {}

    /**
     * Reads every point's directory and writes the tables.
     *
     * @param maxRhat points whose max R-hat exceeds it (or is undefined) are left out of the
     *                table by seed; NaN keeps every complete point
     */
    public static Result collect(Path dir, double maxRhat) {
        SweepDir d = SweepDir.existing(dir);
        JsonNode root = d.read();
        Study study = Study.of(root.path("study"), d.file().toString());
        List<String> settings = new ArrayList<>();
        for (String k : study.varied()) settings.add(Setting.fileKey(k));
        settings.add("seed");
        RunRow.TheoryCache cache = new RunRow.TheoryCache();
        List<Row> rows = new ArrayList<>();
        List<ObjectNode> extra = new ArrayList<>();
        int m = 1;
        for (JsonNode p : root.path("points")) {
            String name = p.path("name").asText();
            Map<String, String> values = new LinkedHashMap<>();
            for (String k : settings) values.put(k, p.path("values").path(k).asText(null));
            String status = d.state(name, p);
            String error = p.path("error").asText(null);
            Map<String, Object> v = new LinkedHashMap<>();
            ObjectNode more = Json.object();
            if (status.equals(Manifest.COMPLETE)) {
                try {
                    RunRow.Row r = RunRow.of(d.point(name), cache);
                    v = r.values();
                    more.set("parameters", r.parameters());
                    more.set("timings", r.timings());
                    m = Math.max(m, r.parameters().path("m").asInt(1));
                    error = null;
                } catch (SpecException e) {
                    status = "unreadable";
                    error = Study.oneLine(e.getMessage());
                }
            }
            rows.add(new Row(name, status, values, v, status.equals(Manifest.COMPLETE) ? null : error));
            extra.add(more);
        }
        List<String> columns = RunRow.columns(study.observables(), m);
        Table table = new Table(settings, columns, rows);

        List<String> header = new ArrayList<>(List.of("point", "status"));
        header.addAll(settings);
        header.addAll(columns);
        StringBuilder csv = new StringBuilder();
        line(csv, header);
        ObjectNode json = Json.object();
        json.put("format", 1);
        json.set("study", root.path("study").deepCopy());
        ArrayNode cols = json.putArray("columns");
        header.forEach(cols::add);
        ArrayNode jrows = json.putArray("rows");
        int complete = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            if (r.complete()) complete++;
            List<Object> cells = new ArrayList<>(List.of(r.point(), r.status()));
            cells.addAll(r.settings().values());
            for (String c : columns) cells.add(r.values().get(c));
            line(csv, cells);
            ObjectNode j = jrows.addObject();
            j.put("point", r.point());
            j.put("status", r.status());
            ObjectNode s = j.putObject("settings");
            r.settings().forEach(s::put);
            ObjectNode vals = j.putObject("values");
            for (String c : columns) put(vals, c, r.values().get(c));
            if (r.error() != null) j.put("error", r.error());
            extra.get(i).properties().forEach(e -> j.set(e.getKey(), e.getValue()));
        }
        Path csvFile = dir.resolve(CSV), jsonFile = dir.resolve(JSON), byFile = dir.resolve(BY_SEED);
        AtomicFile.write(csvFile, csv.toString().getBytes(StandardCharsets.UTF_8));

        BySeed by = bySeed(table, maxRhat);
        StringBuilder b = new StringBuilder();
        line(b, by.header());
        for (List<Object> row : by.rows()) line(b, row);
        AtomicFile.write(byFile, b.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode bj = json.putObject("by_seed");
        if (Double.isNaN(maxRhat)) bj.putNull("max_rhat");
        else bj.put("max_rhat", maxRhat);
        ArrayNode bc = bj.putArray("columns");
        by.header().forEach(bc::add);
        ArrayNode br = bj.putArray("rows");
        for (List<Object> row : by.rows()) {
            ArrayNode a = br.addArray();
            for (Object o : row) addTo(a, o);
        }
        Json.write(jsonFile, json);
        return new Result(csvFile, jsonFile, byFile, rows.size(), complete, by.used(), table);
    }

    /** The table of a sweep's directory, from its sweep.json (made by collect). */
    public static Table read(Path dir) {
        Path f = dir.resolve(JSON);
        if (!Files.isRegularFile(f)) throw SpecException.input(f.toString(), "missing", "the table nnpost sweep collect writes");
        JsonNode j;
        try {
            j = Json.read(f);
        } catch (RuntimeException e) {
            throw SpecException.input(f.toString(), "cannot be read (" + Study.oneLine(e.getMessage()) + ")", "the table nnpost sweep collect writes");
        }
        List<String> header = new ArrayList<>();
        j.path("columns").forEach(c -> header.add(c.asText()));
        List<Row> rows = new ArrayList<>();
        List<String> settings = new ArrayList<>(), columns = new ArrayList<>();
        boolean first = true;
        for (JsonNode r : j.path("rows")) {
            Map<String, String> s = new LinkedHashMap<>();
            r.path("settings").properties().forEach(e -> s.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
            Map<String, Object> v = new LinkedHashMap<>();
            r.path("values").properties().forEach(e -> {
                JsonNode x = e.getValue();
                v.put(e.getKey(), x.isNumber() ? (Object) x.asDouble() : x.isBoolean() ? (Object) x.asBoolean()
                        : x.isTextual() ? x.asText() : Double.NaN);
            });
            if (first) {
                settings.addAll(s.keySet());
                first = false;
            }
            rows.add(new Row(r.path("point").asText(), r.path("status").asText(), s, v, r.path("error").asText(null)));
        }
        for (String h : header) if (!h.equals("point") && !h.equals("status") && !settings.contains(h)) columns.add(h);
        return new Table(settings, columns, rows);
    }

    // ---------------------------------------------------------------- over seeds

    record BySeed(List<String> header, List<List<Object>> rows, int used) {}

    /** One row per group of points that differ only in the seed: mean, standard error and count of every numeric column. */
    static BySeed bySeed(Table t, double maxRhat) {
        List<String> keys = new ArrayList<>(t.settings());
        keys.remove("seed");
        List<String> numeric = new ArrayList<>();
        for (String c : t.columns()) if (!RunRow.TEXT.contains(c)) numeric.add(c);
        List<String> header = new ArrayList<>(keys);
        header.addAll(List.of("points", "complete", "used"));
        for (String c : numeric) header.addAll(List.of(c + "_mean", c + "_se", c + "_n"));
        Map<List<String>, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : t.rows()) {
            List<String> k = new ArrayList<>();
            for (String s : keys) k.add(r.settings().get(s));
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
        }
        List<List<Object>> rows = new ArrayList<>();
        int usedAll = 0;
        for (Map.Entry<List<String>, List<Row>> g : groups.entrySet()) {
            List<Row> used = new ArrayList<>();
            int complete = 0;
            for (Row r : g.getValue()) {
                if (!r.complete()) continue;
                complete++;
                if (Double.isNaN(maxRhat) || r.number("max_rhat") <= maxRhat) used.add(r);
            }
            usedAll += used.size();
            List<Object> row = new ArrayList<>(g.getKey());
            row.add((long) g.getValue().size());
            row.add((long) complete);
            row.add((long) used.size());
            for (String c : numeric) {
                double[] s = stats(used, c);
                row.add(s[0]);
                row.add(s[1]);
                row.add((long) s[2]);
            }
            rows.add(row);
        }
        return new BySeed(header, rows, usedAll);
    }

    /** Mean, standard error of the mean (NaN for n < 2) and n of a column over rows where it is defined. */
    static double[] stats(List<Row> rows, String column) {
        double sum = 0;
        int n = 0;
        for (Row r : rows) {
            double x = r.number(column);
            if (Double.isFinite(x)) { sum += x; n++; }
        }
        double mean = n == 0 ? Double.NaN : sum / n, ss = 0;
        for (Row r : rows) {
            double x = r.number(column);
            if (Double.isFinite(x)) ss += (x - mean) * (x - mean);
        }
        double se = n < 2 ? Double.NaN : Math.sqrt(ss / (n - 1) / n);
        return new double[]{mean, se, n};
    }

    // ---------------------------------------------------------------- CSV

    private static void line(StringBuilder out, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.append(',');
            out.append(field(cell(cells.get(i))));
        }
        out.append("\r\n");
    }

    /** A value as the CSV shows it: every digit of a number, true/false, text; empty when undefined. */
    static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return Double.isFinite(d) ? Double.toString(d) : "";
        if (v instanceof Float f) return Float.isFinite(f) ? Double.toString(f) : "";
        return v.toString();
    }

    /** RFC 4180: a field with a comma, a double quote or a line break is quoted, its quotes doubled. */
    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static void put(ObjectNode o, String key, Object v) {
        if (v == null) o.putNull(key);
        else if (v instanceof Double d) Json.put(o, key, d);
        else if (v instanceof Long l) o.put(key, l);
        else if (v instanceof Integer i) o.put(key, i);
        else if (v instanceof Boolean b) o.put(key, b);
        else o.put(key, v.toString());
    }

    private static void addTo(ArrayNode a, Object v) {
        if (v == null) a.addNull();
        else if (v instanceof Double d) {
            if (Double.isFinite(d)) a.add(d);
            else a.addNull();
        } else if (v instanceof Long l) a.add(l);
        else a.add(v.toString());
    }
}
