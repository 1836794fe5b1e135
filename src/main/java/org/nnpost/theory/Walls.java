package org.nnpost.theory;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the readout density stops being normalisable (linear φ and ReLU, whose log M grows like
 * σ_w²λ²/2). In whitened coordinates the tilt along a unit direction v grows like
 * ½ x² f(v) with f(v) = σ_a²σ_w² Σ_c n_c (v·τ_c)², the sum over every class for linear φ and
 * over the classes with v·τ_c &gt; 0 for ReLU; p(a) is normalisable while f &lt; 1 everywhere.
 * The local maxima of f on the sphere are the top eigenvectors v_S of
 * Q_S = σ_a²σ_w² Σ_{c∈S} n_c τ_c τ_cᵀ whose signs match S (v_S·τ_c &gt; 0 exactly for c ∈ S): one
 * wall per such S, at κ_S = λ_max(Q_S) = 1. κ_S is homogeneous of degree 2 in τ.
 *
 * <p>Along a ReLU wall the classes outside S see λ → −∞, where M → ½: beyond the core, the
 * density along v_S levels off at e^{−Σ_{c∉S} n_c log 2} of the core's height (the wall's
 * suppression, in nats). A wall with a strong suppression is a hard wall: the solve may end on it
 * with a condensate (NonlinearMeanField); a weak one (linear φ: none) is a barrier the density's
 * own growth keeps the solve away from.
 */
final class Walls {
    private Walls() {}

    /** Suppression (nats) from which a wall is hard. */
    static final double HARD_NATS = 10;

    /**
     * @param mask       the classes S (bit c)
     * @param v          the unit direction (whitened)
     * @param suppression Σ_{c∉S, v·τ_c &lt; 0} n_c log 2 (ReLU), 0 for linear φ
     */
    record Wall(int mask, double kappa, double[] v, double[] values, double[] vectors, double suppression, double hardNats) {
        boolean hard() { return suppression >= hardNats; }
    }

    /** The walls at τ (k × m); none for the bounded sigmoids. */
    static List<Wall> of(Tilt tilt, double[] tau, int k, int m, double[] n, double sigmaA2) {
        return of(tilt, tau, k, m, n, sigmaA2, HARD_NATS);
    }

    /** As above, with walls of at least {@code hardNats} of suppression hard. */
    static List<Wall> of(Tilt tilt, double[] tau, int k, int m, double[] n, double sigmaA2, double hardNats) {
        List<Wall> out = new ArrayList<>();
        double growth = tilt.quadraticGrowth();
        if (growth <= 0) return out;
        double alpha = sigmaA2 * 2 * growth;
        boolean signed = !Double.isNaN(tilt.silentLimit());
        for (int mask = 1; mask < (1 << k); mask++) {
            if (!signed && mask != (1 << k) - 1) continue;
            double[] q = new double[m * m];
            for (int c = 0; c < k; c++) {
                if ((mask >> c & 1) == 0) continue;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) q[i * m + j] += alpha * n[c] * tau[c * m + i] * tau[c * m + j];
            }
            Linalg.Eigen e = Linalg.eigh(q, m);
            int top = 0;
            for (int i = 1; i < m; i++) if (e.values()[i] > e.values()[top]) top = i;
            if (!(e.values()[top] > 0)) continue;
            for (int sign = 1; sign >= -1; sign -= 2) {
                double[] v = new double[m];
                for (int i = 0; i < m; i++) v[i] = sign * e.vectors()[i * m + top];
                double[] p = new double[k];
                double big = 0;
                for (int c = 0; c < k; c++) {
                    for (int i = 0; i < m; i++) p[c] += v[i] * tau[c * m + i];
                    big = Math.max(big, Math.abs(p[c]));
                }
                double tol = 1e-12 * big, supp = 0;
                boolean ok = true;
                if (signed)
                    for (int c = 0; c < k; c++) {
                        boolean in = (mask >> c & 1) == 1;
                        if (in && !(p[c] > tol) || !in && p[c] > tol) ok = false;
                        if (!in && p[c] < -tol) supp += -n[c] * tilt.silentLimit();
                    }
                if (!ok) continue;
                out.add(new Wall(mask, e.values()[top], v, e.values(), e.vectors(), supp, hardNats));
                if (!signed) break;
            }
        }
        return out;
    }

    static double maxKappa(List<Wall> walls, boolean hard) {
        double k = 0;
        for (Wall w : walls) if (w.hard() == hard) k = Math.max(k, w.kappa());
        return k;
    }

    /** ∂κ_S/∂τ_c = 2 α n_c (v·τ_c) v for c ∈ S (α = σ_a²σ_w²), flattened class-major (km). */
    static double[] gradient(Wall w, Tilt tilt, double[] tau, int k, int m, double[] n, double sigmaA2) {
        double alpha = sigmaA2 * 2 * tilt.quadraticGrowth();
        double[] g = new double[k * m];
        for (int c = 0; c < k; c++) {
            if ((w.mask() >> c & 1) == 0) continue;
            double p = 0;
            for (int i = 0; i < m; i++) p += w.v()[i] * tau[c * m + i];
            for (int i = 0; i < m; i++) g[c * m + i] = 2 * alpha * n[c] * p * w.v()[i];
        }
        return g;
    }

    /**
     * ∂²κ_S/∂τ²: the second-order perturbation of the top eigenvalue of Q_S,
     * 2 v_Sᵀ(Σ α n_c dτ_c dτ_cᵀ) v_S + 2 Σ_{j ≠ top} (v_jᵀ dQ v_S)² / (κ_S − λ_j).
     */
    static double[] hessian(Wall w, Tilt tilt, double[] tau, int k, int m, double[] n, double sigmaA2) {
        double alpha = sigmaA2 * 2 * tilt.quadraticGrowth();
        int km = k * m;
        double[] hs = new double[km * km], v = w.v();
        double[] p = new double[k];
        for (int c = 0; c < k; c++) for (int i = 0; i < m; i++) p[c] += v[i] * tau[c * m + i];
        for (int c = 0; c < k; c++) {
            if ((w.mask() >> c & 1) == 0) continue;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++) hs[(c * m + i) * km + c * m + j] += 2 * alpha * n[c] * v[i] * v[j];
        }
        for (int e = 0; e < m; e++) {
            double gap = w.kappa() - w.values()[e];
            if (!(gap > 1e-12 * w.kappa())) continue;   // the top eigenvector itself (or a degenerate one)
            double[] vj = new double[m];
            for (int i = 0; i < m; i++) vj[i] = w.vectors()[i * m + e];
            // sign of the eigenvector does not matter: (v_jᵀ dQ v)² — J is the gradient of v_jᵀ dQ v in dτ
            double[] jac = new double[km];
            for (int c = 0; c < k; c++) {
                if ((w.mask() >> c & 1) == 0) continue;
                double pj = 0;
                for (int i = 0; i < m; i++) pj += vj[i] * tau[c * m + i];
                for (int i = 0; i < m; i++) jac[c * m + i] = alpha * n[c] * (p[c] * vj[i] + pj * v[i]);
            }
            for (int a = 0; a < km; a++)
                for (int b = 0; b < km; b++) hs[a * km + b] += 2 * jac[a] * jac[b] / gap;
        }
        return hs;
    }
}
