package org.nnpost.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one neuron codes the classes (SPEC §7): its class-mean activities quantised to {−, 0, +}.
 * One rule for sampled neurons (diagnostics' coding metrics) and for the theory's population
 * (a density over readouts), so that the two count the same codes.
 *
 * <ul>
 * <li>the population's silent threshold is a tenth of the root-mean-square class-mean activity
 *     over all neurons and classes;</li>
 * <li>a neuron whose largest class mean (in magnitude) does not exceed the threshold is silent
 *     (all '0'); otherwise an entry is '0' when its magnitude is below half the neuron's largest,
 *     else its sign;</li>
 * <li>a neuron is active for a class when that class mean exceeds the threshold in magnitude;</li>
 * <li>a code is kept when at least 1% of the population shares it.</li>
 * </ul>
 */
public final class NeuronCode {
    private NeuronCode() {}

    /** The silent threshold as a fraction of the population's rms class-mean activity. */
    public static final double SILENT_FRACTION = 0.1;
    /** An entry counts when its magnitude reaches this fraction of the neuron's largest. */
    public static final double HALF = 0.5;
    /** A code is kept when this fraction of the population shares it. */
    public static final double KEEP = 0.01;

    /** The silent threshold for a population whose class means have this root mean square. */
    public static double silentThreshold(double rms) { return SILENT_FRACTION * rms; }

    /** The code of one neuron from its class means mean[off .. off+m−1]. */
    public static String of(double[] mean, int off, int m, double silent) {
        double top = top(mean, off, m);
        char[] code = new char[m];
        for (int r = 0; r < m; r++) code[r] = SYMBOLS[symbol(mean[off + r], top, silent)];
        return new String(code);
    }

    /**
     * The same code as base-3 digits, entry r times 3^r (0 for '0', 1 for '+', 2 for '−'), for
     * populations too large for a string per neuron; m ≤ 19. {@link #ofDigits} turns it into
     * the string {@link #of} gives.
     */
    public static int digits(double[] mean, int off, int m, double silent) {
        double top = top(mean, off, m);
        int d = 0;
        for (int r = m - 1; r >= 0; r--) d = 3 * d + symbol(mean[off + r], top, silent);
        return d;
    }

    public static String ofDigits(int digits, int m) {
        char[] code = new char[m];
        for (int r = 0; r < m; r++, digits /= 3) code[r] = SYMBOLS[digits % 3];
        return new String(code);
    }

    private static final char[] SYMBOLS = {'0', '+', '-'};

    private static double top(double[] mean, int off, int m) {
        double top = 0;
        for (int r = 0; r < m; r++) top = Math.max(top, Math.abs(mean[off + r]));
        return top;
    }

    /** 0, 1 or 2 for '0', '+', '−': silent neuron or entry below half the largest, else the sign. */
    private static int symbol(double v, double top, double silent) {
        return top <= silent || Math.abs(v) < HALF * top ? 0 : v > 0 ? 1 : 2;
    }

    /** Whether a class mean counts as activity. */
    public static boolean active(double v, double silent) { return Math.abs(v) > silent; }

    /**
     * Codes with their weight in the population (a count per neuron, or a probability mass),
     * kept in order of first appearance until {@link #kept}.
     */
    public static final class Tally {
        private final Map<String, Double> weight = new LinkedHashMap<>();

        public void add(String code, double w) { weight.merge(code, w, Double::sum); }

        /** Every code seen, with its summed weight. */
        public Map<String, Double> all() { return java.util.Collections.unmodifiableMap(weight); }

        /**
         * The codes that at least {@link #KEEP} of the total weight shares, as fractions of the
         * total, most frequent first (ties in order of first appearance).
         */
        public Map<String, Double> kept(double total) {
            List<Map.Entry<String, Double>> sorted = new ArrayList<>(weight.entrySet());
            sorted.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
            Map<String, Double> out = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : sorted)
                if (e.getValue() >= KEEP * total) out.put(e.getKey(), e.getValue() / total);
            return out;
        }
    }
}
