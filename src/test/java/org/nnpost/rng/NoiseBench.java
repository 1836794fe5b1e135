package org.nnpost.rng;

import java.util.Arrays;
import java.util.Locale;

/**
 * Nanoseconds per normal of {@link Noise#normals}, beside Philox alone (the scalar block and the
 * lane-wise generator that normals uses, per word) and the former transform (Box–Muller in double
 * with Math.log, Math.cos, Math.sin), timed in turns in one JVM so that a shared machine's load
 * falls on all of them alike. Medians over the repeats.
 *
 * <pre>java -cp target/classes:target/test-classes org.nnpost.rng.NoiseBench [repeats] [n]</pre>
 */
public final class NoiseBench {
    private NoiseBench() {}

    static volatile float sink;

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 4096;   // a group of a small layer; many calls, so the JIT compiles normals itself
        int calls = Math.max(1, (1 << 23) / n);
        float[] out = new float[n];
        String[] names = {"Noise.normals", "Philox only", "Philox lanes", "double Box-Muller"};
        double[][] ns = new double[names.length][repeats];
        for (int warm = 0; warm < 3; warm++) for (int k = 0; k < names.length; k++) time(k, out, n, calls, warm);
        for (int r = 0; r < repeats; r++)
            for (int k = 0; k < names.length; k++) ns[k][r] = time(k, out, n, calls, r + 10);
        for (int k = 0; k < names.length; k++) {
            double[] s = ns[k].clone();
            Arrays.sort(s);
            System.out.printf(Locale.ROOT, "%-18s median %6.2f ns/normal  (min %6.2f, max %6.2f, %d repeats of %d x %d)%n",
                    names[k], s[repeats / 2], s[0], s[repeats - 1], repeats, calls, n);
        }
    }

    private static double time(int which, float[] out, int n, int calls, int step) {
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
            switch (which) {
                case 0 -> Noise.normals(20240611, c, step, 1, out, 0, n);
                case 1 -> philoxOnly(20240611, c, step, 1, out, n);
                case 2 -> philoxLanes(20240611, c, step, 1, out, n);
                default -> doubleBoxMuller(20240611, c, step, 1, out, n);
            }
            sink += out[c % n];
        }
        return (System.nanoTime() - t0) / ((double) calls * n);
    }

    /** The words alone, stored as floats so that the loop does the same stores. */
    private static void philoxOnly(int seed, int chain, long step, int group, float[] out, int n) {
        int[] w = new int[4];
        for (int i = 0; i + 3 < n; i += 4) {
            Philox4x32.block(i >>> 2, group, (int) step, (int) (step >>> 32), seed, chain, w, 0);
            out[i] = w[0]; out[i + 1] = w[1]; out[i + 2] = w[2]; out[i + 3] = w[3];
        }
    }

    private static final PhiloxLanes LANES = new PhiloxLanes(BoxMuller.PAIRS / 2);
    private static final int[] LANE_WORDS = new int[2 * BoxMuller.PAIRS];

    /** The same words from the lane-wise generator in BoxMuller's passes, stored the same way. */
    private static void philoxLanes(int seed, int chain, long step, int group, float[] out, int n) {
        int[] w = LANE_WORDS;
        for (int done = 0; done + 3 < n; done += w.length) {
            int len = Math.min(w.length, (n & ~3) - done);
            LANES.blocks(done >>> 2, group, (int) step, (int) (step >>> 32), seed, chain, w, 0, len >>> 2);
            for (int i = 0; i < len; i++) out[done + i] = w[i];
        }
    }

    /** The transform Noise used before the float one: u, v from the words, then log, cos and sin in double. */
    private static void doubleBoxMuller(int seed, int chain, long step, int group, float[] out, int n) {
        int[] w = new int[4];
        for (int i = 0; i + 3 < n; i += 4) {
            Philox4x32.block(i >>> 2, group, (int) step, (int) (step >>> 32), seed, chain, w, 0);
            doublePair(w[0], w[1], out, i);
            doublePair(w[2], w[3], out, i + 2);
        }
    }

    private static void doublePair(int a, int b, float[] out, int at) {
        double u = ((a & 0xFFFFFFFFL) + 1) * 0x1p-32, v = (b & 0xFFFFFFFFL) * 0x1p-32;
        double r = Math.sqrt(-2.0 * Math.log(u)), th = 2.0 * Math.PI * v;
        out[at] = (float) (r * Math.cos(th));
        out[at + 1] = (float) (r * Math.sin(th));
    }
}
