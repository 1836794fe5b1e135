package org.nnpost.theory;

import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Scaling;

/**
 * The theory's answers for one network and task, without sampling (SPEC §7):
 * the lazy limit's NNGP kernels and GP predictor at T = 1/β₀, and, for a linear network with one
 * hidden layer, the non-lazy mean-field theory (readout covariance U, order parameter t, train
 * outputs and test predictor).
 *
 * @param nngpTrain  post-activation NNGP kernels C^l on the training inputs, l = 1..L (P × P)
 * @param nngpTest   the same on the test inputs (P* × P*)
 * @param gp         the lazy GP predictor (output covariance σ_a² C^L, or σ_a² X Xᵀ/N0 at L = 0)
 * @param meanField  the mean-field theory, or null where it does not apply
 * @param meanFieldTest its predictor on the test inputs, or null
 */
public record TheoryNumbers(double[][] nngpTrain, double[][] nngpTest, GpPredictor gp, double temperature,
                            LinearMeanField meanField, double[] meanFieldTest) {

    /** Whether the non-lazy theory of this package covers the network. */
    public static boolean hasMeanField(ModelSpec spec) {
        return spec.L() == 1 && spec.phi() == org.nnpost.model.Phi.LINEAR && spec.scaling() == Scaling.MEANFIELD;
    }

    public static TheoryNumbers of(ModelSpec spec, Task task) {
        Dataset tr = task.train(), te = task.test();
        int P = tr.P(), Pt = te.P(), n = P + Pt, N0 = spec.N0(), m = spec.m();
        float[] joint = new float[n * N0];
        System.arraycopy(tr.x(), 0, joint, 0, P * N0);
        System.arraycopy(te.x(), 0, joint, P * N0, Pt * N0);
        int L = spec.L();
        double[] kOut;
        double[][] cTrain = new double[L][], cTest = new double[L][];
        if (L == 0) {
            kOut = Nngp.inputKernel(joint, n, joint, n, N0, spec.sigmaA2());
        } else {
            double[] k0 = Nngp.inputKernel(joint, n, joint, n, N0, spec.sigmaW2());
            double[][] c = Nngp.layers(spec.phi(), L, k0, n, spec.sigmaW2());
            for (int l = 0; l < L; l++) {
                cTrain[l] = block(c[l], n, 0, P);
                cTest[l] = block(c[l], n, P, Pt);
            }
            kOut = c[L - 1].clone();
            for (int i = 0; i < kOut.length; i++) kOut[i] *= spec.sigmaA2();
        }
        double T = 1.0 / spec.beta0();
        double[] y = new double[P * m];
        for (int i = 0; i < y.length; i++) y[i] = tr.y()[i];
        GpPredictor gp = GpPredictor.of(kOut, P, Pt, y, m, T);

        LinearMeanField mf = null;
        double[] mfTest = null;
        if (hasMeanField(spec)) {
            double[] k0 = Nngp.inputKernel(tr.x(), P, tr.x(), P, N0, spec.sigmaW2());
            mf = LinearMeanField.solve(k0, P, y, m, spec.beta0(), spec.sigmaA2());
            mfTest = mf.predict(Nngp.inputKernel(tr.x(), P, te.x(), Pt, N0, spec.sigmaW2()), Pt);
        }
        return new TheoryNumbers(cTrain, cTest, gp, T, mf, mfTest);
    }

    private static double[] block(double[] k, int n, int from, int size) {
        double[] b = new double[size * size];
        for (int a = 0; a < size; a++) System.arraycopy(k, (from + a) * n + from, b, a * size, size);
        return b;
    }
}
