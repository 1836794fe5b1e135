package org.nnpost.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nnpost.model.Phi;

/** The backend's φ and φ′ loops give exactly Phi's float numbers, bit for bit (NaN as NaN), edge cases included. */
class PhiKernelTest {
    static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0xFFC00000), Float.intBitsToFloat(0x7F800001), 3.5e-39f, -2.5f};

    static float[] inputs() {
        SplittableRandom r = new SplittableRandom(5);
        float[] z = new float[SPECIAL.length + 1000];
        System.arraycopy(SPECIAL, 0, z, 0, SPECIAL.length);
        for (int i = SPECIAL.length; i < z.length; i++) z[i] = (float) (4 * (r.nextDouble() - 0.5));
        return z;
    }

    @ParameterizedTest
    @EnumSource(Phi.class)
    void phiLoopEqualsPhiValue(Phi phi) {
        float[] z = inputs(), h = new float[z.length];
        CpuBackend.applyPhi(phi, z, h, z.length);
        for (int i = 0; i < z.length; i++) {
            float expected = phi.value(z[i]);
            // a NaN's payload carries no number: NaN in, NaN out is all that matters
            if (Float.isNaN(expected)) assertEquals(true, Float.isNaN(h[i]), "z = " + z[i]);
            else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(h[i]), "z = " + z[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(Phi.class)
    void derivativeLoopEqualsMultiplyingByPhiDerivative(Phi phi) {
        float[] z = inputs();
        // the special values and a few ordinary ones as p, against every z
        float[] ps = java.util.Arrays.copyOf(inputs(), SPECIAL.length + 8);
        for (float pv : ps) {
            float[] p = new float[z.length];
            java.util.Arrays.fill(p, pv);
            CpuBackend.multiplyByPhiDerivative(phi, p, z, z.length);
            for (int i = 0; i < z.length; i++) {
                float expected = pv * phi.derivative(z[i]);
                if (Float.isNaN(expected)) assertEquals(true, Float.isNaN(p[i]), "p = " + pv + ", z = " + z[i]);
                else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(p[i]), "p = " + pv + ", z = " + z[i]);
            }
        }
    }
}
