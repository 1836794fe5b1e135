package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * Forty steps of ULA and MALA on the CPU backend, pinned to the bits they gave when recorded: a
 * CRC of every parameter and trace, the accepted proposals and the divergence steps. The cases
 * cover MALA with most proposals accepted, a quarter accepted, none accepted, and proposals that
 * blow up and are rejected (their divergence forgiven), and ULA with and without a blow-up. Any
 * change here changes what the samplers compute: it must be deliberate, never a side effect of
 * restructuring the code.
 */
class SamplerGoldenTest {
    static final Task TASK = OrthogonalTask.generate(10, 8, 4, new double[]{.5, .25, .25}, true, 1, 0, 0.5, 3);
    static final int C = 5, STEPS = 40, SEED = 17;

    static ModelSpec spec(int L, Phi phi) {
        return new ModelSpec(L, L == 0 ? 10 : 12, 10, 3, phi, L == 0 ? Scaling.LAZY : Scaling.MEANFIELD, 3.0, true, 1.0, 1.0);
    }

    static float[] eta(String list) {
        String[] p = list.split(";");
        float[] e = new float[p.length];
        for (int g = 0; g < p.length; g++) e[g] = Float.parseFloat(p[g]);
        return e;
    }

    record Outcome(long step, String crc, long[] accepted, long[] divergedAt) {}

    static Outcome run(String algorithm, ModelSpec spec, float[] eta) {
        try (CpuBackend b = new CpuBackend(spec, TASK, C, 2)) {
            b.load(ChainState.fromPrior(spec, C, SEED));
            Sampler s = Sampler.of(algorithm, eta);
            s.init(b);
            for (int k = 0; k < STEPS; k++) s.step(b);
            CRC32 crc = new CRC32();
            ByteBuffer bb = ByteBuffer.allocate(8);
            for (float[] p : b.snapshot().params())
                for (float v : p) {
                    bb.clear();
                    bb.putInt(Float.floatToRawIntBits(v));
                    crc.update(bb.array(), 0, 4);
                }
            for (double[] t : b.traces())
                for (double v : t) {
                    bb.clear();
                    bb.putLong(Double.doubleToRawLongBits(v));
                    crc.update(bb.array(), 0, 8);
                }
            return new Outcome(b.step(), Long.toHexString(crc.getValue()), b.accepted(), b.divergedAt());
        }
    }

    static long[] longs(String list) {
        String[] p = list.split(";");
        long[] v = new long[p.length];
        for (int i = 0; i < p.length; i++) v[i] = Long.parseLong(p[i].trim());
        return v;
    }

    @ParameterizedTest(name = "{0} L={1} {2} eta={3}")
    @CsvSource({
            "mala, 2, erf,    0.02;0.01;0.005, 2e776418, 35;40;39;40;37, -1;-1;-1;-1;-1",
            "mala, 1, relu,   0.1;0.1,         4719095,  8;11;11;10;10,  -1;-1;-1;-1;-1",
            "mala, 1, relu,   0.5;0.5,         38ed2ce6, 0;0;0;0;0,      -1;-1;-1;-1;-1",
            "mala, 1, relu,   20;20,           38ed2ce6, 0;0;0;0;0,      -1;-1;-1;-1;-1",
            "mala, 0, linear, 0.1,             8a8eb472, 28;28;31;28;26, -1;-1;-1;-1;-1",
            "ula,  2, tanh,   0.02;0.01;0.005, 418f3bbe, 0;0;0;0;0,      -1;-1;-1;-1;-1",
            "ula,  1, relu,   2;2,             aa3dca9f, 0;0;0;0;0,      2;2;2;2;2",
            "ula,  1, relu,   20;20,           aa3dca9f, 0;0;0;0;0,      1;1;1;1;1"})
    void fortyStepsGiveTheRecordedBits(String algorithm, int L, String phi, String eta, String crc, String accepted,
                                       String divergedAt) {
        Outcome o = run(algorithm, spec(L, Phi.parse(phi)), eta(eta));
        assertEquals(STEPS, o.step());
        assertEquals(crc, o.crc(), "CRC of parameters and traces");
        assertArrayEquals(longs(accepted), o.accepted(), "accepted proposals");
        assertArrayEquals(longs(divergedAt), o.divergedAt(), "divergence steps");
    }

    /**
     * At η = 20 every chain's first proposal blows up (ULA from the same state and noise is flagged
     * at step 1, the step after its first move): MALA rejects them all and forgives the flags.
     */
    @Test
    void malasRejectedBlowUpsAreForgiven() {
        ModelSpec spec = spec(1, Phi.RELU);
        try (CpuBackend b = new CpuBackend(spec, TASK, C, 1)) {
            b.load(ChainState.fromPrior(spec, C, SEED));
            Sampler ula = Sampler.of("ula", eta("20;20"));
            ula.init(b);
            ula.step(b);
            assertArrayEquals(longs("1;1;1;1;1"), b.divergedAt(), "ULA's first move blows up");
        }
        Outcome mala = run("mala", spec, eta("20;20"));
        assertArrayEquals(longs("0;0;0;0;0"), mala.accepted());
        assertArrayEquals(longs("-1;-1;-1;-1;-1"), mala.divergedAt());
    }
}
