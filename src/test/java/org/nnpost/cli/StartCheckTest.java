package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.data.Datasets;
import org.nnpost.spec.NnpostException;

/**
 * A run whose data, prior draws or starting potential are already blown up is a bad setting,
 * not a step size too large: exit code 2, one line naming the flag that did it, before any step
 * and before the run directory exists. (BadInputTest stops at the flags; these reach the run.)
 */
class StartCheckTest {
    @TempDir Path tmp;

    record Outcome(int code, String err) {}

    Outcome run(String... flags) {
        List<String> a = new ArrayList<>(List.of("sample", "--backend", "cpu", "--threads", "1", "--progress", "off",
                "--N", "8", "--N0", "8", "--P", "6", "--Ptest", "3", "--chains", "2", "--steps", "50", "--out",
                tmp.resolve("run").toString()));
        a.addAll(List.of(flags));
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(a.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Outcome(code, e.toString(StandardCharsets.UTF_8));
    }

    void assertNamed(Outcome o, String... words) {
        assertEquals(NnpostException.BAD_INPUT, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        for (String w : words) assertTrue(o.err().contains(w), "\"" + w + "\" not in: " + o.err());
        assertFalse(o.err().contains("lower --eta"), "the step size is not the cause: " + o.err());
        assertFalse(Files.exists(tmp.resolve("run")), "a run directory was made");
    }

    @Test
    void aPriorVarianceWhoseDrawsOverflowFloatIsNamed() {
        assertNamed(run("--sigma-w2", "1e300"), "--sigma-w2 1e300", "not finite float32");
        assertNamed(run("--sigma-a2", "1e90"), "--sigma-a2 1e90", "not finite float32");
    }

    @Test
    void targetsThatPutTheStartPastTheBlowUpLimitAreNamed() {
        assertNamed(run("--y-plus", "1e30"), "--y-plus 1e30", "past the divergence limit");
        assertNamed(run("--y-minus", "-1e300"), "--y-minus -1e300", "not a finite float32");
    }

    @Test
    void aPixelScaleThatOverflowsTheInputsIsNamed() {
        Path dir = Datasets.directory(null);
        boolean have;
        try {
            Datasets.check(dir, "mnist");
            have = true;
        } catch (RuntimeException e) {
            have = false;
        }
        Assumptions.assumeTrue(have, "MNIST is not in " + dir + " (scripts/fetch-datasets.sh mnist): the pixel-scale check is skipped");
        List<String> a = new ArrayList<>(List.of("sample", "--backend", "cpu", "--threads", "1", "--progress", "off",
                "--task", "mnist", "--N", "8", "--P", "6", "--Ptest", "3", "--chains", "2", "--steps", "50",
                "--pixel-scale", "1e300", "--normalize", "off", "--out", tmp.resolve("run").toString()));
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(a.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        assertNamed(new Outcome(code, e.toString(StandardCharsets.UTF_8)), "--pixel-scale 1e300", "not a finite float32");
    }
}
