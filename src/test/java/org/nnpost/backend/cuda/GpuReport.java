package org.nnpost.backend.cuda;

import java.util.Locale;

import org.junit.jupiter.api.Assumptions;

/** Helpers of the gpu-tagged tests: skip without a GPU, and one table line per check. */
final class GpuReport {
    private GpuReport() {}

    static void assumeGpu() {
        GpuProbe.Answer a = GpuProbe.probe();
        Assumptions.assumeTrue(a.usable(), "no usable GPU: " + a.reason());
    }

    /** A line benchmarks/gpu-check.sh collects into its final table. */
    static void row(String check, double value, double tolerance, boolean pass) {
        System.out.println(String.format(Locale.ROOT, "TABLE|%-44s|%11.3e|%9.2e|%s", check, value, tolerance, pass ? "PASS" : "FAIL"));
        System.out.flush();
    }

    /** max |a − b| / max |b|: a difference relative to the parameters' scale. */
    static double relDiff(float[] a, float[] b) {
        double d = 0, s = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs((double) a[i] - b[i]));
            s = Math.max(s, Math.abs((double) b[i]));
        }
        return s == 0 ? d : d / s;
    }

    static double relDiff(double[] a, double[] b) {
        double d = 0, s = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            s = Math.max(s, Math.abs(b[i]));
        }
        return s == 0 ? d : d / s;
    }
}
