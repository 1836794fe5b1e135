package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.io.Json;
import org.nnpost.study.Study;

/**
 * `nnpost sweep` from the command line: a small study end to end (table, table by seed, rerun,
 * collect, plots), and its refusals: a bad point before anything runs, a changed study with what
 * changed, flags that do not go together. Failing and diverging points are recorded and the sweep
 * goes on, with the exit code saying so.
 */
class SweepCommandTest {
    @TempDir static Path tmp;
    static Path dir;
    static Cli.Result first;

    /** 2 × 2 × 2 tiny points from flags (the run flags are the base). */
    static final List<String> FLAGS = List.of("--grid", "N=6,8", "--grid", "phi=linear,erf", "--seeds", "2", "--L", "1",
            "--N0", "8", "--P", "6", "--Ptest", "4", "--chains", "2", "--steps", "300", "--burn-in", "100", "--every", "10",
            "--keep", "3", "--backend", "cpu", "--threads", "1", "--progress", "off");

    static Cli.Result sweep(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("sweep"));
        a.addAll(FLAGS);
        a.addAll(List.of(more));
        a.addAll(List.of("--out", out.toString()));
        return Cli.run(a.toArray(String[]::new));
    }

    @BeforeAll
    static void smallSweep() {
        dir = tmp.resolve("small");
        first = sweep(dir);
    }

    static void assertBadInput(Cli.Result r, String... fragments) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), r.err());
    }

    @Test
    void aSmallSweepWritesEveryPointItsTableAndTheTableBySeed() throws IOException {
        assertEquals(0, first.code(), first.out() + first.err());
        assertTrue(first.out().contains("sweep " + dir + ": 8 points: 8 pending"), first.out());
        assertTrue(first.out().contains("8 complete"), first.out());
        for (String p : List.of("N=6,phi=linear,seed=1", "N=8,phi=erf,seed=2"))
            assertTrue(Files.readString(dir.resolve(p).resolve("manifest.json")).contains("\"complete\""), p);
        List<String> csv = List.of(Files.readString(dir.resolve("sweep.csv")).split("\r\n", -1));
        assertEquals(10, csv.size(), "header, 8 rows, and the empty rest after the last CRLF");
        assertEquals("", csv.get(9));
        List<String> header = List.of(csv.get(0).split(","));
        assertEquals(List.of("point", "status", "N", "phi", "seed"), header.subList(0, 5));
        for (String c : List.of("max_rhat", "min_ess_bulk", "warnings", "warning_codes", "train_error", "test_error",
                "theory_gp_test_error", "theory_mf_test_error", "participation_ratio_per_N", "theory_mf_participation_ratio_per_N",
                "excess_kurtosis", "coding_scheme", "readout_U_0_0", "readout_U_0_1", "readout_U_1_1", "theory_mf_readout_U_0_1",
                "kernel_diag_mean", "kernel_offdiag_same_class_mean", "kernel_offdiag_other_class_mean",
                "theory_nngp_kernel_offdiag_other_class_mean"))
            assertTrue(header.contains(c), c + " in " + header);
        assertEquals(header.indexOf("test_error") + 1, header.indexOf("theory_gp_test_error"), "theory beside what it predicts");
        String row = csv.get(1);
        assertTrue(row.startsWith("\"N=6,phi=linear,seed=1\",complete,6,linear,1,"), "RFC 4180: a name with commas is quoted: " + row);
        List<String> cells = splitCsv(row);
        assertEquals(header.size(), cells.size(), row);
        String mf = cells.get(header.indexOf("theory_mf_participation_ratio_per_N"));
        assertTrue(Double.parseDouble(mf) > 0 && Double.parseDouble(mf) < 1, "linear L = 1 has the mean-field theory: " + mf);
        List<String> erf = splitCsv(csv.get(3));
        assertEquals("erf", erf.get(3));
        String erfMf = erf.get(header.indexOf("theory_mf_participation_ratio_per_N"));
        assertTrue(Double.parseDouble(erfMf) > 0 && Double.parseDouble(erfMf) < 1, "erf on the orthogonal task has the nonlinear mean-field theory: " + erfMf);
        assertFalse(csv.get(0).contains("seconds") || csv.get(0).contains("_s,"), "no timings");

        // by seed: the mean and standard error of two seeds, by hand
        List<String> by = List.of(Files.readString(dir.resolve("sweep_by_seed.csv")).split("\r\n"));
        List<String> bh = splitCsv(by.get(0));
        assertEquals(List.of("N", "phi", "points", "complete", "used", "max_rhat_mean", "max_rhat_se", "max_rhat_n"), bh.subList(0, 8));
        List<String> g = splitCsv(by.get(1));
        assertEquals(List.of("6", "linear", "2", "2", "2"), g.subList(0, 5));
        double a = Double.parseDouble(splitCsv(csv.get(1)).get(header.indexOf("max_rhat")));
        double b = Double.parseDouble(splitCsv(csv.get(2)).get(header.indexOf("max_rhat")));
        assertEquals((a + b) / 2, Double.parseDouble(g.get(5)), 1e-15);
        assertEquals(Math.abs(a - b) / 2, Double.parseDouble(g.get(6)), 1e-12, "SE of two values: |a - b| / 2");
        assertEquals("2", g.get(7));

        JsonNode j = Json.read(dir.resolve("sweep.json"));
        assertEquals(8, j.path("rows").size());
        assertTrue(j.path("rows").get(0).path("timings").path("sampling_s").isNumber(), "sweep.json keeps the timings");
        JsonNode s = Json.read(dir.resolve("study.json"));
        assertEquals(8, s.path("points").size());
        assertEquals("N=6,phi=linear,seed=1", s.path("points").get(0).path("name").asText());
        assertEquals("complete", s.path("points").get(7).path("status").asText());
        assertEquals("6", s.at("/study/grid/N/0").asText(), "the study as given");
    }

    static List<String> splitCsv(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') { f.append('"'); i++; }
                else if (c == '"') quoted = false;
                else f.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { out.add(f.toString()); f.setLength(0); }
            else f.append(c);
        }
        out.add(f.toString());
        return out;
    }

    @Test
    void theSameCommandAgainSkipsWhatIsCompleteAndCollectRebuildsTheSameTable() throws IOException {
        byte[] csv = Files.readAllBytes(dir.resolve("sweep.csv"));
        Cli.Result again = sweep(dir);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("8 points: 8 complete"), again.out());
        assertFalse(again.out().contains("running"), again.out());
        assertArrayEquals(csv, Files.readAllBytes(dir.resolve("sweep.csv")));
        Files.delete(dir.resolve("sweep.csv"));
        Cli.Result c = Cli.run("sweep", "collect", dir.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("8 of 8 points complete"), c.out());
        assertArrayEquals(csv, Files.readAllBytes(dir.resolve("sweep.csv")));
        Cli.Result f = Cli.run("sweep", "collect", dir.toString(), "--max-rhat", "1.0001");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("with max R-hat <= 1.0001 in the table by seed"), f.out());
        Cli.Result back = Cli.run("sweep", "collect", dir.toString());
        assertEquals(0, back.code(), back.err());
    }

    @Test
    void aChangedStudyIsRefusedWithOneLineAndWhatChanged() throws IOException {
        byte[] study = Files.readAllBytes(dir.resolve("study.json"));
        List<String> changed = new java.util.ArrayList<>(List.of("sweep", "--grid", "N=6,8,10", "--grid", "phi=linear,erf",
                "--seeds", "3", "--L", "1", "--N0", "8", "--P", "6", "--Ptest", "4", "--chains", "2", "--steps", "400",
                "--burn-in", "100", "--every", "10", "--keep", "3", "--threads", "2", "--progress", "off", "--out", dir.toString()));
        Cli.Result r = Cli.run(changed.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals("nnpost sweep: " + dir.resolve("study.json") + ": the study differs from the one this directory holds "
                + "(allowed: the same study, to go on with it, or a new --out); what changed:", lines.get(0));
        assertEquals(List.of("  base.steps: 300 -> 400", "  grid.N: [6, 8] -> [6, 8, 10]", "  seeds: [1, 2] -> [1, 2, 3]"),
                lines.subList(1, lines.size()));
        assertArrayEquals(study, Files.readAllBytes(dir.resolve("study.json")), "study.json untouched");
        assertFalse(Files.exists(dir.resolve("N=10,phi=linear,seed=1")), "nothing ran");
    }

    @Test
    void aStudyFileWithABadPointIsRefusedBeforeAnythingRuns() throws IOException {
        Path f = Files.writeString(tmp.resolve("bad.json"), """
                {"base": {"L": 1, "N0": 8, "Ptest": 4, "chains": 2, "steps": 300, "backend": "cpu"},
                 "grid": {"P": [6, 10], "N": [6]}, "seeds": 2}""");
        Path out = tmp.resolve("bad");
        Cli.Result r = Cli.run("sweep", f.toString(), "--out", out.toString());
        assertBadInput(r, "nnpost sweep: point P=10,N=6,seed=1: P (in bad.json grid) 10:", "N0");
        assertFalse(Files.exists(out), "nothing made, nothing ran");
        Path g = Files.writeString(tmp.resolve("bad2.json"), "{\"base\": {\"N0\": 8, \"P\": 6}, \"grid\": {\"phi\": [\"linear\", \"cosh\"]}}");
        assertBadInput(Cli.run("sweep", g.toString(), "--out", out.toString()), "point phi=cosh,seed=1: phi (in bad2.json grid) cosh: unknown value");
        assertFalse(Files.exists(out));
    }

    @Test
    void refusalsOfFlagsAreOneLine() throws IOException {
        Path f = Files.writeString(tmp.resolve("ok.json"), "{\"base\": {\"N0\": 8, \"P\": 6}}");
        assertBadInput(Cli.run("sweep", f.toString(), "--N", "5", "--out", tmp.resolve("x").toString()),
                "--N: with a study file, settings go into its \"base\"");
        assertBadInput(Cli.run("sweep", f.toString(), "--grid", "N=5,6", "--out", tmp.resolve("x").toString()), "the study file");
        assertBadInput(Cli.run("sweep", "--grid", "N=5,6"), "--out is needed");
        assertBadInput(Cli.run("sweep", "--grid", "N", "--out", tmp.resolve("x").toString()), "--grid N: not key=values");
        assertBadInput(Cli.run("sweep", "--grid", "seed=1,2", "--out", tmp.resolve("x").toString()), "--grid: \"seed\" cannot be part",
                "--seeds");
        Path p0 = Files.writeString(tmp.resolve("p0.json"), "{\"base\": {\"N0\": 8}, \"grid\": {\"N\": [6]}}");
        assertBadInput(Cli.run("sweep", p0.toString(), "--out", tmp.resolve("x").toString()), "point N=6,seed=1: P (default) 64: larger than N0 = 8");
        assertBadInput(Cli.run("sweep", "--grid", "N=5,6", "--seed", "3", "--out", tmp.resolve("x").toString()), "unknown flag --seed");
        assertBadInput(Cli.run("sweep", "--grid", "N=5,6", "--shard", "2/2", "--out", tmp.resolve("x").toString()), "--shard 2/2: out of range");
        assertBadInput(Cli.run("sweep", "--grid", "N=5,6", "--time", "01:00:00", "--out", tmp.resolve("x").toString()), "goes with --slurm");
        assertBadInput(Cli.run("sweep", "--grid", "N=5,6", "--devices", "0,1", "--backend", "cpu", "--out", tmp.resolve("x").toString()),
                "--devices 0,1: hands out GPUs");
        assertBadInput(Cli.run("sweep", "--grid", "N=5,6", "--slurm", "--time", "25h", "--out", tmp.resolve("y").toString()), "--time 25h");
        assertBadInput(Cli.run("sweep", "collect", tmp.resolve("nothing").toString()), "no such directory");
        assertBadInput(Cli.run("sweep", "plot", dir.toString(), "--x", "phi"), "--x phi: has values that are not numbers");
        assertBadInput(Cli.run("sweep", "plot", dir.toString(), "--y", "nonsense"), "--y nonsense: not a column");
        assertBadInput(Cli.run("sweep", "plot", dir.toString(), "--by", "seed"), "--by seed");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void failingAndDivergingPointsAreRecordedAndTheSweepGoesOn() throws IOException {
        // y_plus 1e30 puts the potential past the divergence limit before any step (a bad setting found at the
        // start: the point fails); eta 5 diverges in its first steps
        Path f = Files.writeString(tmp.resolve("mixed.json"), """
                {"base": {"L": 1, "N": 6, "N0": 8, "P": 6, "Ptest": 4, "chains": 2, "steps": 300, "burn_in": 100, "every": 10,
                          "keep": 3, "backend": "cpu", "threads": 1},
                 "zip": {"y_plus": [1, 1e30, 1], "eta": [0.005, 0.005, 5]}}""");
        Path out = tmp.resolve("mixed");
        Cli.Result r = Cli.run("sweep", f.toString(), "--out", out.toString(), "--progress", "off");
        assertEquals(5, r.code(), "some failed: exit code 5\n" + r.out() + r.err());
        assertTrue(r.out().contains("1 complete, 1 diverged, 1 failed"), r.out());
        assertTrue(r.out().contains("y_plus=1E+30,eta=0.005,seed=1: failed: y_plus (in mixed.json zip) 1.0E30: makes the potential at step 0"), r.out());
        assertTrue(r.out().contains("--retry-failed"), r.out());
        JsonNode s = Json.read(out.resolve("study.json"));
        assertEquals("failed", s.at("/points/1/status").asText());
        assertTrue(s.at("/points/1/error").asText().contains("potential at step 0"), s.toString());
        assertEquals("diverged", s.at("/points/2/status").asText());
        String csv = Files.readString(out.resolve("sweep.csv"));
        assertTrue(csv.contains(",failed,") && csv.contains(",diverged,"), csv);

        Cli.Result again = Cli.run("sweep", f.toString(), "--out", out.toString(), "--progress", "off");
        assertEquals(5, again.code(), again.out());
        assertTrue(again.out().contains("failed earlier") && again.out().contains("diverged earlier"), again.out());
        Cli.Result retry = Cli.run("sweep", f.toString(), "--out", out.toString(), "--progress", "off", "--retry-failed");
        assertEquals(5, retry.code(), retry.out());
        assertTrue(retry.out().contains("[2/3] y_plus=1E+30,eta=0.005,seed=1: retried"), retry.out());

        Path d = Files.writeString(tmp.resolve("diverging.json"), """
                {"base": {"L": 1, "N": 6, "N0": 8, "P": 6, "Ptest": 4, "chains": 2, "steps": 300, "burn_in": 100, "every": 10,
                          "keep": 3, "backend": "cpu", "threads": 1},
                 "grid": {"eta": [0.005, 5]}}""");
        Cli.Result dv = Cli.run("sweep", d.toString(), "--out", tmp.resolve("diverging").toString(), "--progress", "off");
        assertEquals(3, dv.code(), "some diverged, none failed: exit code 3\n" + dv.out());
    }

    @Test
    void aShardRunsItsShareAndCollectTabulatesWhatIsComplete() throws IOException {
        Path out = tmp.resolve("shard");
        Cli.Result r = sweep(out, "--shard", "1/3");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("8 points, shard 1/3 runs 3 of them"), r.out());
        assertTrue(r.out().contains("once every shard is: nnpost sweep collect " + out), r.out());
        assertFalse(Files.exists(out.resolve("sweep.csv")), "a shard leaves the table to collect");
        List<String> ran = Files.list(out).filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        // indices 1, 4, 7 of N=6,linear,1 / N=6,linear,2 / N=6,erf,1 / N=6,erf,2 / N=8,linear,1 / ...
        assertEquals(List.of("N=6,phi=linear,seed=2", "N=8,phi=erf,seed=2", "N=8,phi=linear,seed=1"), ran);
        Cli.Result c = Cli.run("sweep", "collect", out.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("3 of 8 points complete"), c.out());
        assertTrue(Files.readString(out.resolve("sweep.csv")).contains("\"N=6,phi=linear,seed=1\",pending,"));
    }

    @Test
    void printStudyGivesAStudyFileOfTheSameStudy() throws IOException {
        List<String> a = new java.util.ArrayList<>(List.of("sweep"));
        a.addAll(FLAGS);
        a.add("--print-study");
        Cli.Result r = Cli.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Path f = Files.writeString(tmp.resolve("printed.json"), r.out());
        assertEquals(List.of(), Study.read(f).diff(Study.of(Json.read(dir.resolve("study.json")).path("study"), "study.json")));
        Cli.Result again = Cli.run("sweep", f.toString(), "--out", dir.toString(), "--threads", "1", "--progress", "off");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("8 points: 8 complete"), "the file form of the study goes on with the directory: " + again.out());
    }

    @Test
    void plotDrawsTheDefaultSetAndExtrapolatesToInfiniteWidth() throws IOException {
        Cli.Result r = Cli.run("sweep", "plot", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String y : List.of("participation_ratio_per_N", "excess_kurtosis", "test_error", "max_rhat"))
            for (String png : List.of(y + "_vs_N_by_phi.png", y + "_vs_1_over_N_by_phi.png")) {
                BufferedImage img = ImageIO.read(dir.resolve("plots").resolve(png).toFile());
                assertNotNull(img, png);
                assertTrue(img.getWidth() >= 600, png);
            }
        assertTrue(r.out().matches("(?s).*phi=linear: participation_ratio_per_N at N -> infinity: [-0-9.e]+ \\+- [0-9.e]+ \\(weighted least squares.*"),
                r.out());
        Cli.Result one = Cli.run("sweep", "plot", dir.toString(), "--x", "N", "--y", "participation_ratio_per_N", "--by", "phi",
                "--log", "xy", "--max-rhat", "10");
        assertEquals(0, one.code(), one.err());
        Cli.Result where = Cli.run("sweep", "plot", dir.toString(), "--y", "test_error", "--where", "phi=erf");
        assertEquals(0, where.code(), where.err());
        assertTrue(Files.exists(dir.resolve("plots/test_error_vs_N.png")), where.out());
    }

    @Test
    void aStudyJsonLeftHalfWrittenByAKilledSweepIsCleanedAway() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("leftover"));
        Files.writeString(out.resolve(".study.json.1234abcd.partial"), "{\"format\": 1, \"stu");
        Files.createFile(out.resolve(".study.lock"));
        Cli.Result r = sweep(out, "--slurm");
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(Files.exists(out.resolve(".study.json.1234abcd.partial")));
        assertTrue(Files.exists(out.resolve("study.json")));
    }

    @Test
    void slurmWritesAnArrayScriptThatRunsTheShardsOfThisStudy() throws IOException {
        Path out = tmp.resolve("slurm");
        List<String> a = new java.util.ArrayList<>(List.of("sweep"));
        a.addAll(FLAGS);
        a.set(a.indexOf("cpu"), "cuda");
        a.addAll(List.of("--slurm", "--shards", "3", "--time", "02:30:00", "--partition", "gpu", "--out", out.toString()));
        Cli.Result r = Cli.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("sbatch " + out.resolve("sweep.sbatch")), r.out());
        String s = Files.readString(out.resolve("sweep.sbatch"), StandardCharsets.UTF_8);
        for (String line : List.of("#!/bin/bash", "#SBATCH --array=0-2", "#SBATCH --cpus-per-task=1", "#SBATCH --time=02:30:00",
                "#SBATCH --partition=gpu", "#SBATCH --gres=gpu:1", "#SBATCH --output=" + out.toAbsolutePath() + "/slurm/task-%a.out",
                "#SBATCH --error=" + out.toAbsolutePath() + "/slurm/task-%a.err", "NNPOST_CMD",
                "org.nnpost.cli.Main", "--grid N=6,8 --grid phi=linear,erf", "--backend cuda", "--out " + out.toAbsolutePath(),
                "--shard \"${SLURM_ARRAY_TASK_ID}/3\"", "--threads \"${SLURM_CPUS_PER_TASK:-1}\""))
            assertTrue(s.contains(line), line + " in\n" + s);
        assertFalse(s.contains("--slurm") || s.contains("--shards") || s.contains("--partition gpu"), s);
        assertTrue(Files.exists(out.resolve("study.json")), "the study is written for the shards to check against");
        assertFalse(Files.exists(out.resolve("N=6,phi=linear,seed=1")), "nothing ran");
        assertBadInput(sweep(tmp.resolve("slurm2"), "--slurm", "--shard", "0/2"), "--shard");
    }
}
