package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.io.Npy;

/**
 * mean, sd, MCSE of the mean and the 94% HDI against a plain reference written here from ArviZ's
 * definitions (a direct O(n²) autocovariance and the Geyer sequences as ArviZ's {@code _ess}
 * spells them, loop for loop; the HDI by trying every window of sorted draws), and against ArviZ
 * itself where {@code /usr/bin/python3} has it.
 */
class TraceStatsTest {
    @TempDir Path tmp;

    /** AR(1) chains, autocorrelated as Langevin traces are, with a shift per chain. */
    static double[][] ar1(int chains, int draws, double phi, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[chains][draws];
        for (int c = 0; c < chains; c++) {
            double v = 0.3 * c;
            for (int i = 0; i < draws; i++) {
                v = phi * v + r.nextGaussian();
                x[c][i] = v + 0.05 * c;
            }
        }
        return x;
    }

    @Test
    void matchesAStraightforwardReference() {
        for (double[][] x : new double[][][]{ar1(4, 200, 0.9, 1), ar1(2, 51, 0.5, 2), ar1(1, 40, 0.0, 3), ar1(3, 1000, 0.99, 4)}) {
            TraceStats s = TraceStats.of(x);
            double[] all = Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray();
            double mean = Arrays.stream(all).sum() / all.length;
            double ss = 0;
            for (double v : all) ss += (v - mean) * (v - mean);
            double sd = Math.sqrt(ss / (all.length - 1));
            assertEquals(mean, s.mean(), 1e-12 * (1 + Math.abs(mean)));
            assertEquals(sd, s.sd(), 1e-12 * sd);
            double ess = referenceEss(splitChains(x));
            assertEquals(sd / Math.sqrt(ess), s.mcseMean(), 1e-9 * sd, "mcse_mean");
            double[] h = referenceHdi(all, 0.94);
            assertEquals(h[0], s.hdiLow());
            assertEquals(h[1], s.hdiHigh());
        }
    }

    @Test
    void hdiOfKnownDrawsIsTheNarrowestWindow() {
        // 0..99 and one far outlier: 94 % of 101 draws is 94, the window [0, 94] spans 94, and
        // any window with the outlier spans more
        double[] d = new double[101];
        for (int i = 0; i < 100; i++) d[i] = i;
        d[100] = 1000;
        assertArrayEquals(new double[]{0, 94}, TraceStats.hdi(d, 0.94));
        // a skewed sample: the HDI sits where the draws are dense, left of the central interval
        double[] e = new double[1000];
        Random r = new Random(7);
        for (int i = 0; i < e.length; i++) e[i] = -Math.log(r.nextDouble());
        double[] h = TraceStats.hdi(e, 0.94);
        assertTrue(h[0] < 0.02, "an exponential's HDI starts near 0: " + h[0]);
    }

    @Test
    void undefinedIsNaN() {
        TraceStats few = TraceStats.of(new double[][]{{1, 2, 3}});
        assertEquals(2, few.mean());
        assertTrue(Double.isNaN(few.mcseMean()), "fewer than 4 draws: no ESS, no MCSE");
        TraceStats none = TraceStats.of(new double[][]{{}});
        assertTrue(Double.isNaN(none.mean()) && Double.isNaN(none.hdiLow()));
        TraceStats nan = TraceStats.of(new double[][]{{1, Double.NaN, 3, 4}});
        assertTrue(Double.isNaN(nan.hdiLow()) && Double.isNaN(nan.mcseMean()));
    }

    /**
     * The same chains through az.summary itself, where a Python with ArviZ is at hand: the
     * interpreter named by NNPOST_ARVIZ_PYTHON (.ci/run makes one from a local ArviZ wheel when
     * the machine has it), else /usr/bin/python3 (Debian packages no ArviZ for bookworm). An odd
     * chain length, so that R̂'s fold-then-split order is checked too.
     */
    @Test
    void agreesWithArvizWhereInstalled() throws Exception {
        String env = System.getenv("NNPOST_ARVIZ_PYTHON");
        String python = env != null && !env.isBlank() ? env : "/usr/bin/python3";
        Assumptions.assumeTrue(Files.isExecutable(Path.of(python)), "no " + python);
        Process probe = new ProcessBuilder(python, "-c", "import arviz").redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        Assumptions.assumeTrue(probe.waitFor() == 0, "ArviZ is not installed for " + python + " (set NNPOST_ARVIZ_PYTHON to one "
                + "that has it); the reference implementation above checks the same definitions");
        double[][] x = ar1(4, 301, 0.8, 11);
        double[] flat = Arrays.stream(x).flatMapToDouble(Arrays::stream).toArray();
        Path f = tmp.resolve("x.npy");
        Npy.write(f, flat, 4, 301);
        Process p = new ProcessBuilder(python, "-W", "ignore", "-c", String.join("\n",
                "import sys, numpy as np, arviz as az",
                "s = az.summary(az.convert_to_dataset({'x': np.load(sys.argv[1])}), round_to='none')",
                "print(*[repr(float(s.loc['x', k])) for k in ['mean', 'sd', 'mcse_mean', 'hdi_3%', 'hdi_97%', 'r_hat', 'ess_bulk', 'ess_tail']])"),
                f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        String[] w = out.lines().reduce((a, b) -> b).orElse("").split(" ");
        TraceStats s = TraceStats.of(x);
        Convergence.Diagnostics d = Convergence.of(x);
        double[] mine = {s.mean(), s.sd(), s.mcseMean(), s.hdiLow(), s.hdiHigh(), d.rhat(), d.essBulk(), d.essTail()};
        for (int k = 0; k < mine.length; k++) assertEquals(Double.parseDouble(w[k]), mine[k], 1e-9 * (1 + Math.abs(mine[k])), out);
    }

    // ------------------------------------------------------------------ the reference

    static double[][] splitChains(double[][] x) {
        int n = x[0].length, half = n / 2;
        double[][] out = new double[2 * x.length][];
        for (int c = 0; c < x.length; c++) {
            out[2 * c] = Arrays.copyOfRange(x[c], 0, half);
            out[2 * c + 1] = Arrays.copyOfRange(x[c], n - half, n);
        }
        return out;
    }

    /** ArviZ's _ess, statement by statement, with the autocovariance summed directly (biased, 1/n). */
    static double referenceEss(double[][] ary) {
        int nChain = ary.length, nDraw = ary[0].length;
        double[][] acov = new double[nChain][nDraw];
        double[] chainMean = new double[nChain];
        for (int c = 0; c < nChain; c++) {
            double m = 0;
            for (double v : ary[c]) m += v;
            m /= nDraw;
            chainMean[c] = m;
            for (int t = 0; t < nDraw; t++) {
                double s = 0;
                for (int i = 0; i + t < nDraw; i++) s += (ary[c][i] - m) * (ary[c][i + t] - m);
                acov[c][t] = s / nDraw;
            }
        }
        double meanVar = 0;
        for (int c = 0; c < nChain; c++) meanVar += acov[c][0];
        meanVar = meanVar / nChain * nDraw / (nDraw - 1.0);
        double varPlus = meanVar * (nDraw - 1.0) / nDraw;
        if (nChain > 1) {
            double mm = Arrays.stream(chainMean).sum() / nChain, v = 0;
            for (double cm : chainMean) v += (cm - mm) * (cm - mm);
            varPlus += v / (nChain - 1);
        }
        double[] rho = new double[nDraw];
        double even = 1.0;
        rho[0] = even;
        double odd = 1.0 - (meanVar - meanAt(acov, 1)) / varPlus;
        rho[1] = odd;
        int t = 1;
        while (t < nDraw - 3 && even + odd > 0.0) {
            even = 1.0 - (meanVar - meanAt(acov, t + 1)) / varPlus;
            odd = 1.0 - (meanVar - meanAt(acov, t + 2)) / varPlus;
            if (even + odd >= 0) {
                rho[t + 1] = even;
                rho[t + 2] = odd;
            }
            t += 2;
        }
        int maxT = t - 2;
        if (even > 0) rho[maxT + 1] = even;
        t = 1;
        while (t <= maxT - 2) {
            if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
                rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0;
                rho[t + 2] = rho[t + 1];
            }
            t += 2;
        }
        double S = (double) nChain * nDraw, sum = 0;
        for (int i = 0; i <= maxT; i++) sum += rho[i];
        double tau = -1.0 + 2.0 * sum + (maxT + 1 < nDraw ? rho[maxT + 1] : 0);
        tau = Math.max(tau, 1 / Math.log10(S));
        return S / tau;
    }

    private static double meanAt(double[][] acov, int t) {
        double s = 0;
        for (double[] a : acov) s += a[t];
        return s / acov.length;
    }

    static double[] referenceHdi(double[] draws, double prob) {
        double[] s = draws.clone();
        Arrays.sort(s);
        int n = s.length, k = (int) Math.floor(prob * n);
        double[] best = null;
        for (int i = 0; i + k < n; i++)
            if (best == null || s[i + k] - s[i] < best[1] - best[0]) best = new double[]{s[i], s[i + k]};
        return best;
    }
}
