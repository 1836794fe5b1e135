package org.nnpost.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Mala;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.Ula;

/** Same seed, same numbers: on any thread count, and across a snapshot and resume. */
class CpuDeterminismTest {
    // 7 chains: 2 and 4 threads split them unevenly, so chain-to-thread assignment differs
    static final int C = 7, STEPS = 50, SEED = 42;
    static final ModelSpec SPEC = new ModelSpec(2, 24, 20, 3, Phi.TANH, Scaling.MEANFIELD, 5.0, true, 1.0, 1.0);
    static final Task TASK = OrthogonalTask.generate(20, 16, 6, new double[]{0.5, 0.25, 0.25}, true, 1, 0, 0.5, 1);
    static final float[] ETA = {0.01f, 0.01f, 0.005f};

    private static Sampler sampler(String name) {
        return name.equals("ula") ? new Ula(ETA) : new Mala(ETA);
    }

    /** Runs from start to step `to`: returns the state, the traces and the accepted counts. */
    private static Object[] run(ChainState start, int threads, String samplerName, int to) {
        return run(start, threads, samplerName, to, CpuGemm.fromEnvironment());
    }

    private static Object[] run(ChainState start, int threads, String samplerName, int to, CpuGemm.Choice gemm) {
        try (CpuBackend b = new CpuBackend(SPEC, TASK, C, threads, 0, gemm)) {
            Sampler s = sampler(samplerName);
            b.load(start);
            s.init(b);
            while (b.step() < to) s.step(b);
            return new Object[]{b.snapshot(), b.traces(), b.accepted()};
        }
    }

    private static void assertBitIdentical(ChainState a, ChainState b, String what) {
        assertEquals(a.step(), b.step(), what + ": step");
        assertEquals(a.seed(), b.seed(), what + ": seed");
        for (int g = 0; g < SPEC.groups(); g++)
            // Arrays.equals on float[] compares floatToIntBits: bit identity
            assertArrayEquals(a.params()[g], b.params()[g], what + ": group " + SPEC.groupName(g));
    }

    /** Both GEMM kernels, where OpenBLAS loads (else that case says it is skipped). */
    @ParameterizedTest
    @CsvSource({"ula, java", "mala, java", "ula, openblas", "mala, openblas"})
    void statesAfterFiftyStepsAreBitIdenticalOnOneTwoAndFourThreads(String samplerName, String kernel) {
        assumeTrue(!kernel.equals("openblas") || OpenBlasGemm.unavailable() == null,
                () -> "OpenBLAS does not load here: " + OpenBlasGemm.unavailable());
        CpuGemm.Choice gemm = CpuGemm.choose(kernel);
        ChainState init = ChainState.fromPrior(SPEC, C, SEED);
        Object[] one = run(init, 1, samplerName, STEPS, gemm);
        ChainState ref = (ChainState) one[0];
        assertEquals(STEPS, ref.step());
        assertFalse(Arrays.equals(ref.params()[0], init.params()[0]), "the chains moved");
        for (int threads : new int[]{2, 4}) {
            Object[] other = run(init, threads, samplerName, STEPS, gemm);
            assertBitIdentical(ref, (ChainState) other[0], threads + " threads");
            assertArrayEquals((double[][]) one[1], (double[][]) other[1], threads + " threads: traces");
            assertArrayEquals((long[]) one[2], (long[]) other[2], threads + " threads: accepted");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ula", "mala"})
    void resumeFromASnapshotContinuesTheUnbrokenRunBitForBit(String samplerName) {
        ChainState init = ChainState.fromPrior(SPEC, C, SEED);
        Object[] unbroken = run(init, 2, samplerName, STEPS);
        ChainState half = (ChainState) run(init, 2, samplerName, STEPS / 2)[0];
        assertEquals(STEPS / 2, half.step());
        // what a checkpoint keeps: copies of the arrays, the step and the seed
        float[][] copied = new float[half.params().length][];
        for (int g = 0; g < copied.length; g++) copied[g] = half.params()[g].clone();
        ChainState restored = new ChainState(half.chains(), half.seed(), half.step(), copied);
        Object[] resumed = run(restored, 1, samplerName, STEPS);
        assertBitIdentical((ChainState) unbroken[0], (ChainState) resumed[0], "resumed at step " + STEPS / 2);
        assertArrayEquals((double[][]) unbroken[1], (double[][]) resumed[1], "traces");
    }

    @Test
    void differentSeedsGiveDifferentChains() {
        ChainState a = (ChainState) run(ChainState.fromPrior(SPEC, C, 1), 1, "ula", 5)[0];
        ChainState b = (ChainState) run(ChainState.fromPrior(SPEC, C, 2), 1, "ula", 5)[0];
        assertFalse(Arrays.equals(a.params()[0], b.params()[0]));
    }
}
