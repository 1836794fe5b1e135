package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.nnpost.backend.Backend;
import org.nnpost.backend.Moments;
import org.nnpost.backend.Traces;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.Dataset;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Ula;
import org.nnpost.theory.LinearRegressionPosterior;

/** Longer runs: the GPU samples the same law as the CPU, and the exact L = 0 posterior. */
@Tag("gpu")
class CudaStatisticsGpuTest {
    static final double Z = 4.5;   // per-statistic bound; a few dozen statistics keep false alarms below 1e-3

    @BeforeEach
    void gpu() { GpuReport.assumeGpu(); }

    /**
     * L = 0 is Bayesian linear regression: a_r ~ N(A⁻¹ β s Xᵀ y_r, A⁻¹), A = β s² XᵀX + I/σ_a²
     * ({@link LinearRegressionPosterior}).
     * ULA with step η leaves the Gaussian with the same mean and covariance (A − ηA²/2)⁻¹, so
     * means and variances of f on train and test inputs are compared with that, within MC error
     * (chains independent; τ_int ≤ 20 draws for the slowest direction, λ = 1, 10 steps apart).
     */
    @Test
    void linearRegressionPosteriorIsRecoveredOnTheGpu() { linearRegressionPosterior(CudaOptions.DEFAULT, "L=0"); }

    /** The same with cuRAND's noise: an independent generator must recover the same posterior. */
    @Test
    void linearRegressionPosteriorIsRecoveredWithCurandNoise() {
        linearRegressionPosterior(CudaOptions.DEFAULT.withCurand(true), "curand L=0");
    }

    private void linearRegressionPosterior(CudaOptions options, String label) {
        int N0 = 40, P = 20, Pt = 10, m = 2, C = 512;
        double beta0 = 4, eta = 0.01;
        Task task = OrthogonalTask.generate(N0, P, Pt, new double[]{.5, .5}, true, 1, -1, 0.6, 5);
        ModelSpec spec = new ModelSpec(0, N0, N0, m, Phi.LINEAR, Scaling.LAZY, beta0, true, 1, 1);
        double s = spec.scale(0);
        Dataset tr = task.train(), te = task.test();
        LinearRegressionPosterior post = LinearRegressionPosterior.of(tr, s, spec.beta(), spec.sigmaA2());
        double[][] covUla = post.ulaCovariance(eta);
        double[][] mean = post.mean();
        try (CudaBackend gpu = new CudaBackend(spec, task, C, options)) {
            float[] etas = {(float) eta};
            Ula ula = new Ula(etas);
            gpu.load(ChainState.fromPrior(spec, C, 2024));
            ula.init(gpu);
            Runnable step = () -> ula.step(gpu);
            gpu.repeat(1000, step);
            gpu.resetMoments();
            for (int k = 0; k < 200; k++) {
                gpu.repeat(10, step);
                gpu.accumulate();
            }
            Moments mo = gpu.moments();
            double n = mo.samples(), nEff = n / 20.0;
            double worstMean = 0, worstVar = 0;
            for (int set = 0; set < 2; set++) {
                Dataset d = set == 0 ? tr : te;
                double[] sum = set == 0 ? mo.fTrain() : mo.fTest(), sq = set == 0 ? mo.fTrainSq() : mo.fTestSq();
                for (int mu = 0; mu < d.P(); mu++) {
                    double[] x = new double[N0];
                    for (int i = 0; i < N0; i++) x[i] = d.x()[mu * N0 + i];
                    double var = s * s * LinearRegressionPosterior.quad(covUla, x);
                    for (int r = 0; r < m; r++) {
                        double exact = 0;
                        for (int i = 0; i < N0; i++) exact += s * mean[r][i] * x[i];
                        double est = sum[mu * m + r] / n, estVar = sq[mu * m + r] / n - est * est;
                        worstMean = Math.max(worstMean, Math.abs(est - exact) / Math.sqrt(var / nEff));
                        // relative SE of a variance estimate: √(2/nEff)
                        worstVar = Math.max(worstVar, Math.abs(estVar / var - 1) / Math.sqrt(2 / nEff));
                    }
                }
            }
            GpuReport.row(label + " exact posterior mean (max |z|)", worstMean, Z, worstMean < Z);
            GpuReport.row(label + " exact posterior variance (max |z|)", worstVar, Z, worstVar < Z);
            assertTrue(worstMean < Z && worstVar < Z, "z-scores " + worstMean + ", " + worstVar);
        }
    }

    @Test
    void longRunStatisticsAgreeWithTheCpuInFp32() { lawOfTheChainsAgrees(CudaOptions.DEFAULT, "fp32"); }

    /**
     * cuRAND's noise against the CPU's Philox stream (the GPU's own Philox run draws the same
     * numbers as the CPU): two generators, one law.
     */
    @Test
    void longRunStatisticsWithCurandNoiseAgreeWithThePhiloxRun() {
        lawOfTheChainsAgrees(CudaOptions.DEFAULT.withCurand(true), "curand");
    }

    /**
     * TF32 rounds GEMM inputs to 10 mantissa bits (relative 2⁻¹¹ ≈ 5e-4): each force changes by
     * about 1e-3 relative at most, which moves the stationary means of these O(1)-relative
     * statistics by about 1e-3, far below their MC error here (a few percent). So the same z
     * bound holds, with 1e-3 of the mean allowed on top.
     */
    @Test
    void longRunStatisticsAgreeWithTheCpuInTf32() { lawOfTheChainsAgrees(CudaOptions.DEFAULT.withTf32(true), "tf32"); }

    /**
     * Independent chains from the prior on both backends (different seeds): per-chain time averages
     * of U, loss, ‖W¹‖², ‖a‖² have the same distribution whether or not the chains have mixed, so
     * a two-sample z-test over chains checks that the GPU runs the same Markov chain.
     */
    private void lawOfTheChainsAgrees(CudaOptions options, String label) {
        boolean tf32 = options.tf32();
        int N = 32, N0 = 24, P = 20, C = 64, burn = 1000, draws = 200, thin = 10;
        Task task = OrthogonalTask.generate(N0, P, 5, new double[]{.5, .25, .25}, true, 1, 0, 0.6, 3);
        ModelSpec spec = new ModelSpec(1, N, N0, 3, Phi.RELU, Scaling.MEANFIELD, 2.0, true, 1, 1);
        Ula ula = new Ula(new float[]{0.005f, 0.005f});
        double[][] avg = new double[2][];
        double[][] sd = new double[2][];
        int stats = Traces.width(spec.groups());
        for (int k = 0; k < 2; k++) {
            try (Backend b = k == 0
                    ? new CpuBackend(spec, task, C, Runtime.getRuntime().availableProcessors())
                    : new CudaBackend(spec, task, C, options)) {
                b.load(ChainState.fromPrior(spec, C, 100 + k));
                ula.init(b);
                Runnable step = () -> ula.step(b);
                b.repeat(burn, step);
                double[][] perChain = new double[C][stats];
                for (int d = 0; d < draws; d++) {
                    b.repeat(thin, step);
                    double[][] t = b.traces();
                    for (int c = 0; c < C; c++) for (int j = 0; j < stats; j++) perChain[c][j] += t[c][j] / draws;
                }
                assertTrue(Arrays.stream(b.divergedAt()).allMatch(v -> v < 0), "a chain diverged");
                avg[k] = new double[stats];
                sd[k] = new double[stats];
                for (int j = 0; j < stats; j++) {
                    double mu = 0, m2 = 0;
                    for (int c = 0; c < C; c++) mu += perChain[c][j] / C;
                    for (int c = 0; c < C; c++) m2 += Math.pow(perChain[c][j] - mu, 2) / (C - 1);
                    avg[k][j] = mu;
                    sd[k][j] = Math.sqrt(m2 / C);
                }
            }
        }
        String[] names = {"potential", "loss", "|W1|^2", "|a|^2"};
        double worst = 0;
        for (int j = 0; j < stats; j++) {
            double allowance = tf32 ? 1e-3 * Math.abs(avg[0][j]) : 0;
            double z = Math.max(0, Math.abs(avg[1][j] - avg[0][j]) - allowance) / Math.hypot(sd[0][j], sd[1][j]);
            worst = Math.max(worst, z);
            GpuReport.row(label + " vs cpu, L=1 relu, mean " + names[j] + " (|z|)", z, Z, z < Z);
        }
        assertTrue(worst < Z, "largest z " + worst);
    }
}
