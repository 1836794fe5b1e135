package org.nnpost.backend.cuda;

/**
 * How the CUDA backend runs, beside the model: which GPU, and whether cuBLAS may use TF32 tensor
 * cores for the forward and backward GEMMs (about 10 bits of mantissa in the products, sums in
 * FP32; a statistics check, not bitwise agreement with the CPU, is what TF32 runs can promise).
 * Observables (kernels, predictor moments) are always reduced in FP32 with float64 running sums.
 *
 * @param graphs replay a step captured once as a CUDA graph in {@code Backend.repeat}
 */
public record CudaOptions(int device, boolean tf32, boolean graphs) {
    public static final CudaOptions DEFAULT = new CudaOptions(0, false, true);

    public CudaOptions withTf32(boolean on) { return new CudaOptions(device, on, graphs); }

    public CudaOptions withGraphs(boolean on) { return new CudaOptions(device, tf32, on); }
}
