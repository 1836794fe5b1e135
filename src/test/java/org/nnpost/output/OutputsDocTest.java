package org.nnpost.output;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.backend.BackendSpec;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.SampleRun;
import org.nnpost.run.TheoryRun;
import org.nnpost.sampler.SamplerSpec;

/**
 * docs/OUTPUTS.md says what every file of a run directory is: its run-files table lists each
 * file {@link RunLayout} lists, with the same element type and named dimensions, and no file the
 * layout does not know; a real run's every file is in the table with the shape the table's
 * dimension names give; and every file {@code nnpost theory} writes is in the theory table.
 */
class OutputsDocTest {
    static final Path DOC = Path.of("docs/OUTPUTS.md");
    @TempDir Path tmp;

    /** A row of a table: the file-name pattern, dtype ("JSON" for a JSON file), dims as written ("[chain, draw]"). */
    record Row(String file, Pattern name, String dtype, String dims) {}

    static List<Row> table(String marker) throws IOException {
        String doc = Files.readString(DOC);
        int from = doc.indexOf("<!-- " + marker), to = doc.indexOf("<!-- /" + marker);
        assertTrue(from >= 0 && to > from, "docs/OUTPUTS.md has no <!-- " + marker + " --> table");
        List<Row> rows = new ArrayList<>();
        for (String line : doc.substring(from, to).split("\n")) {
            if (!line.startsWith("| `")) continue;
            String[] cell = line.split("\\|");
            String file = cell[1].trim().replace("`", "");
            String dims = cell[3].trim().replace("`", "");
            rows.add(new Row(file, pattern(file), cell[2].trim(), dims));
        }
        return rows;
    }

    /** `trace_sqnorm_W{l}.npy` → trace_sqnorm_W[0-9]+\.npy. */
    static Pattern pattern(String file) {
        StringBuilder p = new StringBuilder();
        for (String part : file.split("\\{l\\}", -1)) {
            if (p.length() > 0 || file.startsWith("{l}")) p.append("[0-9]+");
            p.append(Pattern.quote(part));
        }
        return Pattern.compile(p.toString().replace("\\Q\\E", ""));
    }

    static Row rowOf(List<Row> rows, String name) {
        List<Row> hits = rows.stream().filter(r -> r.name().matcher(name).matches()).toList();
        assertEquals(1, hits.size(), name + " should match exactly one row of docs/OUTPUTS.md, matches " + hits);
        return hits.get(0);
    }

    static ModelSpec model(int L, int m) {
        return new ModelSpec(L, 7, 9, m, Phi.RELU, Scaling.MEANFIELD, 2.0, true, 1.0, 1.0);
    }

    static TaskSpec task(int m) {
        double[] w = new double[m];
        java.util.Arrays.fill(w, 1.0 / m);
        return new TaskSpec("orthogonal", 9, 8, 5, w, true, 1.0, -1.0, 0.5, 3);
    }

    @Test
    void everyFileOfTheLayoutIsListedWithItsDtypeAndDims() throws IOException {
        List<Row> rows = table("run-files");
        Set<Row> used = new HashSet<>();
        for (int L : new int[]{1, 2, 3})
            for (int m : new int[]{2, 3}) {
                RunLayout layout = RunLayout.of(model(L, m), task(m), new SamplerSpec("ula", SamplerSpec.uniformEta(L + 1, 0.005f),
                        3, 60, 20, 4, 3, 5));
                for (RunLayout.Entry e : layout.files()) {
                    Row r = rowOf(rows, e.name());
                    used.add(r);
                    assertEquals(e.isArray() ? e.dtype().numpyName : "JSON", r.dtype(), e.name() + ": dtype in docs/OUTPUTS.md");
                    assertEquals(e.isArray() ? e.dimsText() : "", r.dims(), e.name() + ": dims in docs/OUTPUTS.md");
                }
            }
        List<Row> stale = rows.stream().filter(r -> !used.contains(r)).toList();
        assertEquals(List.of(), stale, "rows of docs/OUTPUTS.md that no run writes");
    }

    @Test
    void aRealRunsEveryFileIsListedWithTheShapeItHas() throws IOException {
        int L = 2, m = 3, C = 2;
        ModelSpec model = model(L, m);
        TaskSpec task = task(m);
        SamplerSpec sampler = new SamplerSpec("ula", SamplerSpec.uniformEta(L + 1, 0.005f), C, 60, 20, 4, 3, 5);
        Path dir = tmp.resolve("run");
        SampleRun.execute(new RunConfig(model, task, sampler, BackendSpec.cpu(1), dir, false, "off"), Progress.SILENT);
        // the sizes as the doc's "Sizes" table defines them
        long D = (60 - 20) / 4, K = Math.min(3, D);
        Map<String, Long> size = new HashMap<>(Map.of("chain", (long) C, "draw", D, "kept", K, "N", 7L, "m", (long) m,
                "P", 8L, "Ptest", 5L, "N0", 9L));
        List<Row> rows = table("run-files");
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
        assertTrue(files.size() > 20, files.toString());
        for (String f : files) {
            Row r = rowOf(rows, f);
            if (!f.endsWith(".npy")) {
                assertEquals("JSON", r.dtype(), f);
                continue;
            }
            Npy.Header h = Npy.describe(dir.resolve(f));
            assertEquals(r.dtype(), Npy.Dtype.name(h.descr()), f + ": dtype");
            String[] dims = r.dims().replaceAll("[\\[\\]]", "").split(",\\s*");
            long[] expected = new long[dims.length];
            for (int k = 0; k < dims.length; k++) {
                assertTrue(size.containsKey(dims[k]), f + ": dimension " + dims[k] + " is not in the doc's Sizes table");
                expected[k] = size.get(dims[k]);
            }
            assertArrayEquals(expected, h.shape(), f + ": shape " + r.dims());
        }
    }

    @Test
    void everyFileTheTheoryCommandWritesIsListed() throws IOException {
        String doc = Files.readString(DOC);
        int from = doc.indexOf("## `nnpost theory`"), to = doc.indexOf("\n## ", from + 5);
        String section = doc.substring(from, to);
        List<Pattern> names = new ArrayList<>();
        Matcher mt = Pattern.compile("`([a-z_{}0-9]+\\.(?:npy|json))`").matcher(section);
        while (mt.find()) names.add(pattern(mt.group(1)));
        for (int L : new int[]{1, 2}) {
            ModelSpec model = new ModelSpec(L, 7, 9, 2, Phi.LINEAR, Scaling.MEANFIELD, 2.0, true, 1.0, 1.0);
            Path dir = tmp.resolve("theory" + L);
            TheoryRun.execute(new RunConfig(model, task(2), new SamplerSpec("ula", SamplerSpec.uniformEta(L + 1, 0.005f),
                    1, 10, 0, 1, 1, 5), BackendSpec.cpu(1), dir, false, "off"));
            try (Stream<Path> s = Files.list(dir)) {
                for (String f : s.map(p -> p.getFileName().toString()).toList())
                    assertTrue(names.stream().anyMatch(p -> p.matcher(f).matches()),
                            f + " (nnpost theory, L = " + L + ") is not in docs/OUTPUTS.md");
            }
        }
    }
}
