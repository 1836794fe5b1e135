package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.output.Manifest;
import org.nnpost.output.RunStatus;

/**
 * A disk that fills up during a run: one line naming the file that could not be written and the
 * free space, exit code 5, status "failed" (never left "running"), no temporary file left, and
 * what was done kept: with room made, the run resumes to the bytes of a run that had room all
 * along. The small disk is a tmpfs of 1.5 MB, which needs root to mount; elsewhere the test says
 * it is skipped.
 */
class DiskFullTest {
    @TempDir Path tmp;
    Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) command("umount", mount.toString());
    }

    static int command(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    static String[] run(Path out) {
        List<String> a = new ArrayList<>(List.of("sample", "--backend", "cpu", "--threads", "2", "--progress", "off",
                "--N", "64", "--N0", "64", "--P", "64", "--Ptest", "64", "--chains", "4", "--steps", "400", "--burn-in", "100",
                "--every", "10", "--keep", "10", "--seed", "5", "--checkpoint-every", "50", "--out", out.toString()));
        return a.toArray(String[]::new);
    }

    @Test
    void aFullDiskFailsTheRunWithOneLineKeepsWhatWasDoneAndResumesOnceThereIsRoom() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        boolean mounted = command("mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", disk.toString()) == 0;
        Assumptions.assumeTrue(mounted, "cannot mount a small tmpfs here (needs root): the full-disk check is skipped");
        mount = disk;
        Path reference = tmp.resolve("reference");
        assertEquals(0, ResumeTest.main(run(reference)).code());

        Path dir = disk.resolve("run");
        ResumeTest.Outcome r = ResumeTest.main(run(dir));
        assertEquals(SampleRun.WRITE_FAILED, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("No space left on device") && r.err().contains("free space:"), r.err());
        assertTrue(r.err().contains("nnpost resume " + dir), r.err());
        assertEquals(Manifest.FAILED, RunStatus.of(dir).status());
        try (Stream<Path> s = Files.walk(dir)) {
            List<String> partial = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".partial")).toList();
            assertEquals(List.of(), partial, "temporary files left");
        }

        assertEquals(0, command("mount", "-o", "remount,size=64m", disk.toString()));
        ResumeTest.Outcome again = ResumeTest.main("resume", dir.toString(), "--progress", "off");
        assertEquals(0, again.code(), again.err());
        try (Stream<Path> s = Files.list(reference)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".npy")).toList())
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve(f.getFileName())), f.getFileName().toString());
        }
    }
}
