package org.nnpost.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.backend.Traces;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.Dataset;
import org.nnpost.data.Task;

/**
 * The gradient of U for every φ × L × scaling: the float64 reference against central finite
 * differences, and the float32 CPU backend against the reference.
 */
class GradientTest {
    static final int N = 8, N0 = 6, P = 5, M = 3, CHAINS = 2;

    /** Finite-difference step: see {@link #referenceGradientMatchesFiniteDifferences}. */
    static final double H = 1e-6;
    static final double FD_TOLERANCE = 1e-6;

    /** Unit roundoff of float32. */
    static final double U32 = Math.ulp(1.0f) / 2;
    /**
     * Float32 tolerance in units of u. Each gradient entry is the end of at most 2(L+1)+1 ≤ 9
     * chained float32 dot products of length ≤ max(P, N0, N) = 8, and the classic bound for a
     * length-K dot product is K·u relative to Σ|terms|: 9 × 8 = 72 u. We measure against the
     * group's ‖∇U‖_∞, which stands in for Σ|terms| since these random problems have no strong
     * cancellation; 256 u leaves room for that substitution and for φ′'s amplification.
     */
    static final double FLOAT_ULPS = 256;

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Phi phi : Phi.values())
            for (int L = 0; L <= 3; L++)
                for (Scaling s : Scaling.values()) a.add(Arguments.of(phi, L, s));
        return a.stream();
    }

    static ModelSpec spec(Phi phi, int L, Scaling s) {
        return new ModelSpec(L, N, N0, M, phi, s, 2.0, true, 1.3, 0.7);
    }

    /** Gaussian inputs (not orthogonal: X Xᵀ has structure) and targets (1, −½). */
    static Task task() {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[P * N0];
        for (int i = 0; i < x.length; i++) x[i] = (float) gaussian(r);
        int[] labels = new int[P];
        for (int mu = 0; mu < P; mu++) labels[mu] = mu % M;
        Dataset d = new Dataset(P, N0, M, x, labels, Dataset.targets(labels, M, 1.0, -0.5));
        return new Task("gaussian", d, d);
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Chain c's parameters widened to double (exact), [g][out·in]. */
    static double[][] chainParams(ModelSpec spec, ChainState s, int c) {
        double[][] th = new double[spec.groups()][];
        for (int g = 0; g < spec.groups(); g++) {
            float[] f = s.chainGroup(spec, g, c);
            th[g] = new double[f.length];
            for (int i = 0; i < f.length; i++) th[g][i] = f[i];
        }
        return th;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    /**
     * Error measure: |Δ_i| / ‖∇_g U‖_∞, the error of an entry relative to the largest entry of its
     * group (an entry-wise ratio would blow up for entries near zero, dead ReLU units say).
     * Central differences with step h carry a truncation error h²|U‴|/6 ≈ 10⁻¹² and a rounding
     * error ≈ 2⁻⁵² |U| / h ≈ 2·10⁻¹⁰ · |U|/100; U is O(100) and ‖∇U‖_∞ is O(1–10) here, so both
     * stay two orders below the 10⁻⁶ tolerance. A step this small also keeps ReLU's kink out of
     * reach: a preactivation would have to lie within about 10⁻⁶ of zero.
     */
    @ParameterizedTest(name = "{0} L={1} {2}")
    @MethodSource("cases")
    void referenceGradientMatchesFiniteDifferences(Phi phi, int L, Scaling s) {
        ModelSpec spec = spec(phi, L, s);
        Potential pot = new Potential(spec, task().train());
        double[][] th = chainParams(spec, ChainState.fromPrior(spec, 1, 5), 0);
        double[][] grad = pot.gradient(th);
        double worst = 0;
        for (int g = 0; g < spec.groups(); g++) {
            double scale = maxAbs(grad[g]);
            for (int i = 0; i < th[g].length; i++) {
                double o = th[g][i];
                th[g][i] = o + H;
                double up = pot.value(th);
                th[g][i] = o - H;
                double down = pot.value(th);
                th[g][i] = o;
                double fd = (up - down) / (2 * H);
                worst = Math.max(worst, Math.abs(fd - grad[g][i]) / scale);
            }
        }
        assertTrue(worst < FD_TOLERANCE, "max relative error " + worst);
    }

    /**
     * The CPU backend's float32 U and ∇U (likelihood part plus θ/σ²) against the float64
     * reference, for every chain. Gradient errors are measured against ‖∇_g U‖_∞ and U's against
     * |U| (a sum of positive terms, so |U| is its accumulated magnitude), both within
     * {@link #FLOAT_ULPS} float32 roundoffs.
     */
    @ParameterizedTest(name = "{0} L={1} {2}")
    @MethodSource("cases")
    void cpuBackendMatchesReferenceToFloatRounding(Phi phi, int L, Scaling s) {
        ModelSpec spec = spec(phi, L, s);
        Task task = task();
        Potential pot = new Potential(spec, task.train());
        ChainState state = ChainState.fromPrior(spec, CHAINS, 9);
        double tol = FLOAT_ULPS * U32;
        try (CpuBackend b = new CpuBackend(spec, task, CHAINS, 1)) {
            b.load(state);
            b.gradient();
            double[][] traces = b.traces();
            for (int c = 0; c < CHAINS; c++) {
                double[][] th = chainParams(spec, state, c);
                double[][] ref = pot.gradient(th);
                double u = pot.value(th);
                double uErr = Math.abs(traces[c][Traces.POTENTIAL] - u) / Math.abs(u);
                assertTrue(uErr < tol, "chain " + c + ": U " + traces[c][Traces.POTENTIAL] + " vs " + u + ", relative " + uErr);
                for (int g = 0; g < spec.groups(); g++) {
                    float[] lik = b.likelihoodGradient(g);
                    int size = spec.groupSize(g);
                    double scale = maxAbs(ref[g]), worst = 0;
                    for (int i = 0; i < size; i++) {
                        double full = lik[c * size + i] + th[g][i] / spec.priorVariance(g);
                        worst = Math.max(worst, Math.abs(full - ref[g][i]) / scale);
                    }
                    assertTrue(worst < tol, "chain " + c + " group " + spec.groupName(g) + ": relative error " + worst
                            + " > " + tol);
                }
            }
        }
    }
}
