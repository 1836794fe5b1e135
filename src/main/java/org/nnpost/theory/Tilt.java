package org.nnpost.theory;

import org.nnpost.model.Phi;
import org.nnpost.model.SpecialFunctions;

/**
 * One hidden unit's preactivation under the single-neuron posterior of the mean-field theory
 * (SPEC §7): z ~ N(0, σ_w²) tilted by e^{λ φ(z)}, λ = a·τ_c for an input of class c. Its
 * cumulant generating function and the first cumulants of φ(z):
 *
 * <pre>
 *   M(λ) = E e^{λ φ(z)},   log M,   ψ = (log M)' = E_λ[φ],   ψ' = Var_λ[φ],   κ₃ = ψ'',   κ₄ = ψ'''
 * </pre>
 *
 * log M is convex (a cumulant generating function). Closed forms for linear φ (M = e^{σ_w²λ²/2})
 * and ReLU (M = ½ + e^{λ²σ_w²/2} Φ(λσ_w), computed in log space and with scaled erfc for large
 * |λ|); for erf and tanh, and for ReLU's κ₃ and κ₄, composite Gauss–Legendre quadrature of the
 * tilted density in log space ({@link #law}): panels march out from the density's mode, narrow
 * where the log-density is steep, until it has fallen by e^{−40}; z = 0 is always a panel edge
 * (ReLU's kink).
 *
 * <p>The test-input smoothing: a test input with overlap ρ to a training input has preactivation
 * z* = ρ z + √(1−ρ²) ξ with ξ ~ N(0, σ_w²) independent of z, so given the neuron its mean
 * activity is g(λ) = E_λ[h(z)] with h(z) = E_ξ φ(ρz + √(1−ρ²) ξ) ({@link #smoothed}).
 */
public abstract class Tilt {
    /** Slots of {@link #cumulants}: log M, ψ, ψ′, κ₃, κ₄. */
    public static final int SLOTS = 5;
    /** The quadratures stop where the tilted density has fallen below e^−LOG_SPAN of its peak. */
    static final double LOG_SPAN = 40;

    final Phi phi;
    final double sigmaW2, s;

    Tilt(Phi phi, double sigmaW2) {
        if (!(sigmaW2 > 0) || Double.isInfinite(sigmaW2)) throw new IllegalArgumentException("sigmaW2 = " + sigmaW2);
        this.phi = phi;
        this.sigmaW2 = sigmaW2;
        this.s = Math.sqrt(sigmaW2);
    }

    public static Tilt of(Phi phi, double sigmaW2) {
        switch (phi) {
            case LINEAR: return new Linear(sigmaW2);
            case RELU: return new Relu(sigmaW2);
            case ERF:
            case TANH: return new Quadrature(phi, sigmaW2);
            default: throw new IllegalArgumentException(phi.toString());
        }
    }

    public Phi phi() { return phi; }

    public double sigmaW2() { return sigmaW2; }

    /** out[0..4] = log M, ψ, ψ′, κ₃, κ₄ at λ. */
    public void cumulants(double lambda, double[] out) { law(lambda).cumulants(out); }

    public double logM(double lambda) { return slot(lambda, 0); }

    public double psi(double lambda) { return slot(lambda, 1); }

    public double dpsi(double lambda) { return slot(lambda, 2); }

    private double slot(double lambda, int k) {
        double[] o = new double[SLOTS];
        cumulants(lambda, o);
        return o[k];
    }

    /**
     * The large-λ quadratic growth of log M: log M(λ) ≈ c λ² as λ → +∞ (c = σ_w²/2 for linear
     * and ReLU, whose p(a) can stop being normalisable; 0 for the bounded sigmoids).
     */
    public double quadraticGrowth() { return 0; }

    /** log M(λ) as λ → −∞ for ReLU (log ½: the neuron is silent on that class); NaN where it grows. */
    public double silentLimit() { return Double.NaN; }

    /** h(z) = E_ξ φ(ρ z + √(1−ρ²) ξ), ξ ~ N(0, σ_w²): the smoothed activation of a test input. */
    public abstract double smoothed(double z, double rho);

    /** out[0..2] = g, g′, g″ with g(λ) = E_λ[h(z)]: g′ = Cov_λ(h, φ), g″ = E_λ[(h − g)(φ − ψ)²]. */
    public void testMean(double lambda, double rho, double[] out) { law(lambda).testMean(this, rho, out); }

    /** The unnormalised log-density of the tilted law, −z²/(2σ_w²) + λ φ(z). */
    final double logDensity(double z, double lambda) { return -z * z / (2 * sigmaW2) + lambda * phi.value(z); }

    private double slope(double z, double lambda) { return -z / sigmaW2 + lambda * phi.derivative(z); }

    /** The tilted density's mode (it is unimodal for all four φ). */
    abstract double mode(double lambda);

    /**
     * The tilted law at λ as a quadrature: nodes z_k and normalised weights, with log M.
     * Panels of {@link GaussLegendre#ORDER} nodes, of width at most 2σ_w and at most
     * 12/|d log p/dz| at either edge, from the mode outwards, with z = 0 a panel edge.
     */
    public Law law(double lambda) {
        double zs = mode(lambda), top = logDensity(zs, lambda);
        java.util.List<double[]> panels = panels(lambda, zs, top);
        int n = panels.size() * GaussLegendre.ORDER;
        double[] z = new double[n], w = new double[n], f = new double[n];
        int j = 0;
        double sum = 0;
        for (double[] p : panels) {
            double mid = 0.5 * (p[0] + p[1]), half = 0.5 * (p[1] - p[0]);
            for (int k = 0; k < GaussLegendre.ORDER; k++) {
                z[j] = mid + half * GaussLegendre.NODES[k];
                f[j] = phi.value(z[j]);
                w[j] = half * GaussLegendre.WEIGHTS[k] * StrictMath.exp(-z[j] * z[j] / (2 * sigmaW2) + lambda * f[j] - top);
                sum += w[j++];
            }
        }
        for (int k = 0; k < n; k++) w[k] /= sum;
        double logM = StrictMath.log(sum) + top - StrictMath.log(Math.sqrt(2 * Math.PI) * s);
        return new Law(phi, lambda, z, w, f, logM);
    }

    /**
     * An exact sampler of the tilted law at λ, for the theory's equilibrium start: a panel of
     * {@link #law}'s partition is picked by its quadrature mass, then a point of it by rejection
     * from the uniform law on the panel under the density's value at its higher edge. The mode is
     * a panel edge and the density is unimodal, so it is monotone on every panel and that edge
     * bounds it there: the draw is exact up to the quadrature's error in the panel masses and the
     * tails beyond e^−40 of the peak that the partition leaves out.
     */
    public Rejection rejection(double lambda) {
        double zs = mode(lambda), top = logDensity(zs, lambda);
        java.util.List<double[]> panels = panels(lambda, zs, top);
        int n = panels.size();
        double[] lo = new double[n], hi = new double[n], bound = new double[n], cum = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] p = panels.get(i);
            lo[i] = p[0];
            hi[i] = p[1];
            bound[i] = Math.max(logDensity(p[0], lambda), logDensity(p[1], lambda)) - top;
            double mid = 0.5 * (p[0] + p[1]), half = 0.5 * (p[1] - p[0]), mass = 0;
            for (int k = 0; k < GaussLegendre.ORDER; k++)
                mass += half * GaussLegendre.WEIGHTS[k] * StrictMath.exp(logDensity(mid + half * GaussLegendre.NODES[k], lambda) - top);
            sum += mass;
            cum[i] = sum;
        }
        return new Rejection(this, lambda, top, lo, hi, bound, cum);
    }

    /** Draws from the tilted law at one λ ({@link #rejection}). */
    public static final class Rejection {
        private final Tilt tilt;
        private final double lambda, top;
        private final double[] lo, hi, bound, cum;

        Rejection(Tilt tilt, double lambda, double top, double[] lo, double[] hi, double[] bound, double[] cum) {
            this.tilt = tilt;
            this.lambda = lambda;
            this.top = top;
            this.lo = lo;
            this.hi = hi;
            this.bound = bound;
            this.cum = cum;
        }

        /** One draw of z, from as many uniforms in (0, 1) as it takes (three on average, or so). */
        public double draw(java.util.function.DoubleSupplier uniform) {
            double target = uniform.getAsDouble() * cum[cum.length - 1];
            int a = 0, b = cum.length - 1;
            while (a < b) {
                int mid = (a + b) >>> 1;
                if (cum[mid] < target) a = mid + 1;
                else b = mid;
            }
            while (true) {
                double z = lo[a] + uniform.getAsDouble() * (hi[a] - lo[a]);
                if (StrictMath.log(uniform.getAsDouble()) <= tilt.logDensity(z, lambda) - top - bound[a]) return z;
            }
        }
    }

    /**
     * The partition of the tilted law's support behind {@link #law}: panels of width at most 2σ_w
     * and at most 12/|d log p/dz| at either edge, marching out from the mode zs on either side until
     * the density has fallen by e^−{@link #LOG_SPAN}, with z = 0 a panel edge; each as {lo, hi}.
     */
    private java.util.List<double[]> panels(double lambda, double zs, double top) {
        java.util.ArrayList<double[]> panels = new java.util.ArrayList<>();
        for (int dir = -1; dir <= 1; dir += 2) {
            double a = zs;
            for (int k = 0; k < 100000; k++) {
                // the slope just inside the inner edge (ReLU's kink has a one-sided slope) and at
                // the trial outer edge (Gaussian tails steepen outwards): 16 nodes integrate
                // e^{cz} on a panel of half-width h to 1e-16 while c h ≤ 6
                double w = Math.min(2 * s, 12.0 / Math.max(Math.abs(slope(a + dir * 1e-9 * s, lambda)), 1e-300));
                w = Math.min(w, 12.0 / Math.max(Math.abs(slope(a + dir * w, lambda)), 1e-300));
                w = Math.max(w, s / 4096);
                double b = a + dir * w;
                if (a * b < 0) b = 0;              // z = 0 is always a panel edge
                panels.add(dir < 0 ? new double[]{b, a} : new double[]{a, b});
                a = b;
                if (logDensity(a, lambda) < top - LOG_SPAN && (a - zs) * dir > 0) break;
            }
        }
        return panels;
    }

    /** The tilted law at one λ as a quadrature rule. */
    public static final class Law {
        final Phi phi;
        final double lambda, logM;
        final double[] z, w, f;

        Law(Phi phi, double lambda, double[] z, double[] w, double[] f, double logM) {
            this.phi = phi;
            this.lambda = lambda;
            this.z = z;
            this.w = w;
            this.f = f;
            this.logM = logM;
        }

        /** Nodes of the rule. */
        public int size() { return z.length; }

        public double logM() { return logM; }

        /** E_λ[f(z)]. */
        public double mean(java.util.function.DoubleUnaryOperator f) {
            double m = 0;
            for (int k = 0; k < z.length; k++) m += w[k] * f.applyAsDouble(z[k]);
            return m;
        }

        public void cumulants(double[] out) {
            double m = 0;
            for (int k = 0; k < z.length; k++) m += w[k] * f[k];
            double c2 = 0, c3 = 0, c4 = 0;
            for (int k = 0; k < z.length; k++) {
                double d = f[k] - m, d2 = d * d;
                c2 += w[k] * d2;
                c3 += w[k] * d2 * d;
                c4 += w[k] * d2 * d2;
            }
            out[0] = logM;
            out[1] = m;
            out[2] = c2;
            out[3] = c3;
            out[4] = c4 - 3 * c2 * c2;
        }

        public void testMean(Tilt tilt, double rho, double[] out) {
            double mf = 0, mh = 0;
            double[] h = new double[z.length];
            for (int k = 0; k < z.length; k++) {
                h[k] = tilt.smoothed(z[k], rho);
                mf += w[k] * f[k];
                mh += w[k] * h[k];
            }
            double c11 = 0, c12 = 0;
            for (int k = 0; k < z.length; k++) {
                double df = f[k] - mf, dh = h[k] - mh;
                c11 += w[k] * dh * df;
                c12 += w[k] * dh * df * df;
            }
            out[0] = mh;
            out[1] = c11;
            out[2] = c12;
        }
    }

    /** φ(z) = z: M = e^{σ_w²λ²/2}, the tilted law N(σ_w²λ, σ_w²). */
    static final class Linear extends Tilt {
        Linear(double sigmaW2) { super(Phi.LINEAR, sigmaW2); }

        @Override public void cumulants(double lambda, double[] out) {
            out[0] = 0.5 * sigmaW2 * lambda * lambda;
            out[1] = sigmaW2 * lambda;
            out[2] = sigmaW2;
            out[3] = 0;
            out[4] = 0;
        }

        @Override public double quadraticGrowth() { return 0.5 * sigmaW2; }

        @Override public double smoothed(double z, double rho) { return rho * z; }

        @Override public void testMean(double lambda, double rho, double[] out) {
            out[0] = rho * sigmaW2 * lambda;
            out[1] = rho * sigmaW2;
            out[2] = 0;
        }

        @Override double mode(double lambda) { return sigmaW2 * lambda; }
    }

    /**
     * φ(z) = max(z, 0). With x = λσ_w and G = e^{x²/2} Φ(x): M = ½ + G. The tilted law is a
     * mixture: z &lt; 0 with weight ½/M (φ = 0 there), and with weight w = G/M the normal
     * N(λσ_w², σ_w²) truncated to z &gt; 0, whose mean is σ_w(x + h) and variance σ_w²(1 − h(h + x)),
     * h = φ_N(x)/Φ(x) the inverse Mills ratio. Hence ψ = w m₁ and ψ′ = w v₁ + w(1 − w) m₁².
     * log G uses log Φ for x ≥ 0 and log(½ erfcx(−x/√2)) below; for x &lt; −5, x + h and
     * 1 − h(h + x) come from the continued fraction of the Mills ratio, free of cancellation.
     */
    static final class Relu extends Tilt {
        Relu(double sigmaW2) { super(Phi.RELU, sigmaW2); }

        @Override public void cumulants(double lambda, double[] out) {
            double x = lambda * s;
            double logG = x >= 0 ? 0.5 * x * x + StrictMath.log1p(-0.5 * SpecialFunctions.erfc(x / Math.sqrt(2)))
                    : StrictMath.log(0.5 * SpecialFunctions.erfcx(-x / Math.sqrt(2)));
            double lh = -StrictMath.log(2);
            double logM = Math.max(logG, lh) + StrictMath.log1p(StrictMath.exp(-Math.abs(logG - lh)));
            double w = StrictMath.exp(logG - logM), q = StrictMath.exp(lh - logM);
            double xh, c2;                              // x + h and 1 − h(h + x)
            if (x >= -5) {
                double h = Math.sqrt(2 / Math.PI) / SpecialFunctions.erfcx(-x / Math.sqrt(2));
                xh = x + h;
                c2 = 1 - h * xh;
            } else {
                double y = -x, e = 0;
                for (int k = 200; k >= 2; k--) e = k / (y + e);   // e = 2/(y + 3/(y + …))
                xh = 1 / (y + e);
                c2 = xh * (e - xh);
            }
            double m1 = s * xh, v1 = sigmaW2 * c2;
            out[0] = logM;
            out[1] = w * m1;
            out[2] = w * v1 + w * q * m1 * m1;
            double[] o = new double[SLOTS];
            law(lambda).cumulants(o);
            out[3] = o[3];
            out[4] = o[4];
        }

        @Override public double quadraticGrowth() { return 0.5 * sigmaW2; }

        @Override public double silentLimit() { return -Math.log(2); }

        /** μΦ(μ/S) + S φ_N(μ/S), μ = ρz, S = σ_w √(1−ρ²). */
        @Override public double smoothed(double z, double rho) {
            double mu = rho * z, sd = s * Math.sqrt(Math.max(0, 1 - rho * rho));
            if (sd == 0) return Math.max(mu, 0);
            double u = mu / sd;
            return mu * 0.5 * SpecialFunctions.erfc(-u / Math.sqrt(2)) + sd * Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);
        }

        @Override double mode(double lambda) { return lambda > 0 ? sigmaW2 * lambda : 0; }
    }

    /** erf and tanh: bounded, odd, increasing; everything by quadrature. */
    static final class Quadrature extends Tilt {
        Quadrature(Phi phi, double sigmaW2) { super(phi, sigmaW2); }

        /** erf: the closed form erf(kρz/√(1 + 2k²σ_w²(1−ρ²))), k = √π/2; tanh: 48-point Gauss–Hermite. */
        @Override public double smoothed(double z, double rho) {
            double v = sigmaW2 * Math.max(0, 1 - rho * rho);
            if (phi == Phi.ERF) {
                double k = Math.sqrt(Math.PI) / 2;
                return SpecialFunctions.erf(k * rho * z / Math.sqrt(1 + 2 * k * k * v));
            }
            if (v == 0) return phi.value(rho * z);
            double sd = Math.sqrt(2 * v), sum = 0;
            for (int i = 0; i < GaussHermite.ORDER; i++)
                sum += GaussHermite.WEIGHTS[i] * phi.value(rho * z + sd * GaussHermite.NODES[i]);
            return sum / Math.sqrt(Math.PI);
        }

        /** The root of −z/σ_w² + λ φ′(z) on the side of λ, by bisection (φ′ falls with |z|). */
        @Override double mode(double lambda) {
            if (lambda == 0) return 0;
            double lo = 0, hi = Math.abs(lambda) * sigmaW2, l = Math.abs(lambda);
            for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
                double mid = 0.5 * (lo + hi);
                if (-mid / sigmaW2 + l * phi.derivative(mid) > 0) lo = mid;
                else hi = mid;
            }
            return Math.signum(lambda) * 0.5 * (lo + hi);
        }
    }
}
