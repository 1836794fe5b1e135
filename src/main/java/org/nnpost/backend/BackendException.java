package org.nnpost.backend;

import org.nnpost.spec.NnpostException;

/**
 * The backend asked for cannot be made here: no usable GPU, a GPU backend that fails to start, a
 * run too large for the GPU's memory, a CPU GEMM setting that does not hold. It says what
 * happened and why, in terms of the request ({@link #request}); the command line words the
 * remedy in its own flags.
 */
public final class BackendException extends NnpostException {

    /** What went wrong, so that a caller can say what to do about it. */
    public enum Reason {
        /** cuda asked for (or needed by cuRAND or --devices) and no usable GPU found; detail: the probe's reason. */
        NO_GPU,
        /** a GPU was found but the backend could not start on it; detail: the failure's first line. */
        GPU_FAILED,
        /** the chains do not fit into the GPU's free memory; detail: how many would. */
        TOO_LARGE,
        /** more devices than chains to split over them. */
        TOO_FEW_CHAINS,
        /** split across devices with cuRAND's noise: each GPU would seed its own stream. */
        SPLIT_WITH_CURAND,
        /** the CPU GEMM chosen by the environment (NNPOST_CPU_GEMM) cannot be used; detail: why. */
        CPU_GEMM
    }

    private final Reason reason;
    private final BackendSpec request;
    private final int chains;
    private final String detail;

    /** @param chains the chains the backend was to hold */
    public BackendException(Reason reason, BackendSpec request, int chains, String detail) {
        super(BAD_INPUT, neutral(reason, request, chains, detail));
        this.reason = reason;
        this.request = request;
        this.chains = chains;
        this.detail = detail;
    }

    public Reason reason() { return reason; }

    public BackendSpec request() { return request; }

    public int chains() { return chains; }

    public String detail() { return detail; }

    private static String neutral(Reason r, BackendSpec q, int chains, String detail) {
        return switch (r) {
            case NO_GPU -> "no usable GPU (" + detail + ")";
            case GPU_FAILED -> "the GPU backend could not start (" + detail + ")";
            case TOO_LARGE -> chains + " chains do not fit into the GPU's memory: " + detail;
            case TOO_FEW_CHAINS -> q.devices().length + " devices for " + chains + " chains";
            case SPLIT_WITH_CURAND -> "splitting chains across GPUs with cuRAND's noise: each GPU would seed its own "
                    + "cuRAND stream, so the chains would not draw what one GPU draws";
            case CPU_GEMM -> detail;
        };
    }
}
