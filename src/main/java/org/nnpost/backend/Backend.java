package org.nnpost.backend;

import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;

/**
 * What a Langevin sampler needs from the hardware: the parameters of C chains held where the
 * arithmetic happens, a batched forward/backward pass, fused updates with addressed noise, and
 * reductions of observables. {@code CpuBackend} is the reference; {@code CudaBackend} must give
 * the same numbers for the same seed, to float tolerance.
 *
 * <p>The samplers in {@code org.nnpost.sampler} own the algorithms and compose them from the
 * named primitives here ({@link #gradient}, {@link #move}, {@link #save}, {@link #metropolis},
 * {@link #advance}), each of which fuses its work over every chain; the formulas inside the
 * primitives are {@link StepMath}'s and the numbers they use {@link StepConstants}' and
 * {@link StepSizes}'. For example, with h the sampler's step sizes:
 * <pre>
 *   ULA:   move(h, false); advance(); gradient();
 *   MALA:  save(); move(h, true); gradient(); metropolis(h); advance();
 *   ULD:   baoa(u); advance(); gradient(); kick(u);       (BAOAB, u: {@link Underdamping})
 * </pre>
 * A backend keeps the step counter itself (on the GPU, in device memory) so that a block of
 * steps can be queued, or replayed as a CUDA graph, without the host in between: none of these
 * primitives reads anything back to the host.
 */
public interface Backend extends AutoCloseable {

    /** Which backend and device, for logs and the manifest. */
    String description();

    ModelSpec spec();

    int chains();

    /**
     * Replaces all parameters, the momenta (kept when the state has them, dropped when not) and
     * the step counter; clears divergence flags.
     */
    void load(ChainState state);

    /** A host copy of the parameters, the momenta if held, and the step counter. */
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
     * The fused Langevin update of every chain from the last {@link #gradient()}, with the noise
     * addressed at the current step: θ_g ← θ_g − η_g (∇_g(βE) + θ_g/σ_g²) + √(2η_g) ξ(seed,
     * chain, step, g) per element ({@link StepMath#langevin}). The step counter stays; the
     * gradient and traces are stale until the next {@link #gradient()}.
     *
     * @param proposal also keep, per chain, −log q(θ′|θ) = ½ ‖ξ‖² summed over all groups, the
     *                 forward proposal term that {@link #metropolis} needs
     * @throws IllegalArgumentException if h has not one step size per parameter group
     */
    void move(StepSizes h, boolean proposal);

    /**
     * Keeps θ, ∇U and the traces (U, loss, norms) of every chain: the state that
     * {@link #metropolis} returns a rejected chain to. Call it before the {@link #move} it may undo.
     */
    void save();

    /**
     * MALA's decision at the current step, after {@link #save()}, {@link #move move(h, true)} and
     * {@link #gradient()} at the proposal: per chain, the reverse proposal term
     * −log q(θ|θ′) = Σ_g ‖θ − θ′ + η_g ∇_g U(θ′)‖²/(4η_g), log α by
     * {@link StepMath#logAcceptance} and the test {@link StepMath#accepts} with the uniform
     * addressed by (seed, chain, step, {@link org.nnpost.rng.Noise#EXTRA_GROUP}). An accepted
     * proposal is counted ({@link #accepted()}); a rejected one is undone (θ, ∇U and traces back
     * to the saved ones) and a divergence flagged at this step, which only the proposal had, is
     * cleared. The step counter stays.
     *
     * @param h the step sizes of the move being judged
     */
    void metropolis(StepSizes h);

    /** step += 1: the next {@link #move} and uniform draw new noise. */
    void advance();

    /**
     * Underdamped Langevin's BAOAB step up to its last kick, fused over every element, from the
     * last {@link #gradient()}: B, A, O, A of {@link StepMath} (kick, drift, refresh with the
     * noise ξ(seed, chain, step, {@link org.nnpost.rng.Noise#MOMENTUM_GROUP} + g), drift). Needs
     * momenta (a loaded state that has them). The step counter stays.
     */
    void baoa(Underdamping u);

    /** BAOAB's last kick at the current parameters: p ← p − (h/2) ∇U, after {@link #gradient()}. */
    void kick(Underdamping u);

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
     * Per chain and group, ‖∇_g U‖² at the current parameters (the last {@link #gradient()} with
     * the prior term θ_g/σ_g² added): what step-size tuning reads to compare the groups'
     * curvatures, since E‖∇_g U‖² = E[Δ_g U] under the posterior. A host read.
     */
    double[][] gradientSquares();

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
     * Puts back what a checkpoint saved beside the parameters: the running sums, and per chain
     * the accepted proposals and the step at which it diverged (−1). Call after {@link #load}.
     */
    void restore(Moments sums, long[] accepted, long[] divergedAt);

    /**
     * Leaves chain c out of the running sums from the next {@link #accumulate()} on, and out of
     * their sample count: a diverged chain that the run drops. It keeps being stepped, so the
     * other chains' work is unchanged; nothing reads its numbers. {@link #load} forgets drops.
     */
    void drop(int chain);

    /**
     * Last-hidden-layer activations φ(z^L) of one chain at its current parameters, [neuron][input]
     * (for L = 0 the input itself), on the training or the test inputs.
     */
    float[] activations(int chain, boolean test);

    @Override
    void close();
}
