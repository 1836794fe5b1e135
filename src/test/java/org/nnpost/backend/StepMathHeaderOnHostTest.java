package org.nnpost.backend;

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
 * src/main/cuda/langevin.cuh, the step formulas the GPU's kernels use, compiled for the host with
 * stand-ins for the CUDA intrinsics (src/test/cuda/host_shim.h, no fused multiply-adds) and driven
 * by src/test/cuda/step_on_host.cpp, gives {@link StepMath}'s results bit for bit on random and
 * edge inputs (zeros of both signs, subnormals, the largest floats, infinities, NaN), and names the
 * trace columns as {@link Traces} does. That the GPU's intrinsics are these IEEE operations is
 * checked on a GPU (CudaBackendGpuTest). Skipped where no C++ compiler is on the PATH.
 */
class StepMathHeaderOnHostTest {
    static final float[] EDGE_F = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, 0.5f, 1e-30f,
            3e38f, -3e38f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
    static final double[] EDGE_D = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1.0, -1.0, 1e300, -1e300, 1e-300,
            Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};

    /** What the driver answers and what StepMath says, request by request. */
    private final List<String> requests = new ArrayList<>(), expected = new ArrayList<>();

    @Test
    void theCudaHeaderComputesStepMathsResultsBitForBit(@TempDir Path tmp) throws Exception {
        Path exe = HostCxx.compile(tmp, "step_on_host.cpp", "langevin.cuh");
        SplittableRandom r = new SplittableRandom(20241130);
        requests.add("T");
        expected.add(Traces.POTENTIAL + " " + Traces.LOSS + " " + Traces.SQNORM0);

        int e = EDGE_F.length;
        for (int k = 0; k < 100_000; k++) {   // one edge value in turn among random arguments, then all random
            float[] a = {gaussian(r), gaussian(r, 10), eta(r), (float) (0.1 + 10 * r.nextDouble()), 0, gaussian(r)};
            a[4] = StepMath.noiseScale(a[2]);
            if (k < 6 * e * 4) a[(k / e) % 6] = EDGE_F[k % e];
            else if (k % 10 == 0) a[4] = gaussian(r);   // a noise scale that is not √(2η) of this η
            langevin(a);
        }
        for (int k = 0; k < 100_000; k++) {   // a proposal θ′ near θ, as a move makes it, or anywhere
            float old = gaussian(r), eta = eta(r);
            float theta = k % 2 == 0 ? old + StepMath.noiseScale(eta) * gaussian(r) : gaussian(r, 100);
            float[] a = {old, theta, gaussian(r, 10), eta, (float) (0.1 + 10 * r.nextDouble())};
            if (k < 5 * e * 4) a[(k / e) % 5] = EDGE_F[k % e];
            reverse(a);
        }
        for (int k = 0; k < 20_000; k++) {
            double sum = k < EDGE_D.length ? EDGE_D[k] : wide(r);
            float eta = k % 7 == 0 ? EDGE_F[r.nextInt(e)] : eta(r);
            requests.add("Q " + bits(sum) + " " + bits(eta));
            expected.add(hex(StepMath.reverseTerm(sum, eta)));
        }
        for (int k = 0; k < 50_000; k++) {
            double[] a = {wide(r), wide(r), 100 * r.nextDouble(), 100 * r.nextDouble()};
            if (k < 4 * EDGE_D.length * 4) a[(k / EDGE_D.length) % 4] = EDGE_D[k % EDGE_D.length];
            else if (k % 3 == 0) a[1] = a[0] + r.nextGaussian();   // potentials that nearly cancel
            logAcceptance(a[0], a[1], a[2], a[3]);
        }
        for (int k = 0; k < 50_000; k++) {
            double u = ((r.nextInt() & 0xFFFFFFFFL) + 1.0) * 0x1p-32;   // as Noise.uniform draws it
            double logAlpha = switch (k % 4) {
                case 0 -> -5 * r.nextDouble();
                case 1 -> Math.log(u) * (1 + (r.nextBoolean() ? 1e-9 : -1e-9));   // close to log u, but not within ulps
                case 2 -> EDGE_D[r.nextInt(EDGE_D.length)];
                default -> r.nextGaussian();
            };
            if (k < 64) u = k < 32 ? 1.0 : 0x1p-32;   // log 1 = 0 exactly: the boundary itself
            accepts(u, logAlpha);
        }
        for (double logAlpha : EDGE_D) accepts(1.0, logAlpha);
        for (int k = 0; k < 60_000; k++) {   // BAOAB's kick, drift and refresh, with edge values among random ones
            float half = (float) (StepMath.noiseScale(eta(r)) / 2), decay = (float) r.nextDouble();
            float[] kick = {gaussian(r), gaussian(r, 10), gaussian(r), half, (float) (0.1 + 10 * r.nextDouble())};
            float[] drift = {gaussian(r), gaussian(r, 3), half};
            float[] refresh = {gaussian(r, 3), decay, (float) Math.sqrt(1 - (double) decay * decay), gaussian(r)};
            if (k < 5 * e * 4) kick[(k / e) % 5] = EDGE_F[k % e];
            if (k < 3 * e * 4) drift[(k / e) % 3] = EDGE_F[k % e];
            if (k < 4 * e * 4) refresh[(k / e) % 4] = EDGE_F[k % e];
            uld('K', kick, StepMath.kick(kick[0], kick[1], kick[2], kick[3], kick[4]));
            uld('D', drift, StepMath.drift(drift[0], drift[1], drift[2]));
            uld('F', refresh, StepMath.refresh(refresh[0], refresh[1], refresh[2], refresh[3]));
        }

        List<String> answers = HostCxx.run(exe, requests);
        assertEquals(requests.size(), answers.size(), "answers");
        for (int k = 0; k < requests.size(); k++) assertEquals(expected.get(k), answers.get(k).trim(), requests.get(k));
        assertTrue(requests.size() > 300_000, "compared " + requests.size());
    }

    private void uld(char kind, float[] a, float result) {
        StringBuilder s = new StringBuilder().append(kind);
        for (float v : a) s.append(' ').append(bits(v));
        requests.add(s.toString());
        expected.add(hex(result));
    }

    private void langevin(float[] a) {
        StringBuilder s = new StringBuilder("L");
        for (float v : a) s.append(' ').append(bits(v));
        requests.add(s.toString());
        expected.add(hex(StepMath.langevin(a[0], a[1], a[2], a[3], a[4], a[5])));
    }

    private void reverse(float[] a) {
        StringBuilder s = new StringBuilder("R");
        for (float v : a) s.append(' ').append(bits(v));
        requests.add(s.toString());
        expected.add(hex(StepMath.reverseElement(a[0], a[1], a[2], a[3], a[4])) + " "
                + hex(StepMath.reverseShare(a[0], a[1], a[2], a[3], a[4])));
    }

    private void logAcceptance(double uNew, double uOld, double forward, double reverse) {
        requests.add("A " + bits(uNew) + " " + bits(uOld) + " " + bits(forward) + " " + bits(reverse));
        expected.add(hex(StepMath.logAcceptance(uNew, uOld, forward, reverse)));
    }

    private void accepts(double u, double logAlpha) {
        requests.add("U " + bits(u) + " " + bits(logAlpha));
        expected.add(StepMath.accepts(u, logAlpha) ? "1" : "0");
    }

    /** An argument's bits in hex. */
    static String bits(float v) { return String.format("%08x", Float.floatToRawIntBits(v)); }

    static String bits(double v) { return String.format("%016x", Double.doubleToRawLongBits(v)); }

    /** A result's bits in hex; every NaN as "nan" (payloads are the platform's, not the formula's). */
    static String hex(float v) { return Float.isNaN(v) ? "nan" : bits(v); }

    static String hex(double v) { return Double.isNaN(v) ? "nan" : bits(v); }

    static float gaussian(SplittableRandom r) { return (float) r.nextGaussian(); }

    static float gaussian(SplittableRandom r, double sd) { return (float) (sd * r.nextGaussian()); }

    /** Step sizes over ten decades, 10⁻⁸ to 10². */
    static float eta(SplittableRandom r) { return (float) Math.pow(10, -8 + 10 * r.nextDouble()); }

    /** Doubles of either sign over sixty decades. */
    static double wide(SplittableRandom r) { return (r.nextBoolean() ? 1 : -1) * Math.pow(10, -30 + 60 * r.nextDouble()); }
}
