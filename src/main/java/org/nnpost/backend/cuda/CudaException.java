package org.nnpost.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;

/** A CUDA driver or cuBLAS call that failed, named with the call and the error. */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaException(String message) { super(message); }

    /** The run asks for more GPU memory than is free: the user can fix it with fewer chains. */
    public static final class TooLarge extends CudaException {
        private static final long serialVersionUID = 1L;

        public TooLarge(String message) { super(message); }
    }

    /** The first line of a failure's message (native loaders write several), for one-line errors. */
    public static String oneLine(Throwable e) { return GpuProbe.firstLine(e); }

    /** Throws when a driver API call did not return CUDA_SUCCESS. */
    static void check(int rc, String what) {
        if (rc != CUresult.CUDA_SUCCESS) throw new CudaException(what + " failed: " + CUresult.stringFor(rc));
    }

    /** Throws when a cuBLAS call did not return CUBLAS_STATUS_SUCCESS. */
    static void checkBlas(int rc, String what) {
        if (rc != cublasStatus.CUBLAS_STATUS_SUCCESS) throw new CudaException(what + " failed: " + cublasStatus.stringFor(rc));
    }
}
