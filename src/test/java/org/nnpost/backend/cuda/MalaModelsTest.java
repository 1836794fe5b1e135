package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Mala;

/**
 * The premise of CudaBackendGpuTest's MALA comparison, checked on the CPU so that it holds on
 * machines without a GPU too: at each model's step size the 20 steps of its 6 chains accept some
 * proposals and reject some, so the comparison covers both branches of every decision.
 */
class MalaModelsTest {

    @ParameterizedTest(name = "L={0} {1} {2} eta={3}")
    @MethodSource("org.nnpost.backend.cuda.CudaBackendGpuTest#malaModels")
    void theGpuComparisonsStepSizesAcceptSomeProposalsAndRejectSome(int L, Phi phi, Scaling s, float eta) {
        ModelSpec spec = CudaBackendGpuTest.spec(L, phi, s);
        int C = CudaBackendGpuTest.C;
        try (CpuBackend b = new CpuBackend(spec, CudaBackendGpuTest.TASK, C, 2)) {
            b.load(ChainState.fromPrior(spec, C, 1234));   // the comparison's prior draw
            Mala mala = new Mala(CudaBackendGpuTest.eta(spec, eta));
            mala.init(b);
            for (int k = 0; k < 20; k++) mala.step(b);
            long accepted = 0;
            for (long a : b.accepted()) accepted += a;
            assertTrue(accepted > 0 && accepted < 20L * C, accepted + " of " + 20 * C + " proposals accepted");
        }
    }
}
