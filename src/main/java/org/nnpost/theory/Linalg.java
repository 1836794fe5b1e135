package org.nnpost.theory;

/**
 * The dense float64 linear algebra the theory needs, on row-major n × n arrays: symmetric
 * eigendecomposition (cyclic Jacobi: slow for big n but exact to rounding, and the theory's
 * matrices are P × P with P in the hundreds at most), Cholesky solves and small products.
 */
public final class Linalg {
    private Linalg() {}

    /** Eigenvalues w and eigenvectors (columns of v, row-major n × n) of symmetric a. */
    public record Eigen(double[] values, double[] vectors, int n) {
        /** V f(Λ) Vᵀ. */
        public double[] apply(java.util.function.DoubleUnaryOperator f) {
            double[] out = new double[n * n];
            for (int k = 0; k < n; k++) {
                double fk = f.applyAsDouble(values[k]);
                for (int i = 0; i < n; i++) {
                    double vik = vectors[i * n + k] * fk;
                    for (int j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
                }
            }
            return out;
        }
    }

    public static Eigen eigh(double[] a, int n) {
        double[] m = a.clone(), v = identity(n);
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    if (i != j) off += m[i * n + j] * m[i * n + j];
                    else diag += m[i * n + i] * m[i * n + i];
                }
            if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p * n + q];
                    if (Math.abs(apq) < 1e-300) continue;
                    double app = m[p * n + p], aqq = m[q * n + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double mkp = m[k * n + p], mkq = m[k * n + q];
                        m[k * n + p] = c * mkp - s * mkq;
                        m[k * n + q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {
                        double mpk = m[p * n + k], mqk = m[q * n + k];
                        m[p * n + k] = c * mpk - s * mqk;
                        m[q * n + k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = m[i * n + i];
        return new Eigen(w, v, n);
    }

    public static double[] identity(int n) {
        double[] e = new double[n * n];
        for (int i = 0; i < n; i++) e[i * n + i] = 1;
        return e;
    }

    /** Lower Cholesky factor of SPD a; throws when a is not positive definite. */
    public static double[] cholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double s = a[j * n + j];
            for (int k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
            if (!(s > 0)) throw new ArithmeticException("matrix is not positive definite");
            double d = Math.sqrt(s);
            l[j * n + j] = d;
            for (int i = j + 1; i < n; i++) {
                double t = a[i * n + j];
                for (int k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = t / d;
            }
        }
        return l;
    }

    /** Solves A X = B for SPD A (n × n) and B (n × k). */
    public static double[] solveSpd(double[] a, int n, double[] b, int k) {
        double[] l = cholesky(a, n), x = b.clone();
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < n; i++) {
                double s = x[i * k + c];
                for (int j = 0; j < i; j++) s -= l[i * n + j] * x[j * k + c];
                x[i * k + c] = s / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = x[i * k + c];
                for (int j = i + 1; j < n; j++) s -= l[j * n + i] * x[j * k + c];
                x[i * k + c] = s / l[i * n + i];
            }
        }
        return x;
    }

    /** Solves A X = B for square A (n × n) and B (n × k) by Gaussian elimination with partial pivoting. */
    public static double[] solve(double[] a, int n, double[] b, int k) {
        double[] m = a.clone(), x = b.clone();
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int i = col + 1; i < n; i++) if (Math.abs(m[i * n + col]) > Math.abs(m[piv * n + col])) piv = i;
            if (!(Math.abs(m[piv * n + col]) > 0)) throw new ArithmeticException("singular matrix");
            if (piv != col) {
                for (int j = 0; j < n; j++) { double t = m[col * n + j]; m[col * n + j] = m[piv * n + j]; m[piv * n + j] = t; }
                for (int j = 0; j < k; j++) { double t = x[col * k + j]; x[col * k + j] = x[piv * k + j]; x[piv * k + j] = t; }
            }
            for (int i = col + 1; i < n; i++) {
                double f = m[i * n + col] / m[col * n + col];
                if (f == 0) continue;
                for (int j = col; j < n; j++) m[i * n + j] -= f * m[col * n + j];
                for (int j = 0; j < k; j++) x[i * k + j] -= f * x[col * k + j];
            }
        }
        for (int i = n - 1; i >= 0; i--)
            for (int j = 0; j < k; j++) {
                double s = x[i * k + j];
                for (int q = i + 1; q < n; q++) s -= m[i * n + q] * x[q * k + j];
                x[i * k + j] = s / m[i * n + i];
            }
        return x;
    }

    /** A (r × s) · B (s × c). */
    public static double[] mul(double[] a, double[] b, int r, int s, int c) {
        double[] o = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int k = 0; k < s; k++) {
                double v = a[i * s + k];
                if (v == 0) continue;
                for (int j = 0; j < c; j++) o[i * c + j] += v * b[k * c + j];
            }
        return o;
    }

    /** Aᵀ (with A r × c) as c × r. */
    public static double[] transpose(double[] a, int r, int c) {
        double[] t = new double[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
        return t;
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
