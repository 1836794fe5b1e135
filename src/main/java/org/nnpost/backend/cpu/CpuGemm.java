package org.nnpost.backend.cpu;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Which {@link Gemm} the CPU backend uses: {@code auto} (OpenBLAS when its native library
 * loads, else the Java kernel), {@code openblas} (an error when it does not load) or
 * {@code java}. The choice comes from the environment variable NNPOST_CPU_GEMM (or the system
 * property nnpost.cpu.gemm), so that one setting reaches every command and the benchmark.
 */
public final class CpuGemm {
    private CpuGemm() {}

    public static final String ENV = "NNPOST_CPU_GEMM", PROPERTY = "nnpost.cpu.gemm";

    /** A way to make one {@link Gemm} per thread, and its name for logs and benchmark tables. */
    record Choice(String name, Supplier<Gemm> factory) {}

    /** The choice in the environment (auto when unset). */
    static Choice fromEnvironment() {
        String v = System.getProperty(PROPERTY);
        if (v == null) v = System.getenv(ENV);
        return choose(v == null || v.isBlank() ? "auto" : v);
    }

    /** The name of the kernel the environment picks, e.g. for a benchmark's table. */
    public static String describe() { return fromEnvironment().name(); }

    /**
     * @throws IllegalArgumentException one line naming the setting and what is allowed, for an
     *         unknown value or for openblas when it cannot be loaded
     */
    static Choice choose(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "java":
                return java();
            case "openblas":
                if (OpenBlasGemm.unavailable() != null)
                    throw new IllegalArgumentException(ENV + "=openblas: " + OpenBlasGemm.describe()
                            + " (allowed: auto, openblas, java)");
                return new Choice(OpenBlasGemm.describe(), OpenBlasGemm::new);
            case "auto":
                return OpenBlasGemm.unavailable() == null ? new Choice(OpenBlasGemm.describe(), OpenBlasGemm::new)
                        : new Choice("Java kernel (" + OpenBlasGemm.describe() + ")", JavaGemm::new);
            default:
                throw new IllegalArgumentException(ENV + "=" + value + ": unknown (allowed: auto, openblas, java)");
        }
    }

    static Choice java() { return new Choice("Java kernel", JavaGemm::new); }
}
