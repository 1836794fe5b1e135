package org.nnpost.data;

import java.util.SplittableRandom;

/**
 * Random classification of orthogonal data (SPEC §5): P orthonormal directions scaled to
 * ‖x‖² = N0, so the input kernel X Xᵀ / N0 is the identity.
 *
 * <p>Orthogonal training data carry no information about new inputs, so SPEC fixes no test set.
 * Here each test input mixes a random training input's direction with a fresh random direction
 * (overlap {@code testOverlap}: cos of the angle to that training input) and carries its label,
 * which makes test error meaningful and keeps ‖x*‖² = N0.
 */
public final class OrthogonalTask {
    private OrthogonalTask() {}

    /** Mixed into the data seed ("orthogon"), so the data's stream differs from the sampler's for the same seed. */
    private static final long SALT = 0x6F7274686F676F6EL;

    /**
     * @param classWeights probabilities (drawn i.i.d.) or ratios (counts fixed, order shuffled)
     * @param fixedRatios  true: counts are round(P·w) with the remainder given to the largest
     *                     fractional parts; false: labels drawn i.i.d. with probabilities w
     */
    public static Task generate(int N0, int P, int Ptest, double[] classWeights, boolean fixedRatios,
                                double yPlus, double yMinus, double testOverlap, long seed) {
        int m = classWeights.length;
        SplittableRandom rng = new SplittableRandom(seed ^ SALT);
        double[][] basis = orthonormal(N0, P, rng);
        int[] labels = fixedRatios ? ratioLabels(P, classWeights, rng) : drawnLabels(P, classWeights, rng);
        float[] x = new float[P * N0];
        double norm = Math.sqrt(N0);
        for (int mu = 0; mu < P; mu++)
            for (int i = 0; i < N0; i++) x[mu * N0 + i] = (float) (norm * basis[mu][i]);
        Dataset train = new Dataset(P, N0, m, x, labels, Dataset.targets(labels, m, yPlus, yMinus));

        float[] xt = new float[Ptest * N0];
        int[] lt = new int[Ptest];
        double rho = testOverlap, perp = Math.sqrt(Math.max(0, 1 - rho * rho));
        for (int k = 0; k < Ptest; k++) {
            int mu = rng.nextInt(P);
            lt[k] = labels[mu];
            double[] g = new double[N0];
            for (int i = 0; i < N0; i++) g[i] = gaussian(rng);
            // the fresh direction is made orthogonal to the chosen input, so the overlap is exact
            double dot = 0;
            for (int i = 0; i < N0; i++) dot += g[i] * basis[mu][i];
            double gn = 0;
            for (int i = 0; i < N0; i++) { g[i] -= dot * basis[mu][i]; gn += g[i] * g[i]; }
            gn = Math.sqrt(gn);
            for (int i = 0; i < N0; i++)
                xt[k * N0 + i] = (float) (norm * (rho * basis[mu][i] + perp * g[i] / gn));
        }
        Dataset test = new Dataset(Ptest, N0, m, xt, lt, Dataset.targets(lt, m, yPlus, yMinus));
        return new Task("orthogonal", train, test);
    }

    static double[][] orthonormal(int n, int k, SplittableRandom rng) {
        double[][] q = new double[k][n];
        for (int a = 0; a < k; a++) {
            double[] v = q[a];
            for (int i = 0; i < n; i++) v[i] = gaussian(rng);
            // modified Gram–Schmidt, twice, for orthogonality to float64 precision
            for (int pass = 0; pass < 2; pass++)
                for (int b = 0; b < a; b++) {
                    double d = 0;
                    for (int i = 0; i < n; i++) d += v[i] * q[b][i];
                    for (int i = 0; i < n; i++) v[i] -= d * q[b][i];
                }
            double s = 0;
            for (int i = 0; i < n; i++) s += v[i] * v[i];
            s = 1.0 / Math.sqrt(s);
            for (int i = 0; i < n; i++) v[i] *= s;
        }
        return q;
    }

    static int[] drawnLabels(int P, double[] w, SplittableRandom rng) {
        double total = 0;
        for (double v : w) total += v;
        int[] l = new int[P];
        for (int mu = 0; mu < P; mu++) {
            double u = rng.nextDouble() * total, c = 0;
            int r = 0;
            while (r < w.length - 1 && (c += w[r]) <= u) r++;
            l[mu] = r;
        }
        return l;
    }

    static int[] ratioLabels(int P, double[] w, SplittableRandom rng) {
        int[] count = ratioCounts(P, w);
        int m = w.length;
        int[] l = new int[P];
        int k = 0;
        for (int r = 0; r < m; r++) for (int j = 0; j < count[r]; j++) l[k++] = r;
        for (int i = P - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = l[i]; l[i] = l[j]; l[j] = t; }
        return l;
    }

    /**
     * The class counts of fixed ratios: round(P·w) with the remainder given to the largest
     * fractional parts (ties to the first class).
     */
    public static int[] ratioCounts(int P, double[] w) {
        double total = 0;
        for (double v : w) total += v;
        int m = w.length;
        int[] count = new int[m];
        double[] frac = new double[m];
        int assigned = 0;
        for (int r = 0; r < m; r++) {
            double exact = P * w[r] / total;
            count[r] = (int) Math.floor(exact);
            frac[r] = exact - count[r];
            assigned += count[r];
        }
        while (assigned < P) {
            int best = 0;
            for (int r = 1; r < m; r++) if (frac[r] > frac[best]) best = r;
            count[best]++; frac[best] = -1; assigned++;
        }
        return count;
    }

    /**
     * The training labels {@link #generate} draws, without making the inputs: the generator's
     * numbers for the inputs are drawn and dropped (2·P·N0 uniforms, no Gram–Schmidt), so this
     * costs a small fraction of generating the task and gives the very same labels.
     */
    public static int[] trainingLabels(int N0, int P, double[] classWeights, boolean fixedRatios, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ SALT);
        // orthonormal(N0, P, rng) draws N0 gaussians per input, two uniforms each
        for (long k = 2L * N0 * P; k > 0; k--) rng.nextDouble();
        return fixedRatios ? ratioLabels(P, classWeights, rng) : drawnLabels(P, classWeights, rng);
    }

    static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
