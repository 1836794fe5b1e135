package org.nnpost.theory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nnpost.model.Phi;
import org.nnpost.spec.NnpostException;

/**
 * The nonlinear mean-field theory (SPEC §7) against the linear closed form and against a
 * brute-force integration of the single-neuron posterior over all P preactivations.
 */
class NonlinearMeanFieldTest {

    /** Classes in the ratios ½, ¼, ¼ (m = 3) or ½, ½ (m = 2), in blocks. */
    static int[] labels(int P, int m) {
        int[] l = new int[P];
        for (int i = 0; i < P; i++) l[i] = i < P / 2 ? 0 : m == 2 ? 1 : i < 3 * P / 4 ? 1 : 2;
        return l;
    }

    static double[] targets(int[] labels, int m, double yPlus, double yMinus) {
        double[] y = new double[labels.length * m];
        for (int i = 0; i < labels.length; i++) for (int r = 0; r < m; r++) y[i * m + r] = labels[i] == r ? yPlus : yMinus;
        return y;
    }

    static double relErr(double[] want, double[] got) {
        double scale = 0, d = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            d = Math.max(d, Math.abs(want[i] - got[i]));
        }
        return d / scale;
    }

    @Test
    void linearPhiIsTheLinearClosedForm() {
        for (int m : new int[]{2, 3})
            for (double beta0 : new double[]{1, 10}) {
                int P = 16;
                double sw2 = 1.3, sa2 = 0.8;
                int[] l = labels(P, m);
                double[] y = targets(l, m, 1, m == 2 ? -1 : 0.5);
                NonlinearMeanField nl = NonlinearMeanField.solve(Phi.LINEAR, sw2, sa2, beta0, l, y, m, 0.5);
                double[] k0 = Linalg.identity(P);
                for (int i = 0; i < P * P; i++) k0[i] *= sw2;
                LinearMeanField lin = LinearMeanField.solve(k0, P, y, m, beta0, sa2);
                // K = ⟨z zᵀ⟩ = K₀ + K₀ t U tᵀ K₀
                double[] ktu = Linalg.mul(Linalg.mul(k0, lin.t(), P, P, m), lin.u(), P, m, m);
                double[] kernel = Linalg.mul(ktu, Linalg.transpose(Linalg.mul(k0, lin.t(), P, P, m), P, m), P, m, P);
                for (int i = 0; i < P * P; i++) kernel[i] += k0[i];
                String at = "m = " + m + ", beta0 = " + beta0;
                assertEquals(NonlinearMeanField.Status.REGULAR, nl.status(), at);
                assertTrue(relErr(lin.u(), nl.u()) < 1e-9, "U, " + at + ": " + relErr(lin.u(), nl.u()));
                assertTrue(relErr(lin.fTrain(), nl.fTrain()) < 1e-9, "F, " + at + ": " + relErr(lin.fTrain(), nl.fTrain()));
                assertTrue(relErr(kernel, nl.kernel()) < 1e-9, "K, " + at + ": " + relErr(kernel, nl.kernel()));
                assertTrue(relErr(lin.t(), nl.t()) < 1e-9, "t, " + at);
                // a Gaussian readout: PR/N = (tr U)² / ((tr U)² + 2 tr U²), excess kurtosis 0 for m = 2's equal variances
                assertEquals(0, nl.excessKurtosis(), 0.2, "linear readouts are Gaussian, " + at);
            }
    }

    /**
     * The m-dimensional reduction (z integrated in closed form or by quadrature, a on a grid)
     * against the other order: importance sampling of the P preactivations of the single-neuron
     * posterior N(a; 0, σ_a² I) N(z; 0, σ_w² I) exp(Σ_μ (a·t_μ) φ(z_μ)) from their prior (widened for ReLU), with a
     * integrated exactly given z (it is Gaussian there), at the theory's own t. U, F and K agree
     * within 4.5 Monte-Carlo standard errors (self-normalised estimator, delta method).
     */
    @Test
    void reductionAgreesWithBruteForceIntegrationOverThePreactivations() {
        Object[][] cases = {{Phi.ERF, 4, 1.0}, {Phi.ERF, 8, 0.5}, {Phi.RELU, 4, 1.0}, {Phi.RELU, 8, 0.5}, {Phi.TANH, 6, 0.7}};
        int m = 2, n = 200_000;
        double sw2 = 1.0, sa2 = 1.0;
        for (Object[] cs : cases) {
            Phi phi = (Phi) cs[0];
            int P = (Integer) cs[1];
            double beta0 = (Double) cs[2];
            int[] l = labels(P, m);
            double[] y = targets(l, m, 1, -1);
            NonlinearMeanField th = NonlinearMeanField.solve(phi, sw2, sa2, beta0, l, y, m, 0.5);
            String at = phi.id() + ", P = " + P + ", beta0 = " + beta0;
            assertEquals(NonlinearMeanField.Status.REGULAR, th.status(), at);
            // the self-consistency t = β₀ (Y − F)
            for (int i = 0; i < P * m; i++) assertEquals(beta0 * (y[i] - th.fTrain()[i]), th.t()[i], 1e-9, "t, " + at);
            double[] t = th.t();
            // observables per draw: U (m²), F (P m), K (P²)
            int q = m * m + P * m + P * P;
            double[][] fb = new double[n][];
            double[] logw = new double[n];
            SplittableRandom rng = new SplittableRandom(17 + P);
            // the proposal: the prior of z, widened for ReLU, whose weights e^{σ_a²‖b‖²/2} grow like
            // e^{κ z²/(2σ_w²)} along the readout's wall (κ < 1 where p(a) is normalisable): drawn
            // from the prior itself their variance is infinite once κ > ½, and the standard error lies
            double wide = phi == Phi.RELU ? 3 : 1;
            double top = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < n; s++) {
                // z from the proposal; given z, a is Gaussian: N(σ_a² b, σ_a² I), b = Σ_μ t_μ φ(z_μ),
                // with weight e^{σ_a² ‖b‖²/2}. fb holds φ(z) (P) then b (m)
                double[] x = new double[P + m];
                double lw = 0;
                for (int mu = 0; mu < P; mu++) {
                    double g = rng.nextGaussian(), z = Math.sqrt(wide * sw2) * g;
                    lw += -0.5 * z * z / sw2 + 0.5 * g * g;
                    x[mu] = phi.value(z);
                    for (int r = 0; r < m; r++) x[P + r] += t[mu * m + r] * x[mu];
                }
                for (int r = 0; r < m; r++) lw += 0.5 * sa2 * x[P + r] * x[P + r];
                fb[s] = x;
                logw[s] = lw;
                top = Math.max(top, lw);
            }
            double[] est = new double[q], var = new double[q], o = new double[q];
            double zw = 0, zw2 = 0;
            for (int pass = 0; pass < 2; pass++)
                for (int s = 0; s < n; s++) {
                    double w = Math.exp(logw[s] - top);
                    double[] x = fb[s];
                    int j = 0;
                    for (int r = 0; r < m; r++) for (int r2 = 0; r2 < m; r2++) o[j++] = (r == r2 ? sa2 : 0) + sa2 * sa2 * x[P + r] * x[P + r2];
                    for (int mu = 0; mu < P; mu++) for (int r = 0; r < m; r++) o[j++] = sa2 * x[P + r] * x[mu];
                    for (int mu = 0; mu < P; mu++) for (int nu = 0; nu < P; nu++) o[j++] = x[mu] * x[nu];
                    if (pass == 0) {
                        zw += w;
                        zw2 += w * w;
                        for (j = 0; j < q; j++) est[j] += w * o[j];
                        if (s == n - 1) for (j = 0; j < q; j++) est[j] /= zw;
                    } else {
                        for (j = 0; j < q; j++) var[j] += w * w * (o[j] - est[j]) * (o[j] - est[j]);
                    }
                }
            double ess = zw * zw / zw2;
            assertTrue(ess > 2000, "importance sampling keeps an effective sample size, " + at + ": " + ess);
            double[] theory = new double[q];
            System.arraycopy(th.u(), 0, theory, 0, m * m);
            System.arraycopy(th.fTrain(), 0, theory, m * m, P * m);
            System.arraycopy(th.kernel(), 0, theory, m * m + P * m, P * P);
            double worst = 0;
            for (int j = 0; j < q; j++) {
                double se = Math.sqrt(var[j]) / zw;
                worst = Math.max(worst, Math.abs(theory[j] - est[j]) / se);
            }
            assertTrue(worst < 4.5, "theory within 4.5 standard errors of brute force for U, F and K, " + at + ": " + worst);
        }
    }

    @Test
    void solutionMovesWithTheTemperatureAsTheLinearOneDoes() {
        // F approaches the targets as β₀ grows, for every φ
        int P = 12, m = 2;
        int[] l = labels(P, m);
        double[] y = targets(l, m, 1, -1);
        for (Phi phi : new Phi[]{Phi.ERF, Phi.TANH}) {
            double prev = Double.POSITIVE_INFINITY;
            for (double beta0 : new double[]{1, 4, 16}) {
                NonlinearMeanField th = NonlinearMeanField.solve(phi, 1, 1, beta0, l, y, m, 0.5);
                double gap = 0;
                for (int i = 0; i < P * m; i++) gap = Math.max(gap, Math.abs(y[i] - th.fTrain()[i]));
                assertTrue(gap < prev, phi.id() + ": the train outputs close in on the targets: " + gap + " after " + prev);
                prev = gap;
            }
        }
    }

    /** A solve out of time ends in one line that says so; the same solve with time to spare succeeds. */
    @Test
    void aSolveThatRunsOutOfTimeSaysSo() {
        int[] l = labels(12, 2);
        double[] y = targets(l, 2, 1, -1);
        NnpostException e = assertThrows(NnpostException.class, () -> NonlinearMeanField.solve(Phi.ERF, 1, 1, 16, l, y, 2, 0.5, 0));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("did not converge within its time limit of 0.0 s"), e.getMessage());
        assertEquals(2 * 12, NonlinearMeanField.solve(Phi.ERF, 1, 1, 16, l, y, 2, 0.5, 60).fTrain().length);
    }

    @Test
    void targetsThatDifferWithinAClassAreRefusedInWords() {
        int[] l = labels(8, 2);
        double[] y = targets(l, 2, 1, -1);
        y[0] = 0.9;
        NnpostException e = assertThrows(NnpostException.class, () -> NonlinearMeanField.solve(Phi.ERF, 1, 1, 1, l, y, 2, 0.5));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("same target for every input of a class"), e.getMessage());
    }
}
