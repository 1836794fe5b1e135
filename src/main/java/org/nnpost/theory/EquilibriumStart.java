package org.nnpost.theory;

import java.util.Locale;
import java.util.stream.IntStream;

import org.nnpost.data.Dataset;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.rng.Noise;

/**
 * Chains that start at the N → ∞ posterior (--init theory): every neuron's (a, w) of every chain
 * drawn independently from the single-neuron posterior of the mean-field theory (SPEC §7) of a
 * one-hidden-layer network on the orthogonal task.
 *
 * <pre>
 *   a ~ p(a)                             the readout density (linear φ: N(0, U))
 *   z_μ | a ~ N(z; 0, σ_w²) e^{λ_μ φ(z)},  λ_μ = a·t_μ   independently per input
 *   w = Xᵀ z/√N0 + (I − XᵀX/N0) w_prior                w_prior: the chain's own prior draw
 * </pre>
 *
 * so that X w/√N0 = z (X Xᵀ = N0 I) and the part of w the data do not see keeps its prior law.
 * For ReLU at the edge (a condensate, {@link NonlinearMeanField.Condensate}) the last neuron of a
 * chain per condensate S carries it: readout σ_a √(C_S N) v_S, which adds C_S σ_a² v_S v_Sᵀ to
 * the average ⟨a aᵀ⟩ as the theory's condensate does, and preactivations from the same tilted law.
 *
 * <p>Every number comes from the engine's addressed noise ({@link Noise#THEORY_START_GROUP}):
 * chain c's readouts from (seed, c, INIT_STEP), its neuron i's preactivations from (seed, c,
 * INIT_STEP − 1 − i), and w_prior is the prior start's own draw, so a chain's start depends on
 * nothing but the seed and its index (not on threads or on other chains). At finite N the start
 * is off the posterior by O(1/N); the sampler's steps remove that.
 */
public final class EquilibriumStart {
    private final ModelSpec spec;
    private final Dataset train;
    private final Tilt tilt;
    /** P × m order parameter per input. */
    private final double[] t;
    /** Linear φ: U^{1/2} (m × m); null otherwise. */
    private final double[] rootU;
    private final NonlinearMeanField nonlinear;
    private final String description;

    private EquilibriumStart(ModelSpec spec, Dataset train, double[] t, double[] rootU, NonlinearMeanField nonlinear, String description) {
        this.spec = spec;
        this.train = train;
        this.tilt = Tilt.of(spec.phi(), spec.sigmaW2());
        this.t = t;
        this.rootU = rootU;
        this.nonlinear = nonlinear;
        this.description = description;
    }

    /**
     * Solves the theory for a network and its training set (the caller has checked that the
     * theory covers them: L = 1, mean-field scaling, orthogonal inputs, m ≤ 3 for nonlinear φ).
     * The theory's β₀ is β/N, the width-scaled β of the run.
     *
     * @throws org.nnpost.spec.NnpostException when the nonlinear theory finds no solution (one line)
     */
    public static EquilibriumStart of(ModelSpec spec, Dataset train) {
        if (spec.L() != 1 || spec.scaling() != org.nnpost.model.Scaling.MEANFIELD)
            throw new IllegalArgumentException("the equilibrium start needs L = 1 and the mean-field scaling");
        int P = train.P(), m = spec.m();
        double beta0 = spec.beta() / spec.N();
        double[] y = new double[P * m];
        for (int i = 0; i < y.length; i++) y[i] = train.y()[i];
        if (spec.phi() == Phi.LINEAR) {
            double[] k0 = Nngp.inputKernel(train.x(), P, train.x(), P, spec.N0(), spec.sigmaW2());
            LinearMeanField mf = LinearMeanField.solve(k0, P, y, m, beta0, spec.sigmaA2());
            double[] root = Linalg.eigh(mf.u(), m).apply(v -> Math.sqrt(Math.max(v, 0)));
            return new EquilibriumStart(spec, train, mf.t(), root, null,
                    "the linear mean-field theory (readout N(0, U))");
        }
        NonlinearMeanField nl = NonlinearMeanField.solve(spec.phi(), spec.sigmaW2(), spec.sigmaA2(), beta0, train.labels(), y, m, 0);
        if (nl.condensates().size() >= spec.N())
            throw new IllegalArgumentException("more condensates than neurons");
        String d = String.format(Locale.ROOT, "the %s mean-field theory (%s%s)", spec.phi().id(),
                nl.status().name().toLowerCase(Locale.ROOT),
                nl.condensates().isEmpty() ? "" : ", " + nl.condensates().size() + " condensate neuron(s) per chain");
        return new EquilibriumStart(spec, train, nl.t(), null, nl, d);
    }

    /** Which theory the chains start from, in words. */
    public String description() { return description; }

    /** The nonlinear theory the start draws from, or null for linear φ. */
    public NonlinearMeanField nonlinear() { return nonlinear; }

    /** The prior start of every chain with its W¹ and a replaced by the theory's draws (chains in parallel). */
    public ChainState start(int chains, int seed) {
        ChainState prior = ChainState.fromPrior(spec, chains, seed);
        float[][] p = prior.params();
        IntStream.range(0, chains).parallel().forEach(c -> chain(seed, c, p[0], p[1]));
        return prior;
    }

    /**
     * Chain c's draw, in place: w1 holds every chain's W¹ ([chain][neuron][input], the prior's
     * draw on entry), a every chain's readout ([chain][class][neuron]).
     */
    void chain(int seed, int c, float[] w1, float[] a) {
        int N = spec.N(), N0 = spec.N0(), m = spec.m(), P = train.P();
        double[] readout = readouts(seed, c);
        float[] x = train.x();
        double sq = Math.sqrt(N0);
        double[] z = new double[P], proj = new double[P];
        double[] lam = new double[P];
        for (int i = 0; i < N; i++) {
            // the preactivations given the readout
            for (int mu = 0; mu < P; mu++) {
                double l = 0;
                for (int r = 0; r < m; r++) l += readout[i * m + r] * t[mu * m + r];
                lam[mu] = l;
            }
            preactivations(seed, c, i, lam, z);
            // w = w_prior + Xᵀ (z − X w_prior/√N0)/√N0
            int wo = (c * N + i) * N0;
            for (int mu = 0; mu < P; mu++) {
                double s = 0;
                for (int k = 0; k < N0; k++) s += (double) x[mu * N0 + k] * w1[wo + k];
                proj[mu] = (z[mu] - s / sq) / sq;
            }
            for (int k = 0; k < N0; k++) {
                double s = w1[wo + k];
                for (int mu = 0; mu < P; mu++) s += x[mu * N0 + k] * proj[mu];
                w1[wo + k] = (float) s;
            }
            for (int r = 0; r < m; r++) a[(c * m + r) * N + i] = (float) readout[i * m + r];
        }
    }

    /** Chain c's readouts (N × m): regular neurons from p(a), then one neuron per condensate. */
    double[] readouts(int seed, int c) {
        int N = spec.N(), m = spec.m();
        if (nonlinear == null) {
            double[] u = new double[2 * N * m], out = new double[N * m], xi = new double[m];
            Noise.uniforms(seed, c, Noise.INIT_STEP, Noise.THEORY_START_GROUP, u, 0, u.length);
            for (int i = 0; i < N; i++) {
                for (int r = 0; r < m; r++) xi[r] = boxMuller(u[2 * (i * m + r)], u[2 * (i * m + r) + 1]);
                for (int r = 0; r < m; r++) {
                    double s = 0;
                    for (int q = 0; q < m; q++) s += rootU[r * m + q] * xi[q];
                    out[i * m + r] = s;
                }
            }
            return out;
        }
        java.util.List<NonlinearMeanField.Condensate> conds = nonlinear.condensates();
        int regular = N - conds.size();
        double[] out = new double[N * m];
        double[] reg = nonlinear.density().drawsAt(regular, seed, c, Noise.INIT_STEP, Noise.THEORY_START_GROUP);
        System.arraycopy(reg, 0, out, 0, reg.length);
        for (int j = 0; j < conds.size(); j++) {
            NonlinearMeanField.Condensate cd = conds.get(j);
            double size = Math.sqrt(spec.sigmaA2() * cd.weight() * N);
            for (int r = 0; r < m; r++) out[(regular + j) * m + r] = size * cd.direction()[r];
        }
        return out;
    }

    /** z_μ of neuron i drawn from the tilted laws at λ_μ, from the neuron's own uniforms. */
    void preactivations(int seed, int c, int i, double[] lam, double[] z) {
        Stream u = new Stream(seed, c, Noise.INIT_STEP - 1 - i, Noise.THEORY_START_GROUP + 1);
        int P = lam.length;
        if (tilt.phi() == Phi.LINEAR) {
            double s2 = tilt.sigmaW2(), s = Math.sqrt(s2);
            for (int mu = 0; mu < P; mu++) z[mu] = s2 * lam[mu] + s * boxMuller(u.getAsDouble(), u.getAsDouble());
            return;
        }
        // λ_μ takes one value per class: one sampler per distinct λ
        java.util.Map<Double, Tilt.Rejection> laws = new java.util.HashMap<>();
        for (int mu = 0; mu < P; mu++)
            z[mu] = laws.computeIfAbsent(lam[mu], tilt::rejection).draw(u);
    }

    private static double boxMuller(double u1, double u2) {
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The uniforms of one address, read in pieces. */
    static final class Stream implements java.util.function.DoubleSupplier {
        private final int seed, chain, group;
        private final long step;
        private final double[] buf = new double[64];
        private int pos = buf.length;
        private long next;

        Stream(int seed, int chain, long step, int group) {
            this.seed = seed;
            this.chain = chain;
            this.step = step;
            this.group = group;
        }

        @Override public double getAsDouble() {
            if (pos == buf.length) {
                Noise.uniforms(seed, chain, step, group, next, buf, 0, buf.length);
                next += buf.length;
                pos = 0;
            }
            return buf[pos++];
        }
    }
}
