package org.nnpost.observe;

/**
 * The scalar traces of every chain at every kept draw (SPEC §6): U, training loss and the squared
 * norm of each parameter group, in the order {@code Backend.traces()} gives them. R̂ and ESS need
 * whole chains, so these are kept; they are small (a few doubles per chain and draw).
 */
public final class TraceRecorder {
    private final String[] names;
    private final int chains;
    private final double[][][] data;   // [trace][chain][draw]
    private int draws;

    /** @param capacity the number of draws the run will keep */
    public TraceRecorder(String[] names, int chains, int capacity) {
        this.names = names.clone();
        this.chains = chains;
        this.data = new double[names.length][chains][capacity];
    }

    /** Trace names for a network with the given parameter-group names (W1, …, a). */
    public static String[] names(String[] groupNames) {
        String[] n = new String[2 + groupNames.length];
        n[0] = "U";
        n[1] = "loss";
        for (int g = 0; g < groupNames.length; g++) n[2 + g] = "sqnorm_" + groupNames[g];
        return n;
    }

    /** One draw: perChain[c][k] is trace k of chain c. */
    public void record(double[][] perChain) {
        if (draws == data[0][0].length) throw new IllegalStateException("more draws than announced");
        for (int c = 0; c < chains; c++)
            for (int k = 0; k < names.length; k++) data[k][c][draws] = perChain[c][k];
        draws++;
    }

    public int draws() { return draws; }

    public int chains() { return chains; }

    public String[] names() { return names.clone(); }

    /** Trace k as [chain][draw], the draws recorded so far. */
    public double[][] chainsOf(int k) {
        double[][] out = new double[chains][draws];
        for (int c = 0; c < chains; c++) System.arraycopy(data[k][c], 0, out[c], 0, draws);
        return out;
    }

    /** Trace k flattened in C order [chain, draw], for an .npy file. */
    public double[] flat(int k) {
        double[] out = new double[chains * draws];
        for (int c = 0; c < chains; c++) System.arraycopy(data[k][c], 0, out, c * draws, draws);
        return out;
    }

    /** Mean of trace k over all chains and draws. */
    public double mean(int k) {
        double s = 0;
        for (int c = 0; c < chains; c++) for (int d = 0; d < draws; d++) s += data[k][c][d];
        return s / ((double) chains * draws);
    }
}
