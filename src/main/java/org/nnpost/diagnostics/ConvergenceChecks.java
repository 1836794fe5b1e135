package org.nnpost.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The convergence checks of a finished run, as Stan and ArviZ give them: each is a pure function
 * of the traces [chain][draw] (or of MALA's acceptance counts) and returns its {@link Warning}s,
 * none when it passes.
 * <ul>
 *   <li>{@code draws}: fewer than {@value #MIN_DRAWS} draws per chain, so that R̂ and ESS cannot
 *       be computed at all (one warning for the run rather than one per trace);</li>
 *   <li>{@code rhat}: rank-normalised split-R̂ ({@link Convergence#rhat}) above {@value #RHAT_MAX},
 *       the threshold of Vehtari et al. (2021) that Stan and ArviZ use today; an infinite R̂
 *       (every chain stuck at a value of its own) and an undefined one (a constant or non-finite
 *       trace) fail too;</li>
 *   <li>{@code ess_bulk}, {@code ess_tail}: ESS below {@value #ESS_PER_CHAIN} per chain, that is
 *       below 100·C for C chains. This is Vehtari et al.'s rule (and rstan's): the split chains'
 *       variance and autocorrelation estimates that R̂ and ESS are made of are themselves only
 *       reliable from about 50 effective draws per split chain, so every chain must supply 100.
 *       ArviZ's fixed 400 is the same number at its usual 4 chains; with many chains (a GPU run
 *       of thousands) a fixed 400 would pass draws in which no single chain has mixed, which is
 *       what the per-chain rule refuses;</li>
 *   <li>{@code acceptance}: a MALA chain accepting less than {@value #ACCEPT_LOW} of its proposals
 *       (the step is too large: the chain barely moves; none at all is its own warning) or more
 *       than {@value #ACCEPT_HIGH} (the step is so small that the chain creeps; MALA's optimum is
 *       near 0.57, Roberts and Rosenthal 1998). Chains that fail alike share one warning, so a
 *       run of thousands of chains prints a few lines, not thousands;</li>
 *   <li>{@code nonstationary}: the first and second halves of the kept draws differ in location,
 *       by a rank-normalised Geweke test ({@link #driftZ}) at |z| &gt; {@value #DRIFT_Z}.</li>
 * </ul>
 */
public final class ConvergenceChecks {
    private ConvergenceChecks() {}

    /** R̂ above this fails. */
    public static final double RHAT_MAX = 1.01;
    /** Bulk or tail ESS below this many per chain fails. */
    public static final double ESS_PER_CHAIN = 100;
    /** Fewer draws per chain than this leave R̂ and ESS undefined (two per split half). */
    public static final int MIN_DRAWS = 4;
    /** MALA acceptance per chain outside [ACCEPT_LOW, ACCEPT_HIGH] fails. */
    public static final double ACCEPT_LOW = 0.2, ACCEPT_HIGH = 0.95;
    /**
     * |z| of the drift between halves above this fails. Under stationarity z is close to N(0, 1),
     * P(|z| &gt; 4) = 6.3e-5, so a run's 3 + L traces (at most 6 for L ≤ 3) raise a false alarm
     * with probability below 4e-4 (Bonferroni; the traces are correlated, which only lowers it).
     * The margin covers the error of the estimated ESS in z's denominator: were the standard error
     * 25% too small, a trace would still pass with probability 1 − P(|N(0,1)| &gt; 3) = 0.9973,
     * and a run below 2% false alarms. Measured on 4000 replicates of 4 stationary chains:
     * sd(z) 0.97 to 1.0, and beyond 4 none at 50 or more effective draws per chain, one (2.5e-4)
     * at AR(1) ρ = 0.8 with 500 draws (55 effective per chain, a run that fails ESS anyway).
     * {@code ConvergenceChecksTest} checks the rate.
     */
    public static final double DRIFT_Z = 4.0;

    // ------------------------------------------------------------------ the run

    /** Every check of one run: the draws, each trace (in order), then MALA's acceptance when given. */
    public static List<Warning> all(String[] names, List<double[][]> traces, List<Convergence.Diagnostics> diagnostics,
                                    long[] accepted, long steps) {
        List<Warning> out = new ArrayList<>();
        int chains = traces.isEmpty() ? 0 : traces.get(0).length;
        int draws = traces.isEmpty() || chains == 0 ? 0 : traces.get(0)[0].length;
        Warning d = draws(draws);
        if (d != null) out.add(d);
        else for (int k = 0; k < names.length; k++) out.addAll(trace(names[k], traces.get(k), diagnostics.get(k)));
        if (accepted != null) out.addAll(acceptance(accepted, steps));
        return out;
    }

    /** Too few draws per chain for any of R̂, ESS and the drift test. */
    public static Warning draws(int drawsPerChain) {
        if (drawsPerChain >= MIN_DRAWS) return null;
        return new Warning(Warning.DRAWS, null, null, drawsPerChain, MIN_DRAWS, String.format(Locale.ROOT,
                "only %d draws per chain: R-hat and ESS need at least %d; run more steps after --burn-in or lower --every",
                drawsPerChain, MIN_DRAWS));
    }

    /**
     * R̂, bulk and tail ESS and the drift of one trace (at least {@value #MIN_DRAWS} draws per
     * chain). A trace whose R̂ is infinite or undefined (chains that do not move, or values that
     * are not finite) gets that one warning: its ESS and drift say nothing more.
     */
    public static List<Warning> trace(String name, double[][] chains, Convergence.Diagnostics d) {
        List<Warning> out = new ArrayList<>();
        // every chain constant: W = 0 and R̂ = ∞ (or 0/0 when all agree), which the rank-normalised
        // computation only approaches (its W is rounding noise), so it is said here exactly
        double rhatValue = stuck(chains) ? (Convergence.usable(chains, 1) ? Double.POSITIVE_INFINITY : Double.NaN) : d.rhat();
        Warning r = rhat(name, rhatValue);
        if (r != null) out.add(r);
        if (!Double.isFinite(rhatValue)) return out;
        Warning b = ess(Warning.ESS_BULK, name, d.essBulk(), chains.length);
        if (b != null) out.add(b);
        Warning t = ess(Warning.ESS_TAIL, name, d.essTail(), chains.length);
        if (t != null) out.add(t);
        Warning s = nonstationary(name, chains);
        if (s != null) out.add(s);
        return out;
    }

    /** Whether no chain moves: each chain's draws are all one value (chains may differ). */
    static boolean stuck(double[][] chains) {
        for (double[] c : chains)
            for (double v : c) if (Double.compare(v, c[0]) != 0) return false;
        return true;
    }

    // ------------------------------------------------------------------ the checks

    public static Warning rhat(String trace, double rhat) {
        if (rhat <= RHAT_MAX) return null;
        String what = Double.isNaN(rhat) ? "is undefined (it never changes within a chain, or is not finite): the chains are stuck"
                : rhat == Double.POSITIVE_INFINITY ? "is infinite (> 1.01): no chain moves, each is stuck at a value of its own"
                : String.format(Locale.ROOT, "is %s (> %s): the chains disagree; run more steps or a longer --burn-in",
                        shown(rhat, 3, RHAT_MAX), num(RHAT_MAX));
        return new Warning(Warning.RHAT, trace, null, rhat, RHAT_MAX, "R-hat of trace " + trace + " " + what);
    }

    /** @param code {@link Warning#ESS_BULK} or {@link Warning#ESS_TAIL} */
    public static Warning ess(String code, String trace, double ess, int chains) {
        double min = ESS_PER_CHAIN * chains;
        if (ess >= min) return null;
        boolean bulk = code.equals(Warning.ESS_BULK);
        String value = Double.isNaN(ess) ? "undefined" : String.format(Locale.ROOT, "%s (< %.0f, %.0f per chain)",
                shown(ess, 0, min), min, ESS_PER_CHAIN);
        return new Warning(code, trace, null, ess, min, (bulk ? "bulk" : "tail") + " ESS of trace " + trace + " is " + value
                + (bulk ? ": too few independent draws for its mean and spread; run more steps"
                        : ": too few independent draws in its 5% and 95% tails; run more steps"));
    }

    /**
     * MALA's acceptance: chains that accepted nothing, chains below {@value #ACCEPT_LOW}, chains
     * above {@value #ACCEPT_HIGH}, a warning for each group that is not empty. The value is the
     * worst rate of the group (the lowest, the highest), its chain first in the list.
     *
     * @param accepted accepted proposals per chain
     * @param steps    proposals per chain
     */
    public static List<Warning> acceptance(long[] accepted, long steps) {
        List<Warning> out = new ArrayList<>();
        if (steps <= 0 || accepted.length == 0) return out;
        List<Integer> zero = new ArrayList<>(), low = new ArrayList<>(), high = new ArrayList<>();
        for (int c = 0; c < accepted.length; c++) {
            double r = rate(accepted[c], steps);
            if (accepted[c] == 0) zero.add(c);
            else if (r < ACCEPT_LOW) low.add(c);
            else if (r > ACCEPT_HIGH) high.add(c);
        }
        int C = accepted.length;
        if (!zero.isEmpty())
            out.add(new Warning(Warning.ACCEPTANCE, null, ints(zero), 0.0, ACCEPT_LOW, String.format(Locale.ROOT,
                    "MALA accepted no proposal in %s: the step size is far too large; lower --eta", chains(zero, C))));
        if (!low.isEmpty()) out.add(rateWarning(low, accepted, steps, true));
        if (!high.isEmpty()) out.add(rateWarning(high, accepted, steps, false));
        return out;
    }

    /** The first and second halves of the kept draws differ by more than their Monte Carlo error. */
    public static Warning nonstationary(String trace, double[][] chains) {
        double z = driftZ(chains);
        if (!(Math.abs(z) > DRIFT_Z)) return null;
        return new Warning(Warning.NONSTATIONARY, trace, null, Math.abs(z), DRIFT_Z, String.format(Locale.ROOT,
                "trace %s %s between the first and second half of the draws (|z| = %s > %s): lengthen --burn-in or run more steps",
                trace, z > 0 ? "rises" : "falls", shown(Math.abs(z), 1, DRIFT_Z), num(DRIFT_Z)));
    }

    /**
     * A rank-normalised Geweke test of the drift between the two halves of the draws, all chains
     * together: the draws of all chains are rank-normalised together (so a heavy-tailed trace
     * is judged by its ranks, like the bulk ESS), then z = (m₂ − m₁) / √(v₁/E₁ + v₂/E₂) where m_h
     * is the mean of half h over all chains, v_h the variance of its values and E_h its
     * multi-chain ESS, i.e. the difference of the halves' means in units of its Monte Carlo
     * standard error. An odd chain drops its middle draw, as split-R̂ does. NaN when either half
     * has fewer than 2 draws or is constant.
     *
     * <p>What this adds to split-R̂, which compares the same halves: R̂ − 1 ≈ δ²/8 for a shift δ
     * (in posterior standard deviations) between the halves, so R̂ &gt; 1.01 needs δ &gt; 0.28
     * whatever the number of draws; z grows with √ESS, so with many chains or draws a drift far
     * smaller than the posterior's spread, yet larger than the error bar a user puts on a
     * posterior mean, is flagged (a burn-in still relaxing slowly, the same way in every chain).
     * Successive halves are positively correlated through the autocorrelation near their
     * boundary, which makes the true variance of m₂ − m₁ smaller than the denominator's: the test
     * errs on the side of silence.
     */
    public static double driftZ(double[][] chains) {
        if (chains.length == 0 || chains[0].length / 2 < 2 || !Convergence.usable(chains, 4)) return Double.NaN;
        double[][] z = Convergence.rankNormalize(chains);
        int n = chains[0].length, half = n / 2, C = chains.length;
        double[][] first = new double[C][], second = new double[C][];
        for (int c = 0; c < C; c++) {
            first[c] = java.util.Arrays.copyOfRange(z[c], 0, half);
            second[c] = java.util.Arrays.copyOfRange(z[c], n - half, n);
        }
        double[] a = Convergence.pool(first), b = Convergence.pool(second);
        double ma = Convergence.mean(a), mb = Convergence.mean(b);
        double ea = Convergence.ess(first), eb = Convergence.ess(second);
        double se2 = Convergence.variance(a, ma) / ea + Convergence.variance(b, mb) / eb;
        if (!(se2 > 0) || !Double.isFinite(se2)) return Double.NaN;
        return (mb - ma) / Math.sqrt(se2);
    }

    // ------------------------------------------------------------------ what the warnings mean

    /**
     * Why the kept draws may not represent the posterior: the worst R̂ and ESS that failed, in a
     * few words, or null when none failed (drift and acceptance alone do not decide it: the drift
     * test flags shifts far below the posterior's spread, and a MALA chain that does not move fails
     * R̂ anyway).
     */
    public static String reliability(List<Warning> warnings) {
        List<String> parts = new ArrayList<>();
        for (Warning w : warnings)
            if (w.code().equals(Warning.DRAWS)) parts.add(String.format(Locale.ROOT, "only %.0f draws per chain", w.value()));
        Warning rhat = worst(warnings, Warning.RHAT, true), bulk = worst(warnings, Warning.ESS_BULK, false),
                tail = worst(warnings, Warning.ESS_TAIL, false);
        if (rhat != null) parts.add(Double.isNaN(rhat.value()) ? "R-hat undefined"
                : String.format(Locale.ROOT, "max R-hat %s > %s", rhat.value() == Double.POSITIVE_INFINITY ? "infinite"
                : shown(rhat.value(), 3, RHAT_MAX), num(RHAT_MAX)));
        if (bulk != null) parts.add(essPart("bulk", bulk));
        if (tail != null) parts.add(essPart("tail", tail));
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private static String essPart(String kind, Warning w) {
        return Double.isNaN(w.value()) ? kind + " ESS undefined"
                : String.format(Locale.ROOT, "min %s ESS %s < %.0f", kind, shown(w.value(), 0, w.threshold()), w.threshold());
    }

    /** The warning of this code with the largest (or smallest) value; NaN counts as the worst. */
    private static Warning worst(List<Warning> warnings, String code, boolean largest) {
        Warning best = null;
        for (Warning w : warnings) {
            if (!w.code().equals(code)) continue;
            if (best == null || Double.isNaN(w.value())) best = w;
            else if (!Double.isNaN(best.value()) && (largest ? w.value() > best.value() : w.value() < best.value())) best = w;
            if (Double.isNaN(best.value())) break;
        }
        return best;
    }

    // ------------------------------------------------------------------ wording

    private static double rate(long accepted, long steps) { return (double) accepted / steps; }

    /** The chains of one group, the worst first: "below 0.2 in 3 of 8 chains (0, 5, 7; lowest 0.012 in chain 5)". */
    private static Warning rateWarning(List<Integer> group, long[] accepted, long steps, boolean low) {
        int worst = worst(group, accepted, low);
        double r = rate(accepted[worst], steps), limit = low ? ACCEPT_LOW : ACCEPT_HIGH;
        String why = low ? "the step size is too large; lower --eta" : "the step size is so small that the chains creep; raise --eta";
        String where;
        if (group.size() == 1) {
            where = String.format(Locale.ROOT, "is %s in %s (%s %s)", shown(r, 3, limit), chains(group, accepted.length),
                    low ? "<" : ">", num(limit));
        } else {
            String listed = group.size() == accepted.length ? "" : named(group) + "; ";
            where = String.format(Locale.ROOT, "is %s %s in %d of %d chains (%s%s %s in chain %d)", low ? "below" : "above",
                    num(limit), group.size(), accepted.length, listed, low ? "lowest" : "highest", shown(r, 3, limit), worst);
        }
        return new Warning(Warning.ACCEPTANCE, null, worstFirst(group, worst), r, limit, "MALA acceptance " + where + ": " + why);
    }

    private static int worst(List<Integer> group, long[] accepted, boolean lowest) {
        int w = group.get(0);
        for (int c : group) if (lowest ? accepted[c] < accepted[w] : accepted[c] > accepted[w]) w = c;
        return w;
    }

    private static int[] worstFirst(List<Integer> group, int worst) {
        int[] out = new int[group.size()];
        out[0] = worst;
        int k = 1;
        for (int c : group) if (c != worst) out[k++] = c;
        return out;
    }

    private static int[] ints(List<Integer> l) {
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = l.get(i);
        return out;
    }

    /** "4 of 4 chains", "chain 2 of 4", "3 of 1024 chains (0, 5, 9)". */
    static String chains(List<Integer> group, int total) {
        if (group.size() == 1) return "chain " + group.get(0) + " of " + total;
        String s = group.size() + " of " + total + " chains";
        return group.size() == total ? s : s + " (" + named(group) + ")";
    }

    /** The first five chains of a group, "0, 5, 9, 11, 12, …". */
    private static String named(List<Integer> group) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(5, group.size()); i++) s.append(i > 0 ? ", " : "").append(group.get(i));
        return s.append(group.size() > 5 ? ", …" : "").toString();
    }

    /**
     * v with the given decimals, or as many more as it takes for the text to stay on v's side of
     * the limit: R-hat 1.0104 is "1.0104", not "1.010 (> 1.01)"; ESS 399.6 is "399.6", not "400 (< 400)".
     */
    static String shown(double v, int decimals, double limit) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        for (int d = decimals + 1; d <= 12 && Double.compare(Double.parseDouble(s), limit) == 0 && v != limit; d++)
            s = String.format(Locale.ROOT, "%." + d + "f", v);
        return s;
    }

    /** 1.01, 0.2, 4: the shortest form of a threshold. */
    static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
