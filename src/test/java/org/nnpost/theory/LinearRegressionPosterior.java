package org.nnpost.theory;

import org.nnpost.data.Dataset;

/**
 * The exact posterior of a network without hidden layers (L = 0, SPEC §7): f(x) = c a x is
 * Bayesian linear regression, so the readout of each output r is Gaussian, independently across
 * outputs, with
 *
 * <pre>
 *   precision A = β c² XᵀX + I/σ_a²,   mean μ_r = A⁻¹ β c Xᵀ y_r,   covariance A⁻¹.
 * </pre>
 * ULA with step η on this Gaussian is a linear recursion whose stationary law is Gaussian with
 * mean μ exactly and covariance (A (2I − ηA)/2)⁻¹ = (A − ηA²/2)⁻¹ = A⁻¹ + η/2 I + O(η²).
 *
 * <p>Written from these formulas in double, not from the model code: the caller passes c and β
 * (tests check those against the model separately). Shared by the tests that sample it on the CPU
 * and on the GPU.
 *
 * @param precision A (N0 × N0)
 * @param mean      μ_r for each output r ([m][N0])
 * @param covariance A⁻¹
 */
public record LinearRegressionPosterior(double[][] precision, double[][] mean, double[][] covariance) {

    /** The posterior for the data's inputs and targets at readout scale c, inverse temperature β and prior variance σ_a². */
    public static LinearRegressionPosterior of(Dataset d, double c, double beta, double sigmaA2) {
        int n = d.N0(), P = d.P(), m = d.m();
        float[] x = d.x(), y = d.y();
        double[][] A = new double[n][n];
        for (int i = 0; i < n; i++) {
            A[i][i] = 1 / sigmaA2;
            for (int j = 0; j < n; j++)
                for (int mu = 0; mu < P; mu++) A[i][j] += beta * c * c * x[mu * n + i] * x[mu * n + j];
        }
        double[][] cov = inverse(A);
        double[][] mean = new double[m][n];
        for (int r = 0; r < m; r++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    double b = 0;
                    for (int mu = 0; mu < P; mu++) b += beta * c * y[mu * m + r] * x[mu * n + j];
                    mean[r][i] += cov[i][j] * b;
                }
        return new LinearRegressionPosterior(A, mean, cov);
    }

    /** The number of inputs, N0. */
    public int inputs() { return precision.length; }

    /** The means of every output's readout back to back, [r · N0 + i], the layout of the readout parameters. */
    public double[] flatMean() {
        int n = inputs();
        double[] flat = new double[mean.length * n];
        for (int r = 0; r < mean.length; r++) System.arraycopy(mean[r], 0, flat, r * n, n);
        return flat;
    }

    /** ULA's stationary covariance of one output's readout at step η: (A − ηA²/2)⁻¹. */
    public double[][] ulaCovariance(double eta) {
        int n = inputs();
        double[][] B = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double a2 = 0;
                for (int k = 0; k < n; k++) a2 += precision[i][k] * precision[k][j];
                B[i][j] = precision[i][j] - eta / 2 * a2;
            }
        return inverse(B);
    }

    /** The (m·N0) × (m·N0) covariance of all outputs' readouts from one output's block: outputs are independent. */
    public double[][] blockDiagonal(double[][] block) {
        int n = inputs(), D = mean.length * n;
        double[][] full = new double[D][D];
        for (int r = 0; r < mean.length; r++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) full[r * n + i][r * n + j] = block[i][j];
        return full;
    }

    /** xᵀ M x. */
    public static double quad(double[][] M, double[] x) {
        double q = 0;
        for (int i = 0; i < x.length; i++) for (int j = 0; j < x.length; j++) q += x[i] * M[i][j] * x[j];
        return q;
    }

    /** Gauss–Jordan with partial pivoting (the matrices here are small and well conditioned). */
    public static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] w = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, w[i], 0, n);
            w[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(w[r][col]) > Math.abs(w[piv][col])) piv = r;
            double[] t = w[col]; w[col] = w[piv]; w[piv] = t;
            double d = w[col][col];
            for (int k = 0; k < 2 * n; k++) w[col][k] /= d;
            for (int r = 0; r < n; r++) {
                if (r == col) continue;
                double f = w[r][col];
                for (int k = 0; k < 2 * n; k++) w[r][k] -= f * w[col][k];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(w[i], n, inv[i], 0, n);
        return inv;
    }
}
