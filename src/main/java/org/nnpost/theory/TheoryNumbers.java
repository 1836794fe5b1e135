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
 * @param nonlinear  the mean-field theory of a nonlinear network ({@link NonlinearMeanField}), or null
 * @param nonlinearTest its predictor on the test inputs, or null
 * @param nonlinearWhy why there is no nonlinear theory for a nonlinear network (null where there is one, or φ is linear)
 */
public record TheoryNumbers(double[][] nngpTrain, double[][] nngpTest, GpPredictor gp, double temperature,
                            LinearMeanField meanField, double[] meanFieldTest,
                            NonlinearMeanField nonlinear, double[] nonlinearTest, String nonlinearWhy) {

    /** How far X Xᵀ/N0 may be from the identity (float inputs) for the task to count as orthogonal. */
    static final double ORTHOGONAL_TOLERANCE = 1e-3;

    /**
     * Whether the nonlinear mean-field theory covers the network (φ not linear, L = 1, mean-field
     * scaling, at most {@link ReadoutDensity#MAX_RANK} classes); the task must also be orthogonal,
     * which {@link #of} checks on the data.
     */
    public static boolean hasNonlinearMeanField(ModelSpec spec) {
        return spec.L() == 1 && spec.phi() != org.nnpost.model.Phi.LINEAR && spec.scaling() == Scaling.MEANFIELD;
    }

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
        NonlinearMeanField nl = null;
        double[] nlTest = null;
        String why = null;
        if (hasNonlinearMeanField(spec)) {
            why = nonlinearCoverage(spec, tr);
            if (why == null) {
                try {
                    Nearest near = nearest(tr, te);
                    nl = NonlinearMeanField.solve(spec.phi(), spec.sigmaW2(), spec.sigmaA2(), spec.beta0(), tr.labels(), y, m, near.rho());
                    nlTest = nl.predict(near.labels());
                } catch (org.nnpost.spec.NnpostException e) {
                    why = e.getMessage();
                }
            }
        } else if (spec.phi() != org.nnpost.model.Phi.LINEAR) {
            why = "the nonlinear mean-field theory covers one hidden layer in the mean-field scaling";
        }
        return new TheoryNumbers(cTrain, cTest, gp, T, mf, mfTest, nl, nlTest, why);
    }

    /** Why the nonlinear theory does not cover these data, or null where it does. */
    static String nonlinearCoverage(ModelSpec spec, Dataset tr) {
        if (spec.m() > ReadoutDensity.MAX_RANK)
            return "the nonlinear mean-field theory integrates the readout density on a grid of at most "
                    + ReadoutDensity.MAX_RANK + " dimensions (m = " + spec.m() + ")";
        int P = tr.P(), N0 = spec.N0();
        double[] k = Nngp.inputKernel(tr.x(), P, tr.x(), P, N0, 1.0);
        double off = 0;
        for (int a = 0; a < P; a++) for (int b = 0; b < P; b++) off = Math.max(off, Math.abs(k[a * P + b] - (a == b ? 1 : 0)));
        if (off > ORTHOGONAL_TOLERANCE)
            return String.format(java.util.Locale.ROOT, "the nonlinear mean-field theory needs orthogonal inputs (X X^T/N0 = I); "
                    + "here it is off by %.3g, so the preactivations given the readout do not factorise over inputs (docs/SPEC.md section 7)", off);
        return null;
    }

    /** Each test input's nearest training input: its class, and the mean overlap cos(x*, x_μ). */
    record Nearest(int[] labels, double rho) {}

    static Nearest nearest(Dataset tr, Dataset te) {
        int P = tr.P(), Pt = te.P(), N0 = tr.N0();
        if (Pt == 0) return new Nearest(new int[0], 0);
        double[] k = Nngp.inputKernel(tr.x(), P, te.x(), Pt, N0, 1.0);
        int[] l = new int[Pt];
        double sum = 0;
        for (int c = 0; c < Pt; c++) {
            int best = 0;
            for (int a = 1; a < P; a++) if (k[a * Pt + c] > k[best * Pt + c]) best = a;
            l[c] = tr.labels()[best];
            sum += Math.max(-1, Math.min(1, k[best * Pt + c]));
        }
        return new Nearest(l, sum / Pt);
    }

    private static double[] block(double[] k, int n, int from, int size) {
        double[] b = new double[size * size];
        for (int a = 0; a < size; a++) System.arraycopy(k, (from + a) * n + from, b, a * size, size);
        return b;
    }
}
