package org.nnpost.backend;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Sampler;

/**
 * Chains split across backends draw what one backend holding them all draws: the parts key their
 * noise by global chain index, so states, traces and accept decisions are bit-identical; the
 * reductions over chains differ only in the order of their double sums.
 */
class SplitBackendTest {

    static final ModelSpec SPEC = new ModelSpec(2, 12, 10, 2, Phi.ERF, Scaling.MEANFIELD, 4, true, 1, 1);
    static final Task TASK = OrthogonalTask.generate(10, 8, 4, new double[]{.5, .5}, true, 1, -1, 0.5, 2);

    static Backend split(int C, int parts) {
        List<Backend> p = new ArrayList<>();
        for (int k = 0; k < parts; k++)
            p.add(new CpuBackend(SPEC, TASK, SplitBackend.share(C, parts, k), 1, SplitBackend.offset(C, parts, k)));
        return new SplitBackend(p);
    }

    static void run(Backend b, String algorithm, int steps) {
        b.load(ChainState.fromPrior(SPEC, b.chains(), 9));
        Sampler s = Sampler.of(algorithm, new float[]{0.01f, 0.01f, 0.01f});
        s.init(b);
        for (int k = 0; k < steps; k++) {
            s.step(b);
            if (k % 5 == 4) b.accumulate();
        }
    }

    @Test
    void sharesAndOffsetsCoverTheChainsInOrder() {
        assertEquals(4, SplitBackend.share(11, 3, 0));
        assertEquals(4, SplitBackend.share(11, 3, 1));
        assertEquals(3, SplitBackend.share(11, 3, 2));
        assertEquals(8, SplitBackend.offset(11, 3, 2));
    }

    @Test
    void ulaAndMalaSplitThreeWaysAreBitIdenticalToOneBackend() {
        for (String alg : new String[]{"ula", "mala"}) {
            try (Backend one = new CpuBackend(SPEC, TASK, 7, 1); Backend three = split(7, 3)) {
                run(one, alg, 30);
                run(three, alg, 30);
                ChainState a = one.snapshot(), b = three.snapshot();
                for (int g = 0; g < SPEC.groups(); g++) assertArrayEquals(a.params()[g], b.params()[g], alg + " group " + g);
                assertEquals(a.step(), b.step());
                assertArrayEquals(one.traces(), three.traces(), alg + " traces");
                assertArrayEquals(one.accepted(), three.accepted(), alg + " accepted");
                assertArrayEquals(one.divergedAt(), three.divergedAt());
                assertArrayEquals(one.activations(5, true), three.activations(5, true));
                Moments m1 = one.moments(), m3 = three.moments();
                assertEquals(m1.samples(), m3.samples());
                // the same terms summed in another grouping: double rounding only
                assertArrayEquals(m1.fTest(), m3.fTest(), 1e-12 * (1 + max(m1.fTest())));
                assertArrayEquals(m1.kernelTrain()[1], m3.kernelTrain()[1], 1e-12 * (1 + max(m1.kernelTrain()[1])));
            }
        }
    }

    static double max(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
