package org.nnpost.diagnostics;

import java.util.Arrays;

/**
 * The scalar traces of every chain at every kept draw (SPEC §6): U, training loss and the squared
 * norm of each parameter group, in the order {@code Backend.traces()} gives them (their names and
 * columns are {@code backend.Traces}'). R̂ and ESS need
 * whole chains, so these are kept; they are small (a few doubles per chain and draw).
 */
public final class TraceRecorder {
    private final String[] names;
    private final int chains;
    private final double[][][] data;   // [trace][chain][draw], grown as draws arrive
    private int draws;

    /** @param capacity the number of draws expected; storage starts smaller and grows to it */
    public TraceRecorder(String[] names, int chains, int capacity) {
        this.names = names.clone();
        this.chains = chains;
        this.data = new double[names.length][chains][Math.max(1, Math.min(capacity, 1024))];
    }

    /**
     * The recorder a checkpoint saved, holding its draws so far.
     *
     * @param saved {@link #snapshot()}: [trace][chain][draw] in C order, draws × chains × traces long
     */
    public static TraceRecorder restored(String[] names, int chains, int capacity, double[] saved, int draws) {
        if (saved.length != (long) names.length * chains * draws)
            throw new IllegalArgumentException(saved.length + " values for " + names.length + " traces x " + chains
                    + " chains x " + draws + " draws");
        TraceRecorder r = new TraceRecorder(names, chains, Math.max(capacity, draws));
        while (r.data[0][0].length < draws) r.grow(Math.max(2 * r.data[0][0].length, draws));
        for (int k = 0; k < names.length; k++)
            for (int c = 0; c < chains; c++)
                System.arraycopy(saved, (k * chains + c) * draws, r.data[k][c], 0, draws);
        r.draws = draws;
        return r;
    }

    /** Every draw so far as [trace][chain][draw] in C order, for a checkpoint. */
    public double[] snapshot() {
        double[] out = new double[names.length * chains * draws];
        for (int k = 0; k < names.length; k++)
            for (int c = 0; c < chains; c++) System.arraycopy(data[k][c], 0, out, (k * chains + c) * draws, draws);
        return out;
    }

    /** One draw: perChain[c][k] is trace k of chain c. */
    public void record(double[][] perChain) {
        if (draws == data[0][0].length) grow();
        for (int c = 0; c < chains; c++)
            for (int k = 0; k < names.length; k++) data[k][c][draws] = perChain[c][k];
        draws++;
    }

    /** Doubling, so a run that stops early never reserved room for draws it did not make. */
    private void grow() { grow(Math.max(2 * draws, 1)); }

    private void grow(int n) {
        for (double[][] t : data)
            for (int c = 0; c < chains; c++) t[c] = Arrays.copyOf(t[c], n);
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
