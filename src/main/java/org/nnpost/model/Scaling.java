package org.nnpost.model;

import java.util.Locale;

/** How the readout is scaled with width: f = N^(−γ) Σ a φ(z) (SPEC §1). */
public enum Scaling {
    /** γ = 1: the non-lazy regime, where neurons learn codes; the paper's subject. */
    MEANFIELD(1.0),
    /** γ = ½: the lazy (NTK/NNGP) regime, where features barely move. */
    LAZY(0.5);

    public final double gamma;

    Scaling(double gamma) { this.gamma = gamma; }

    public String id() { return name().toLowerCase(Locale.ROOT); }

    public static Scaling parse(String s) {
        for (Scaling v : values()) if (v.id().equals(s)) return v;
        throw new IllegalArgumentException(s);
    }
}
