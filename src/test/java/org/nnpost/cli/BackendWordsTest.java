package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.BackendException.Reason;
import org.nnpost.backend.BackendException;
import org.nnpost.backend.BackendFactory;
import org.nnpost.backend.BackendSpec;
import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * The backend factory says what happened; the command line says it in the flags that asked for
 * it, with what to do instead. Each case is made by the factory itself where no GPU is needed.
 */
class BackendWordsTest {
    static final ModelSpec SPEC = new ModelSpec(1, 8, 6, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1);
    static final Task TASK = OrthogonalTask.generate(6, 5, 2, new double[]{.5, .5}, true, 1, -1, 0.5, 1);
    static final GpuProbe.Answer NO_GPU = new GpuProbe.Answer(false, "no CUDA driver on this machine (libcuda.so.1)", 0, List.of());

    static String words(BackendSpec request, int chains) {
        try {
            BackendFactory.create(request, SPEC, TASK, chains, NO_GPU).backend().close();
        } catch (BackendException e) {
            return Main.words(e);
        }
        throw new AssertionError("the factory made a backend for " + request);
    }

    @Test
    void cudaWithoutAGpuSaysToUseTheCpu() {
        assertEquals("--backend cuda: no usable GPU (no CUDA driver on this machine (libcuda.so.1)); use --backend cpu or auto",
                words(BackendSpec.of("cuda", 1), 2));
    }

    @Test
    void autoWithCurandAndNoGpuSaysToUsePhilox() {
        assertEquals("--rng curand: needs the GPU backend and no usable GPU was found "
                + "(no CUDA driver on this machine (libcuda.so.1)); use --rng philox",
                words(new BackendSpec("auto", 1, 0, null, false, true), 2));
    }

    @Test
    void devicesNameTheirOwnFlag() {
        assertEquals("--devices: no usable GPU (no CUDA driver on this machine (libcuda.so.1)); leave --devices out to run on the CPU",
                words(new BackendSpec("auto", 1, 0, new int[]{0, 1}, false, false), 4));
        assertEquals("--devices: 2 devices for 1 chains (allowed: at most as many devices as chains)",
                words(new BackendSpec("cuda", 1, 0, new int[]{0, 1}, false, false), 1));
        assertEquals("--devices with --rng curand: each GPU would seed its own cuRAND stream, so the chains would not draw "
                + "what one GPU draws; use one device, or --rng philox",
                words(new BackendSpec("cuda", 1, 0, new int[]{0, 1}, false, true), 4));
    }

    @Test
    void tooManyChainsNameTheChainCount() {
        BackendException e = new BackendException(Reason.TOO_LARGE, BackendSpec.of("cuda", 1), 4096, "at most 1000 chains fit");
        assertEquals("--chains 4096: at most 1000 chains fit", Main.words(e));
    }
}
