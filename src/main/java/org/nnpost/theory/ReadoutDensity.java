package org.nnpost.theory;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.nnpost.spec.NnpostException;

/**
 * The readout density of one neuron in the N → ∞ mean-field theory on the orthogonal task
 * (SPEC §7), for given class order parameters τ (k classes × m outputs) and class sizes n_c:
 *
 * <pre>
 *   p(a) ∝ N(a; 0, σ_a² I_m) Π_c M(a·τ_c)^{n_c}
 * </pre>
 *
 * In whitened coordinates u = a/σ_a the tilt depends on u only through its projection v = B u
 * onto the span of the τ_c (rank r ≤ 3; B has orthonormal rows); the orthogonal complement is
 * pure prior. The density of v is integrated by the trapezoid rule on a tensor grid along the
 * principal axes of a shape guess (a mean and covariance, from the previous solve step): spacing
 * half the axis' standard deviation (at least half the prior's), the box ±10 standard deviations.
 * The grid adapts until three checks pass:
 * <ul>
 * <li>shell: the points within one standard deviation of the box's faces carry less than 1e-15
 *     of the mass (else the box grows along that axis);</li>
 * <li>spacing: the rule on every other point of an axis (spacing 2h) agrees with the full one
 *     to 1e-5 in mass and second moment (else h halves). For an integrand analytic in a strip,
 *     the trapezoid error falls like e^{−c/h²}, so the full rule's error is about the square of
 *     the square of that: below 1e-20;</li>
 * <li>shape: the density's own mean and covariance are within the guess's (mean within half a
 *     standard deviation, variances below 1.56 times): else the grid is rebuilt on them.</li>
 * </ul>
 * More than {@link #MAX_POINTS} points is refused: the density is then not normalisable or has a
 * tail no tensor grid holds. One pass evaluates log M, ψ, ψ′ per class per point from a
 * {@link TiltTable}; the sums are made per slab of the first axis and added in a fixed order, so
 * the numbers do not depend on the number of threads.
 */
public final class ReadoutDensity {
    /** Grid points at most. */
    public static final int MAX_POINTS = 4_000_000;
    /** The largest rank of the τ span a tensor grid is used for. */
    public static final int MAX_RANK = 3;
    static final double BOX = 10, SHELL_TOL = 1e-15, HALVING_TOL = 1e-4;

    /**
     * A guess of the density's location and spread in whitened coordinates (m-dim), with the grid
     * that served it: per principal axis (widest first) the spacing and the box's half-width in
     * units of the axis' standard deviation (null: half and {@link #BOX}).
     */
    public record Shape(double[] mean, double[] cov, double[] spacing, double[] extent) {
        public static Shape prior(int m) { return new Shape(new double[m], Linalg.identity(m), null, null); }
    }

    final TiltTable table;
    final int k, m, r;
    final double[] tau, n;
    final double sigmaA2, sigmaA;
    /** r × m, orthonormal rows spanning the τ_c. */
    final double[] basis;
    // grid (always three axes; unused ones have a single point)
    final double[] mean = new double[3], axes = new double[9], h = new double[3], sd = new double[3];
    final int[] half = new int[3];
    /** λ_c at the grid's centre, and its change per unit step of x_j: lamAxis[c*3 + j] = b_c · A_j. */
    final double[] lam0, lamAxis;
    TiltTable.Segment seg;
    double shift;

    // results
    double logZ, shellMass;
    long points;
    int passes;
    /** Whitened moments: E[u] (m), E[u uᵀ] (m × m). */
    double[] meanU, secondU;
    /** d_c = E[ψ′_c], Kc = E[ψ_c ψ_c′], E[ψ_c], F_c = E[a ψ_c] (k × m). */
    double[] d, kc, psiMean, f;
    /** ∂² log Z / ∂τ² (km × km, τ flattened class-major), or null. */
    double[] hessLogZ;
    /** v-space sums kept for the Hessian: XX = E[ψ_c v_j ψ_c′ v_l], VVD = E[ψ′_c v_j v_l]. */
    private double[] xx, vvd;
    /** log p at every grid point, when kept for sampling. */
    double[] logp;

    private ReadoutDensity(TiltTable table, double[] tau, int k, int m, double[] n, double sigmaA2) {
        this.table = table;
        this.k = k;
        this.m = m;
        this.tau = tau.clone();
        this.n = n.clone();
        this.sigmaA2 = sigmaA2;
        this.sigmaA = Math.sqrt(sigmaA2);
        // span of the τ_c: eigenvectors of Σ_c τ_c τ_cᵀ with non-negligible eigenvalues
        double[] tt = new double[m * m];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) tt[i * m + j] += tau[c * m + i] * tau[c * m + j];
        Linalg.Eigen e = Linalg.eigh(tt, m);
        double top = 0;
        for (double v : e.values()) top = Math.max(top, v);
        int rank = 0;
        double[] b = new double[m * m];
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(e.values()[y], e.values()[x]));
        for (int q = 0; q < m; q++) {
            int i = order[q];
            if (!(e.values()[i] > 1e-24 * top) || top == 0) break;
            for (int j = 0; j < m; j++) b[rank * m + j] = e.vectors()[j * m + i];
            rank++;
        }
        if (rank > MAX_RANK)
            throw new NnpostException(NnpostException.BAD_INPUT, "the mean-field theory integrates the readout density on a grid of at most "
                    + MAX_RANK + " dimensions; the class order parameters here span " + rank + " (m = " + m + "): use at most 3 classes");
        this.r = rank;
        this.basis = Arrays.copyOf(b, rank * m);
        this.lam0 = new double[k];
        this.lamAxis = new double[3 * k];
    }

    /**
     * The density and its moments (and the Hessian of log Z in τ when asked).
     *
     * @param tau           k × m order parameters, class-major
     * @param n             class sizes (a class of size 0 drops out)
     * @param hint          where the density is expected (whitened), or null for the prior
     * @param tailTolerance mass a far, flat tail may leave outside the box (ReLU at a wall); 0 for none
     */
    static ReadoutDensity compute(TiltTable table, double[] tau, int k, int m, double[] n, double sigmaA2,
                                  Shape hint, double tailTolerance, boolean hessian, boolean keepPoints) {
        return compute(table, tau, k, m, n, sigmaA2, hint, tailTolerance, hessian, keepPoints, MAX_POINTS);
    }

    /** As above, refusing grids beyond maxPoints (a line search's trial need not pay for a huge one). */
    static ReadoutDensity compute(TiltTable table, double[] tau, int k, int m, double[] n, double sigmaA2,
                                  Shape hint, double tailTolerance, boolean hessian, boolean keepPoints, long maxPoints) {
        ReadoutDensity p = new ReadoutDensity(table, tau, k, m, n, sigmaA2);
        p.maxPoints = Math.min(maxPoints, MAX_POINTS);
        p.integrate(hint == null ? Shape.prior(m) : hint, Math.max(SHELL_TOL, tailTolerance), hessian, keepPoints);
        return p;
    }

    private long maxPoints = MAX_POINTS;

    /** The density's own mean and covariance, whitened, as the next guess. */
    public Shape shape() {
        double[] cov = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) cov[i * m + j] = secondU[i * m + j] - meanU[i] * meanU[j];
        double[] sp = new double[r], ex = new double[r];
        for (int j = 0; j < r; j++) {
            sp[j] = h[j] / sd[j];
            ex[j] = fitted[j] / sd[j];
        }
        return new Shape(meanU.clone(), cov, r > 0 ? sp : null, r > 0 ? ex : null);
    }

    /** Per axis, the half-width the last pass found enough (its tails beyond carry < 1e-3 of the shell tolerance), plus one sd. */
    private final double[] fitted = new double[3];

    public int rank() { return r; }

    public long points() { return points; }

    public double logZ() { return logZ; }

    /** U = ⟨a aᵀ⟩ (m × m). */
    public double[] u() {
        double[] u = secondU.clone();
        for (int i = 0; i < u.length; i++) u[i] *= sigmaA2;
        return u;
    }

    /** F_c = E[a ψ(a·τ_c)], k × m: the mean output on a training input of class c. */
    public double[] f() { return f.clone(); }

    /** d_c = E[ψ′(a·τ_c)]. */
    public double[] d() { return d.clone(); }

    /** Kc[c, c′] = E[ψ(a·τ_c) ψ(a·τ_c′)]. */
    public double[] kc() { return kc.clone(); }

    /** E[ψ(a·τ_c)]: the population's mean activity on class c. */
    public double[] psiMean() { return psiMean.clone(); }

    // ---------------------------------------------------------------------------------------

    private void setShape(double[] mu, double[] cov, double[] spacing, double[] extent) {
        Arrays.fill(mean, 0);
        Arrays.fill(axes, 0);
        // project onto the span: mean_v = B μ, cov_v = B C Bᵀ
        double[] cv = new double[r * r];
        for (int a = 0; a < r; a++) {
            double s = 0;
            for (int i = 0; i < m; i++) s += basis[a * m + i] * mu[i];
            mean[a] = s;
            for (int b = 0; b < r; b++) {
                double t = 0;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) t += basis[a * m + i] * cov[i * m + j] * basis[b * m + j];
                cv[a * r + b] = t;
            }
        }
        Linalg.Eigen e = r > 0 ? Linalg.eigh(cv, r) : null;
        Integer[] order = new Integer[r];
        for (int j = 0; j < r; j++) order[j] = j;
        if (r > 0) Arrays.sort(order, (x, y) -> Double.compare(e.values()[y], e.values()[x]));
        for (int j = 0; j < 3; j++) {
            if (j < r) {
                int q = order[j];
                for (int a = 0; a < r; a++) axes[j * 3 + a] = e.vectors()[a * r + q];
                sd[j] = Math.sqrt(Math.max(e.values()[q], 1.0));
                h[j] = (spacing != null && j < spacing.length ? Math.min(0.5, spacing[j]) : 0.5) * sd[j];
                double box = extent != null && j < extent.length ? Math.max(3, extent[j]) : BOX;
                half[j] = (int) Math.ceil(box * sd[j] / h[j]);
            } else {
                sd[j] = 1;
                h[j] = 1;
                half[j] = 0;
            }
        }
    }

    private void integrate(Shape hint, double shellTol, boolean hessian, boolean keepPoints) {
        if (r == 0) {
            trivial(hessian);
            if (keepPoints) keep();
            return;
        }
        setShape(hint.mean(), hint.cov(), hint.spacing(), hint.extent());
        for (int attempt = 0; ; attempt++) {
            if (attempt > 60) throw new ArithmeticException("readout grid did not settle in 60 passes");
            long g = (2L * half[0] + 1) * (2L * half[1] + 1) * (2L * half[2] + 1);
            if (g > maxPoints && maxPoints < MAX_POINTS) throw new ArithmeticException("trial grid beyond " + maxPoints + " points");
            if (g > MAX_POINTS) throw new NnpostException(NnpostException.BAD_INPUT, String.format(java.util.Locale.ROOT,
                    "the single-neuron readout density needs more than %d grid points (axes ±%.3g, ±%.3g, ±%.3g prior widths, "
                            + "spacings %.3g, %.3g, %.3g): it is not normalisable at these order parameters, or has a tail "
                            + "no grid holds", MAX_POINTS, half[0] * h[0], half[1] * h[1], half[2] * h[2], h[0], h[1], h[2]));
            points = g;
            passes++;
            prepare();
            double[] acc = sweep(hessian);
            // checks
            double z = acc[Z];
            boolean refit = false, grow = false, refine = false;
            double[] mv = new double[r], cvv = new double[r * r];
            for (int a = 0; a < r; a++) mv[a] = acc[S1 + a] / z;
            for (int a = 0; a < r; a++)
                for (int b = 0; b < r; b++) cvv[a * r + b] = acc[S2 + a * 3 + b] / z - mv[a] * mv[b];
            // in the grid's axes
            for (int j = 0; j < r; j++) {
                double dm = 0, var = 0;
                for (int a = 0; a < r; a++) {
                    dm += axes[j * 3 + a] * (mv[a] - mean[a]);
                    for (int b = 0; b < r; b++) var += axes[j * 3 + a] * cvv[a * r + b] * axes[j * 3 + b];
                }
                if (Math.abs(dm) > 0.5 * sd[j] || var > 1.5625 * sd[j] * sd[j]) refit = true;
            }
            Linalg.Eigen ev = Linalg.eigh(cvv, r);
            for (double v : ev.values()) if (v > 1.5625 * maxSd2()) refit = true;
            if (refit) {
                double[] mu = new double[m], cov = new double[m * m];
                for (int i = 0; i < m; i++)
                    for (int a = 0; a < r; a++) mu[i] += basis[a * m + i] * mv[a];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) {
                        double t = 0;
                        for (int a = 0; a < r; a++)
                            for (int b = 0; b < r; b++) t += basis[a * m + i] * cvv[a * r + b] * basis[b * m + j];
                        cov[i * m + j] = t;
                    }
                double[] sp = new double[r];
                for (int j = 0; j < r; j++) sp[j] = h[j] / sd[j];
                setShape(mu, cov, sp, null);
                continue;
            }
            for (int j = 0; j < r; j++) {
                if (acc[SHELL + j] > shellTol * z) {
                    half[j] = (int) Math.ceil(1.25 * half[j]) + 1;
                    grow = true;
                }
            }
            if (grow) continue;
            for (int j = 0; j < r; j++) {
                double e1 = Math.abs(2 * acc[PAR_Z + j] / z - 1), e2 = Math.abs(2 * acc[PAR_S2 + j] / acc[S2T] - 1);
                if (Math.max(e1, e2) > HALVING_TOL) {
                    h[j] *= 0.5;
                    half[j] *= 2;
                    refine = true;
                }
            }
            if (refine) continue;
            finish(acc, hessian);
            shellMass = 0;
            for (int j = 0; j < r; j++) shellMass += acc[SHELL + j] / z;
            if (keepPoints) keep();
            return;
        }
    }

    private double maxSd2() {
        double s = 0;
        for (int j = 0; j < r; j++) s = Math.max(s, sd[j] * sd[j]);
        return s;
    }

    /** λ at the centre and per axis step; the table's range; the shift (max log p). */
    private void prepare() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            // b_c = σ_a B τ_c
            double[] bc = new double[r];
            for (int a = 0; a < r; a++) {
                double s = 0;
                for (int i = 0; i < m; i++) s += basis[a * m + i] * tau[c * m + i];
                bc[a] = sigmaA * s;
            }
            double l0 = 0;
            for (int a = 0; a < r; a++) l0 += bc[a] * mean[a];
            lam0[c] = l0;
            double ext = 0;
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int a = 0; a < r; a++) s += bc[a] * axes[j * 3 + a];
                lamAxis[c * 3 + j] = s;
                ext += Math.abs(s) * half[j] * h[j];
            }
            if (n[c] > 0) {
                lo = Math.min(lo, l0 - ext);
                hi = Math.max(hi, l0 + ext);
            }
        }
        if (lo > hi) { lo = 0; hi = 0; }
        seg = table.covering(lo - 1e-9, hi + 1e-9);
        // the shift: the largest log p on the grid
        shift = Double.NEGATIVE_INFINITY;
        double[] slab = new double[2 * half[0] + 1];
        IntStream.rangeClosed(-half[0], half[0]).parallel().forEach(i0 -> slab[i0 + half[0]] = maxLogp(i0));
        for (double v : slab) shift = Math.max(shift, v);
        if (!Double.isFinite(shift)) throw new ArithmeticException("log density not finite on the grid");
    }

    private double maxLogp(int i0) {
        double best = Double.NEGATIVE_INFINITY;
        double[] x = new double[3];
        x[0] = i0 * h[0];
        for (int i1 = -half[1]; i1 <= half[1]; i1++) {
            x[1] = i1 * h[1];
            for (int i2 = -half[2]; i2 <= half[2]; i2++) {
                x[2] = i2 * h[2];
                best = Math.max(best, logp(x));
            }
        }
        return best;
    }

    /** log p at grid offset x (in the grid's axes), up to the constant. */
    private double logp(double[] x) {
        double vv = 0;
        for (int a = 0; a < r; a++) {
            double v = mean[a] + x[0] * axes[a] + x[1] * axes[3 + a] + x[2] * axes[6 + a];
            vv += v * v;
        }
        double lp = -0.5 * vv;
        for (int c = 0; c < k; c++) {
            if (n[c] == 0) continue;
            double lam = lam0[c] + x[0] * lamAxis[c * 3] + x[1] * lamAxis[c * 3 + 1] + x[2] * lamAxis[c * 3 + 2];
            lp += n[c] * seg.logM(lam);
        }
        return lp;
    }

    // accumulator layout
    private static final int Z = 0, S1 = 1, S2 = 4, S2T = 13, SHELL = 14, PAR_Z = 17, PAR_S2 = 20, SCALARS = 23;

    private int offD() { return SCALARS; }

    private int offPsi() { return offD() + k; }

    private int offKc() { return offPsi() + k; }

    private int offFv() { return offKc() + k * k; }

    private int offXX() { return offFv() + k * 3; }

    private int pairs() { return k * (k + 1) / 2; }

    private int offVVD() { return offXX() + 6 * pairs(); }

    private int size(boolean hessian) { return hessian ? offVVD() + 6 * k : offXX(); }

    /** The six pairs a ≤ b of v's three coordinates. */
    private static final int[] PA = {0, 0, 0, 1, 1, 2}, PB = {0, 1, 2, 1, 2, 2};

    /** One pass over the grid: per slab of the first axis, then added in order. */
    private double[] sweep(boolean hessian) {
        int slabs = 2 * half[0] + 1, base = size(hessian), size = base + 2 * half[1] + 1 + 2 * half[2] + 1;
        double[][] part = new double[slabs][];
        IntStream.range(0, slabs).parallel().forEach(s -> part[s] = slab(s - half[0], hessian, size));
        double[] acc = new double[size];
        for (double[] p : part) for (int i = 0; i < size; i++) acc[i] += p[i];
        // the marginal masses along each axis, for the box the next pass needs
        double[][] marg = {new double[slabs], Arrays.copyOfRange(acc, base, base + 2 * half[1] + 1),
                Arrays.copyOfRange(acc, base + 2 * half[1] + 1, size)};
        for (int s = 0; s < slabs; s++) marg[0][s] = part[s][Z];
        for (int j = 0; j < 3; j++) {
            double tail = 1e-3 * SHELL_TOL * acc[Z], out = 0;
            int lim = half[j];
            // shrink the half-width while what lies beyond stays below the tail budget
            while (lim > 0) {
                double next = out + marg[j][half[j] + lim] + marg[j][half[j] - lim];
                if (next > tail) break;
                out = next;
                lim--;
            }
            fitted[j] = lim * h[j] + sd[j];
        }
        return acc;
    }

    private double[] slab(int i0, boolean hessian, int size) {
        double[] acc = new double[size];
        double[] x = new double[3], v = new double[3], ev = new double[3];
        double[] psi = new double[k], dpsi = new double[k], vp = new double[6];
        int oD = offD(), oP = offPsi(), oK = offKc(), oF = offFv(), oX = offXX(), oV = offVVD();
        x[0] = i0 * h[0];
        boolean shell0 = Math.abs(i0) * h[0] > half[0] * h[0] - sd[0];
        boolean par0 = ((i0 + half[0]) & 1) == 0;
        for (int i1 = -half[1]; i1 <= half[1]; i1++) {
            x[1] = i1 * h[1];
            boolean shell1 = r > 1 && Math.abs(i1) * h[1] > half[1] * h[1] - sd[1];
            boolean par1 = ((i1 + half[1]) & 1) == 0;
            for (int i2 = -half[2]; i2 <= half[2]; i2++) {
                x[2] = i2 * h[2];
                double vv = 0;
                for (int a = 0; a < 3; a++) {
                    v[a] = a < r ? mean[a] + x[0] * axes[a] + x[1] * axes[3 + a] + x[2] * axes[6 + a] : 0;
                    vv += v[a] * v[a];
                }
                double lp = -0.5 * vv;
                for (int c = 0; c < k; c++) {
                    if (n[c] == 0) { psi[c] = 0; dpsi[c] = 0; continue; }
                    double lam = lam0[c] + x[0] * lamAxis[c * 3] + x[1] * lamAxis[c * 3 + 1] + x[2] * lamAxis[c * 3 + 2];
                    seg.eval(lam, ev, 0);
                    lp += n[c] * ev[0];
                    psi[c] = ev[1];
                    dpsi[c] = ev[2];
                }
                double w = StrictMath.exp(lp - shift);
                if (w == 0) continue;
                acc[Z] += w;
                acc[size - (2 * half[2] + 1) - (2 * half[1] + 1) + i1 + half[1]] += w;
                acc[size - (2 * half[2] + 1) + i2 + half[2]] += w;
                for (int a = 0; a < r; a++) {
                    acc[S1 + a] += w * v[a];
                    for (int b = 0; b < r; b++) acc[S2 + a * 3 + b] += w * v[a] * v[b];
                }
                acc[S2T] += w * vv;
                boolean shell2 = r > 2 && Math.abs(i2) * h[2] > half[2] * h[2] - sd[2];
                if (shell0) acc[SHELL] += w;
                if (shell1) acc[SHELL + 1] += w;
                if (shell2) acc[SHELL + 2] += w;
                if (par0) { acc[PAR_Z] += w; acc[PAR_S2] += w * vv; }
                if (par1) { acc[PAR_Z + 1] += w; acc[PAR_S2 + 1] += w * vv; }
                if (((i2 + half[2]) & 1) == 0) { acc[PAR_Z + 2] += w; acc[PAR_S2 + 2] += w * vv; }
                for (int c = 0; c < k; c++) {
                    double wp = w * psi[c];
                    acc[oD + c] += w * dpsi[c];
                    acc[oP + c] += wp;
                    for (int c2 = 0; c2 < k; c2++) acc[oK + c * k + c2] += wp * psi[c2];
                    for (int a = 0; a < r; a++) acc[oF + c * 3 + a] += wp * v[a];
                }
                if (hessian) {
                    // E[ψ_c ψ_c′ v_a v_b] is symmetric in (c, c′) and in (a, b): 6 × k(k+1)/2 sums
                    for (int t = 0; t < 6; t++) vp[t] = v[PA[t]] * v[PB[t]];
                    int o = oX;
                    for (int c = 0; c < k; c++)
                        for (int c2 = c; c2 < k; c2++) {
                            double pp = w * psi[c] * psi[c2];
                            for (int t = 0; t < 6; t++) acc[o + t] += pp * vp[t];
                            o += 6;
                        }
                    for (int c = 0; c < k; c++) {
                        double wd = w * dpsi[c];
                        for (int t = 0; t < 6; t++) acc[oV + c * 6 + t] += wd * vp[t];
                    }
                }
            }
        }
        return acc;
    }

    /** Moments from the sums: whitened u moments, F, d, Kc, and the Hessian of log Z. */
    private void finish(double[] acc, boolean hessian) {
        double z = acc[Z];
        double hv = 1;
        for (int j = 0; j < r; j++) hv *= h[j];
        logZ = StrictMath.log(z) + shift + StrictMath.log(hv) - 0.5 * r * StrictMath.log(2 * Math.PI);
        double[] mv = new double[r], svv = new double[r * r];
        for (int a = 0; a < r; a++) {
            mv[a] = acc[S1 + a] / z;
            for (int b = 0; b < r; b++) svv[a * r + b] = acc[S2 + a * 3 + b] / z;
        }
        meanU = new double[m];
        secondU = complement();
        for (int i = 0; i < m; i++)
            for (int a = 0; a < r; a++) meanU[i] += basis[a * m + i] * mv[a];
        addSandwich(secondU, svv, 1.0);
        d = new double[k];
        psiMean = new double[k];
        kc = new double[k * k];
        f = new double[k * m];
        int oD = offD(), oP = offPsi(), oK = offKc(), oF = offFv();
        for (int c = 0; c < k; c++) {
            d[c] = acc[oD + c] / z;
            psiMean[c] = acc[oP + c] / z;
            for (int c2 = 0; c2 < k; c2++) kc[c * k + c2] = acc[oK + c * k + c2] / z;
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int a = 0; a < r; a++) s += basis[a * m + i] * acc[oF + c * 3 + a];
                f[c * m + i] = sigmaA * s / z;
            }
        }
        if (hessian) {
            int q = 3 * k;
            xx = new double[q * q];
            vvd = new double[9 * k];
            int o = offXX();
            for (int c = 0; c < k; c++)
                for (int c2 = c; c2 < k; c2++) {
                    for (int t = 0; t < 6; t++) {
                        double x = acc[o + t] / z;
                        int a = PA[t], b = PB[t];
                        xx[(c * 3 + a) * q + c2 * 3 + b] = x;
                        xx[(c * 3 + b) * q + c2 * 3 + a] = x;
                        xx[(c2 * 3 + a) * q + c * 3 + b] = x;
                        xx[(c2 * 3 + b) * q + c * 3 + a] = x;
                    }
                    o += 6;
                }
            for (int c = 0; c < k; c++)
                for (int t = 0; t < 6; t++) {
                    double x = acc[offVVD() + c * 6 + t] / z;
                    vvd[c * 9 + PA[t] * 3 + PB[t]] = x;
                    vvd[c * 9 + PB[t] * 3 + PA[t]] = x;
                }
            hessLogZ = hessian();
        }
    }

    /** I − Bᵀ B: the second moment of the whitened complement. */
    private double[] complement() {
        double[] c = Linalg.identity(m);
        for (int a = 0; a < r; a++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) c[i * m + j] -= basis[a * m + i] * basis[a * m + j];
        return c;
    }

    /** out += s · Bᵀ X B for X r × r. */
    private void addSandwich(double[] out, double[] x, double s) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) {
                double t = 0;
                for (int a = 0; a < r; a++)
                    for (int b = 0; b < r; b++) t += basis[a * m + i] * x[a * r + b] * basis[b * m + j];
                out[i * m + j] += s * t;
            }
    }

    /**
     * ∂² log Z/∂τ_cr ∂τ_c′s = n_c n_c′ Cov(a_r ψ_c, a_s ψ_c′) + δ_cc′ n_c E[a_r a_s ψ′_c], with
     * E[a aᵀ f] = σ_a² (Bᵀ E[v vᵀ f] B + (I − BᵀB) E[f]) (the complement is independent prior).
     */
    private double[] hessian() {
        int km = k * m;
        double[] hs = new double[km * km], comp = complement();
        for (int c = 0; c < k; c++)
            for (int c2 = 0; c2 < k; c2++) {
                double nn = n[c] * n[c2];
                double[] x = new double[r * r];
                for (int a = 0; a < r; a++)
                    for (int b = 0; b < r; b++) x[a * r + b] = xx[(c * 3 + a) * 3 * k + c2 * 3 + b];
                double[] e = new double[m * m];
                for (int i = 0; i < m * m; i++) e[i] = comp[i] * kc[c * k + c2];
                addSandwich(e, x, 1.0);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) {
                        double cov = sigmaA2 * e[i * m + j] - f[c * m + i] * f[c2 * m + j];
                        hs[(c * m + i) * km + c2 * m + j] = nn * cov;
                    }
            }
        for (int c = 0; c < k; c++) {
            double[] x = new double[r * r];
            for (int a = 0; a < r; a++)
                for (int b = 0; b < r; b++) x[a * r + b] = vvd[c * 9 + a * 3 + b];
            double[] e = new double[m * m];
            for (int i = 0; i < m * m; i++) e[i] = comp[i] * d[c];
            addSandwich(e, x, 1.0);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) hs[(c * m + i) * km + c * m + j] += n[c] * sigmaA2 * e[i * m + j];
        }
        for (int i = 0; i < km; i++)
            for (int j = 0; j < i; j++) {
                double s = 0.5 * (hs[i * km + j] + hs[j * km + i]);
                hs[i * km + j] = s;
                hs[j * km + i] = s;
            }
        return hs;
    }

    /** τ spans nothing: the prior, λ = 0 for every class. */
    private void trivial(boolean hessian) {
        double[] o = new double[3];
        seg = table.covering(-1e-9, 1e-9);
        seg.eval(0, o, 0);
        logZ = 0;
        points = 1;
        meanU = new double[m];
        secondU = Linalg.identity(m);
        d = new double[k];
        psiMean = new double[k];
        kc = new double[k * k];
        f = new double[k * m];
        for (int c = 0; c < k; c++) {
            d[c] = n[c] > 0 ? o[2] : 0;
            psiMean[c] = n[c] > 0 ? o[1] : 0;
        }
        for (int c = 0; c < k; c++) for (int c2 = 0; c2 < k; c2++) kc[c * k + c2] = psiMean[c] * psiMean[c2];
        if (hessian) {
            xx = new double[9 * k * k];
            vvd = new double[9 * k];
            hessLogZ = hessian();
        }
    }

    // ---------------------------------------------------------------------------------------
    // the population: fourth moments, the test predictor, codes

    /**
     * What the density says about a population of neurons drawn from it.
     *
     * @param fTest     k × m, E[a g(a·τ_c)]: the mean output on a test input of class c
     * @param moments   second and fourth moments of a (whole vector and per output)
     * @param codes     masses of the kept codes (model/NeuronCode's rule on the class means ψ(a·τ_c))
     * @param codeError the largest change of a code's mass on the grid of twice the spacing
     */
    record Population(double[] fTest, NonlinearMeanField.Moments moments, java.util.Map<String, Double> codes,
                      double codeError, double[] activeFraction) {}

    Population population(double rho) {
        double tr = 0;
        for (int c = 0; c < k; c++) tr += kc[c * k + c];
        double silent = org.nnpost.model.NeuronCode.silentThreshold(Math.sqrt(tr / k));
        double[] comp = complement();
        double[] cdiag = new double[m];
        for (int i = 0; i < m; i++) cdiag[i] = comp[i * m + i];
        int q = m - r;
        int n1 = 2 * half[1] + 1, n2 = 2 * half[2] + 1, per = n1 * n2, slabs = 2 * half[0] + 1;
        boolean test = table.hasTest();
        // the smooth moments on the grid (trapezoid, as everywhere)
        double[][] part = new double[slabs][];
        IntStream.range(0, slabs).parallel().forEach(s -> {
            int i0 = s - half[0];
            Node nd = new Node();
            double[] acc = new double[2 + 2 * m + 3 * k];
            double[] x = new double[3], xu = new double[m];
            x[0] = i0 * h[0];
            int idx = s * per;
            for (int i1 = -half[1]; i1 <= half[1]; i1++) {
                x[1] = i1 * h[1];
                for (int i2 = -half[2]; i2 <= half[2]; i2++, idx++) {
                    x[2] = i2 * h[2];
                    double wt = nd.eval(x, test);
                    if (wt == 0) continue;
                    double vv = 0;
                    for (int a = 0; a < r; a++) vv += nd.v[a] * nd.v[a];
                    acc[0] += wt;
                    acc[1] += wt * vv * vv;
                    for (int i = 0; i < m; i++) {
                        double t = 0;
                        for (int a = 0; a < r; a++) t += basis[a * m + i] * nd.v[a];
                        xu[i] = t;
                        acc[2 + i] += wt * t * t;
                        acc[2 + m + i] += wt * t * t * t * t;
                    }
                    for (int c = 0; c < k; c++)
                        for (int a = 0; a < r; a++) acc[2 + 2 * m + c * 3 + a] += wt * nd.v[a] * nd.g[c];
                }
            }
            part[s] = acc;
        });
        double[] acc = new double[part[0].length];
        for (double[] p : part) for (int i = 0; i < acc.length; i++) acc[i] += p[i];
        double z = acc[0];
        // moments of u = Bᵀv + w⊥ (w⊥ ~ N(0, I − BᵀB) independent), times σ_a² or σ_a⁴
        double ev2 = 0;
        for (int i = 0; i < m; i++) ev2 += acc[2 + i] / z;
        double norm4 = acc[1] / z + 2 * ev2 * q + q * (q + 2.0);
        double norm2 = ev2 + q;
        double[] e2 = new double[m], e4 = new double[m];
        for (int i = 0; i < m; i++) {
            double x2 = acc[2 + i] / z, x4 = acc[2 + m + i] / z, c = cdiag[i];
            e2[i] = sigmaA2 * (x2 + c);
            e4[i] = sigmaA2 * sigmaA2 * (x4 + 6 * x2 * c + 3 * c * c);
        }
        NonlinearMeanField.Moments mom = new NonlinearMeanField.Moments(sigmaA2 * norm2, sigmaA2 * sigmaA2 * norm4, e2, e4);
        double[] fTest = new double[k * m];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < m; i++) {
                double t = 0;
                for (int a = 0; a < r; a++) t += basis[a * m + i] * acc[2 + 2 * m + c * 3 + a];
                fTest[c * m + i] = sigmaA * t / z;
            }

        // codes and active fractions: the code is an indicator of the class means, which a grid
        // integrates to first order only; they are counted on draws from p(a) instead
        Codes codes = codes(silent);
        return new Population(fTest, mom, codes.kept, codes.error, codes.active);
    }

    /** Draws from p(a) the code masses are counted on (2^18: a standard error below 1e-3 for any code). */
    static final int CODE_DRAWS = 1 << 18;
    /**
     * Independence Metropolis–Hastings steps after the grid proposal, per draw of a code. The
     * proposal alone already gives the codes of the paper-size densities within their standard
     * error (1e6 draws, 0 vs 16 steps); two steps remove most of what is left.
     */
    static final int IMH_STEPS = 2;
    /** The address of the theory's own draws: (seed, block, step 0, this group). */
    static final int CODE_SEED = 0x636F6465, CODE_GROUP = org.nnpost.rng.Noise.EXTRA_GROUP + 0x100;

    private record Codes(java.util.Map<String, Double> kept, double error, double[] active) {}

    /**
     * Code masses and active fractions counted on {@link #CODE_DRAWS} draws from the density
     * ({@link #drawWhitened}), in blocks of 4096 with addressed uniforms, so that the counts do
     * not depend on the number of threads. The error is twice the largest binomial standard error.
     */
    private Codes codes(double silent) {
        if (cumulative == null) keep();
        int block = 4096, blocks = CODE_DRAWS / block, per = uniformsPerDraw(IMH_STEPS);
        int keys = 1 << k;
        for (int c = 0; c < k; c++) keys *= 3;
        int keysF = keys;
        long[][] counts = new long[blocks][];
        IntStream.range(0, blocks).parallel().forEach(b -> {
            long[] cnt = new long[keysF];
            double[] u = new double[block * per], v = new double[3], ev = new double[3], mean = new double[k];
            org.nnpost.rng.Noise.uniforms(CODE_SEED, b, 0, CODE_GROUP, u, 0, u.length);
            for (int i = 0; i < block; i++) {
                drawWhitened(u, i * per, IMH_STEPS, v);
                int mask = 0;
                for (int c = 0; c < k; c++) {
                    double lam = 0;
                    for (int a = 0; a < r; a++) lam += lamDir(c, a) * v[a];
                    seg.eval(lam, ev, 0);
                    mean[c] = ev[1];
                    if (org.nnpost.model.NeuronCode.active(ev[1], silent)) mask |= 1 << c;
                }
                cnt[org.nnpost.model.NeuronCode.digits(mean, 0, k, silent) << k | mask]++;
            }
            counts[b] = cnt;
        });
        long[] total = new long[keys];
        for (long[] c : counts) for (int i = 0; i < keys; i++) total[i] += c[i];
        org.nnpost.model.NeuronCode.Tally tally = new org.nnpost.model.NeuronCode.Tally();
        double[] active = new double[k];
        double worst = 0, M = CODE_DRAWS;
        for (int d = 0; d < (keys >> k); d++) {
            long n = 0;
            for (int a = 0; a < (1 << k); a++) {
                n += total[d << k | a];
                for (int c = 0; c < k; c++) if ((a >> c & 1) == 1) active[c] += total[d << k | a];
            }
            if (n > 0) tally.add(org.nnpost.model.NeuronCode.ofDigits(d, k), n);
            double f = n / M;
            worst = Math.max(worst, Math.sqrt(f * (1 - f) / M));
        }
        for (int c = 0; c < k; c++) active[c] /= M;
        return new Codes(tally.kept(M), 2 * worst, active);
    }

    /** λ_c per unit of v_a: σ_a (B τ_c)_a. */
    private double lamDir(int c, int a) {
        double s = 0;
        for (int i = 0; i < m; i++) s += basis[a * m + i] * tau[c * m + i];
        return sigmaA * s;
    }

    /** One point of the grid's space: its weight, v and the test activities g. */
    private final class Node {
        final double[] v = new double[3], ev = new double[3], g = new double[k];

        double eval(double[] x, boolean withTest) {
            double vv = 0;
            for (int a = 0; a < 3; a++) {
                v[a] = a < r ? ReadoutDensity.this.mean[a] + x[0] * axes[a] + x[1] * axes[3 + a] + x[2] * axes[6 + a] : 0;
                vv += v[a] * v[a];
            }
            double lp = -0.5 * vv;
            for (int c = 0; c < k; c++) {
                double lam = lam0[c] + x[0] * lamAxis[c * 3] + x[1] * lamAxis[c * 3 + 1] + x[2] * lamAxis[c * 3 + 2];
                seg.eval(lam, ev, 0);
                lp += n[c] * ev[0];
                g[c] = withTest ? seg.g(lam) : 0;
            }
            return StrictMath.exp(lp - shift);
        }
    }

    // ---------------------------------------------------------------------------------------
    // sampling: a proposal from the grid, corrected by independence Metropolis–Hastings

    private double[] cumulative;

    /** log p at every grid point and the cumulative masses, for {@link #drawWhitened}. */
    private void keep() {
        int slabs = 2 * half[0] + 1, per = (2 * half[1] + 1) * (2 * half[2] + 1);
        logp = new double[(int) points];
        IntStream.range(0, slabs).parallel().forEach(s -> {
            double[] x = new double[3];
            x[0] = (s - half[0]) * h[0];
            int idx = s * per;
            for (int i1 = -half[1]; i1 <= half[1]; i1++) {
                x[1] = i1 * h[1];
                for (int i2 = -half[2]; i2 <= half[2]; i2++) {
                    x[2] = i2 * h[2];
                    logp[idx++] = logp(x);
                }
            }
        });
        cumulative = new double[logp.length];
        double sum = 0;
        for (int i = 0; i < logp.length; i++) {
            sum += StrictMath.exp(logp[i] - shift);
            cumulative[i] = sum;
        }
    }

    /** Uniforms one draw with this many Metropolis–Hastings steps uses. */
    int uniformsPerDraw(int steps) { return (1 + steps) * (1 + r) + steps; }

    /**
     * A draw of the whitened readout's span part: a proposal (a grid point by its mass, then a
     * uniform offset within its cell, i.e. the density that is constant on cells) followed by
     * {@code steps} independence Metropolis–Hastings steps with the same proposal, whose
     * acceptance e^{(log p(x′) − log p(cell′)) − (log p(x) − log p(cell))} needs only log p.
     * Uses (1 + steps)(1 + r) + steps uniforms from u[off..]; writes v (r) into out.
     */
    void drawWhitened(double[] u, int off, int steps, double[] out) {
        if (cumulative == null) throw new IllegalStateException("density kept no grid for sampling");
        double[] x = new double[3], y = new double[3];
        int o = off;
        int cell = propose(u, o, x);
        o += 1 + r;
        double cur = logp(x) - logp[cell];
        for (int s = 0; s < steps; s++) {
            int c2 = propose(u, o, y);
            o += 1 + r;
            double next = logp(y) - logp[c2];
            if (StrictMath.log(u[o++]) < next - cur) {
                System.arraycopy(y, 0, x, 0, 3);
                cur = next;
            }
        }
        for (int a = 0; a < r; a++) out[a] = mean[a] + x[0] * axes[a] + x[1] * axes[3 + a] + x[2] * axes[6 + a];
    }

    private int propose(double[] u, int o, double[] x) {
        double target = u[o] * cumulative[cumulative.length - 1];
        int lo = 0, hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < target) lo = mid + 1;
            else hi = mid;
        }
        int per2 = 2 * half[2] + 1, per1 = (2 * half[1] + 1) * per2;
        int i0 = lo / per1 - half[0], i1 = (lo % per1) / per2 - half[1], i2 = lo % per2 - half[2];
        int[] idx = {i0, i1, i2};
        for (int j = 0; j < 3; j++) x[j] = j < r ? (idx[j] + u[o + 1 + j] - 0.5) * h[j] : 0;
        return lo;
    }

    /**
     * n readouts a (n × m, row-major) drawn from p(a): the span part by {@link #drawWhitened},
     * the complement from the prior, with the theory's own addressed uniforms (seed and block),
     * so the same density gives the same draws on any number of threads.
     */
    public double[] draws(int n, int seed) {
        if (cumulative == null) keep();
        double[] comp = complementBasis(), out = new double[n * m];
        int block = 4096, blocks = (n + block - 1) / block;
        IntStream.range(0, blocks).parallel().forEach(bl -> {
            int from = bl * block, cnt = Math.min(n, from + block) - from;
            double[] u = new double[cnt * uniformsPerReadout()];
            org.nnpost.rng.Noise.uniforms(seed, bl, 0, CODE_GROUP + 1, u, 0, u.length);
            readouts(u, comp, out, from, cnt);
        });
        return out;
    }

    /**
     * n readouts a (n × m) drawn from p(a) as {@link #draws} draws them, from the uniforms of one
     * address (seed, chain, step, group) of the engine's noise: a chain's own draws (the
     * equilibrium start), the same on any number of threads.
     */
    public double[] drawsAt(int n, int seed, int chain, long step, int group) {
        if (cumulative == null) keep();
        double[] out = new double[n * m], u = new double[n * uniformsPerReadout()];
        org.nnpost.rng.Noise.uniforms(seed, chain, step, group, u, 0, u.length);
        readouts(u, complementBasis(), out, 0, n);
        return out;
    }

    private int uniformsPerReadout() { return uniformsPerDraw(IMH_STEPS) + 2 * (m - r); }

    /** cnt readouts into out[from..] (rows of m) from u, {@link #uniformsPerReadout} uniforms each. */
    private void readouts(double[] u, double[] comp, double[] out, int from, int cnt) {
        int per = uniformsPerDraw(IMH_STEPS), q = m - r;
        double[] v = new double[3], w = new double[q];
        for (int i = 0; i < cnt; i++) {
            int o = i * (per + 2 * q);
            drawWhitened(u, o, IMH_STEPS, v);
            for (int j = 0; j < q; j++) {
                double u1 = u[o + per + 2 * j], u2 = u[o + per + 2 * j + 1];
                w[j] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            }
            for (int c = 0; c < m; c++) {
                double x = 0;
                for (int a = 0; a < r; a++) x += basis[a * m + c] * v[a];
                for (int j = 0; j < q; j++) x += comp[j * m + c] * w[j];
                out[(from + i) * m + c] = sigmaA * x;
            }
        }
    }

    /** Whitened direction j of the complement of the span (m − r of them), as rows. */
    double[] complementBasis() {
        double[] c = complement();
        Linalg.Eigen e = Linalg.eigh(c, m);
        double[] out = new double[(m - r) * m];
        int q = 0;
        for (int i = 0; i < m && q < m - r; i++)
            if (e.values()[i] > 0.5) {
                for (int j = 0; j < m; j++) out[q * m + j] = e.vectors()[j * m + i];
                q++;
            }
        return out;
    }
}
