package org.nnpost.diagnostics;

import java.util.List;
import java.util.Map;

import org.nnpost.model.NeuronCode;

/**
 * How a trained layer codes the classes (SPEC §7, the paper's analog / redundant / sparse codes),
 * measured on posterior samples of the readout a (N × m) and of the last layer's activations on
 * the training inputs.
 *
 * <ul>
 * <li>participation ratio PR = (Σ_i ‖a_i‖²)² / Σ_i ‖a_i‖⁴, reported as PR/N: O(1) when all
 *     neurons carry the task, → 0 when a few do (sparse);</li>
 * <li>excess kurtosis of the readout entries: ≈ 0 for a Gaussian (analog), negative when the
 *     readouts cluster into a few discrete values (redundant), large when a few are huge (sparse);</li>
 * <li>codes: each neuron's class-mean activity pattern, quantised per neuron to {−, 0, +} (an
 *     entry counts when its magnitude reaches half the neuron's largest), neurons with negligible
 *     activity counted as silent; a code is kept when at least 1% of neurons share it
 *     ({@link NeuronCode}: the theory counts its codes by the same rule);</li>
 * <li>fraction of neurons active per class (class-mean activity above a tenth of the population's
 *     root-mean-square class-mean activity).</li>
 * </ul>
 *
 * <p>The call: sparse when PR/N &lt; 0.15 or the excess kurtosis exceeds 3; redundant when the
 * excess kurtosis is below −0.7 (readouts in clusters); analog otherwise. The thresholds sit
 * between the values an independent sampler found at N = 100, P = 50 (PR/N 0.4, 0.55, 0.04;
 * excess kurtosis −0.4, −1.0, 27 for linear, erf, ReLU; SPEC §7).
 */
public record CodingMetrics(double participationRatioPerN, double excessKurtosis, Map<String, Double> codes,
                            double[] activeFractionPerClass, String scheme, String reason) {

    /**
     * @param readouts    per sample, the readout as stored by the engine (m × N, [class][neuron])
     * @param activations per sample, last-layer activations [neuron][input] on the training inputs
     * @param labels      class of each training input
     */
    public static CodingMetrics of(List<float[]> readouts, List<float[]> activations, int[] labels, int N, int m) {
        Accumulator acc = new Accumulator(N, m, labels);
        for (int k = 0; k < readouts.size(); k++) acc.add(readouts.get(k), activations.get(k));
        return acc.result();
    }

    /** Streams samples in, keeping O(N m) numbers, so a run need not hold its kept draws. */
    public static final class Accumulator {
        private final int N, m, P;
        private final int[] labels, perClass;
        private final double[] mean;        // Σ over samples of class-mean activity, N × m
        private double pr, kurt;
        private int samples;

        public Accumulator(int N, int m, int[] labels) {
            this.N = N;
            this.m = m;
            this.P = labels.length;
            this.labels = labels.clone();
            this.perClass = new int[m];
            for (int l : labels) perClass[l]++;
            this.mean = new double[N * m];
        }

        public void add(float[] a, float[] h) {
            double s2 = 0, s4 = 0, m2 = 0, m4 = 0;
            for (int i = 0; i < N; i++) {
                double n2 = 0;
                for (int r = 0; r < m; r++) {
                    double v = a[r * N + i];
                    n2 += v * v;
                    m2 += v * v;
                    m4 += v * v * v * v;
                }
                s2 += n2;
                s4 += n2 * n2;
            }
            pr += s4 > 0 ? s2 * s2 / s4 / N : 0;
            double cnt = (double) N * m;
            kurt += m2 > 0 ? (m4 / cnt) / ((m2 / cnt) * (m2 / cnt)) - 3 : 0;
            for (int i = 0; i < N; i++)
                for (int mu = 0; mu < P; mu++) mean[i * m + labels[mu]] += h[i * P + mu] / Math.max(1, perClass[labels[mu]]);
            samples++;
        }

        public int samples() { return samples; }

        public CodingMetrics result() {
            double prMean = pr / samples, kurtMean = kurt / samples;
            double[] cm = new double[N * m];
            for (int i = 0; i < cm.length; i++) cm[i] = mean[i] / samples;
            return call(prMean, kurtMean, cm, N, m);
        }
    }

    private static CodingMetrics call(double pr, double kurt, double[] mean, int N, int m) {
        double rms = 0;
        for (double v : mean) rms += v * v;
        rms = Math.sqrt(rms / mean.length);
        double silent = NeuronCode.silentThreshold(rms);

        NeuronCode.Tally tally = new NeuronCode.Tally();
        double[] active = new double[m];
        for (int i = 0; i < N; i++) {
            for (int r = 0; r < m; r++) if (NeuronCode.active(mean[i * m + r], silent)) active[r]++;
            tally.add(NeuronCode.of(mean, i * m, m, silent), 1);
        }
        for (int r = 0; r < m; r++) active[r] /= N;
        Map<String, Double> codes = tally.kept(N);

        String scheme, reason;
        if (pr < 0.15 || kurt > 3) {
            scheme = "sparse";
            reason = String.format(java.util.Locale.ROOT, "PR/N = %.3f (< 0.15) or excess kurtosis = %.2f (> 3): a few neurons carry the readout", pr, kurt);
        } else if (kurt < -0.7) {
            scheme = "redundant";
            reason = String.format(java.util.Locale.ROOT, "excess kurtosis = %.2f (< -0.7): readouts cluster into %d shared codes; PR/N = %.3f", kurt, codes.size(), pr);
        } else {
            scheme = "analog";
            reason = String.format(java.util.Locale.ROOT, "PR/N = %.3f and excess kurtosis = %.2f: Gaussian-like readouts spread over all neurons", pr, kurt);
        }
        return new CodingMetrics(pr, kurt, codes, active, scheme, reason);
    }
}
