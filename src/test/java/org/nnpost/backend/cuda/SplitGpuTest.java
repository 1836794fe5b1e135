package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.nnpost.backend.Backend;
import org.nnpost.backend.SplitBackend;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Sampler;

/**
 * Chains split across two CUDA backends (here both on device 0, which is what a one-GPU machine
 * can check; on a multi-GPU machine `--devices 0,1` builds the same thing) draw what one CUDA
 * backend draws: 20 ULA and MALA steps agree to the float tolerance of CudaBackendGpuTest (cuBLAS
 * may block GEMMs of half the chains differently), and MALA's accept decisions agree exactly.
 */
@Tag("gpu")
class SplitGpuTest {
    @BeforeEach
    void gpu() { GpuReport.assumeGpu(); }

    @Test
    void twoPartsOnOneDeviceDrawWhatOneBackendDraws() {
        int C = 7;
        for (String alg : new String[]{"ula", "mala"}) {
            ModelSpec spec = CudaBackendGpuTest.spec(2, Phi.RELU, Scaling.MEANFIELD);
            ChainState init = ChainState.fromPrior(spec, C, 77);
            Sampler s = Sampler.of(alg, CudaBackendGpuTest.eta(spec, alg.equals("mala") ? 0.05f : 0.01f));
            try (Backend one = new CudaBackend(spec, CudaBackendGpuTest.TASK, C, CudaOptions.DEFAULT);
                 Backend two = new SplitBackend(List.of(
                         new CudaBackend(spec, CudaBackendGpuTest.TASK, SplitBackend.share(C, 2, 0), CudaOptions.DEFAULT, 0),
                         new CudaBackend(spec, CudaBackendGpuTest.TASK, SplitBackend.share(C, 2, 1), CudaOptions.DEFAULT,
                                 SplitBackend.offset(C, 2, 1))))) {
                for (Backend b : new Backend[]{one, two}) {
                    b.load(init);
                    s.init(b);
                    b.repeat(20, () -> s.step(b));
                }
                double d = GpuReport.relDiff(CudaBackendGpuTest.flat(two.snapshot()), CudaBackendGpuTest.flat(one.snapshot()));
                boolean sameAccepts = java.util.Arrays.equals(one.accepted(), two.accepted());
                GpuReport.row("split 2 parts vs 1, " + alg + "20 params", d, CudaBackendGpuTest.TOL, d <= CudaBackendGpuTest.TOL && sameAccepts);
                assertTrue(d <= CudaBackendGpuTest.TOL, alg + ": split vs one backend " + d);
                assertTrue(sameAccepts, alg + ": accept counts differ");
            }
        }
    }
}
