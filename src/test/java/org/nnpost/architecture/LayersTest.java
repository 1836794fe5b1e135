package org.nnpost.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The main code's packages form layers, and every reference runs down: a package uses only
 * packages of lower layers (and itself). docs/DESIGN.md draws the same picture; a new package
 * must be given its layer here, and an import that runs back up fails with the file and the
 * class it names. References are read from the source text: import lines, and fully qualified
 * names in code (comments are left out: they carry no dependency).
 */
class LayersTest {

    /**
     * Top to bottom; packages on one line are siblings that may not use each other. The backend
     * is one layer of three packages: its contract and the factory that picks an implementation
     * (backend), and the two implementations (backend.cpu, backend.cuda), which implement the
     * contract and never use each other ({@link #APART}).
     */
    static final List<List<String>> LAYERS = List.of(
            List.of("cli"),
            List.of("study"),
            List.of("analysis"),
            List.of("bench"),
            List.of("run"),
            List.of("output"),
            List.of("sampler"),
            List.of("backend"),
            List.of("diagnostics", "theory"),
            List.of("report"),
            List.of("model"),
            List.of("data"),
            List.of("io", "rng", "spec"));

    /** Packages that belong to a layer's package, and pairs of them that must not use each other. */
    static final Map<String, String> FAMILY = Map.of("backend.cpu", "backend", "backend.cuda", "backend");
    static final List<List<String>> APART = List.of(List.of("backend.cpu", "backend.cuda"));

    static final Path MAIN = Path.of("src/main/java/org/nnpost");
    static final Pattern PACKAGE = Pattern.compile("^package org\\.nnpost\\.([a-z.]+);", Pattern.MULTILINE);
    static final Pattern REFERENCE = Pattern.compile("\\borg\\.nnpost\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.([A-Z]\\w*)");

    record Reference(String file, String from, String to, String type) {}

    static Map<String, Integer> rank() {
        Map<String, Integer> r = new LinkedHashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) for (String p : LAYERS.get(i)) r.put(p, i);
        FAMILY.forEach((member, head) -> r.put(member, r.get(head)));
        return r;
    }

    /** The layer package a package belongs to: itself, or the head of its family. */
    static String head(String p) { return FAMILY.getOrDefault(p, p); }

    static List<Reference> references() throws IOException {
        List<Reference> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = withoutComments(Files.readString(f));
                Matcher pm = PACKAGE.matcher(src);
                assertTrue(pm.find(), f + " has no org.nnpost package line");
                String from = pm.group(1);
                Matcher m = REFERENCE.matcher(src);
                while (m.find()) if (!m.group(1).equals(from)) out.add(new Reference(MAIN.relativize(f).toString(), from, m.group(1), m.group(2)));
            }
        }
        return out;
    }

    /** The source with its comments blanked (strings kept, so a "//" inside one is not a comment). */
    static String withoutComments(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int j = i + 1;
                if (c == '"' && s.startsWith("\"\"\"", i)) {
                    j = s.indexOf("\"\"\"", i + 3);
                    j = j < 0 ? n : j + 3;
                } else {
                    while (j < n && s.charAt(j) != c) j += s.charAt(j) == '\\' ? 2 : 1;
                    j = Math.min(n, j + 1);
                }
                b.append(s, i, j);
                i = j;
            } else if (s.startsWith("//", i)) {
                int j = s.indexOf('\n', i);
                i = j < 0 ? n : j;
            } else if (s.startsWith("/*", i)) {
                int j = s.indexOf("*/", i + 2);
                i = j < 0 ? n : j + 2;
                b.append(' ');
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    @Test
    void everyPackageHasALayer() throws IOException {
        Map<String, Integer> rank = rank();
        TreeSet<String> missing = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher pm = PACKAGE.matcher(Files.readString(f));
                if (pm.find() && !rank.containsKey(pm.group(1))) missing.add(pm.group(1));
            }
        }
        assertEquals(new TreeSet<>(), missing, "packages without a layer in LayersTest.LAYERS (and docs/DESIGN.md)");
    }

    @Test
    void everyReferenceRunsDown() throws IOException {
        Map<String, Integer> rank = rank();
        List<String> up = new ArrayList<>();
        for (Reference r : references()) {
            Integer a = rank.get(r.from()), b = rank.get(r.to());
            if (a == null || b == null) continue;   // reported by everyPackageHasALayer, or not ours
            String why = null;
            if (b < a) why = "runs back up";
            else if (b.equals(a) && !head(r.from()).equals(head(r.to()))) why = "siblings in one layer";
            else if (APART.stream().anyMatch(pair -> pair.contains(r.from()) && pair.contains(r.to()))) why = "kept apart";
            if (why != null) up.add(r.file() + ": " + r.from() + " -> " + r.to() + "." + r.type() + " (" + why + ")");
        }
        assertEquals(List.of(), up.stream().distinct().toList());
    }

    /** The check itself: a reference from a lower layer to a higher one is found, one in a comment is not. */
    @Test
    void theCheckSeesAnUpwardReferenceAndIgnoresComments() {
        String src = "package org.nnpost.model;\n// org.nnpost.cli.Main in a comment\n/* org.nnpost.run.SampleRun */\n"
                + "class X { String s = \"// not a comment\"; org.nnpost.backend.Backend b; }\n";
        Matcher m = REFERENCE.matcher(withoutComments(src));
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group(1) + "." + m.group(2));
        assertEquals(List.of("backend.Backend"), found);
        assertTrue(rank().get("backend") < rank().get("model"), "backend sits above model, so model -> backend runs up");
    }
}
