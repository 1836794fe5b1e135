package org.nnpost.backend;

import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * Where the chains run, as the user asks for it: the backend (cpu, cuda, or auto: the GPU when
 * one is usable), CPU threads, the GPU (or GPUs to split the chains across), TF32 tensor-core
 * products and cuRAND's noise. It names no CUDA type, so the layers above need not know the GPU
 * backend's internals; {@link BackendFactory} turns it into a backend. It checks itself: TF32
 * and cuRAND are GPU features, so asking for them with the CPU backend is refused
 * ({@link SpecException}).
 *
 * @param kind    "cpu", "cuda" or "auto"
 * @param threads CPU threads (results do not depend on it)
 * @param device  the GPU to run on
 * @param devices GPUs to split the chains across, or null for {@code device} alone
 * @param tf32    cuBLAS may use TF32 tensor cores for the GEMMs
 * @param curand  the Langevin noise comes from cuRAND instead of nnpost's Philox stream
 */
public record BackendSpec(String kind, int threads, int device, int[] devices, boolean tf32, boolean curand) {

    public static final String[] KINDS = {"cpu", "cuda", "auto"};
    public static final int MAX_THREADS = 4096, MAX_DEVICE = 1023;

    public BackendSpec {
        Check.oneOf("backend", kind, KINDS);
        Check.range("threads", threads, 1, MAX_THREADS);
        Check.range("device", device, 0, MAX_DEVICE);
        boolean cpu = kind.equals("cpu");
        Check.that(!(tf32 && cpu), "precision", "tf32", "needs the GPU backend",
                "fp32 with --backend cpu; tf32 with --backend cuda or auto");
        Check.that(!(curand && cpu), "rng", "curand", "needs the GPU backend",
                "philox with --backend cpu; curand with --backend cuda or auto");
        if (devices != null) {
            Check.that(!cpu, "devices", list(devices), "needs the GPU backend", "--backend cuda or auto");
            Check.that(devices.length > 0, "devices", "", "empty", DEVICES_ALLOWED);
            for (int d : devices) Check.that(d >= 0 && d <= MAX_DEVICE, "devices", list(devices), "not " + DEVICES_ALLOWED, DEVICES_ALLOWED);
            devices = devices.clone();
        }
    }

    static final String DEVICES_ALLOWED = "GPU indices from 0 to " + MAX_DEVICE + ", e.g. 0,1";

    /** The CPU backend on the given threads. */
    public static BackendSpec cpu(int threads) { return new BackendSpec("cpu", threads, 0, null, false, false); }

    /** The given backend with the GPU backend's defaults (device 0, FP32, Philox noise). */
    public static BackendSpec of(String kind, int threads) { return new BackendSpec(kind, threads, 0, null, false, false); }

    /** "fp32" or "tf32", as --precision spells it. */
    public String precision() { return tf32 ? "tf32" : "fp32"; }

    /** "philox" or "curand", as --rng spells it. */
    public String rng() { return curand ? "curand" : "philox"; }

    @Override public int[] devices() { return devices == null ? null : devices.clone(); }

    static String list(int[] d) {
        StringBuilder b = new StringBuilder();
        for (int x : d) b.append(b.length() > 0 ? "," : "").append(x);
        return b.toString();
    }
}
