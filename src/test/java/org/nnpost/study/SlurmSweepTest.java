package org.nnpost.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.cli.Main;
import org.nnpost.io.Json;
import org.nnpost.output.Manifest;

/**
 * The SLURM path for real: a one-node cluster of this machine ({@link SlurmCluster}: munged,
 * slurmctld and slurmd started as root), the array script {@code nnpost sweep --slurm} writes,
 * submitted with sbatch; its three tasks run their shards of an eight-point study side by side
 * (two at a time on two cores), each writing its own points and their status in study.json under
 * its lock; {@code nnpost sweep collect} then gives the very table of the same study run in one
 * piece. Skipped, with the reason, without root or without slurm-wlm and munge (.ci/run installs
 * them). The daemons are stopped however the test ends.
 */
class SlurmSweepTest {
    @TempDir Path tmp;

    static final String STUDY = """
            {"base": {"L": 1, "N0": 8, "P": 6, "Ptest": 4, "chains": 2, "steps": 400, "burn_in": 100, "every": 10,
                      "keep": 3, "eta": 0.01, "backend": "cpu"},
             "grid": {"N": [6, 8], "phi": ["linear", "erf"]},
             "seeds": 2}
            """;

    record Outcome(int code, String out, String err) {}

    static Outcome nnpost(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anArrayJobOfShardsOnASingleNodeClusterGivesTheTableOfAnUnshardedSweep() throws Exception {
        String missing = SlurmCluster.missing();
        assumeTrue(missing == null, missing);
        Path study = Files.writeString(tmp.resolve("study.json"), STUDY);

        Path whole = tmp.resolve("whole");
        Outcome ref = nnpost("sweep", study.toString(), "--out", whole.toString(), "--threads", "1", "--progress", "off");
        assertEquals(0, ref.code(), ref.out() + ref.err());

        Path dir = tmp.resolve("sharded");
        Outcome w = nnpost("sweep", study.toString(), "--out", dir.toString(), "--slurm", "--shards", "3", "--threads", "1",
                "--time", "00:10:00");
        assertEquals(0, w.code(), w.out() + w.err());
        Path script = dir.resolve(SlurmScript.FILE);
        String text = Files.readString(script);
        for (String line : List.of("#SBATCH --array=0-2", "#SBATCH --cpus-per-task=1", "#SBATCH --time=00:10:00",
                "--shard \"${SLURM_ARRAY_TASK_ID}/3\""))
            assertTrue(text.contains(line), "the script has " + line + ":\n" + text);
        assertTrue(!text.contains("--gres"), "no GPU for a CPU study");

        List<String> tasks;
        try (SlurmCluster cluster = SlurmCluster.start(tmp.resolve("cluster"))) {
            String job = cluster.sbatch(script);
            try {
                tasks = cluster.await(job, 600);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs() + logs(dir), e);
            }
            assertEquals(3, tasks.size(), "three array tasks: " + tasks + "\n" + cluster.logs());
            for (String t : tasks) assertTrue(t.endsWith("COMPLETED 0:0"), "every task ends with exit code 0: " + tasks + logs(dir));
        }

        for (int k = 0; k < 3; k++) {
            String out = Files.readString(dir.resolve("slurm/task-" + k + ".out"));
            assertTrue(out.contains("nnpost sweep: shard " + k + "/3 of job"), out);
            assertTrue(out.contains("shard " + k + "/3 runs"), out);
        }
        JsonNode s = Json.read(dir.resolve("study.json"));
        Set<String> pids = new HashSet<>();
        for (JsonNode p : s.path("points")) {
            assertEquals(Manifest.COMPLETE, p.path("status").asText(), p.toString());
            pids.add(Json.read(dir.resolve(p.path("name").asText()).resolve(Manifest.FILE)).path("process").path("pid").asText());
        }
        assertEquals(3, pids.size(), "each shard ran its points in its own process: " + pids);

        Outcome c = nnpost("sweep", "collect", dir.toString());
        assertEquals(0, c.code(), c.out() + c.err());
        assertTrue(c.out().contains("8 of 8 points complete"), c.out());
        assertArrayEquals(Files.readAllBytes(whole.resolve(SweepTable.CSV)), Files.readAllBytes(dir.resolve(SweepTable.CSV)),
                "the shards' table is the unsharded sweep's");
        assertArrayEquals(Files.readAllBytes(whole.resolve(SweepTable.BY_SEED)), Files.readAllBytes(dir.resolve(SweepTable.BY_SEED)));
    }

    private static String logs(Path dir) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 3; k++)
            for (String ext : List.of("out", "err")) {
                Path f = dir.resolve("slurm/task-" + k + "." + ext);
                try {
                    if (Files.exists(f)) s.append("\n---- ").append(f.getFileName()).append('\n').append(Files.readString(f));
                } catch (java.io.IOException e) {
                    s.append("\n(cannot read ").append(f).append(')');
                }
            }
        return s.toString();
    }
}
