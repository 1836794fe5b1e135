package org.nnpost.rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.HostCxx;

/**
 * src/main/cuda/philox.cuh, the GPU's noise, compiled for the host with stand-ins for the CUDA
 * intrinsics (src/test/cuda/host_shim.h: each _rn intrinsic one IEEE float operation, no
 * contraction into fused multiply-adds) draws {@link Noise}'s normals bit for bit. This checks
 * without a GPU that the header performs the same rounded operations in the same order as
 * BoxMuller; that the GPU's intrinsics are the IEEE operations is checked on a GPU
 * (CudaBackendGpuTest). Skipped where no C++ compiler is on the PATH.
 */
class PhiloxHeaderOnHostTest {

    @Test
    void theCudaHeaderDrawsNoisesNormalsBitForBit(@TempDir Path tmp) throws Exception {
        Path exe = HostCxx.compile(tmp, "noise_on_host.cpp", "philox.cuh");
        List<String> requests = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (NoiseGolden.Normal g : NoiseGolden.NORMALS) {
            float[] e = new float[g.i() + 1];
            e[g.i()] = Float.intBitsToFloat(g.bits());
            float[] bulk = new float[g.i() + 1];
            Noise.normals(g.seed(), g.chain(), g.step(), g.group(), bulk, 0, bulk.length);
            System.arraycopy(bulk, 0, e, 0, g.i());   // all but the golden last one from Noise, the last from the table
            requests.add(normals(g.seed(), g.chain(), g.step(), g.group(), e.length));
            expected.add(e);
        }
        for (NoiseGolden.Pair g : NoiseGolden.PAIRS) {
            requests.add("P " + Integer.toUnsignedString(g.a()) + " " + Integer.toUnsignedString(g.b()));
            expected.add(new float[]{Float.intBitsToFloat(g.cosBits()), Float.intBitsToFloat(g.sinBits())});
        }
        SplittableRandom rnd = new SplittableRandom(20240611);
        for (int k = 0; k < 200; k++) {   // 200 addresses, 1024 normals each, some lengths not a multiple of 4
            int seed = rnd.nextInt(), chain = rnd.nextInt(1 << 16), group = rnd.nextInt(8), n = 1021 + rnd.nextInt(4);
            long step = switch (k % 4) {
                case 0 -> rnd.nextInt(1_000_000);
                case 1 -> rnd.nextLong();
                case 2 -> Noise.INIT_STEP;
                default -> (long) rnd.nextInt(4) << 32 | rnd.nextInt(16);
            };
            float[] e = new float[n];
            Noise.normals(seed, chain, step, group, e, 0, n);
            requests.add(normals(seed, chain, step, group, n));
            expected.add(e);
        }
        BoxMuller bm = new BoxMuller(1);
        for (int k = 0; k < 20_000; k++) {   // single pairs, the extremes of each word among them
            int a = k < 64 ? (k < 32 ? k : -1 - k) : rnd.nextInt(), b = k % 64 < 8 ? k << 21 : rnd.nextInt();
            bm.words[0] = a;
            bm.words[1] = b;
            bm.radii(1);
            bm.angles(1);
            float[] e = new float[2];
            bm.combine(e, 0, 1);
            requests.add("P " + Integer.toUnsignedString(a) + " " + Integer.toUnsignedString(b));
            expected.add(e);
        }
        List<String> answers = HostCxx.run(exe, requests);
        assertEquals(requests.size(), answers.size(), "answers");
        long compared = 0;
        for (int r = 0; r < requests.size(); r++) {
            String[] hex = answers.get(r).trim().split(" ");
            float[] e = expected.get(r);
            assertEquals(e.length, hex.length, requests.get(r));
            for (int i = 0; i < e.length; i++, compared++)
                assertEquals(String.format("%08x", Float.floatToRawIntBits(e[i])), hex[i], requests.get(r) + ", element " + i);
        }
        assertTrue(compared > 200_000, "compared " + compared);
    }

    private static String normals(int seed, int chain, long step, int group, int n) {
        return "N " + Integer.toUnsignedString(seed) + " " + chain + " " + step + " " + group + " " + n;
    }
}
