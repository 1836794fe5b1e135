package org.nnpost.theory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.nnpost.model.Phi;
import org.nnpost.spec.NnpostException;

/**
 * The N → ∞ mean-field (γ = 1) theory of a one-hidden-layer network on the orthogonal task, for
 * any φ (SPEC §7): each neuron's readout follows
 *
 * <pre>
 *   p(a) ∝ N(a; 0, σ_a² I) Π_c M(a·τ_c)^{n_c},     t_μ = τ_{c(μ)} = β₀ (y_c − F_c)
 * </pre>
 *
 * with the class order parameters τ self-consistent. The self-consistency is the stationarity
 * of the strictly convex potential
 *
 * <pre>
 *   Φ(τ) = Σ_c n_c (‖τ_c‖²/(2β₀) − τ_c·y_c) + log Z(τ),   ∂Φ/∂τ_c = (n_c/β₀)(τ_c − β₀(y_c − F_c))
 * </pre>
 *
 * (log Z is convex in τ: a log-integral of exponentials of convex functions), minimised by
 * Newton's method with the exact Hessian from the same grid pass ({@link ReadoutDensity}),
 * backtracking so that every iterate stays normalisable. For ReLU the minimum can lie on a hard
 * wall ({@link Walls}): then the readout density alone cannot carry the readout, and the
 * solution is the constrained minimum with a multiplier μ_S per active wall, which is a
 * condensate: a vanishing fraction of neurons with diverging readouts along v_S, carrying a
 * finite share C_S = 2μ_S of ⟨‖a‖²⟩/σ_a² (docs/SPEC.md §7). The theory then predicts PR/N → 0 and
 * an infinite kurtosis (the sparse code); finite-N estimates are given by
 * {@link #participationRatioAt(int)} and {@link #excessKurtosisAt(int)}.
 *
 * @param tau          k × m class order parameters (class-major; k = m classes)
 * @param t            P × m order parameter per input, τ_{c(μ)}
 * @param fTrain       P × m mean outputs on the training inputs
 * @param kernel       P × P, K_μν = ⟨φ(z_μ) φ(z_ν)⟩ (condensates included)
 * @param u            m × m, U = ⟨a aᵀ⟩ per neuron (condensates included)
 * @param fTestClass   k × m, the mean output on a test input with overlap ρ to a training input of class c
 * @param participationRatio  (E‖a‖²)²/E‖a‖⁴, PR/N as N → ∞; 0 with a condensate
 * @param excessKurtosis      E[a_r⁴]/E[a_r²]² − 3 pooled over outputs as CodingMetrics pools entries; +∞ with a condensate
 * @param codes        mass of each class-mean activity pattern shared by ≥ 1% of neurons (model/NeuronCode)
 * @param codeError    estimated discretisation error of the code masses (the grid at twice the spacing)
 * @param activeFraction per class, the mass of neurons whose class mean exceeds the silent threshold
 * @param residual     max |τ_c − β₀(y_c − F_c)| at the returned τ
 * @param steinResidual the same through Stein's form (1 + β₀σ_a²d_c)τ_c + β₀σ_a² Σ Kc n τ − β₀y_c: quadrature accuracy
 */
public record NonlinearMeanField(Phi phi, double sigmaW2, double sigmaA2, double beta0, double rho,
                                 int P, int m, int k, int[] labels, double[] classSizes, double[] classTargets,
                                 double[] tau, double[] t, double[] fTrain, double[] kernel, double[] u,
                                 double[] fTestClass, double participationRatio, double excessKurtosis,
                                 double coreParticipationRatio, double coreExcessKurtosis,
                                 Map<String, Double> codes, double codeError, double[] activeFraction,
                                 List<Condensate> condensates, int iterations, double residual, double steinResidual,
                                 Status status, String note, ReadoutDensity density, Moments core) {

    public enum Status {
        /** p(a) is normalisable and carries the readout. */
        REGULAR,
        /** The solution sits on a ReLU wall: condensates carry part of the readout (sparse code). */
        CONDENSATE
    }

    /**
     * A condensate: neurons with readouts → ∞ along {@code direction} (whitened; the readout
     * direction is the same), active on the classes {@code classes} ('+' active, '0' silent),
     * whose share of ⟨a aᵀ⟩ is weight · σ_a² · v vᵀ. The neurons are a fraction of order
     * e^{−2 suppression/3} that vanishes for large classes.
     */
    public record Condensate(double[] direction, double weight, String classes, double suppressionNats, double kappa) {}

    /** Fourth moments of the regular part, for finite-N estimates. */
    public record Moments(double norm2, double norm4, double[] entry2, double[] entry4) {}

    /** Newton iterations at most. */
    static final int MAX_ITERATIONS = 200;
    /** ReLU: grid points at most while the regular solution is tried ({@link #solve}). */
    static final long FIRST_POINTS = 1 << 20;
    /** ReLU: walls of at least this suppression (nats) are hard when the regular solution was not found. */
    static final double SOFT_NATS = 3;
    /**
     * Seconds a solve may take, all attempts together. The hardest solved cases take about 15 s
     * on two cores; those that fail (small classes beside a hard ReLU wall) used to grind for
     * minutes before saying so, which is no way to end a run with --theory.
     */
    static final double TIME_LIMIT_S = 60;

    /** A solve's time budget: started at start (System.nanoTime()), limitS seconds long. */
    record Clock(long start, double limitS) {
        static final Clock NONE = new Clock(0, Double.POSITIVE_INFINITY);

        boolean expired() { return (System.nanoTime() - start) * 1e-9 > limitS; }
    }

    /**
     * Solves the theory for a run's settings.
     *
     * @param labels class of each training input (0..m−1, every class present)
     * @param y      P × m targets, the same row for every input of a class
     * @param rho    the test inputs' overlap with their training input (SPEC §5), for the predictor
     */
    public static NonlinearMeanField solve(Phi phi, double sigmaW2, double sigmaA2, double beta0,
                                           int[] labels, double[] y, int m, double rho) {
        return solve(phi, sigmaW2, sigmaA2, beta0, labels, y, m, rho, TIME_LIMIT_S);
    }

    /** {@link #solve} within a time limit of its own (seconds): how a test makes a solve run out of time. */
    static NonlinearMeanField solve(Phi phi, double sigmaW2, double sigmaA2, double beta0,
                                    int[] labels, double[] y, int m, double rho, double timeLimitS) {
        Clock clock = new Clock(System.nanoTime(), timeLimitS);
        int P = labels.length, k = m;
        if (y.length != P * m) throw new IllegalArgumentException("targets must be P × m");
        if (!(beta0 > 0 && sigmaA2 > 0 && sigmaW2 > 0)) throw new IllegalArgumentException("beta0, sigmaA2, sigmaW2 must be positive");
        if (!(Math.abs(rho) <= 1)) throw new IllegalArgumentException("the test overlap must lie in [-1, 1]: " + rho);
        double[] n = new double[k], yc = new double[k * m];
        boolean[] seen = new boolean[k];
        for (int mu = 0; mu < P; mu++) {
            int c = labels[mu];
            if (c < 0 || c >= k) throw new IllegalArgumentException("label " + c + " outside 0.." + (k - 1));
            n[c]++;
            for (int r = 0; r < m; r++) {
                double v = y[mu * m + r];
                if (!seen[c]) yc[c * m + r] = v;
                else if (Math.abs(v - yc[c * m + r]) > 1e-12 * Math.max(1, Math.abs(v)))
                    throw new NnpostException(NnpostException.BAD_INPUT, "the mean-field theory needs the same target for every input of a class;"
                            + " class " + c + " has targets " + yc[c * m + r] + " and " + v + " in output " + r);
            }
            seen[c] = true;
        }
        for (int c = 0; c < k; c++)
            if (n[c] == 0) throw new NnpostException(NnpostException.BAD_INPUT, "the mean-field theory needs every class among the training inputs; class " + c + " has none");
        if (m > ReadoutDensity.MAX_RANK)
            throw new NnpostException(NnpostException.BAD_INPUT, "the nonlinear mean-field theory integrates the " + m
                    + "-dimensional readout density on a grid and does so for at most " + ReadoutDensity.MAX_RANK + " classes");
        Tilt tilt = Tilt.of(phi, sigmaW2);
        TiltTable table = new TiltTable(tilt, Double.NaN);
        try {
            Solver first = new Solver(tilt, table, sigmaA2, beta0, k, m, n, yc);
            first.clock = clock;
            if (Double.isNaN(tilt.silentLimit())) return first.run(labels, P, rho);
            // ReLU: a wall of a few nats is soft, and the regular solution beside it is tried first,
            // on grids of at most FIRST_POINTS. Its tail beyond the core is e^{−s} high and needs
            // 1 − κ of order e^{−2s}: past several nats no grid holds it, and the solve fails or
            // crawls. Then every wall of at least SOFT_NATS is taken as hard: the condensate form,
            // exact to about e^{−2s/3}, which the note states.
            first.maxPoints = FIRST_POINTS;
            try {
                return first.run(labels, P, rho);
            } catch (ArithmeticException | NnpostException e) {
                if (clock.expired()) throw e;
                Solver again = new Solver(tilt, table, sigmaA2, beta0, k, m, n, yc);
                again.hardNats = SOFT_NATS;
                again.clock = clock;
                return again.run(labels, P, rho);
            }
        } catch (ArithmeticException e) {
            throw new NnpostException(NnpostException.BAD_INPUT, "the nonlinear mean-field theory found no solution for "
                    + phi.id() + " at beta0 = " + beta0 + ": " + e.getMessage());
        }
    }

    /** The mean predictor on test inputs whose training input has the given classes (P* × m). */
    public double[] predict(int[] testLabels) {
        double[] out = new double[testLabels.length * m];
        for (int i = 0; i < testLabels.length; i++) System.arraycopy(fTestClass, testLabels[i] * m, out, i * m, m);
        return out;
    }

    /** Draws of the readout for the marginals: 2^18, a 1% noise on a 100-bin histogram. */
    public static final int MARGINAL_DRAWS = 1 << 18;

    /**
     * The marginal density of each readout entry a_r under p(a) (the regular part; condensates
     * sit at infinity and are not in it), as a histogram of {@link #MARGINAL_DRAWS} draws on
     * {@code bins} bins over ±5 √U_rr of the regular part: x (m × bins, bin centres) and density
     * (m × bins), each row integrating to one over its range.
     */
    public double[][] readoutMarginals(int bins) {
        double[] a = density.draws(MARGINAL_DRAWS, 0x6D617267);
        double[] x = new double[m * bins], y = new double[m * bins];
        for (int r = 0; r < m; r++) {
            double half = 5 * Math.sqrt(core.entry2()[r]), w = 2 * half / bins;
            for (int b = 0; b < bins; b++) x[r * bins + b] = -half + (b + 0.5) * w;
            for (int i = 0; i < MARGINAL_DRAWS; i++) {
                int b = (int) Math.floor((a[i * m + r] + half) / w);
                if (b >= 0 && b < bins) y[r * bins + b]++;
            }
            for (int b = 0; b < bins; b++) y[r * bins + b] /= MARGINAL_DRAWS * w;
        }
        return new double[][]{x, y};
    }

    /** Some draws of a from p(a) (n × m), for files a reader can histogram as they like. */
    public double[] readoutDraws(int n) { return density.draws(n, 0x6D617267); }

    /** Total ⟨‖a‖²⟩ per neuron, condensates included. */
    double norm2() {
        double s = 0;
        for (int i = 0; i < m; i++) s += u[i * m + i];
        return s;
    }

    /**
     * PR/N at a finite N: the regular part for the neurons, and one neuron per condensate with
     * readout σ_a √(C N) v (so that it contributes C σ_a² v vᵀ to the average ⟨a aᵀ⟩).
     */
    public double participationRatioAt(int N) {
        double e2 = norm2(), e4 = core.norm4();
        for (Condensate c : condensates) e4 += N * Math.pow(c.weight() * sigmaA2, 2);
        return e2 * e2 / e4;
    }

    /** Excess kurtosis of the entries at a finite N, as {@link #participationRatioAt}. */
    public double excessKurtosisAt(int N) {
        double e2 = norm2() / m, e4 = 0;
        for (int i = 0; i < m; i++) e4 += core.entry4()[i];
        for (Condensate c : condensates)
            for (int i = 0; i < m; i++) e4 += N * Math.pow(c.weight() * sigmaA2, 2) * Math.pow(c.direction()[i], 4);
        e4 /= m;
        return e4 / (e2 * e2) - 3;
    }

    // -----------------------------------------------------------------------------------------

    /** The constrained Newton iteration on Φ(τ). */
    static final class Solver {
        final Tilt tilt;
        final TiltTable table;
        final double sigmaA2, beta0;
        final int k, m, km;
        final double[] n, y;
        double scale;
        /** Walls with at least this suppression (nats) are hard; grids beyond maxPoints are refused. */
        double hardNats = Walls.HARD_NATS;
        long maxPoints = ReadoutDensity.MAX_POINTS;
        /** When the solve gives up. */
        Clock clock = Clock.NONE;

        Solver(Tilt tilt, TiltTable table, double sigmaA2, double beta0, int k, int m, double[] n, double[] y) {
            this.tilt = tilt;
            this.table = table;
            this.sigmaA2 = sigmaA2;
            this.beta0 = beta0;
            this.k = k;
            this.m = m;
            this.km = k * m;
            this.n = n;
            this.y = y;
            this.scale = Math.max(1, beta0 * Linalg.maxAbs(y));
        }

        /** The state at one τ: the density, Φ, its gradient and Hessian, and the walls. */
        final class Point {
            final double[] tau;
            final ReadoutDensity p;
            final double phiValue;
            final double[] grad, hess;
            final List<Walls.Wall> walls;

            Point(double[] tau, ReadoutDensity.Shape hint, long maxPoints) {
                this.tau = tau;
                this.walls = Walls.of(tilt, tau, k, m, n, sigmaA2, hardNats);
                this.p = ReadoutDensity.compute(table, tau, k, m, n, sigmaA2, hint, tailTolerance(walls), true, false, maxPoints);
                double v = p.logZ;
                grad = new double[km];
                for (int c = 0; c < k; c++)
                    for (int i = 0; i < m; i++) {
                        double tc = tau[c * m + i];
                        v += n[c] * (tc * tc / (2 * beta0) - tc * y[c * m + i]);
                        grad[c * m + i] = n[c] * (tc / beta0 - y[c * m + i] + p.f[c * m + i]);
                    }
                phiValue = v;
                hess = p.hessLogZ.clone();
                for (int c = 0; c < k; c++) for (int i = 0; i < m; i++) hess[(c * m + i) * km + c * m + i] += n[c] / beta0;
            }
        }

        /**
         * Near a hard wall, the tail beyond the core may stay outside the box up to e^{−2s/3}, the
         * accuracy of the condensate form itself. The tail reaches its plateau e^{−s} only slowly
         * (log M(λ) − log ½ ≈ 2/(√(2π)|λ|) for the silent classes), so a box that held it to the
         * plateau's own level outgrew every grid on the wall, and the solve never landed there.
         */
        static double tailTolerance(List<Walls.Wall> walls) {
            double tol = 0;
            for (Walls.Wall w : walls)
                if (w.hard() && w.kappa() > 0.99) tol = Math.max(tol, Math.exp(-2 * w.suppression() / 3));
            return tol;
        }

        NonlinearMeanField run(int[] labels, int P, double rho) {
            double[] tau = new double[km];
            Point pt = new Point(tau, null, maxPoints);
            Map<Integer, Double> mu = new LinkedHashMap<>();
            int it;
            double res = Double.NaN;
            for (it = 0; ; it++) {
                if (it >= MAX_ITERATIONS) throw new ArithmeticException("the mean-field solve did not converge in " + MAX_ITERATIONS
                        + " Newton steps (residual " + res + ")");
                if (it > 0 && clock.expired())
                    throw new ArithmeticException("the mean-field solve did not converge within its time limit of " + clock.limitS()
                            + " s (residual " + res + " after " + it + " Newton steps)");
                Map<Integer, Walls.Wall> byMask = new LinkedHashMap<>();
                for (Walls.Wall w : pt.walls) if (w.hard()) byMask.put(w.mask(), w);
                mu.keySet().retainAll(byMask.keySet());
                List<Integer> act = new ArrayList<>(mu.keySet());
                double[] step, muNew;
                while (true) {
                    int q = act.size(), dim = km + q;
                    double[] a = new double[dim * dim], rhs = new double[dim];
                    for (int i = 0; i < km; i++) {
                        System.arraycopy(pt.hess, i * km, a, i * dim, km);
                        rhs[i] = -pt.grad[i];
                    }
                    for (int j = 0; j < q; j++) {
                        Walls.Wall w = byMask.get(act.get(j));
                        double[] g = Walls.gradient(w, tilt, pt.tau, k, m, n, sigmaA2);
                        double[] h = Walls.hessian(w, tilt, pt.tau, k, m, n, sigmaA2);
                        double mj = mu.get(act.get(j));
                        for (int x = 0; x < km; x++) {
                            for (int z = 0; z < km; z++) a[x * dim + z] += mj * h[x * km + z];
                            a[x * dim + km + j] = g[x];
                            a[(km + j) * dim + x] = g[x];
                        }
                        rhs[km + j] = 1 - w.kappa();
                    }
                    double[] sol = Linalg.solve(a, dim, rhs, 1);
                    step = java.util.Arrays.copyOf(sol, km);
                    muNew = java.util.Arrays.copyOfRange(sol, km, dim);
                    int worst = -1;
                    for (int j = 0; j < q; j++) if (muNew[j] < 0 && (worst < 0 || muNew[j] < muNew[worst])) worst = j;
                    if (worst < 0) break;
                    mu.remove(act.remove(worst));
                }
                res = residual(pt, byMask, mu);
                boolean onWalls = true;
                for (int mask : act) onWalls &= Math.abs(byMask.get(mask).kappa() - 1) < 1e-12;
                // on a hard wall the density's far plateau (e^−suppression of the core) makes log Z
                // depend on the grid's extent at that level: the residual cannot go below it
                double floor = 1e-12;
                for (int mask : act) floor = Math.max(floor, 10 * Math.exp(-2 * byMask.get(mask).suppression() / 3));
                if (res < floor * scale && onWalls) break;
                // a trust region: no class's τ moves by more than its size (or, from zero, the scale
                // 1/(σ_a σ_w √n_c) at which the class's tilt becomes of order one) in one step
                double cap = 1;
                for (int c = 0; c < k; c++) {
                    double norm = 0, dn = 0;
                    for (int i = 0; i < m; i++) {
                        norm += pt.tau[c * m + i] * pt.tau[c * m + i];
                        dn += step[c * m + i] * step[c * m + i];
                    }
                    double limit = Math.max(Math.sqrt(norm), 1 / Math.sqrt(sigmaA2 * tilt.sigmaW2() * n[c]));
                    if (Math.sqrt(dn) > limit) cap = Math.min(cap, limit / Math.sqrt(dn));
                }
                for (int i = 0; i < km; i++) step[i] *= cap;
                // line search: stay off soft walls, land on hard ones
                double tStep = 1, gd = 0, stepNorm = 0, tauNorm = 0;
                for (int i = 0; i < km; i++) {
                    stepNorm = Math.max(stepNorm, Math.abs(step[i]));
                    tauNorm = Math.max(tauNorm, Math.abs(pt.tau[i]));
                }
                // on a wall the multipliers may be all that moves: a τ step at rounding level is taken whole
                boolean negligible = stepNorm <= 1e-13 * tauNorm;
                for (int i = 0; i < km; i++) gd += pt.grad[i] * step[i];
                Point next = null;
                for (int ls = 0; ls < 60; ls++, tStep *= 0.5) {
                    double[] cand = new double[km];
                    for (int i = 0; i < km; i++) cand[i] = pt.tau[i] + tStep * step[i];
                    List<Walls.Wall> walls = Walls.of(tilt, cand, k, m, n, sigmaA2, hardNats);
                    double soft = Walls.maxKappa(walls, false), hard = Walls.maxKappa(walls, true);
                    if (hard > 1) {
                        double sc = 1 / Math.sqrt(hard);
                        for (int i = 0; i < km; i++) cand[i] *= sc;
                        soft *= sc * sc;
                    }
                    if (soft >= 1 - 1e-12) continue;
                    Point trial;
                    try {
                        trial = new Point(cand, pt.p.shape(), Math.min(maxPoints, Math.max(8 * pt.p.points(), 1 << 18)));
                    } catch (NnpostException | ArithmeticException e) {
                        continue;
                    }
                    double slack = 1e-13 * Math.abs(pt.phiValue) + (act.isEmpty() ? 1e-4 * tStep * Math.min(gd, 0) : 0);
                    if (trial.phiValue <= pt.phiValue + slack || ls >= 40 || negligible) {
                        next = trial;
                        break;
                    }
                }
                if (next == null) throw new ArithmeticException("the mean-field solve's line search failed (residual " + res + ")");
                for (int j = 0; j < act.size(); j++) {
                    int mask = act.get(j);
                    mu.put(mask, muNew[j]);
                }
                for (Walls.Wall w : next.walls)
                    if (w.hard() && w.kappa() > 1 - 1e-12 && !mu.containsKey(w.mask())) mu.put(w.mask(), 0.0);
                pt = next;
            }
            return result(pt, mu, labels, P, rho, it, res);
        }

        /** max_c |τ_c − β₀(y_c − F_c − F_c^cond)| with F_c^cond = Σ_S 2μ_S σ_a²σ_w² (v_S·τ_c)_+ v_S. */
        double residual(Point pt, Map<Integer, Walls.Wall> walls, Map<Integer, Double> mu) {
            double[] fc = condensateOutputs(pt.tau, walls, mu, tilt.quadraticGrowth() * 2);
            double res = 0;
            for (int i = 0; i < km; i++)
                res = Math.max(res, Math.abs(pt.tau[i] - beta0 * (y[i] - pt.p.f[i] - fc[i])));
            return res;
        }

        /** Σ_S C_S σ_a² γ (v_S·τ_c)_+ v_S per class (k × m), γ the large-λ slope of ψ (or of g). */
        double[] condensateOutputs(double[] tau, Map<Integer, Walls.Wall> walls, Map<Integer, Double> mu, double gamma) {
            double[] out = new double[km];
            for (Map.Entry<Integer, Double> e : mu.entrySet()) {
                Walls.Wall w = walls.get(e.getKey());
                double weight = 2 * e.getValue();
                for (int c = 0; c < k; c++) {
                    double p = 0;
                    for (int i = 0; i < m; i++) p += w.v()[i] * tau[c * m + i];
                    if (p <= 0) continue;
                    for (int i = 0; i < m; i++) out[c * m + i] += weight * sigmaA2 * gamma * p * w.v()[i];
                }
            }
            return out;
        }

        NonlinearMeanField result(Point pt, Map<Integer, Double> mu, int[] labels, int P, double rho, int iterations, double res) {
            double[] tau = pt.tau;
            Map<Integer, Walls.Wall> byMask = new LinkedHashMap<>();
            for (Walls.Wall w : pt.walls) byMask.put(w.mask(), w);
            // the final density on a table that also holds the test predictor's g(λ)
            TiltTable withTest = new TiltTable(tilt, rho);
            ReadoutDensity p = ReadoutDensity.compute(withTest, tau, k, m, n, sigmaA2, pt.p.shape(), tailTolerance(pt.walls), false, true);
            ReadoutDensity.Population pop = p.population(rho);
            double gamma = 2 * tilt.quadraticGrowth();
            // condensates: U, F, Kc, the test predictor
            List<Condensate> conds = new ArrayList<>();
            double[] u = p.u(), f = p.f(), kc = p.kc(), fTest = pop.fTest();
            double[] fCond = condensateOutputs(tau, byMask, mu, gamma);
            double[] tCond = condensateOutputs(tau, byMask, mu, Math.max(rho, 0) * gamma);
            for (Map.Entry<Integer, Double> e : mu.entrySet()) {
                Walls.Wall w = byMask.get(e.getKey());
                double weight = 2 * e.getValue();
                if (!(weight > 0)) continue;
                double[] pc = new double[k];
                StringBuilder cls = new StringBuilder();
                for (int c = 0; c < k; c++) {
                    for (int i = 0; i < m; i++) pc[c] += w.v()[i] * tau[c * m + i];
                    pc[c] = Math.max(pc[c], 0);
                    cls.append(pc[c] > 0 ? '+' : '0');
                }
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) u[i * m + j] += weight * sigmaA2 * w.v()[i] * w.v()[j];
                for (int c = 0; c < k; c++)
                    for (int c2 = 0; c2 < k; c2++) kc[c * k + c2] += weight * sigmaA2 * gamma * gamma * pc[c] * pc[c2];
                conds.add(new Condensate(w.v().clone(), weight, cls.toString(), w.suppression(), w.kappa()));
            }
            for (int i = 0; i < km; i++) {
                f[i] += fCond[i];
                fTest[i] += tCond[i];
            }
            double[] d = p.d();
            // per input
            double[] t = new double[P * m], fTrain = new double[P * m], kernel = new double[P * P];
            for (int a = 0; a < P; a++) {
                int c = labels[a];
                System.arraycopy(tau, c * m, t, a * m, m);
                System.arraycopy(f, c * m, fTrain, a * m, m);
                for (int b = 0; b < P; b++) kernel[a * P + b] = kc[c * k + labels[b]] + (a == b ? d[c] : 0);
            }
            // Stein's form of the self-consistency
            double stein = 0;
            for (int c = 0; c < k; c++)
                for (int i = 0; i < m; i++) {
                    double s = (1 + beta0 * sigmaA2 * d[c]) * tau[c * m + i] - beta0 * y[c * m + i];
                    for (int c2 = 0; c2 < k; c2++) s += beta0 * sigmaA2 * kc[c * k + c2] * n[c2] * tau[c2 * m + i];
                    stein = Math.max(stein, Math.abs(s));
                }
            Moments core = pop.moments();
            double pr = core.norm2() * core.norm2() / core.norm4();
            double e2 = 0, e4 = 0;
            for (int i = 0; i < m; i++) { e2 += core.entry2()[i]; e4 += core.entry4()[i]; }
            double kurt = (e4 / m) / ((e2 / m) * (e2 / m)) - 3;
            Status status = conds.isEmpty() ? Status.REGULAR : Status.CONDENSATE;
            String note;
            if (status == Status.REGULAR) {
                note = String.format(Locale.ROOT, "regular: p(a) normalisable and self-consistent (%d Newton steps, %d grid points, rank %d)",
                        iterations, p.points(), p.rank());
            } else {
                double share = 0, tr = 0;
                for (Condensate c : conds) share += c.weight() * sigmaA2;
                for (int i = 0; i < m; i++) tr += u[i * m + i];
                double minSupp = Double.POSITIVE_INFINITY;
                for (Condensate c : conds) minSupp = Math.min(minSupp, c.suppressionNats());
                StringBuilder dirs = new StringBuilder();
                for (Condensate c : conds) dirs.append(dirs.length() > 0 ? ", " : "").append(c.classes())
                        .append(String.format(Locale.ROOT, " (C = %.4g)", c.weight()));
                note = String.format(Locale.ROOT, "condensate: the readout density meets %d ReLU wall(s) and cannot carry the readout alone; "
                                + "a vanishing fraction of neurons (of order e^-%.0f) with diverging readouts, active on one pattern of classes "
                                + "each [%s], carries %.1f%% of <|a|^2>: a sparse code, PR/N -> 0 and infinite kurtosis as N -> infinity "
                                + "(regular part: PR/N = %.3f, excess kurtosis %.2f). The wall's tail plateau is e^-%.1f of the core, "
                                + "so the condensate form is exact to about e^-%.1f",
                        conds.size(), 2 * minSupp / 3, dirs, 100 * share / tr, pr, kurt, minSupp, 2 * minSupp / 3);
            }
            return new NonlinearMeanField(tilt.phi(), tilt.sigmaW2(), sigmaA2, beta0, rho, P, m, k, labels.clone(), n.clone(), y.clone(),
                    tau.clone(), t, fTrain, kernel, u, fTest, status == Status.REGULAR ? pr : 0,
                    status == Status.REGULAR ? kurt : Double.POSITIVE_INFINITY, pr, kurt, pop.codes(), pop.codeError(),
                    pop.activeFraction(), List.copyOf(conds), iterations, res, stein, status, note, p, core);
        }
    }
}
