package org.nnpost.theory;

/**
 * The Gaussian-process posterior predictor at temperature T (the lazy limit's answer, SPEC §7):
 * mean k*ᵀ (K + T I)⁻¹ Y and variance k** − k*ᵀ (K + T I)⁻¹ k* (the same for every output).
 *
 * @param meanTrain P × m;  meanTest P* × m;  varTest P*
 */
public record GpPredictor(double[] meanTrain, double[] meanTest, double[] varTest) {

    /**
     * @param k     output covariance on train then test inputs, (P + P*) × (P + P*)
     * @param y     targets P × m
     */
    public static GpPredictor of(double[] k, int P, int Ptest, double[] y, int m, double T) {
        int n = P + Ptest;
        double[] kk = new double[P * P], ks = new double[P * Ptest];
        for (int a = 0; a < P; a++) {
            for (int b = 0; b < P; b++) kk[a * P + b] = k[a * n + b] + (a == b ? T : 0);
            for (int b = 0; b < Ptest; b++) ks[a * Ptest + b] = k[a * n + P + b];
        }
        double[] alpha = Linalg.solveSpd(kk, P, y, m);        // (K + T I)⁻¹ Y
        double[] w = Linalg.solveSpd(kk, P, ks, Ptest);       // (K + T I)⁻¹ k*
        double[] meanTrain = new double[P * m], meanTest = new double[Ptest * m], var = new double[Ptest];
        for (int a = 0; a < P; a++)
            for (int r = 0; r < m; r++) {
                double s = 0;
                for (int b = 0; b < P; b++) s += k[a * n + b] * alpha[b * m + r];
                meanTrain[a * m + r] = s;
            }
        for (int c = 0; c < Ptest; c++) {
            for (int r = 0; r < m; r++) {
                double s = 0;
                for (int b = 0; b < P; b++) s += ks[b * Ptest + c] * alpha[b * m + r];
                meanTest[c * m + r] = s;
            }
            double q = 0;
            for (int b = 0; b < P; b++) q += ks[b * Ptest + c] * w[b * Ptest + c];
            var[c] = k[(P + c) * n + P + c] - q;
        }
        return new GpPredictor(meanTrain, meanTest, var);
    }
}
