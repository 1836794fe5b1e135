package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The code rule moved to model/NeuronCode (shared with the theory): CodingMetrics must give the
 * very numbers it gave before, codes and their order included. The former rule is kept here,
 * verbatim, as the reference.
 */
class CodingMetricsCodesTest {

    @Test
    void codesAndActiveFractionsAreThoseOfTheFormerRuleBitForBit() {
        SplittableRandom rng = new SplittableRandom(17);
        for (int trial = 0; trial < 200; trial++) {
            int N = 1 + rng.nextInt(300), m = 1 + rng.nextInt(4), P = m + rng.nextInt(12), S = 1 + rng.nextInt(3);
            int[] labels = new int[P];
            for (int mu = 0; mu < P; mu++) labels[mu] = mu < m ? mu : rng.nextInt(m);
            List<float[]> readouts = new ArrayList<>(), acts = new ArrayList<>();
            for (int s = 0; s < S; s++) {
                float[] a = new float[m * N], h = new float[N * P];
                for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
                // a mix of silent, one-class, two-class and mixed-sign neurons, with ties
                for (int i = 0; i < N; i++) {
                    int kind = rng.nextInt(4);
                    for (int mu = 0; mu < P; mu++) {
                        double v = kind == 0 ? 1e-3 * rng.nextGaussian()
                                : kind == 1 ? (labels[mu] == i % m ? 1 : 0)
                                : kind == 2 ? Math.round(2 * rng.nextGaussian()) / 2.0
                                : rng.nextGaussian();
                        h[i * P + mu] = (float) v;
                    }
                }
                readouts.add(a);
                acts.add(h);
            }
            CodingMetrics now = CodingMetrics.of(readouts, acts, labels, N, m);
            double[] mean = classMeans(acts, labels, N, m);
            Object[] former = formerCodes(mean, N, m);
            assertEquals(former[0], now.codes(), "codes, trial " + trial);
            assertEquals(new ArrayList<>(((Map<?, ?>) former[0]).keySet()), new ArrayList<>(now.codes().keySet()), "order, trial " + trial);
            assertArrayEquals((double[]) former[1], now.activeFractionPerClass(), 0.0, "active fractions, trial " + trial);
        }
    }

    /** The class means exactly as CodingMetrics.Accumulator sums them. */
    private static double[] classMeans(List<float[]> acts, int[] labels, int N, int m) {
        int P = labels.length;
        int[] perClass = new int[m];
        for (int l : labels) perClass[l]++;
        double[] mean = new double[N * m];
        for (float[] h : acts)
            for (int i = 0; i < N; i++)
                for (int mu = 0; mu < P; mu++) mean[i * m + labels[mu]] += h[i * P + mu] / Math.max(1, perClass[labels[mu]]);
        for (int i = 0; i < mean.length; i++) mean[i] = mean[i] / acts.size();
        return mean;
    }

    /** CodingMetrics' code rule before it moved, verbatim. */
    private static Object[] formerCodes(double[] mean, int N, int m) {
        double rms = 0;
        for (double v : mean) rms += v * v;
        rms = Math.sqrt(rms / mean.length);
        double silent = 0.1 * rms;

        Map<String, Integer> count = new LinkedHashMap<>();
        double[] active = new double[m];
        for (int i = 0; i < N; i++) {
            double top = 0;
            for (int r = 0; r < m; r++) top = Math.max(top, Math.abs(mean[i * m + r]));
            StringBuilder code = new StringBuilder();
            for (int r = 0; r < m; r++) {
                double v = mean[i * m + r];
                if (Math.abs(v) > silent) active[r]++;
                code.append(top <= silent || Math.abs(v) < 0.5 * top ? '0' : v > 0 ? '+' : '-');
            }
            count.merge(code.toString(), 1, Integer::sum);
        }
        for (int r = 0; r < m; r++) active[r] /= N;
        Map<String, Double> codes = new LinkedHashMap<>();
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(count.entrySet());
        sorted.sort((x, y) -> y.getValue() - x.getValue());
        for (Map.Entry<String, Integer> e : sorted)
            if (e.getValue() >= 0.01 * N) codes.put(e.getKey(), e.getValue() / (double) N);
        return new Object[]{codes, active};
    }
}
