package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jcuda.LibUtils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import org.nnpost.backend.BackendException;
import org.nnpost.backend.BackendFactory;
import org.nnpost.backend.BackendSpec;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.spec.NnpostException;

/** The parts of the cuRAND noise that need no GPU: the packaged native, its loading, its memory, auto's refusal. */
class CurandNoiseTest {
    static boolean linuxX64() {
        return LibUtils.calculateOS() == LibUtils.OSType.LINUX && LibUtils.calculateArch() == LibUtils.ArchType.X86_64;
    }

    @Test
    void theLoaderAsksForTheNativeNamedAfterTheJcudaVersionInUse() {
        Assumptions.assumeTrue(linuxX64(), "names checked on linux-x86_64, the platform the build packages");
        assertEquals("libJCurand-" + jcuda.JCudaVersion.get() + "-linux-x86_64.so", CurandNoise.nativeFileName());
        assertEquals("libJCurand-12.6.0-linux-x86_64.so", CurandNoise.nativeFileName());
    }

    @Test
    void theBuildPacksTheNativeUnderThatNameAsAClasspathResource() {
        Assumptions.assumeTrue(linuxX64(), "the build packages the linux-x86_64 native only");
        assertTrue(CurandNoise.nativePackaged(), "lib/" + CurandNoise.nativeFileName() + " is not on the classpath");
    }

    /**
     * Loading never throws; where it fails, the reason is one line that names cuRAND and, with our
     * native packaged, the missing CUDA library: proof that JCurand's loader found and opened ours.
     */
    @Test
    void loadingReportsAOneLineReasonOrSucceeds() {
        String why = CurandNoise.unavailableReason();
        assertEquals(why, CurandNoise.unavailableReason(), "the answer is cached");
        if (why == null) return;   // cuRAND is installed here: nothing more to see without a GPU
        assertFalse(why.contains("\n"), why);
        assertTrue(why.startsWith("cuRAND"), why);
        if (linuxX64()) assertTrue(why.contains("libcurand.so.10"), why);
    }

    @Test
    void drawsAreRoundedToEvenCounts() {
        assertEquals(0, CurandNoise.even(0));
        assertEquals(2, CurandNoise.even(1));
        assertEquals(2, CurandNoise.even(2));
        assertEquals(1_000_002, CurandNoise.even(1_000_001));
    }

    @Test
    void memoryPlanAddsTheLargestGroupsNormalsAndOneUniformPerChain() {
        ModelSpec spec = new ModelSpec(2, 50, 30, 3, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1);
        long largest = Math.max(50L * 30, Math.max(50L * 50, 3L * 50));
        assertEquals(4 * (largest + 1), MemoryPlan.of(spec, 20, 5, false, true).perChainBytes()
                - MemoryPlan.of(spec, 20, 5, false, false).perChainBytes());
        assertEquals(MemoryPlan.of(spec, 20, 5, true).perChainBytes(), MemoryPlan.of(spec, 20, 5, true, false).perChainBytes());
    }

    @Test
    void optionsNameTheGeneratorAndDefaultToOurPhilox() {
        assertFalse(CudaOptions.DEFAULT.curand());
        assertEquals("philox", CudaOptions.DEFAULT.rng());
        CudaOptions c = CudaOptions.DEFAULT.withTf32(true).withCurand(true);
        assertTrue(c.curand() && c.tf32());
        assertEquals("curand", c.rng());
        assertTrue(c.withGraphs(false).withVectorReadout(false).withTransposedGemms(false).curand());
    }

    @Test
    void autoWithCurandAndNoGpuRefusesRatherThanRunOnTheCpu() {
        ModelSpec spec = new ModelSpec(1, 8, 6, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1);
        Task task = OrthogonalTask.generate(6, 5, 2, new double[]{.5, .5}, true, 1, -1, 0.5, 1);
        GpuProbe.Answer none = new GpuProbe.Answer(false, "no CUDA driver on this machine (libcuda.so.1)", 0, List.of());
        BackendException e = assertThrows(BackendException.class,
                () -> BackendFactory.create(new BackendSpec("auto", 1, 0, null, false, true), spec, task, 2, none));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertEquals(BackendException.Reason.NO_GPU, e.reason());
        assertTrue(e.request().curand());
    }
}
