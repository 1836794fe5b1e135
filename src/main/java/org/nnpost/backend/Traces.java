package org.nnpost.backend;

import org.nnpost.model.ModelSpec;

/**
 * The layout of one chain's row of {@link Backend#traces()}: the potential U, the training loss
 * ½ Σ_μ ‖f(x_μ) − y_μ‖², then ‖θ_g‖² for every parameter group g = 0..L (W¹, …, a). The GPU's
 * trace buffer is laid out the same way (nnpost.cu: TRACE_POTENTIAL, TRACE_LOSS, TRACE_SQNORM0),
 * and a run's trace files are named after these columns: trace_potential.npy, trace_loss.npy,
 * trace_sqnorm_W1.npy, …. "potential" rather than U, the symbol of SPEC §3, because the theory's
 * U is the readout covariance (SPEC §7).
 */
public final class Traces {
    /** Column of U = β·loss + Σ_g ‖θ_g‖²/(2σ_g²). */
    public static final int POTENTIAL = 0;
    /** Column of the training loss ½ Σ_μ ‖f(x_μ) − y_μ‖². */
    public static final int LOSS = 1;
    /** Column of ‖θ_0‖²; group g's squared norm is at {@link #sqNorm(int) SQNORM0 + g}. */
    public static final int SQNORM0 = 2;

    private Traces() {}

    /** Column of the squared norm of parameter group g. */
    public static int sqNorm(int g) { return SQNORM0 + g; }

    /** Columns in a row for a network with this many parameter groups. */
    public static int width(int groups) { return SQNORM0 + groups; }

    /** Column names for this network: potential, loss, sqnorm_W1, …, sqnorm_a (trace_&lt;name&gt;.npy). */
    public static String[] names(ModelSpec spec) {
        String[] groups = new String[spec.groups()];
        for (int g = 0; g < groups.length; g++) groups[g] = spec.groupName(g);
        return names(groups);
    }

    /** Column names for parameter groups with these names (W1, …, a). */
    public static String[] names(String... groupNames) {
        String[] n = new String[width(groupNames.length)];
        n[POTENTIAL] = "potential";
        n[LOSS] = "loss";
        for (int g = 0; g < groupNames.length; g++) n[sqNorm(g)] = "sqnorm_" + groupNames[g];
        return n;
    }
}
