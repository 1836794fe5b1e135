package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.backend.Backend;
import org.nnpost.backend.Moments;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.rng.Noise;
import org.nnpost.rng.NoiseGolden;
import org.nnpost.sampler.Mala;
import org.nnpost.sampler.Uld;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.Ula;

/**
 * The CUDA backend against the CPU reference on the same seed. Float32 arithmetic in a different
 * order (cuBLAS blocking, FMA) differs by a few ulps per operation; over 20 small Langevin steps
 * that stays far below 1e-4 of the parameters' scale, while a wrong index, noise address or
 * missing factor shows up at O(1). The noise itself is float arithmetic of correctly rounded
 * operations on both backends and agrees bit for bit ({@link #oneStepFromZeroIsTheNoiseBitForBit}).
 */
@Tag("gpu")
class CudaBackendGpuTest {
    static final int N = 32, N0 = 24, P = 20, PT = 10, M = 3, C = 6;
    static final Task TASK = OrthogonalTask.generate(N0, P, PT, new double[]{.5, .25, .25}, true, 1, 0, 0.6, 11);
    static final double TOL = 1e-4;

    @BeforeEach
    void gpu() { GpuReport.assumeGpu(); }

    static ModelSpec spec(int L, Phi phi, Scaling s) {
        return new ModelSpec(L, N, N0, M, phi, s, 2.0, true, 1.0, 1.0);
    }

    static float[] eta(ModelSpec spec, float e) {
        float[] eta = new float[spec.groups()];
        java.util.Arrays.fill(eta, e);
        return eta;
    }

    static Stream<Arguments> models() {
        List<Arguments> a = new ArrayList<>();
        for (Scaling s : Scaling.values()) for (int L = 0; L <= 2; L++) for (Phi phi : Phi.values()) a.add(Arguments.of(L, phi, s));
        return a.stream();
    }

    static float[] flat(ChainState s) {
        int n = 0;
        for (float[] p : s.params()) n += p.length;
        float[] out = new float[n];
        int k = 0;
        for (float[] p : s.params()) { System.arraycopy(p, 0, out, k, p.length); k += p.length; }
        return out;
    }

    static double[] flat(double[][] t) {
        return Stream.of(t).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** Runs the sampler for steps on both backends from the same prior draw. */
    static double[] compare(ModelSpec spec, Sampler sampler, int steps, boolean graphs, String label) {
        ChainState init = sampler.start(ChainState.fromPrior(spec, C, 1234), spec);
        try (CpuBackend cpu = new CpuBackend(spec, TASK, C, 2);
             CudaBackend gpu = new CudaBackend(spec, TASK, C, CudaOptions.DEFAULT.withGraphs(graphs))) {
            for (Backend b : new Backend[]{cpu, gpu}) {
                b.load(init);
                sampler.init(b);
                b.repeat(steps, () -> sampler.step(b));
            }
            double dp = GpuReport.relDiff(flat(gpu.snapshot()), flat(cpu.snapshot()));
            double dt = GpuReport.relDiff(flat(gpu.traces()), flat(cpu.traces()));
            boolean sameSteps = gpu.step() == cpu.step() && gpu.snapshot().step() == steps;
            long[] dc = cpu.divergedAt(), dg = gpu.divergedAt();
            long[] ac = cpu.accepted(), ag = gpu.accepted();
            boolean flags = java.util.Arrays.equals(dc, dg), accepts = java.util.Arrays.equals(ac, ag);
            int diverged = (int) java.util.Arrays.stream(dc).filter(v -> v >= 0).count();
            long acceptedCpu = java.util.Arrays.stream(ac).sum();
            if (diverged == 0) GpuReport.row(label + " params", dp, TOL, dp < TOL && flags && accepts);
            else GpuReport.row(label + " flags equal, chains", diverged, 0, flags);
            assertArrayEquals(dc, dg, label + ": divergence flags");
            assertArrayEquals(ac, ag, label + ": accepted proposals");
            return new double[]{dp, dt, sameSteps ? 1 : 0, diverged, acceptedCpu};
        }
    }

    /**
     * The noise, bit for bit. From all-zero parameters every gradient is exactly 0 (the readout
     * a = 0, and φ(0) = 0 for ReLU), so one ULA step with η = ½, where √(2η) = 1, leaves
     * θ′ = (0 − η·0) + 1·ξ = 0 + ξ on both backends: the normals themselves (0 + ξ turns a −0
     * into +0, on both). The GPU's θ′ must equal the CPU's and Noise.normals in every bit, for
     * every chain and group, at the addresses of NoiseGolden (the initial step, high step words,
     * negative seeds among them), and there equal the golden bits.
     */
    @Test
    void oneStepFromZeroIsTheNoiseBitForBit() {
        ModelSpec spec = spec(2, Phi.RELU, Scaling.MEANFIELD);
        int chains = 8;
        StepSizes half = StepSizes.of(eta(spec, 0.5f));
        long differ = 0, compared = 0;
        try (CpuBackend cpu = new CpuBackend(spec, TASK, chains, 2);
             CudaBackend gpu = new CudaBackend(spec, TASK, chains, CudaOptions.DEFAULT)) {
            for (NoiseGolden.Normal g : NoiseGolden.NORMALS) {
                float[][] zero = new float[spec.groups()][];
                for (int k = 0; k < spec.groups(); k++) zero[k] = new float[chains * spec.groupSize(k)];
                ChainState at = new ChainState(chains, g.seed(), g.step(), zero);
                float[][][] after = new float[2][][];
                Backend[] both = {cpu, gpu};
                for (int b = 0; b < 2; b++) {
                    both[b].load(at);
                    both[b].gradient();
                    both[b].move(half, false);
                    both[b].advance();
                    after[b] = both[b].snapshot().params();
                }
                for (int k = 0; k < spec.groups(); k++) {
                    int size = spec.groupSize(k);
                    float[] xi = new float[chains * size];
                    for (int c = 0; c < chains; c++) Noise.normals(g.seed(), c, g.step(), k, xi, c * size, size);
                    for (int i = 0; i < xi.length; i++, compared++) {
                        int want = Float.floatToRawIntBits(0f + xi[i]);
                        if (Float.floatToRawIntBits(after[0][k][i]) != want) throw new AssertionError(
                                "CPU step from zero is not the noise at group " + k + " element " + i);
                        if (Float.floatToRawIntBits(after[1][k][i]) != want) differ++;
                    }
                }
                float golden = after[1][g.group()][g.chain() * spec.groupSize(g.group()) + g.i()];
                assertEquals(Integer.toHexString(g.bits()), Integer.toHexString(Float.floatToRawIntBits(golden)),
                        "GPU normal " + g.i() + " of (" + g.seed() + ", " + g.chain() + ", " + g.step() + ", " + g.group() + ")");
            }
        }
        GpuReport.row("noise bits differing from the CPU's, of " + compared, differ, 0, differ == 0);
        assertEquals(0, differ, "normals whose bits differ between GPU and CPU, of " + compared);
    }

    @ParameterizedTest(name = "L={0} {1} {2}")
    @MethodSource("models")
    void twentyUlaStepsAgreeWithTheCpuOnTheSameSeed(int L, Phi phi, Scaling s) {
        ModelSpec spec = spec(L, phi, s);
        double[] r = compare(spec, new Ula(eta(spec, 0.01f)), 20, true, "ula20 L=" + L + " " + phi.id() + " " + s.id());
        assertTrue(r[0] < TOL, "parameters differ by " + r[0]);
        assertTrue(r[1] < TOL, "traces differ by " + r[1]);
        assertTrue(r[2] == 1, "step counters");
    }

    /** The four-wide readout kernels and the transposed ("TN") GEMMs against the plain ones and the CPU. */
    @ParameterizedTest(name = "vector={0} tn={1} L={2}")
    @MethodSource("variants")
    void everyKernelVariantAgreesWithTheCpu(boolean vector, boolean tn, int L, Phi phi) {
        ModelSpec spec = spec(L, phi, Scaling.MEANFIELD);
        ChainState init = ChainState.fromPrior(spec, C, 4321);
        Ula ula = new Ula(eta(spec, 0.01f));
        try (CpuBackend cpu = new CpuBackend(spec, TASK, C, 2);
             CudaBackend gpu = new CudaBackend(spec, TASK, C,
                     CudaOptions.DEFAULT.withVectorReadout(vector).withTransposedGemms(tn))) {
            for (Backend b : new Backend[]{cpu, gpu}) {
                b.load(init);
                ula.init(b);
                b.repeat(20, () -> ula.step(b));
                b.accumulate();
            }
            double d = GpuReport.relDiff(flat(gpu.snapshot()), flat(cpu.snapshot()));
            d = Math.max(d, GpuReport.relDiff(gpu.moments().fTrain(), cpu.moments().fTrain()));
            d = Math.max(d, GpuReport.relDiff(gpu.moments().fTest(), cpu.moments().fTest()));
            if (L > 0) d = Math.max(d, GpuReport.relDiff(gpu.moments().kernelTrain()[0], cpu.moments().kernelTrain()[0]));
            GpuReport.row("variant vec=" + vector + " tn=" + tn + " L=" + L + " " + phi.id(), d, TOL, d < TOL);
            assertTrue(d < TOL, "differs by " + d);
        }
    }

    static Stream<Arguments> variants() {
        List<Arguments> a = new ArrayList<>();
        for (boolean v : new boolean[]{false, true})
            for (boolean tn : new boolean[]{false, true}) {
                a.add(Arguments.of(v, tn, 0, Phi.LINEAR));
                a.add(Arguments.of(v, tn, 1, Phi.RELU));
                a.add(Arguments.of(v, tn, 2, Phi.LINEAR));
            }
        return a.stream();
    }

    @Test
    void graphReplayGivesTheSameStepsAsDirectLaunches() {
        ModelSpec spec = spec(2, Phi.TANH, Scaling.MEANFIELD);
        ChainState init = ChainState.fromPrior(spec, C, 9);
        Ula ula = new Ula(eta(spec, 0.01f));
        float[][] out = new float[2][];
        for (int k = 0; k < 2; k++)
            try (CudaBackend gpu = new CudaBackend(spec, TASK, C, CudaOptions.DEFAULT.withGraphs(k == 0))) {
                gpu.load(init);
                ula.init(gpu);
                gpu.repeat(7, () -> ula.step(gpu));
                gpu.repeat(8, () -> ula.step(gpu));
                out[k] = flat(gpu.snapshot());
            }
        double d = GpuReport.relDiff(out[0], out[1]);
        GpuReport.row("graph replay vs direct launches", d, 1e-6, d < 1e-6);
        assertTrue(d < 1e-6, "graph and direct launches differ by " + d);
    }

    @ParameterizedTest(name = "L={0} {1} {2} eta={3}")
    @MethodSource("malaModels")
    void twentyMalaStepsAgreeWithTheCpuIncludingEveryAcceptDecision(int L, Phi phi, Scaling s, float eta) {
        ModelSpec spec = spec(L, phi, s);
        double[] r = compare(spec, new Mala(eta(spec, eta)), 20, true, "mala20 L=" + L + " " + phi.id());
        assertTrue(r[0] < TOL, "parameters differ by " + r[0]);
        assertTrue(r[4] > 0, "no proposal accepted");
        assertTrue(r[4] < 20L * C, "no proposal rejected: the rejection branch did not run");
    }

    /**
     * Per model, a step size at which some of the 20 × 6 proposals are rejected and most accepted,
     * so both branches run (on the CPU: 111, 115 and 106 of 120 accepted; MalaModelsTest checks it
     * without a GPU). Few rejections keep few decisions near the threshold, where the backends'
     * float rounding of U could tell them apart.
     */
    static Stream<Arguments> malaModels() {
        return Stream.of(Arguments.of(0, Phi.LINEAR, Scaling.LAZY, 0.05f), Arguments.of(1, Phi.ERF, Scaling.MEANFIELD, 0.03f),
                Arguments.of(2, Phi.RELU, Scaling.MEANFIELD, 0.005f));
    }

    /** Underdamped Langevin: positions and momenta after 20 BAOAB steps, and the noise of its O-step, as on the CPU. */
    @ParameterizedTest(name = "L={0} {1} {2}")
    @MethodSource("uldModels")
    void twentyUldStepsAgreeWithTheCpuInPositionsAndMomenta(int L, Phi phi, Scaling s) {
        ModelSpec spec = spec(L, phi, s);
        Uld uld = new Uld(eta(spec, 0.005f), new float[]{2f});
        double[] r = compare(spec, uld, 20, true, "uld20 L=" + L + " " + phi.id());
        assertTrue(r[0] < TOL, "parameters differ by " + r[0]);
        ChainState init = uld.start(ChainState.fromPrior(spec, C, 1234), spec);
        try (CpuBackend cpu = new CpuBackend(spec, TASK, C, 2); CudaBackend gpu = new CudaBackend(spec, TASK, C, CudaOptions.DEFAULT)) {
            for (Backend b : new Backend[]{cpu, gpu}) {
                b.load(init);
                uld.init(b);
                b.repeat(20, () -> uld.step(b));
            }
            float[][] pc = cpu.snapshot().momenta(), pg = gpu.snapshot().momenta();
            double d = 0;
            for (int g = 0; g < pc.length; g++) d = Math.max(d, GpuReport.relDiff(pg[g], pc[g]));
            GpuReport.row("uld20 L=" + L + " " + phi.id() + " momenta", d, TOL, d < TOL);
            assertTrue(d < TOL, "momenta differ by " + d);
        }
    }

    static Stream<Arguments> uldModels() {
        return Stream.of(Arguments.of(0, Phi.LINEAR, Scaling.LAZY), Arguments.of(1, Phi.ERF, Scaling.MEANFIELD),
                Arguments.of(2, Phi.RELU, Scaling.MEANFIELD));
    }

    /** --eta auto's two needs: ‖∇_g U‖² per chain and group, and a MALA move of one group that leaves the others' bits alone. */
    @Test
    void gradientSquaresAndAMoveOfOneGroupAgreeWithTheCpu() {
        ModelSpec spec = spec(2, Phi.ERF, Scaling.MEANFIELD);
        ChainState init = ChainState.fromPrior(spec, C, 77);
        Mala onlyA = new Mala(new float[]{0, 0, 0.01f});
        try (CpuBackend cpu = new CpuBackend(spec, TASK, C, 2); CudaBackend gpu = new CudaBackend(spec, TASK, C, CudaOptions.DEFAULT)) {
            for (Backend b : new Backend[]{cpu, gpu}) {
                b.load(init);
                b.gradient();
            }
            double d = GpuReport.relDiff(flat(gpu.gradientSquares()), flat(cpu.gradientSquares()));
            GpuReport.row("gradient squares", d, TOL, d < TOL);
            assertTrue(d < TOL, "gradient squares differ by " + d);
            for (Backend b : new Backend[]{cpu, gpu}) b.repeat(10, () -> onlyA.step(b));
            for (int g = 0; g < 2; g++)
                org.junit.jupiter.api.Assertions.assertArrayEquals(init.params()[g], gpu.snapshot().params()[g], "group " + g + " held still");
            assertArrayEquals(cpu.accepted(), gpu.accepted(), "accept decisions");
            double dp = GpuReport.relDiff(flat(gpu.snapshot()), flat(cpu.snapshot()));
            assertTrue(dp < TOL, "readout differs by " + dp);
        }
    }

    @Test
    void aBlowUpIsFlaggedAtTheSameStepOnBothBackends() {
        ModelSpec spec = spec(1, Phi.RELU, Scaling.MEANFIELD);
        double[] r = compare(spec, new Ula(eta(spec, 3f)), 20, true, "divergence L=1 relu eta=3");
        assertTrue(r[3] > 0, "no chain diverged: the check saw nothing");
    }

    @ParameterizedTest(name = "L={0}")
    @MethodSource("depths")
    void kernelsPredictorMomentsAndActivationsAgreeWithTheCpu(int L) {
        ModelSpec spec = spec(L, Phi.ERF, Scaling.MEANFIELD);
        ChainState init = ChainState.fromPrior(spec, C, 77);
        Ula ula = new Ula(eta(spec, 0.01f));
        try (CpuBackend cpu = new CpuBackend(spec, TASK, C, 2);
             CudaBackend gpu = new CudaBackend(spec, TASK, C, CudaOptions.DEFAULT)) {
            double worst = 0;
            for (Backend b : new Backend[]{cpu, gpu}) {
                b.load(init);
                ula.init(b);
                for (int k = 0; k < 3; k++) {
                    b.repeat(5, () -> ula.step(b));
                    b.accumulate();
                }
            }
            Moments a = gpu.moments(), e = cpu.moments();
            assertTrue(a.samples() == e.samples());
            for (int l = 0; l < L; l++) {
                worst = Math.max(worst, GpuReport.relDiff(a.kernelTrain()[l], e.kernelTrain()[l]));
                worst = Math.max(worst, GpuReport.relDiff(a.kernelTest()[l], e.kernelTest()[l]));
            }
            worst = Math.max(worst, GpuReport.relDiff(a.fTrain(), e.fTrain()));
            worst = Math.max(worst, GpuReport.relDiff(a.fTrainSq(), e.fTrainSq()));
            worst = Math.max(worst, GpuReport.relDiff(a.fTest(), e.fTest()));
            worst = Math.max(worst, GpuReport.relDiff(a.fTestSq(), e.fTestSq()));
            for (boolean test : new boolean[]{false, true})
                worst = Math.max(worst, GpuReport.relDiff(gpu.activations(4, test), cpu.activations(4, test)));
            for (int g = 0; g < spec.groups(); g++) {
                gpu.gradient();
                cpu.gradient();
                worst = Math.max(worst, GpuReport.relDiff(gpu.likelihoodGradient(g), cpu.likelihoodGradient(g)));
            }
            GpuReport.row("observables+gradient L=" + L + " erf", worst, TOL, worst < TOL);
            assertTrue(worst < TOL, "observables differ by " + worst);
            gpu.resetMoments();
            assertTrue(gpu.moments().fTrain()[0] == 0 && gpu.moments().samples() == 0);
        }
    }

    static Stream<Arguments> depths() { return Stream.of(Arguments.of(0), Arguments.of(1), Arguments.of(2)); }
}
