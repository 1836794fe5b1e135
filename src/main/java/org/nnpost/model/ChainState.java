package org.nnpost.model;

import org.nnpost.rng.Noise;

/**
 * Everything that determines the rest of a run: the parameters of all chains, the step counter
 * and the seed, and for underdamped Langevin the momenta. Random numbers are addressed by
 * (seed, chain, step), so this value alone resumes a run bit for bit.
 *
 * @param params  params[g] holds group g of every chain, [chain][out][in], chain-major
 * @param momenta the momenta, laid out as params, or null for a sampler without them
 */
public record ChainState(int chains, int seed, long step, float[][] params, float[][] momenta) {

    /** A state without momenta (overdamped samplers). */
    public ChainState(int chains, int seed, long step, float[][] params) {
        this(chains, seed, step, params, null);
    }

    /** Independent draws from the prior, addressed by the reserved initial step. */
    public static ChainState fromPrior(ModelSpec spec, int chains, int seed) {
        float[][] p = new float[spec.groups()][];
        for (int g = 0; g < spec.groups(); g++) {
            int size = spec.groupSize(g);
            p[g] = new float[chains * size];
            float sd = (float) Math.sqrt(spec.priorVariance(g));
            for (int c = 0; c < chains; c++) {
                Noise.normals(seed, c, Noise.INIT_STEP, g, p[g], c * size, size);
                for (int i = 0; i < size; i++) p[g][c * size + i] *= sd;
            }
        }
        return new ChainState(chains, seed, 0, p);
    }

    /**
     * The same state with momenta drawn from their stationary law N(0, I) (unit mass), addressed
     * by (seed, chain, the reserved initial step, {@link Noise#MOMENTUM_GROUP} + g).
     */
    public ChainState withFreshMomenta(ModelSpec spec) {
        float[][] m = new float[spec.groups()][];
        for (int g = 0; g < spec.groups(); g++) {
            int size = spec.groupSize(g);
            m[g] = new float[chains * size];
            for (int c = 0; c < chains; c++) Noise.normals(seed, c, Noise.INIT_STEP, Noise.MOMENTUM_GROUP + g, m[g], c * size, size);
        }
        return new ChainState(chains, seed, step, params, m);
    }

    public ChainState withStep(long newStep) { return new ChainState(chains, seed, newStep, params, momenta); }

    /** Copy of one chain's group g, [out][in]. */
    public float[] chainGroup(ModelSpec spec, int g, int chain) {
        int size = spec.groupSize(g);
        float[] out = new float[size];
        System.arraycopy(params[g], chain * size, out, 0, size);
        return out;
    }
}
