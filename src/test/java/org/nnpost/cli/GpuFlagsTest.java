package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.run.RunConfig;

/** --precision and --device reach the GPU backend's options; `nnpost devices` answers on any machine. */
class GpuFlagsTest {
    @TempDir Path tmp;

    @Test
    void precisionAndDeviceBecomeCudaOptions() {
        RunConfig c = SampleCommand.parse("--precision", "tf32", "--device", "2", "--backend", "cuda",
                "--out", tmp.resolve("r").toString());
        assertTrue(c.backend().tf32());
        assertEquals(2, c.backend().device());
        assertFalse(SampleCommand.parse("--out", tmp.resolve("s").toString()).backend().tf32());
    }

    @Test
    void tf32OnTheCpuIsABadInput() {
        BadInputTest.Outcome o = BadInputTest.run(List.of("sample", "--backend", "cpu", "--precision", "tf32",
                "--out", tmp.resolve("t").toString()));
        assertEquals(2, o.code());
        assertEquals(1, o.errLines().size());
        assertTrue(o.err().contains("--precision tf32"), o.err());
    }

    @Test
    void devicesListsGpusOrSaysThereAreNone() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"devices"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        if (GpuProbe.probe().devices().isEmpty()) assertTrue(text.startsWith("no GPU: "), text);
        else assertTrue(text.contains("compute "), text);
    }

    /** --backend auto without a GPU runs on the CPU, and its backend line and manifest say the GPU flags had no effect. */
    @Test
    void autoOnTheCpuSaysTf32AndTheDeviceHadNoEffect() {
        org.junit.jupiter.api.Assumptions.assumeFalse(GpuProbe.probe().usable(), "a usable GPU is present: auto runs there");
        Path dir = tmp.resolve("auto");
        Cli.Result r = Cli.run("sample", "--backend", "auto", "--precision", "tf32", "--device", "7", "--N", "6", "--N0", "6",
                "--P", "4", "--Ptest", "2", "--chains", "2", "--steps", "20", "--burn-in", "10", "--every", "5", "--threads", "1",
                "--progress", "lines", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String said = "; --precision tf32 and --device 7 have no effect on the CPU";
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("cpu backend (auto: no usable GPU") && l.endsWith(said)), r.out());
        String recorded = org.nnpost.io.Json.read(dir.resolve("manifest.json")).at("/backend/reason").asText();
        assertTrue(recorded.endsWith(said), recorded);
    }
}
