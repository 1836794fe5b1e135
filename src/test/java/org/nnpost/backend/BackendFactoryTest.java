package org.nnpost.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.backend.cpu.CpuGemm;
import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.spec.NnpostException;
import org.nnpost.spec.SpecException;

class BackendFactoryTest {
    static final ModelSpec SPEC = new ModelSpec(1, 8, 6, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1);
    static final Task TASK = OrthogonalTask.generate(6, 5, 2, new double[]{.5, .5}, true, 1, -1, 0.5, 1);
    static final GpuProbe.Answer NO_GPU = new GpuProbe.Answer(false, "no CUDA driver on this machine (libcuda.so.1)", 0, List.of());

    @Test
    void cpuWhenAskedSaysSoWithItsThreads() {
        BackendFactory.Choice c = BackendFactory.create(BackendSpec.cpu(3), SPEC, TASK, 2);
        try (Backend b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertEquals("cpu backend (asked for), 3 threads, GEMM: " + CpuGemm.describe(), c.reason());
        }
    }

    @Test
    void autoWithoutAGpuFallsBackToTheCpuAndSaysWhy() {
        BackendFactory.Choice c = BackendFactory.create(BackendSpec.of("auto", 1), SPEC, TASK, 2, NO_GPU);
        try (Backend b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertEquals("cpu backend (auto: no usable GPU, no CUDA driver on this machine (libcuda.so.1)), 1 threads, GEMM: "
                    + CpuGemm.describe(), c.reason());
        }
    }

    @Test
    void cudaWithoutAGpuIsAOneLineBadInputError() {
        BackendException e = assertThrows(BackendException.class,
                () -> BackendFactory.create(BackendSpec.of("cuda", 1), SPEC, TASK, 2, NO_GPU));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertEquals(BackendException.Reason.NO_GPU, e.reason());
        assertEquals("cuda", e.request().kind());
        assertEquals("no usable GPU (no CUDA driver on this machine (libcuda.so.1))", e.getMessage());
    }

    @Test
    void theRealProbeNeverMakesCudaASilentFallback() {
        GpuProbe.Answer real = GpuProbe.probe();
        if (real.usable()) return;   // covered by the gpu-tagged tests
        BackendException e = assertThrows(BackendException.class, () -> BackendFactory.create(BackendSpec.of("cuda", 1), SPEC, TASK, 2));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertFalse(e.getMessage().contains("\n"));
        try (Backend b = BackendFactory.create(BackendSpec.of("auto", 1), SPEC, TASK, 2).backend()) {
            assertInstanceOf(CpuBackend.class, b);
        }
    }

    @Test
    void unknownBackendNamesTheAllowedValues() {
        SpecException e = assertThrows(SpecException.class, () -> BackendSpec.of("tpu", 1));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertEquals("--backend tpu: unknown value (allowed: cpu, cuda, auto)", e.getMessage());
    }

    /** GPU settings that an "auto" run on the CPU cannot use are said in its reason line, not dropped silently. */
    @Test
    void autoOnTheCpuSaysWhichGpuSettingsHaveNoEffect() {
        BackendSpec both = new BackendSpec("auto", 1, 7, null, true, false);
        BackendFactory.Choice c = BackendFactory.create(both, SPEC, TASK, 2, NO_GPU);
        try (Backend b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
        }
        String reason = c.reason();
        assertTrue(reason.startsWith("cpu backend (auto: no usable GPU, "), reason);
        assertTrue(reason.endsWith("GEMM: " + CpuGemm.describe() + "; --precision tf32 and --device 7 have no effect on the CPU"), reason);
        assertEquals("; --precision tf32 has no effect on the CPU",
                BackendFactory.ignoredOnTheCpu(new BackendSpec("auto", 1, 0, null, true, false)));
        assertEquals("; --devices 3 has no effect on the CPU",
                BackendFactory.ignoredOnTheCpu(new BackendSpec("auto", 1, 0, new int[]{3}, false, false)));
        assertEquals("; --device 2 has no effect on the CPU", BackendFactory.ignoredOnTheCpu(new BackendSpec("cpu", 1, 2, null, false, false)));
        assertEquals("", BackendFactory.ignoredOnTheCpu(BackendSpec.of("auto", 1)));
    }
}
