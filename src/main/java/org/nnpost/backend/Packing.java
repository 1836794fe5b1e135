package org.nnpost.backend;

import java.util.Arrays;

/**
 * How a backend's chains are cut into members: consecutive blocks of chains, each with its own
 * {@link StepConstants} (β, 1/σ², targets, divergence limit), its own seed (given by the state it
 * loads) and its own step sizes (given with each move). A run is a packing of one member; a
 * sweep packs points that share the network's shape and the inputs (docs/DESIGN.md, "Packing")
 * so that their chains go through one set of GEMMs. Member k's chain j is chain first(k) + j of
 * the backend, and its noise is addressed by (member k's seed, j): exactly the numbers the member
 * would draw alone.
 *
 * @param chains    chains per member, each ≥ 1
 * @param constants the step constants per member; their layer scales (the network's shape) agree
 */
public record Packing(int[] chains, StepConstants[] constants) {

    public Packing {
        if (chains.length == 0 || chains.length != constants.length)
            throw new IllegalArgumentException("one chain count and one set of constants per member, at least one member");
        for (int c : chains) if (c < 1) throw new IllegalArgumentException("a member with " + c + " chains");
        for (StepConstants k : constants)
            if (!Arrays.equals(k.scale(), constants[0].scale()) || k.yT().length != constants[0].yT().length)
                throw new IllegalArgumentException("members of other shapes cannot share a backend");
        chains = chains.clone();
        constants = constants.clone();
    }

    /** One member of C chains: an ordinary run. */
    public static Packing single(int chains, StepConstants constants) {
        return new Packing(new int[]{chains}, new StepConstants[]{constants});
    }

    public int members() { return chains.length; }

    /** Member k's chains. */
    public int chains(int k) { return chains[k]; }

    /** Member k's constants. */
    public StepConstants constants(int k) { return constants[k]; }

    /** The backend's index of member k's first chain. */
    public int first(int k) {
        int f = 0;
        for (int j = 0; j < k; j++) f += chains[j];
        return f;
    }

    /** Every member's chains together. */
    public int total() {
        int t = 0;
        for (int c : chains) t += c;
        return t;
    }

    /** Per chain of the backend, the member it belongs to. */
    public int[] memberOfChain() {
        int[] m = new int[total()];
        for (int k = 0, c = 0; k < chains.length; k++)
            for (int j = 0; j < chains[k]; j++) m[c++] = k;
        return m;
    }

    /** Per member, its entry of a per-member array (step sizes, say), which may also give one entry for all. */
    public <T> T[] perMember(T[] given, String what) {
        int M = members();
        if (given.length == M) return given;
        if (given.length != 1) throw new IllegalArgumentException(given.length + " sets of " + what + " for " + M + " members");
        T[] all = Arrays.copyOf(given, M);
        Arrays.fill(all, given[0]);
        return all;
    }

    @Override public int[] chains() { return chains.clone(); }

    @Override public StepConstants[] constants() { return constants.clone(); }
}
