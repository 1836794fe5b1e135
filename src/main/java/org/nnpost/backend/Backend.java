package org.nnpost.backend;

import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;

/**
 * What a Langevin sampler needs from the hardware: the parameters of C chains held where the
 * arithmetic happens, a batched forward/backward pass, fused updates with addressed noise, and
 * reductions of observables. {@code CpuBackend} is the reference; {@code CudaBackend} must give
 * the same numbers for the same seed, to float tolerance.
 *
 * <p>The samplers in {@code org.nnpost.sampler} are written once against this interface. A
 * backend keeps the step counter itself (on the GPU, in device memory) so that a block of steps
 * can be queued, or replayed as a CUDA graph, without the host in between.
 */
public interface Backend extends AutoCloseable {

    /** Which backend and device, for logs and the manifest. */
    String description();

    ModelSpec spec();

    int chains();

    /** Replaces all parameters and the step counter; clears divergence flags. */
    void load(ChainState state);

    /** A host copy of the parameters and the step counter. */
    ChainState snapshot();

    long step();

    /**
     * Forward and backward pass on the training set at the current parameters of every chain:
     * the likelihood part of ∇U (the prior term is fused into the updates), per-chain U, loss and
     * squared norms. A chain whose U is not finite or exceeds the divergence limit is flagged at
     * the current step.
     */
    void gradient();

    /**
     * One unadjusted Langevin step from the last {@link #gradient()}:
     * θ_g ← θ_g − η_g (∇_g(βE) + θ_g/σ_g²) + √(2η_g) ξ(seed, chain, step, g); then step += 1.
     */
    void langevinStep(float[] eta);

    /**
     * Metropolis-adjusted Langevin, first half: keeps θ, U and ∇U, then moves every chain to the
     * ULA proposal from them (same noise as {@link #langevinStep}). Call {@link #gradient()} at
     * the proposal, then {@link #metropolis}.
     */
    void propose(float[] eta);

    /**
     * Metropolis-adjusted Langevin, second half: per chain, accepts the proposal with probability
     * min(1, π(θ′) q(θ|θ′) / π(θ) q(θ′|θ)), else restores θ, U and ∇U; then step += 1.
     * The uniform is addressed by (seed, chain, step, {@link org.nnpost.rng.Noise#EXTRA_GROUP}).
     */
    void metropolis(float[] eta);

    /** Accepted proposals per chain since the last {@link #load}. */
    long[] accepted();

    /** Runs {@code step} n times. A GPU backend may capture it once and replay it as a graph. */
    default void repeat(int n, Runnable step) {
        for (int i = 0; i < n; i++) step.run();
    }

    /**
     * Per chain, from the last {@link #gradient()}: [U, loss, ‖W¹‖², …, ‖a‖²], where
     * loss = ½ Σ_μ ‖f(x_μ) − y_μ‖²; the columns are named in {@link Traces}.
     */
    double[][] traces();

    /** Per chain, the step at which it diverged, or −1. */
    long[] divergedAt();

    /**
     * Adds the current parameters of every chain (the state of the last {@link #gradient()}) to
     * the running kernel and predictor sums, on train and test inputs.
     */
    void accumulate();

    /** Host copy of the running sums. */
    Moments moments();

    /** Clears the running sums (after burn-in, say). */
    void resetMoments();

    /**
     * Last-hidden-layer activations φ(z^L) of one chain at its current parameters, [neuron][input]
     * (for L = 0 the input itself), on the training or the test inputs.
     */
    float[] activations(int chain, boolean test);

    @Override
    void close();
}
