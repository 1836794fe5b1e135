package org.nnpost.sampler;

/**
 * How to sample: the algorithm, one step size per parameter group (W¹ … W^L, a), how many
 * chains and steps, and which draws to keep.
 *
 * @param burnIn    steps discarded before the first kept draw
 * @param every     a draw is kept every this many steps after burn-in
 * @param keepDraws how many kept draws also save readout weights and activations (evenly spaced)
 * @param seed      32-bit unsigned sampler seed (the Philox key's first word)
 */
public record SamplerSpec(String algorithm, float[] eta, int chains, long steps, long burnIn, int every,
                          int keepDraws, int seed) {

    /** Number of kept draws: steps k with k > burnIn and (k − burnIn) divisible by every. */
    public long draws() { return steps <= burnIn ? 0 : (steps - burnIn) / every; }
}
