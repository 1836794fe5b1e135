package org.nnpost.theory;

/**
 * The non-lazy (mean-field, γ = 1) theory of a linear network with one hidden layer as N → ∞
 * (SPEC §7). Every neuron's (a ∈ Rᵐ, z ∈ Rᴾ) follows
 * N(a; 0, σ_a² I) · N(z; 0, K₀) · exp(aᵀ tᵀ z), with an order parameter t (P × m), whence
 *
 * <pre>
 *   U⁻¹ = σ_a⁻² I − tᵀ K₀ t        the readout covariance ⟨a aᵀ⟩ (per neuron)
 *   F_train = K₀ t U,  f(x*) = k*ᵀ t U
 *   t = β₀ (Y − K₀ t U)              self-consistency
 * </pre>
 *
 * At fixed U the self-consistency is linear in t and diagonal in the eigenbases of K₀ and U:
 * t̃_ij (1 + β₀ λ_i d_j) = β₀ Ỹ_ij. So U is found by a damped fixed-point iteration on m × m
 * matrices, each step solving for t exactly.
 *
 * @param t        P × m order parameter
 * @param u        m × m readout covariance (SPEC calls it U)
 * @param fTrain   P × m mean outputs on the training inputs
 */
public record LinearMeanField(double[] t, double[] u, double[] fTrain, int P, int m, int iterations) {

    /** Mean predictor k*ᵀ t U on test inputs, from the train–test input kernel (P × P*). */
    public double[] predict(double[] kTrainTest, int Ptest) {
        double[] tu = Linalg.mul(t, u, P, m, m);
        double[] out = new double[Ptest * m];
        for (int c = 0; c < Ptest; c++)
            for (int r = 0; r < m; r++) {
                double s = 0;
                for (int a = 0; a < P; a++) s += kTrainTest[a * Ptest + c] * tu[a * m + r];
                out[c * m + r] = s;
            }
        return out;
    }

    /**
     * Solves the self-consistency at finite β₀ for K₀ (P × P, SPD), targets Y (P × m).
     *
     * <p>Eliminating t with the self-consistency turns U⁻¹ = σ_a⁻² I − tᵀK₀t into
     * U = σ_a² (I + β₀ (Y − F)ᵀ F), F = K₀ t U: a map F → U → t → F that stays positive
     * definite from F = 0 (where iterating U⁻¹ directly can leave the positive cone), iterated
     * with damping until F is still to 1e-12.
     */
    public static LinearMeanField solve(double[] k0, int P, double[] y, int m, double beta0, double sigmaA2) {
        Linalg.Eigen ek = Linalg.eigh(k0, P);
        double[] f = new double[P * m];
        double damping = 0.5, scale = Math.max(Linalg.maxAbs(y), 1e-300);
        for (int it = 1; it <= 100000; it++) {
            double[] u = covarianceFromOutputs(y, f, P, m, beta0, sigmaA2);
            double[] t = orderParameter(ek, y, m, u, beta0);
            double[] next = Linalg.mul(Linalg.mul(k0, t, P, P, m), u, P, m, m);
            double diff = 0;
            for (int i = 0; i < P * m; i++) diff = Math.max(diff, Math.abs(next[i] - f[i]));
            for (int i = 0; i < P * m; i++) f[i] = (1 - damping) * f[i] + damping * next[i];
            if (diff <= 1e-12 * scale) {
                u = covarianceFromOutputs(y, f, P, m, beta0, sigmaA2);
                t = orderParameter(ek, y, m, u, beta0);
                return new LinearMeanField(t, u, Linalg.mul(Linalg.mul(k0, t, P, P, m), u, P, m, m), P, m, it);
            }
        }
        throw new ArithmeticException("mean-field theory did not converge in 100000 iterations");
    }

    /** U = σ_a² (I + β₀ (Y − F)ᵀ F), symmetrised (it is symmetric at the fixed point). */
    static double[] covarianceFromOutputs(double[] y, double[] f, int P, int m, double beta0, double sigmaA2) {
        double[] u = Linalg.identity(m);
        for (int r = 0; r < m; r++)
            for (int q = 0; q < m; q++) {
                double s = 0;
                for (int a = 0; a < P; a++)
                    s += 0.5 * ((y[a * m + r] - f[a * m + r]) * f[a * m + q] + (y[a * m + q] - f[a * m + q]) * f[a * m + r]);
                u[r * m + q] += beta0 * s;
            }
        for (int i = 0; i < m * m; i++) u[i] *= sigmaA2;
        return u;
    }

    /** t solving t + β₀ K₀ t U = β₀ Y at fixed U. */
    static double[] orderParameter(Linalg.Eigen ek, double[] y, int m, double[] u, double beta0) {
        int P = ek.n();
        Linalg.Eigen eu = Linalg.eigh(u, m);
        double[] vT = Linalg.transpose(ek.vectors(), P, P);
        double[] yt = Linalg.mul(Linalg.mul(vT, y, P, P, m), eu.vectors(), P, m, m);   // Vᵀ Y Q
        for (int i = 0; i < P; i++)
            for (int j = 0; j < m; j++)
                yt[i * m + j] = beta0 * yt[i * m + j] / (1 + beta0 * ek.values()[i] * eu.values()[j]);
        double[] qT = Linalg.transpose(eu.vectors(), m, m);
        return Linalg.mul(Linalg.mul(ek.vectors(), yt, P, P, m), qT, P, m, m);        // V t̃ Qᵀ
    }

    /**
     * β₀ → ∞: K₀ t U = Y and U = (σ_a²/2)(I + (I + 4M/σ_a²)^½) with M = Yᵀ K₀⁻¹ Y; the readout is
     * Gaussian (analog coding) and the predictor k*ᵀ K₀⁻¹ Y equals the lazy GP's at T → 0.
     */
    public static LinearMeanField zeroTemperature(double[] k0, int P, double[] y, int m, double sigmaA2) {
        double[] k0invY = Linalg.solveSpd(k0, P, y, m);
        double[] M = Linalg.mul(Linalg.transpose(y, P, m), k0invY, m, P, m);
        double[] arg = Linalg.identity(m);
        for (int i = 0; i < m * m; i++) arg[i] += 4 * M[i] / sigmaA2;
        double[] root = Linalg.eigh(arg, m).apply(Math::sqrt);
        double[] u = Linalg.identity(m);
        for (int i = 0; i < m * m; i++) u[i] = sigmaA2 / 2 * (u[i] + root[i]);
        double[] uinv = Linalg.solveSpd(u, m, Linalg.identity(m), m);
        double[] t = Linalg.mul(k0invY, uinv, P, m, m);
        return new LinearMeanField(t, u, y.clone(), P, m, 0);
    }
}
