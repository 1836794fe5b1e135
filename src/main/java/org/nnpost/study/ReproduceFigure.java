package org.nnpost.study;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.nnpost.data.TaskSpec;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * The paper's figures as run recipes (SPEC §8, the captions' parameters), shrunk by a scale
 * s ∈ (0, 1]: N, P and N0 are multiplied by s and rounded (P ≤ N0 on orthogonal data, at least
 * two inputs per class), class ratios and every other parameter are kept.
 *
 * <p>Common choices the captions do not fix: β₀ = 10, σ_w² = σ_a² = 1 (absolute), the mean-field
 * scaling with β = β₀ N, test inputs on orthogonal data as many as training inputs at overlap
 * 0.5. Step sizes: η = 0.005 on orthogonal data, the default job's value (stable there and within
 * 10% of the small-η loss); η = 0.002 on MNIST, whose input kernel has a large top eigenvalue
 * (ULA needs η ≲ 2/(β₀ λ_max)); there η = 0.002 and 0.001 gave the same mean loss (5.10 and
 * 5.09 at N = P = 30). 10000 steps with 4000 of burn-in, as the default job, whose slowest trace
 * (the ReLU readout norm) reached R̂ ≤ 1.03 with them.
 *
 * <p>Fig. 2's two-layer network on orthogonal data is stiffer: at N = P = 100 the mean loss was
 * 1.31 at η = 0.005 (two of four chains stuck in a state of higher loss, R̂ 1.49), 0.189 at
 * η = 0.0025 and 0.169 at η = 0.00125. It runs at η = 0.0025 (about 25% loss bias, against
 * 10% for the one-layer runs) with twice the steps, as halving η again left R̂ at 1.26.
 */
public enum ReproduceFigure {
    FIG1("fig1", "Fig. 1: one hidden layer, two classes, y = +-1; kernels and activations for linear, erf and ReLU"),
    FIG2("fig2", "Fig. 2: linear, two hidden layers, three classes (1/2, 1/4, 1/4), y+ = 1, y- = 0"),
    FIG3("fig3", "Fig. 3: linear, two hidden layers, MNIST digits 0, 1, 2, y+ = 1, y- = 0"),
    FIG4("fig4", "Fig. 4: erf, one hidden layer, three classes (1/2, 1/4, 1/4), y+ = 1, y- = 1/2"),
    FIG5("fig5", "Fig. 5: as Fig. 4 while y- varies: transitions between coding schemes");

    public final String id, caption;

    /** The y- values of the fig5 sweep. */
    public static final double[] FIG5_Y_MINUS = {-1, 0, 0.25, 0.5};

    public static final double BETA0 = 10, SIGMA_W2 = 1, SIGMA_A2 = 1, TEST_OVERLAP = 0.5;
    public static final float ETA_ORTHOGONAL = 0.005f, ETA_DEEP = 0.0025f, ETA_MNIST = 0.002f;
    public static final long STEPS = 10000;
    public static final int MNIST_TEST = 1000;

    ReproduceFigure(String id, String caption) {
        this.id = id;
        this.caption = caption;
    }

    public static ReproduceFigure parse(String s) {
        for (ReproduceFigure f : values()) if (f.id.equals(s)) return f;
        return null;
    }

    /** One sampling run of a figure: its sub-directory name, network, task and step size. */
    public record Recipe(String name, String label, ModelSpec model, TaskSpec task, float eta, long steps) {}

    /** The runs of this figure at scale s; dataDir only matters for fig3. */
    public List<Recipe> recipes(double s, Path dataDir) {
        List<Recipe> out = new ArrayList<>();
        double[] two = {0.5, 0.5}, three = {0.5, 0.25, 0.25};
        switch (this) {
            case FIG1 -> {
                for (Phi phi : new Phi[]{Phi.LINEAR, Phi.ERF, Phi.RELU})
                    out.add(orthogonal(phi.id(), phi.id(), 1, phi, 500, 500, 510, two, true, 1, -1, s));
            }
            case FIG2 -> {
                Recipe r = orthogonal("linear_L2", "linear, L = 2", 2, Phi.LINEAR, 200, 200, 220, three, true, 1, 0, s);
                out.add(new Recipe(r.name(), r.label(), r.model(), r.task(), ETA_DEEP, 2 * STEPS));
            }
            case FIG3 -> {
                int N = scaled(100, s, 4), m = 3, P = Math.max(2 * m, scaled(100, s, 1));
                int Pt = Math.max(m, scaled(MNIST_TEST, s, 1));
                ModelSpec model = new ModelSpec(2, N, 784, m, Phi.LINEAR, Scaling.MEANFIELD, BETA0, true, SIGMA_W2, SIGMA_A2);
                TaskSpec task = new TaskSpec("mnist", 784, P, Pt, new double[]{1.0 / 3, 1.0 / 3, 1.0 / 3}, false,
                        1, 0, TEST_OVERLAP, 1, new int[]{0, 1, 2}, true, true, true, 1, dataDir);
                out.add(new Recipe("linear_L2_mnist", "linear, L = 2, MNIST 0/1/2", model, task, ETA_MNIST, STEPS));
            }
            case FIG4 -> out.add(orthogonal("erf", "erf", 1, Phi.ERF, 500, 500, 520, three, true, 1, 0.5, s));
            case FIG5 -> {
                for (double yMinus : FIG5_Y_MINUS)
                    out.add(orthogonal("erf_yminus_" + String.format(Locale.ROOT, "%.2f", yMinus).replace('-', 'm'),
                            "erf, y- = " + yMinus, 1, Phi.ERF, 500, 500, 520, three, true, 1, yMinus, s));
            }
        }
        return out;
    }

    private static Recipe orthogonal(String name, String label, int L, Phi phi, int N, int P, int N0, double[] classes,
                                     boolean ratios, double yPlus, double yMinus, double s) {
        int m = classes.length;
        int n = scaled(N, s, 4), p = Math.max(2 * m, scaled(P, s, 1)), n0 = Math.max(p, scaled(N0, s, 1));
        ModelSpec model = new ModelSpec(L, n, n0, m, phi, Scaling.MEANFIELD, BETA0, true, SIGMA_W2, SIGMA_A2);
        TaskSpec task = new TaskSpec("orthogonal", n0, p, p, classes.clone(), ratios, yPlus, yMinus, TEST_OVERLAP, 1);
        return new Recipe(name, label, model, task, ETA_ORTHOGONAL, STEPS);
    }

    /** round(s·x), at least min. */
    static int scaled(int x, double s, int min) {
        return Math.max(min, (int) Math.round(s * x));
    }
}
