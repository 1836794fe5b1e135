package org.nnpost.theory;

import java.util.stream.IntStream;

/**
 * A {@link Tilt} tabulated on a uniform λ grid and interpolated by quintic Hermite polynomials
 * ({@link Hermite5}): log M from (log M, ψ, ψ′), ψ from (ψ, ψ′, κ₃), ψ′ from (ψ′, κ₃, κ₄), and,
 * when a test overlap is given, g from (g, g′, g″). The spacing δ = 1/(32 max(1, σ_w)) puts the
 * interpolation error near δ⁶ |κ₆..κ₈| / 46080, a few 1e-13 for these φ (TiltTest measures it);
 * it is exact for linear φ (log M is a quadratic). The table grows on demand, computing only the
 * new nodes; a {@link Segment} is an immutable snapshot that threads read freely.
 */
final class TiltTable {
    final Tilt tilt;
    final double delta;
    /** The test overlap ρ, or NaN for no test predictor columns. */
    final double rho;
    private volatile Segment seg;
    /** Nodes a table holds at most (|λ| up to about 1000/max(1, σ_w) at the default spacing). */
    static final int MAX_NODES = 100_000;

    private double inverseDelta() { return 1 / delta; }

    TiltTable(Tilt tilt, double rho) {
        this.tilt = tilt;
        this.rho = rho;
        this.delta = 1.0 / (32 * Math.max(1, Math.sqrt(tilt.sigmaW2)));
        this.seg = build(null, -(int) Math.ceil(4 / delta), (int) Math.ceil(4 / delta));
    }

    boolean hasTest() { return !Double.isNaN(rho); }

    /** A snapshot covering [lo, hi], grown by half again beyond what is asked when it must grow. */
    synchronized Segment covering(double lo, double hi) {
        if (!(Math.abs(lo) * inverseDelta() < MAX_NODES / 3 && Math.abs(hi) * inverseDelta() < MAX_NODES / 3))
            throw new ArithmeticException("tilt table asked for |λ| up to " + Math.max(Math.abs(lo), Math.abs(hi))
                    + ", beyond the " + MAX_NODES + " nodes a table may hold");
        Segment s = seg;
        if (lo >= s.lo() && hi <= s.hi()) return s;
        double span = Math.max(Math.abs(lo), Math.abs(hi)) * 1.5;
        int iLo = Math.min(s.iLo, (int) Math.floor(Math.min(lo, -span) / delta));
        int iHi = Math.max(s.iLo + s.n - 1, (int) Math.ceil(Math.max(hi, span) / delta) + 1);
        seg = build(s, iLo, iHi);
        return seg;
    }

    Segment segment() { return seg; }

    private Segment build(Segment old, int iLo, int iHi) {
        int n = iHi - iLo + 1, cols = Tilt.SLOTS + (hasTest() ? 3 : 0);
        double[][] v = new double[cols][n];
        IntStream.range(0, n).parallel().forEach(j -> {
            int i = iLo + j;
            if (old != null && i >= old.iLo && i < old.iLo + old.n) {
                for (int k = 0; k < cols; k++) v[k][j] = old.node[k][i - old.iLo];
                return;
            }
            double lambda = i * delta;
            double[] o = new double[Tilt.SLOTS];
            tilt.cumulants(lambda, o);
            for (int k = 0; k < Tilt.SLOTS; k++) v[k][j] = o[k];
            if (hasTest()) {
                double[] g = new double[3];
                tilt.testMean(lambda, rho, g);
                for (int k = 0; k < 3; k++) v[Tilt.SLOTS + k][j] = g[k];
            }
        });
        for (double[] col : v)
            for (double x : col)
                if (!Double.isFinite(x)) throw new ArithmeticException("tilt of " + tilt.phi.id() + " is not finite on λ in ["
                        + iLo * delta + ", " + iHi * delta + "]");
        double[] cLog = Hermite5.coefficients(v[0], v[1], v[2], delta);
        double[] cPsi = Hermite5.coefficients(v[1], v[2], v[3], delta);
        double[] cDpsi = Hermite5.coefficients(v[2], v[3], v[4], delta);
        double[] c3 = new double[18 * (n - 1)];
        for (int i = 0; i < n - 1; i++) {
            System.arraycopy(cLog, 6 * i, c3, 18 * i, 6);
            System.arraycopy(cPsi, 6 * i, c3, 18 * i + 6, 6);
            System.arraycopy(cDpsi, 6 * i, c3, 18 * i + 12, 6);
        }
        double[] cG = hasTest() ? Hermite5.coefficients(v[5], v[6], v[7], delta) : null;
        return new Segment(iLo, n, delta, v, c3, cG);
    }

    /** An immutable table over nodes iLo·δ .. (iLo + n − 1)·δ. */
    static final class Segment {
        final int iLo, n;
        final double delta, inv;
        final double[][] node;
        private final double[] c3, cG;

        Segment(int iLo, int n, double delta, double[][] node, double[] c3, double[] cG) {
            this.iLo = iLo;
            this.n = n;
            this.delta = delta;
            this.inv = 1 / delta;
            this.node = node;
            this.c3 = c3;
            this.cG = cG;
        }

        double lo() { return iLo * delta; }

        double hi() { return (iLo + n - 1) * delta; }

        private int cell(double x) {
            int i = (int) Math.floor(x) - iLo;
            if (i < 0 || i > n - 2) {
                if (i == n - 1 && x == iLo + n - 1) return n - 2;
                throw new ArithmeticException("λ = " + x * delta + " outside the tilt table [" + lo() + ", " + hi() + "]");
            }
            return i;
        }

        /** log M, ψ, ψ′ at λ into out[off..off+2]. */
        void eval(double lambda, double[] out, int off) {
            double x = lambda * inv;
            int i = cell(x);
            double t = x - (i + iLo);
            int o = 18 * i;
            double[] c = c3;
            out[off] = c[o] + t * (c[o + 1] + t * (c[o + 2] + t * (c[o + 3] + t * (c[o + 4] + t * c[o + 5]))));
            o += 6;
            out[off + 1] = c[o] + t * (c[o + 1] + t * (c[o + 2] + t * (c[o + 3] + t * (c[o + 4] + t * c[o + 5]))));
            o += 6;
            out[off + 2] = c[o] + t * (c[o + 1] + t * (c[o + 2] + t * (c[o + 3] + t * (c[o + 4] + t * c[o + 5]))));
        }

        double logM(double lambda) {
            double x = lambda * inv;
            int i = cell(x);
            double t = x - (i + iLo);
            int o = 18 * i;
            double[] c = c3;
            return c[o] + t * (c[o + 1] + t * (c[o + 2] + t * (c[o + 3] + t * (c[o + 4] + t * c[o + 5]))));
        }

        /** The test-input mean activity g(λ). */
        double g(double lambda) {
            if (cG == null) throw new IllegalStateException("no test overlap in this table");
            double x = lambda * inv;
            int i = cell(x);
            return Hermite5.eval(cG, i, x - (i + iLo));
        }
    }
}
