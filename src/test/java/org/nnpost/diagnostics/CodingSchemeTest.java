package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.Ula;

/**
 * The paper's coding schemes at a CPU size of its Fig. 1 task (one hidden layer, two classes
 * ±1, orthogonal inputs; N = 100, P = 50, N0 = 60, β₀ = 10; SPEC §7–8): sampled posteriors are
 * called analog (linear), redundant (erf) and sparse (ReLU) by {@link CodingMetrics}.
 *
 * <p>With these settings the numbers came out PR/N 0.34, 0.54, 0.08 and excess kurtosis 0.2,
 * −1.0, 10.5 (SPEC's independent sampler, at 2·10⁴ steps: 0.4, 0.55, 0.04 and −0.4, −1.0, 27;
 * ReLU keeps sparsifying with longer runs: PR/N 0.04 after 2·10⁴ steps here too).
 */
class CodingSchemeTest {

    @ParameterizedTest(name = "{0} networks learn a {1} code")
    @CsvSource({"linear, analog", "erf, redundant", "relu, sparse"})
    void samplesOfTheFig1TaskAreCalledByTheirPapersCodingScheme(String phiName, String expected) {
        int N = 100, P = 50, N0 = 60, C = 2, m = 2, steps = 6000;
        Task task = OrthogonalTask.generate(N0, P, 10, new double[]{.5, .5}, true, 1, -1, 0.5, 3);
        ModelSpec spec = new ModelSpec(1, N, N0, m, Phi.parse(phiName), Scaling.MEANFIELD, 10, true, 1, 1);
        List<float[]> readouts = new ArrayList<>(), activations = new ArrayList<>();
        try (CpuBackend b = new CpuBackend(spec, task, C, 2)) {
            b.load(ChainState.fromPrior(spec, C, 1));
            Sampler s = new Ula(new float[]{0.005f, 0.005f});
            s.init(b);
            for (int k = 1; k <= steps; k++) {
                s.step(b);
                if (k > steps / 2 && k % 100 == 0)
                    for (int c = 0; c < C; c++) {
                        readouts.add(b.snapshot().chainGroup(spec, 1, c));
                        activations.add(b.activations(c, false));
                    }
            }
            for (long d : b.divergedAt()) assertEquals(-1, d);
        }
        CodingMetrics cm = CodingMetrics.of(readouts, activations, task.train().labels(), N, m);
        System.out.println(phiName + ": " + cm.scheme() + " (" + cm.reason() + "), codes " + cm.codes());
        assertEquals(expected, cm.scheme(), cm.reason());
    }
}
