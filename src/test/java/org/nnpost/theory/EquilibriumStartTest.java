package org.nnpost.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import org.nnpost.data.Dataset;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.NeuronCode;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * The theory's equilibrium start (--init theory) draws each neuron from the single-neuron
 * posterior: over N = 2000 neurons of one chain, the per-neuron readout moment ⟨a aᵀ⟩, the train
 * outputs f(x_μ) = N⁻¹ Σ_i a_i φ(z_iμ) and the kernel N⁻¹ Σ_i φ(z_iμ) φ(z_iν) of the started
 * network (z read back from its W¹: z = X w/√N0) match the theory's U, F and K, and the part of w
 * the data do not see has its prior norm σ_w²(N0 − P). The neurons are independent draws, so the
 * tolerance is 4.5 standard errors of the mean over neurons (per entry; 6 entries of U, 16 of F,
 * 64 of K: a false alarm about once in 10⁴ runs), plus 0.5% of the entry's scale for what the
 * readout draws inherit from the theory's grid (a proposal corrected by two independence
 * Metropolis–Hastings steps: far below that). The code frequencies of the drawn readouts match
 * the theory's within 4.5 binomial standard errors plus the theory's own code error.
 */
class EquilibriumStartTest {
    static final int N = 2000, N0 = 12, P = 8, m = 2;

    static Task task() {
        return OrthogonalTask.generate(N0, P, 4, new double[]{.5, .5}, true, 1, -1, 0.5, 3);
    }

    static ModelSpec spec(Phi phi, int width) {
        return new ModelSpec(1, width, N0, m, phi, Scaling.MEANFIELD, 4, true, 1, 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Phi.class, names = {"LINEAR", "ERF", "RELU"})
    void theStartedNetworkHasTheTheorysReadoutMomentOutputsAndKernel(Phi phi) {
        Task task = task();
        Dataset tr = task.train();
        ModelSpec spec = spec(phi, N);
        EquilibriumStart start = EquilibriumStart.of(spec, tr);
        ChainState s = start.start(1, 7);
        float[] w = s.params()[0], a = s.params()[1];
        // theory
        double[] u, f, k;
        double beta0 = spec.beta() / N;
        double[] y = new double[P * m];
        for (int i = 0; i < y.length; i++) y[i] = tr.y()[i];
        if (phi == Phi.LINEAR) {
            LinearMeanField lin = LinearMeanField.solve(Nngp.inputKernel(tr.x(), P, tr.x(), P, N0, 1), P, y, m, beta0, 1);
            u = lin.u();
            f = lin.fTrain();
            k = null;
        } else {
            NonlinearMeanField nl = start.nonlinear();
            assertEquals(NonlinearMeanField.Status.REGULAR, nl.status(), nl.note());
            u = nl.u();
            f = nl.fTrain();
            k = nl.kernel();
        }
        // per neuron: a aᵀ, a φ(z_μ), φ(z_μ)φ(z_ν), and the unseen part of w
        double[][] aa = new double[m * m][N], af = new double[P * m][N], ff = new double[P * P][N];
        double[] rest = new double[N];
        double sq = Math.sqrt(N0);
        for (int i = 0; i < N; i++) {
            double[] z = new double[P], h = new double[P];
            for (int mu = 0; mu < P; mu++) {
                double v = 0;
                for (int q = 0; q < N0; q++) v += (double) tr.x()[mu * N0 + q] * w[i * N0 + q];
                z[mu] = v / sq;
                h[mu] = phi.value(z[mu]);
            }
            double norm = 0, seen = 0;
            for (int q = 0; q < N0; q++) norm += (double) w[i * N0 + q] * w[i * N0 + q];
            for (int mu = 0; mu < P; mu++) seen += z[mu] * z[mu];
            rest[i] = norm - seen;
            for (int r = 0; r < m; r++) {
                for (int q = 0; q < m; q++) aa[r * m + q][i] = (double) a[r * N + i] * a[q * N + i];
                for (int mu = 0; mu < P; mu++) af[mu * m + r][i] = a[r * N + i] * h[mu];
            }
            for (int mu = 0; mu < P; mu++) for (int nu = 0; nu < P; nu++) ff[mu * P + nu][i] = h[mu] * h[nu];
        }
        for (int e = 0; e < m * m; e++) close(u[e], aa[e], Math.sqrt(u[0] * u[m * m - 1]), "U[" + e + "]");
        double fScale = Linalg.maxAbs(f);
        for (int e = 0; e < P * m; e++) close(f[e], af[e], fScale, "F[" + e + "]");
        if (k != null) {
            double kScale = Linalg.maxAbs(k);
            for (int e = 0; e < P * P; e++) close(k[e], ff[e], kScale, "K[" + e / P + "," + e % P + "]");
        }
        close(N0 - P, rest, N0 - P, "|w|^2 outside the inputs' span");
    }

    /** The mean of x over neurons within 4.5 standard errors (plus 2% of scale) of expected. */
    static void close(double expected, double[] x, double scale, String what) {
        double mean = 0, var = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        for (double v : x) var += (v - mean) * (v - mean);
        double se = Math.sqrt(var / (x.length - 1) / x.length);
        double tol = 4.5 * se + 0.005 * Math.abs(scale);
        assertTrue(Math.abs(mean - expected) <= tol, String.format("%s: drawn %.5f, theory %.5f, tolerance %.5f (se %.5f)",
                what, mean, expected, tol, se));
    }

    @Test
    void theDrawnReadoutsHaveTheTheorysCodeFrequencies() {
        Task task = task();
        ModelSpec spec = spec(Phi.ERF, N);
        EquilibriumStart start = EquilibriumStart.of(spec, task.train());
        NonlinearMeanField nl = start.nonlinear();
        float[] a = start.start(1, 3).params()[1];
        Tilt tilt = Tilt.of(Phi.ERF, 1);
        // the theory's silent threshold: a tenth of the rms class-mean activity E[ψ_c²] (off-diagonal kernel)
        int[] first = new int[m], second = new int[m];
        java.util.Arrays.fill(first, -1);
        java.util.Arrays.fill(second, -1);
        for (int mu = 0; mu < P; mu++) {
            int c = task.train().labels()[mu];
            if (first[c] < 0) first[c] = mu;
            else if (second[c] < 0) second[c] = mu;
        }
        double tr = 0;
        for (int c = 0; c < m; c++) tr += nl.kernel()[first[c] * P + second[c]];
        double silent = NeuronCode.silentThreshold(Math.sqrt(tr / m));
        Map<String, Integer> counts = new TreeMap<>();
        double[] mean = new double[m];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < m; c++) {
                double lam = 0;
                for (int r = 0; r < m; r++) lam += a[r * N + i] * nl.tau()[c * m + r];
                mean[c] = tilt.psi(lam);
            }
            counts.merge(NeuronCode.of(mean, 0, m, silent), 1, Integer::sum);
        }
        assertFalse(nl.codes().isEmpty());
        for (Map.Entry<String, Double> e : nl.codes().entrySet()) {
            double p = e.getValue(), got = counts.getOrDefault(e.getKey(), 0) / (double) N;
            double tol = 4.5 * Math.sqrt(p * (1 - p) / N) + nl.codeError();
            assertTrue(Math.abs(got - p) <= tol, String.format("code %s: drawn %.4f, theory %.4f, tolerance %.4f (drawn %s, theory %s)",
                    e.getKey(), got, p, tol, counts, nl.codes()));
        }
    }

    /** A chain's start is a function of the seed and its index: not of the chain count or the threads. */
    @Test
    void aChainsStartDependsOnItsSeedAndIndexAlone() throws Exception {
        Task task = task();
        ModelSpec spec = spec(Phi.RELU, 40);
        EquilibriumStart start = EquilibriumStart.of(spec, task.train());
        ChainState three = start.start(3, 5);
        ChainState one = new ForkJoinPool(1).submit(() -> start.start(1, 5)).get();
        ChainState again = new ForkJoinPool(2).submit(() -> start.start(3, 5)).get();
        for (int g = 0; g < spec.groups(); g++) {
            assertArrayEquals(three.params()[g], again.params()[g], "group " + g + " on another number of threads");
            assertArrayEquals(one.chainGroup(spec, g, 0), three.chainGroup(spec, g, 0), "chain 0 of one chain and of three, group " + g);
        }
        ChainState other = start.start(3, 6), prior = ChainState.fromPrior(spec, 3, 5);
        assertFalse(java.util.Arrays.equals(three.params()[1], other.params()[1]), "another seed, other readouts");
        assertFalse(java.util.Arrays.equals(three.params()[0], prior.params()[0]), "the start is not the prior's");
    }
}
