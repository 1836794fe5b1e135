package org.nnpost.diagnostics;

import java.util.Arrays;

/**
 * Convergence diagnostics of a scalar over several chains (Vehtari, Gelman, Simpson, Carpenter
 * and Bürkner 2021, "Rank-normalization, folding, and localization"), as Stan, posterior and
 * ArviZ compute them:
 * <ul>
 *   <li>chains are split in halves (an odd middle draw is dropped), so a trend within a chain
 *       shows up as disagreement between its halves;</li>
 *   <li>rank normalisation: pooled average ranks r of all S draws mapped to
 *       Φ⁻¹((r − 3/8)/(S + 1/4)) (Blom's offsets, the form the reference implementations use;
 *       it is symmetric, so rank 1 and rank S map to ± the same value);</li>
 *   <li>R̂ = max(split-R̂ of the rank-normalised draws, split-R̂ of the rank-normalised draws
 *       folded about the median), the second catching chains that differ in scale;</li>
 *   <li>bulk-ESS = ESS of the rank-normalised split chains; tail-ESS = min of the ESS of the
 *       indicators I(x ≤ q₀.₀₅) and I(x ≤ q₀.₉₅) on the split chains;</li>
 *   <li>ESS = S/τ with τ = −1 + 2 Σ_k P_k (+ the next even autocorrelation when positive), the
 *       pair sums P_k = ρ̂_2k + ρ̂_2k+1 cut at the first negative one and made non-increasing
 *       (Geyer's initial monotone sequence), ρ̂_t from the multi-chain variance estimate;
 *       the edge rules (where the sequence must stop, the cap τ ≥ 1/log10 S) follow Stan and
 *       ArviZ, which this code agrees with to rounding.</li>
 * </ul>
 * Undefined results (fewer than 4 draws per chain, a non-finite or constant trace) are NaN.
 */
public final class Convergence {
    private Convergence() {}

    /** R̂ and ESS of one scalar. */
    public record Diagnostics(double rhat, double essBulk, double essTail) {}

    /** @param chains [chain][draw], all chains the same length */
    public static Diagnostics of(double[][] chains) {
        return new Diagnostics(rhat(chains), essBulk(chains), essTail(chains));
    }

    public static double rhat(double[][] chains) {
        if (!usable(chains)) return Double.NaN;
        double bulk = splitRhat(rankNormalize(split(chains)));
        // folded about the median of every draw, then split (Stan's posterior and az.summary do
        // this; az.rhat folds the split halves, which differs when a chain's length is odd)
        double tail = splitRhat(rankNormalize(split(fold(chains))));
        return Math.max(bulk, tail);
    }

    public static double essBulk(double[][] chains) {
        if (!usable(chains)) return Double.NaN;
        return ess(rankNormalize(split(chains)));
    }

    /**
     * The split ESS of the draws as they are, with no rank normalisation: ArviZ's ess "mean",
     * the one its MCSE of the mean divides by.
     */
    public static double essMean(double[][] chains) {
        if (!usable(chains)) return Double.NaN;
        return ess(split(chains));
    }

    public static double essTail(double[][] chains) {
        if (!usable(chains)) return Double.NaN;
        double[] pooled = pool(chains);   // quantiles of all draws, the middle one of an odd chain included
        Arrays.sort(pooled);
        double[][] split = split(chains);
        double lo = ess(indicator(split, quantileSorted(pooled, 0.05)));
        double hi = ess(indicator(split, quantileSorted(pooled, 0.95)));
        return Math.min(lo, hi);
    }

    // ------------------------------------------------------------------ building blocks

    /** At least 4 draws per chain (2 per half), equal lengths, all finite, not all equal. */
    static boolean usable(double[][] chains) { return usable(chains, 4); }

    static boolean usable(double[][] chains, int minDraws) {
        if (chains.length == 0 || chains[0].length < minDraws) return false;
        double first = chains[0][0];
        boolean varies = false;
        for (double[] c : chains) {
            if (c.length != chains[0].length) throw new IllegalArgumentException("chains differ in length");
            for (double v : c) {
                if (!Double.isFinite(v)) return false;
                if (v != first) varies = true;
            }
        }
        return varies;
    }

    /** M chains of n draws → 2M chains of ⌊n/2⌋ draws: first and last halves, middle draw dropped if n is odd. */
    static double[][] split(double[][] chains) {
        int n = chains[0].length, half = n / 2;
        double[][] out = new double[2 * chains.length][];
        for (int c = 0; c < chains.length; c++) {
            out[2 * c] = Arrays.copyOfRange(chains[c], 0, half);
            out[2 * c + 1] = Arrays.copyOfRange(chains[c], n - half, n);
        }
        return out;
    }

    /** |x − median| with the median of all draws pooled. */
    static double[][] fold(double[][] chains) {
        double[] pooled = pool(chains);
        Arrays.sort(pooled);
        // (a + b) / 2 of the middle two, as numpy's median, not a + (b − a) / 2: the two then fold to
        // exactly equal values, a tie whose shared rank ArviZ's folded R̂ has too
        int S = pooled.length;
        double median = S % 2 == 1 ? pooled[S / 2] : (pooled[S / 2 - 1] + pooled[S / 2]) / 2;
        double[][] out = new double[chains.length][];
        for (int c = 0; c < chains.length; c++) {
            out[c] = new double[chains[c].length];
            for (int i = 0; i < out[c].length; i++) out[c][i] = Math.abs(chains[c][i] - median);
        }
        return out;
    }

    /** Average ranks over all draws pooled, ties sharing the mean of their ranks, to normal scores. */
    static double[][] rankNormalize(double[][] chains) {
        int M = chains.length, n = chains[0].length, S = M * n;
        double[] sorted = pool(chains);
        Arrays.sort(sorted);
        double[][] out = new double[M][n];
        for (int c = 0; c < M; c++)
            for (int i = 0; i < n; i++) {
                double v = chains[c][i];
                // positions first..last hold v in the sorted draws: its 1-based mean rank is their midpoint + 1
                int first = lowerBound(sorted, v), last = lowerBound(sorted, Math.nextUp(v)) - 1;
                double rank = 0.5 * (first + last) + 1.0;
                out[c][i] = Normal.quantile((rank - 0.375) / (S + 0.25));
            }
        return out;
    }

    /** First index whose value is ≥ v (values finite and sorted). */
    private static int lowerBound(double[] sorted, double v) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Gelman–Rubin on the given (already split) chains: √(((n−1)/n · W + B/n) / W). */
    static double splitRhat(double[][] chains) {
        int M = chains.length, n = chains[0].length;
        double[] means = new double[M];
        double W = 0;
        for (int c = 0; c < M; c++) {
            means[c] = mean(chains[c]);
            W += variance(chains[c], means[c]);
        }
        W /= M;
        double bOverN = variance(means, mean(means));   // B/n = var of chain means (M − 1 denominator)
        return Math.sqrt(((n - 1.0) / n * W + bOverN) / W);
    }

    /** Effective sample size of the given chains (no splitting or transformation here). */
    static double ess(double[][] chains) {
        if (!usable(chains, 2)) return Double.NaN;
        int M = chains.length, n = chains[0].length;
        double S = (double) M * n;
        double[][] acov = new double[M][];
        double[] means = new double[M];
        double meanVar = 0;
        for (int c = 0; c < M; c++) {
            acov[c] = Autocovariance.of(chains[c]);
            means[c] = mean(chains[c]);
            meanVar += acov[c][0];
        }
        meanVar = meanVar / M * n / (n - 1.0);           // W: within-chain variance, n − 1 denominator
        double varPlus = meanVar * (n - 1.0) / n;        // the pooled variance estimate var⁺
        if (M > 1) varPlus += variance(means, mean(means));
        // Pairs P_k = ρ̂_2k + ρ̂_2k+1 (ρ̂₀ = 1 by definition) are taken while the last one was
        // positive and lags remain (2k ≤ n − 3); every pair before the last one computed counts,
        // made non-increasing (initial monotone sequence). Of the last pair only its even term
        // counts, once: Geyer's refinement, with the reference implementations' edge rules.
        double sum = 0, prev = Double.POSITIVE_INFINITY;
        double even = 1.0, pair = even + rho(acov, 1, meanVar, varPlus);
        for (int e = 0; pair > 0 && e + 2 <= n - 3; ) {
            double p = Math.min(pair, prev);
            sum += p;
            prev = p;
            e += 2;
            even = rho(acov, e, meanVar, varPlus);
            pair = even + rho(acov, e + 1, meanVar, varPlus);
        }
        double tau = -1.0 + 2.0 * sum + (pair >= 0 || even > 0 ? even : 0.0);
        tau = Math.max(tau, 1.0 / Math.log10(S));        // caps ESS at S·log10(S) for antithetic chains
        return S / tau;
    }

    /** ρ̂_t = 1 − (W − mean over chains of γ_t) / var⁺. */
    private static double rho(double[][] acov, int t, double meanVar, double varPlus) {
        double g = 0;
        for (double[] a : acov) g += a[t];
        g /= acov.length;
        return 1.0 - (meanVar - g) / varPlus;
    }

    static double[][] indicator(double[][] chains, double q) {
        double[][] out = new double[chains.length][];
        for (int c = 0; c < chains.length; c++) {
            out[c] = new double[chains[c].length];
            for (int i = 0; i < out[c].length; i++) out[c][i] = chains[c][i] <= q ? 1.0 : 0.0;
        }
        return out;
    }

    /** Linear interpolation between order statistics (numpy's and R's default, type 7). */
    static double quantileSorted(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    static double[] pool(double[][] chains) {
        int n = chains[0].length;
        double[] all = new double[chains.length * n];
        for (int c = 0; c < chains.length; c++) System.arraycopy(chains[c], 0, all, c * n, n);
        return all;
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** Sample variance with the n − 1 denominator. */
    static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) s += (v - mean) * (v - mean);
        return s / (x.length - 1);
    }
}
