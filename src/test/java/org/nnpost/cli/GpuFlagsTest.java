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
}
