package org.nnpost.model;

import java.util.Locale;

import org.nnpost.spec.SpecException;

/** How the readout is scaled with width: f = N^(−γ) Σ a φ(z) (SPEC §1). */
public enum Scaling {
    /** γ = 1: the non-lazy regime, where neurons learn codes; the paper's subject. */
    MEANFIELD(1.0),
    /** γ = ½: the lazy (NTK/NNGP) regime, where features barely move. */
    LAZY(0.5);

    public final double gamma;

    Scaling(double gamma) { this.gamma = gamma; }

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** The Scaling named s; any other word is a bad --scaling. */
    public static Scaling parse(String s) {
        for (Scaling v : values()) if (v.id().equals(s)) return v;
        throw SpecException.of("scaling", s, "unknown value", names());
    }

    /** Every name, as a message lists the allowed values. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (Scaling v : values()) b.append(b.length() > 0 ? ", " : "").append(v.id());
        return b.toString();
    }
}
