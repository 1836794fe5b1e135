package org.nnpost.backend;

/**
 * Running sums over all chains and all kept draws, reduced where the chains live (SPEC §6):
 * the posterior-averaged kernels and the predictor's first two moments. Divide by
 * {@code samples} for means.
 *
 * @param samples     number of (chain, draw) pairs summed
 * @param kernelTrain kernelTrain[l−1]: Σ (1/N) Σ_i φ(z_i^l(x_μ)) φ(z_i^l(x_ν)), P × P, l = 1..L
 * @param kernelTest  the same on test inputs, P* × P*
 * @param fTrain      Σ f(x_μ), P × m;  fTrainSq: Σ f², P × m
 * @param fTest       Σ f(x*), P* × m;  fTestSq: Σ f², P* × m
 */
public record Moments(long samples, double[][] kernelTrain, double[][] kernelTest,
                      double[] fTrain, double[] fTrainSq, double[] fTest, double[] fTestSq) {
}
