package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * How η must scale across a sweep (SPEC §3): the readout block of the Hessian,
 * β c² φ(Z)ᵀφ(Z) + I/σ_a², has top eigenvalue β₀ (P ⟨φ⟩² + Var φ (1 + √(P/N))²) + 1/σ_a² on
 * orthogonal inputs at the prior, whatever N at fixed P/N. Measured exactly (power iteration on
 * the P × P Gram matrix of a chain's activations) and averaged over 3 chains; the formula is the
 * leading order of a spiked Wishart matrix, whose top eigenvalue fluctuates by O(N^(−2/3)) of the
 * bulk and shifts by O(Var φ / (P ⟨φ⟩²)) from the spike's interaction with the bulk: a few percent
 * at these sizes (the chains' spread is about 3%). 12% keeps clear of that, and a formula
 * without the spike (off by P ⟨φ⟩², a factor 10 for ReLU) or without the edge (off by up to 4
 * for erf) fails.
 */
class StepScalingTest {

    @ParameterizedTest(name = "{0} N={1} P={2} beta0={3}")
    @CsvSource({"relu,100,50,1", "relu,200,50,1", "relu,100,100,10", "relu,400,100,10",
            "erf,100,50,1", "erf,200,50,1", "erf,100,100,10", "erf,400,100,10"})
    void theReadoutsTopCurvatureFollowsTheFormula(String phiName, int N, int P, double beta0) {
        Phi phi = Phi.parse(phiName);
        ModelSpec spec = new ModelSpec(1, N, P, 2, phi, Scaling.MEANFIELD, beta0, true, 1, 1);
        Task task = OrthogonalTask.generate(P, P, 2, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, 1);
        double betaC2 = spec.beta() * spec.scale(1) * spec.scale(1);
        assertEquals(beta0 / N, betaC2, 1e-12 * betaC2, "beta c^2 = beta0 / N under the width scaling");
        int chains = 3;
        double measured = 0;
        try (CpuBackend b = new CpuBackend(spec, task, chains, 2)) {
            b.load(ChainState.fromPrior(spec, chains, 11));
            for (int c = 0; c < chains; c++) measured += betaC2 * topEigenvalue(gram(b.activations(c, false), N, P)) + 1;
        }
        measured /= chains;
        double[] m = moments(phi);   // ⟨φ⟩, ⟨φ²⟩ at preactivation variance 1
        double var = m[1] - m[0] * m[0];
        double edge = (1 + Math.sqrt((double) P / N)) * (1 + Math.sqrt((double) P / N));
        double predicted = beta0 * (P * m[0] * m[0] + var * edge) + 1;
        assertEquals(predicted, measured, 0.12 * predicted);
    }

    /** ΦᵀΦ, P × P, from activations [neuron][input]. */
    static double[][] gram(float[] act, int N, int P) {
        double[][] g = new double[P][P];
        for (int i = 0; i < N; i++)
            for (int mu = 0; mu < P; mu++) {
                double x = act[i * P + mu];
                for (int nu = 0; nu <= mu; nu++) g[mu][nu] += x * act[i * P + nu];
            }
        for (int mu = 0; mu < P; mu++)
            for (int nu = 0; nu < mu; nu++) g[nu][mu] = g[mu][nu];
        return g;
    }

    /** The largest eigenvalue of a symmetric positive semi-definite matrix, by power iteration to 1e-12. */
    static double topEigenvalue(double[][] a) {
        int n = a.length;
        double[] v = new double[n];
        java.util.Arrays.fill(v, 1 / Math.sqrt(n));
        double lambda = 0;
        for (int it = 0; it < 10_000; it++) {
            double[] w = new double[n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) w[i] += a[i][j] * v[j];
            double norm = 0;
            for (double x : w) norm += x * x;
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) v[i] = w[i] / norm;
            if (Math.abs(norm - lambda) < 1e-12 * norm) return norm;
            lambda = norm;
        }
        return lambda;
    }

    /** ⟨φ(z)⟩ and ⟨φ(z)²⟩ for z ~ N(0, 1), by the trapezoid rule on [−12, 12] (exact to double rounding for these φ). */
    static double[] moments(Phi phi) {
        double s1 = 0, s2 = 0, h = 1e-3;
        for (double z = -12; z <= 12; z += h) {
            double w = Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * h, f = phi.value(z);
            s1 += w * f;
            s2 += w * f * f;
        }
        return new double[]{s1, s2};
    }
}
