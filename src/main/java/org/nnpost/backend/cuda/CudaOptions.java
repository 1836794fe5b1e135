package org.nnpost.backend.cuda;

/**
 * How the CUDA backend runs, beside the model: which GPU, and whether cuBLAS may use TF32 tensor
 * cores for the forward and backward GEMMs (about 10 bits of mantissa in the products, sums in
 * FP32; a statistics check, not bitwise agreement with the CPU, is what TF32 runs can promise).
 * Observables (kernels, predictor moments) are always reduced in FP32 with float64 running sums.
 *
 * @param graphs          replay a step captured once as a CUDA graph in {@code Backend.repeat}
 * @param vectorReadout   the readout's forward kernel reads four inputs per thread where it can
 *                        (faster; off gives the one-input kernel, for comparison)
 * @param transposedGemms layer 1's forward GEMM, and with TF32 its weight-gradient GEMM, read X as
 *                        the transpose of its row-major copy ("TN", both operands contiguous along
 *                        the summed index) rather than as is ("NN"): the layouts measured fastest
 */
public record CudaOptions(int device, boolean tf32, boolean graphs, boolean vectorReadout, boolean transposedGemms) {
    public static final CudaOptions DEFAULT = new CudaOptions(0, false, true, true, true);

    public CudaOptions withTf32(boolean on) { return new CudaOptions(device, on, graphs, vectorReadout, transposedGemms); }

    public CudaOptions withGraphs(boolean on) { return new CudaOptions(device, tf32, on, vectorReadout, transposedGemms); }

    public CudaOptions withVectorReadout(boolean on) { return new CudaOptions(device, tf32, graphs, on, transposedGemms); }

    public CudaOptions withTransposedGemms(boolean on) { return new CudaOptions(device, tf32, graphs, vectorReadout, on); }
}
