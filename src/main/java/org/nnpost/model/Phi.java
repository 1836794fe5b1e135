package org.nnpost.model;

import java.util.Locale;

import org.nnpost.spec.SpecException;

/**
 * The hidden-layer nonlinearity φ and its derivative (SPEC §1). The float methods are what the
 * hot loops use; they round the double result once, so the CPU and the GPU (which evaluates the
 * same expressions in double before rounding) see the same activations up to one ulp.
 */
public enum Phi {
    LINEAR {
        @Override public double value(double z) { return z; }
        @Override public double derivative(double z) { return 1.0; }
    },
    /** erf(√π z / 2): a sigmoid with slope 1 at the origin, like the linear and ReLU cases. */
    ERF {
        @Override public double value(double z) { return SpecialFunctions.erf(HALF_SQRT_PI * z); }
        @Override public double derivative(double z) { return Math.exp(-Math.PI * z * z / 4.0); }
        @Override public float value(float z) { return (float) SpecialFunctions.erfFast(HALF_SQRT_PI * z); }
    },
    /** max(z, 0); a NaN stays NaN, so a blown-up chain cannot look healthy downstream. */
    RELU {
        @Override public double value(double z) { return z > 0 || z != z ? z : 0.0; }
        @Override public double derivative(double z) { return z > 0 ? 1.0 : z != z ? z : 0.0; }
    },
    TANH {
        @Override public double value(double z) { return Math.tanh(z); }
        @Override public double derivative(double z) { double t = Math.tanh(z); return 1.0 - t * t; }
    };

    static final double HALF_SQRT_PI = Math.sqrt(Math.PI) / 2.0;

    public abstract double value(double z);

    public abstract double derivative(double z);

    public float value(float z) { return (float) value((double) z); }

    public float derivative(float z) { return (float) derivative((double) z); }

    /** The name used on the command line and in files. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** Small integer shared with the CUDA kernels' switch. */
    public int code() { return ordinal(); }

    /** The Phi named s; any other word is a bad --phi. */
    public static Phi parse(String s) {
        for (Phi p : values()) if (p.id().equals(s)) return p;
        throw SpecException.of("phi", s, "unknown value", names());
    }

    /** Every name, as a message lists the allowed values. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (Phi p : values()) b.append(b.length() > 0 ? ", " : "").append(p.id());
        return b.toString();
    }
}
