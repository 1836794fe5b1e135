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
 * @param curand          the Langevin noise and MALA's uniforms come from cuRAND's Philox generator
 *                        rather than from our own Philox stream: an independent generator, so a
 *                        user can check that results do not hinge on ours. The draws then differ
 *                        from the CPU backend's, so agreement is statistical only; steps are not
 *                        replayed as graphs in this mode (see {@link CurandNoise})
 */
public record CudaOptions(int device, boolean tf32, boolean graphs, boolean vectorReadout, boolean transposedGemms,
                          boolean curand) {
    public static final CudaOptions DEFAULT = new CudaOptions(0, false, true, true, true, false);

    public CudaOptions withDevice(int d) { return new CudaOptions(d, tf32, graphs, vectorReadout, transposedGemms, curand); }

    public CudaOptions withTf32(boolean on) { return new CudaOptions(device, on, graphs, vectorReadout, transposedGemms, curand); }

    public CudaOptions withGraphs(boolean on) { return new CudaOptions(device, tf32, on, vectorReadout, transposedGemms, curand); }

    public CudaOptions withVectorReadout(boolean on) { return new CudaOptions(device, tf32, graphs, on, transposedGemms, curand); }

    public CudaOptions withTransposedGemms(boolean on) { return new CudaOptions(device, tf32, graphs, vectorReadout, on, curand); }

    public CudaOptions withCurand(boolean on) { return new CudaOptions(device, tf32, graphs, vectorReadout, transposedGemms, on); }

    /** The noise generator's name, as --rng spells it. */
    public String rng() { return curand ? "curand" : "philox"; }
}
