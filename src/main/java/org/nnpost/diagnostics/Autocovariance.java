package org.nnpost.diagnostics;

/**
 * Autocovariance of one chain at every lag, γ_t = (1/n) Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄), the
 * biased estimator the ESS formulas use. By FFT (zero-padded to at least 2n, so the circular
 * correlation has no wrap-around): O(n log n), so long chains cost no more than sorting them.
 */
public final class Autocovariance {
    private Autocovariance() {}

    public static double[] of(double[] x) {
        int n = x.length;
        if (n == 0) return new double[0];
        double mean = 0;
        for (double v : x) mean += v;
        mean /= n;
        int size = Integer.highestOneBit(Math.max(1, 2 * n - 1));
        if (size < 2 * n - 1) size <<= 1;
        double[] re = new double[size], im = new double[size];
        for (int i = 0; i < n; i++) re[i] = x[i] - mean;
        fft(re, im, false);
        for (int k = 0; k < size; k++) {
            re[k] = re[k] * re[k] + im[k] * im[k];
            im[k] = 0;
        }
        fft(re, im, true);
        double[] acov = new double[n];
        for (int t = 0; t < n; t++) acov[t] = re[t] / ((double) size * n);
        return acov;
    }

    /** The direct O(n²) sum, for checking the FFT. */
    static double[] direct(double[] x) {
        int n = x.length;
        double mean = 0;
        for (double v : x) mean += v;
        mean /= n;
        double[] acov = new double[n];
        for (int t = 0; t < n; t++) {
            double s = 0;
            for (int i = 0; i + t < n; i++) s += (x[i] - mean) * (x[i + t] - mean);
            acov[t] = s / n;
        }
        return acov;
    }

    /** In-place radix-2 FFT; length a power of two. The inverse is unnormalised. */
    static void fft(double[] re, double[] im, boolean inverse) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        // twiddles e^(∓2πik/n) once, from the angle directly (no accumulated rounding); stage len uses every (n/len)-th
        int half = n >> 1;
        double[] cos = new double[Math.max(half, 1)], sin = new double[Math.max(half, 1)];
        double sign = inverse ? 2 : -2;
        for (int k = 0; k < half; k++) {
            cos[k] = Math.cos(sign * Math.PI * k / n);
            sin[k] = Math.sin(sign * Math.PI * k / n);
        }
        for (int len = 2; len <= n; len <<= 1) {
            int h = len >> 1, stride = n / len;
            for (int i = 0; i < n; i += len) {
                for (int k = 0; k < h; k++) {
                    double wr = cos[k * stride], wi = sin[k * stride];
                    int a = i + k, b = a + h;
                    double xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr; im[b] = im[a] - xi;
                    re[a] += xr; im[a] += xi;
                }
            }
        }
    }
}
