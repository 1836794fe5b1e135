package org.nnpost.study;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.data.TaskSpec;
import org.nnpost.model.ModelSpec;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.sampler.SamplerSpec;

/**
 * The paper's figures (SPEC §8, the captions' parameters) as studies: each figure is a study file
 * shipped in the jar ({@code org/nnpost/study/fig1.json} …, printed by {@code nnpost reproduce
 * fig1 --print-study}), one point per network, named as the run directories of reproduce have
 * always been (linear, erf, relu; erf_yminus_0.50; …). {@link #study} shrinks it by a scale
 * s ∈ (0, 1]: N, P and N0 are multiplied by s and rounded (P ≤ N0 on orthogonal data, at least
 * two inputs per class), class ratios and every other parameter are kept. The sweep machinery
 * runs it ({@link Sweep}), so a figure's runs are restartable, shardable and collectable like
 * any study's.
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

    /** The figure's study file, as shipped in the jar: the captions' parameters at scale 1. */
    public ObjectNode studyFile() {
        String resource = "/org/nnpost/study/" + id + ".json";
        try (InputStream in = ReproduceFigure.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("the jar lacks " + resource);
            return (ObjectNode) new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * The study reproduce runs: the figure's study file with N, P and N0 times s (rounded; P at
     * least two inputs per class, P ≤ N0 and as many test inputs as training inputs on orthogonal
     * data, test inputs times s on images), the steps given (0: the file's), burn-in 40% of them,
     * a draw every (steps − burn-in)/10 steps (at most 20), 10 draws kept, the chains and the seed.
     */
    public Study study(double s, long steps, int chains, long seed) {
        ObjectNode j = studyFile();
        ObjectNode b = (ObjectNode) j.get(Study.BASE);
        boolean images = !b.path("task").asText().equals("orthogonal");
        int m = images ? b.path("classes").size() : b.path("class_ratios").size();
        b.put("N", scaled(b.path("N").asInt(), s, 4));
        int p = Math.max(2 * m, scaled(b.path("P").asInt(), s, 1));
        b.put("P", p);
        if (images) {
            b.put("Ptest", Math.max(m, scaled(b.path("Ptest").asInt(), s, 1)));
        } else {
            b.put("N0", Math.max(p, scaled(b.path("N0").asInt(), s, 1)));
            b.put("Ptest", p);
        }
        long st = steps > 0 ? steps : b.path("steps").asLong();
        long burnIn = st * 2 / 5;
        int every = SamplerSpec.defaultEvery(st, burnIn);
        b.put("steps", st);
        b.put("burn_in", burnIn);
        b.put("every", every);
        b.put("keep", SamplerSpec.defaultKeep((st - burnIn) / every));
        b.put("chains", chains);
        j.putArray(Study.SEEDS).add(seed);
        return Study.of(j, id);
    }

    /** A run's label in panel titles. */
    public String label(Study.Point p) {
        return switch (this) {
            case FIG1 -> p.values().get("phi");
            case FIG2 -> "linear, L = 2";
            case FIG3 -> "linear, L = 2, MNIST 0/1/2";
            case FIG4 -> "erf";
            case FIG5 -> "erf, y- = " + Double.parseDouble(p.values().get("y-minus"));
        };
    }

    /** The runs of this figure at scale s, from its study; dataDir only matters for fig3. */
    public List<Recipe> recipes(double s, Path dataDir) {
        Study st = study(s, 0, 4, 1);
        Settings extra = new Settings();
        if (dataDir != null && this == FIG3) extra.put("data-dir", dataDir.toString(), "--data-dir");
        List<Recipe> out = new ArrayList<>();
        for (Study.Point p : st.points()) {
            RunConfig c = RunSettings.described(st.settings(p, extra), Path.of(p.name()));
            out.add(new Recipe(p.name(), label(p), c.model(), c.task(), c.sampler().eta()[0], c.sampler().steps()));
        }
        return out;
    }

    /** round(s·x), at least min. */
    static int scaled(int x, double s, int min) {
        return Math.max(min, (int) Math.round(s * x));
    }
}
