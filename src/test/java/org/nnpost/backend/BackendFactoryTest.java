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
import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.RunException;
import org.nnpost.spec.NnpostException;

class BackendFactoryTest {
    static final ModelSpec SPEC = new ModelSpec(1, 8, 6, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1);
    static final Task TASK = OrthogonalTask.generate(6, 5, 2, new double[]{.5, .5}, true, 1, -1, 0.5, 1);
    static final GpuProbe.Answer NO_GPU = new GpuProbe.Answer(false, "no CUDA driver on this machine (libcuda.so.1)", 0, List.of());

    @Test
    void cpuWhenAskedSaysSoWithItsThreads() {
        BackendFactory.Choice c = BackendFactory.create("cpu", SPEC, TASK, 2, 3);
        try (Backend b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertEquals("cpu backend (asked for), 3 threads, GEMM: " + CpuGemm.describe(), c.reason());
        }
    }

    @Test
    void autoWithoutAGpuFallsBackToTheCpuAndSaysWhy() {
        BackendFactory.Choice c = BackendFactory.create("auto", SPEC, TASK, 2, 1, CudaOptions.DEFAULT, NO_GPU);
        try (Backend b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertEquals("cpu backend (auto: no usable GPU, no CUDA driver on this machine (libcuda.so.1)), 1 threads, GEMM: "
                    + CpuGemm.describe(), c.reason());
        }
    }

    @Test
    void cudaWithoutAGpuIsAOneLineBadInputError() {
        RunException e = assertThrows(RunException.class,
                () -> BackendFactory.create("cuda", SPEC, TASK, 2, 1, CudaOptions.DEFAULT, NO_GPU));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertEquals("--backend cuda: no usable GPU (no CUDA driver on this machine (libcuda.so.1)); use --backend cpu or auto",
                e.getMessage());
    }

    @Test
    void theRealProbeNeverMakesCudaASilentFallback() {
        GpuProbe.Answer real = GpuProbe.probe();
        if (real.usable()) return;   // covered by the gpu-tagged tests
        RunException e = assertThrows(RunException.class, () -> BackendFactory.create("cuda", SPEC, TASK, 2, 1));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertFalse(e.getMessage().contains("\n"));
        try (Backend b = BackendFactory.create("auto", SPEC, TASK, 2, 1).backend()) {
            assertInstanceOf(CpuBackend.class, b);
        }
    }

    @Test
    void unknownBackendNamesTheAllowedValues() {
        RunException e = assertThrows(RunException.class, () -> BackendFactory.create("tpu", SPEC, TASK, 2, 1));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("cpu, cuda, auto"));
    }
}
