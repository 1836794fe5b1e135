package org.nnpost.diagnostics;

import java.util.Arrays;

/**
 * The columns {@code az.summary} reports for one scalar beside R̂ and ESS, with ArviZ's
 * definitions: the mean and the standard deviation (ddof 1) over every draw of every chain, the
 * Monte Carlo standard error of the mean, sd / √ESS_mean, where ESS_mean is the split ESS of the
 * draws as they are (not rank-normalised: ArviZ's {@code _mcse_mean} divides by {@code _ess_mean},
 * Vehtari et al. 2021 §4.4 and eq. 14), and the highest-density interval: the narrowest interval
 * between two draws that holds ⌊prob·S⌋ + 1 of the S draws (ArviZ's {@code _hdi}, unimodal).
 *
 * <p>Undefined numbers are NaN: MCSE with fewer than 4 draws per chain, non-finite draws or no
 * variation; everything with no draw at all.
 *
 * @param hdiLow  lower end of the {@link #HDI_PROB} HDI ("hdi_3%" in az.summary)
 * @param hdiHigh upper end ("hdi_97%")
 */
public record TraceStats(double mean, double sd, double mcseMean, double hdiLow, double hdiHigh) {

    /** az.summary's default interval. */
    public static final double HDI_PROB = 0.94;

    /** @param chains [chain][draw], all chains the same length */
    public static TraceStats of(double[][] chains) {
        double[] all = chains.length == 0 ? new double[0] : Convergence.pool(chains);
        if (all.length == 0) return new TraceStats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double mean = Convergence.mean(all);
        double sd = all.length > 1 ? Math.sqrt(Convergence.variance(all, mean)) : Double.NaN;
        double ess = Convergence.essMean(chains);
        double mcse = Double.isNaN(ess) ? Double.NaN : sd / Math.sqrt(ess);
        double[] hdi = hdi(all, HDI_PROB);
        return new TraceStats(mean, sd, mcse, hdi[0], hdi[1]);
    }

    /**
     * The narrowest interval [x_(i), x_(i+k)] of the sorted draws, k = ⌊prob·n⌋; the first such
     * interval when several are equally narrow (numpy's argmin); NaN when a draw is not finite.
     */
    public static double[] hdi(double[] draws, double prob) {
        int n = draws.length;
        if (n == 0) return new double[]{Double.NaN, Double.NaN};
        for (double v : draws) if (!Double.isFinite(v)) return new double[]{Double.NaN, Double.NaN};
        double[] s = draws.clone();
        Arrays.sort(s);
        int k = (int) Math.floor(prob * n);
        int intervals = n - k, best = 0;
        double width = Double.POSITIVE_INFINITY;
        for (int i = 0; i < intervals; i++) {
            double w = s[i + k] - s[i];
            if (w < width) {
                width = w;
                best = i;
            }
        }
        return new double[]{s[best], s[best + k]};
    }
}
