package org.nnpost.backend;

/**
 * The per-element and per-chain formulas of a Langevin step, written once. The CPU backend calls
 * these in its loops (they are small enough for HotSpot to inline); the GPU's kernels call their
 * twins in src/main/cuda/langevin.cuh, which perform the same correctly rounded operations in the
 * same order (a test compiles that header for the host and compares it with this class bit for
 * bit). Each formula's rounding is part of its contract: change one here and there together.
 *
 * <p>The step, per parameter group g with step size η and 1/σ² = invVar (SPEC §3):
 * <pre>
 *   θ′ = θ − η (∇(βE)(θ) + θ/σ²) + √(2η) ξ                       {@link #langevin}
 *   −log q(θ′|θ) = ½ ‖ξ‖²                                          (up to a constant)
 *   −log q(θ|θ′) = Σ_g ‖θ − θ′ + η_g ∇_g U(θ′)‖² / (4η_g)          {@link #reverseElement}, {@link #reverseTerm}
 *   log α = −U(θ′) + U(θ) − (−log q(θ′|θ)) + (−log q(θ|θ′))        {@link #logAcceptance}
 * </pre>
 * and underdamped Langevin's BAOAB step (unit mass, h = √(2η), {@link Underdamping}):
 * <pre>
 *   B: p ← p − (h/2) (∇(βE)(θ) + θ/σ²)                              {@link #kick}
 *   A: θ ← θ + (h/2) p                                              {@link #drift}
 *   O: p ← e^{−γh} p + √(1 − e^{−2γh}) ξ                            {@link #refresh}
 *   A, then B at the new θ's gradient
 * </pre>
 */
public final class StepMath {
    private StepMath() {}

    /**
     * One element's Langevin move, θ − η (g + θ·invVar) + s·ξ with s = √(2η): float operations,
     * each rounded, in the order (θ − η·(g + θ·invVar)) + s·ξ, no fused multiply-add.
     *
     * @param grad the likelihood part of the gradient, ∇(βE); the prior force θ·invVar is added here
     */
    public static float langevin(float theta, float grad, float eta, float invVar, float noiseScale, float xi) {
        return theta - eta * (grad + theta * invVar) + noiseScale * xi;
    }

    /** √(2η) rounded once to float, the factor of the noise in {@link #langevin}. */
    public static float noiseScale(float eta) { return (float) Math.sqrt(2.0 * eta); }

    /**
     * One element of MALA's reverse proposal term, d = (θ − θ′) + η (g′ + θ′·invVar), where θ is
     * the element before the proposal and θ′, g′ after it. θ − θ′ is a float subtraction (rounded
     * once); the rest is double arithmetic, each operation rounded, no fused multiply-add.
     */
    public static double reverseElement(float old, float theta, float grad, float eta, float invVar) {
        float diff = old - theta;
        double full = grad + theta * (double) invVar;
        return diff + eta * full;
    }

    /** {@link #reverseElement}'s square, the element's share of ‖θ − θ′ + η ∇U(θ′)‖². */
    public static double reverseShare(float old, float theta, float grad, float eta, float invVar) {
        double d = reverseElement(old, theta, grad, eta, invVar);
        return d * d;
    }

    /** A group's −log q(θ|θ′) from the sum of its elements' {@link #reverseShare}s: sum / (4η). */
    public static double reverseTerm(double sumOfShares, float eta) { return sumOfShares / (4.0 * eta); }

    /**
     * log of MALA's acceptance ratio, π(θ′) q(θ|θ′) / (π(θ) q(θ′|θ)), from the potentials and the
     * two proposal terms (each −log q up to the shared constant): −uNew + uOld − reverse + forward,
     * in that order.
     *
     * @param logQForward −log q(θ′|θ) = ½ ‖ξ‖², summed over every group
     * @param logQReverse −log q(θ|θ′), summed over every group
     */
    public static double logAcceptance(double uNew, double uOld, double logQForward, double logQReverse) {
        return -uNew + uOld - logQReverse + logQForward;
    }

    /**
     * Whether a uniform u ∈ (0, 1] accepts: log u &lt; log α. False when log α is NaN (a proposal
     * whose U is not finite is rejected).
     */
    public static boolean accepts(double uniform, double logAlpha) { return Math.log(uniform) < logAlpha; }

    /** BAOAB's kick (B): p − (h/2)(g + θ·invVar), float operations in that order, each rounded. */
    public static float kick(float p, float grad, float theta, float halfStep, float invVar) {
        return p - halfStep * (grad + theta * invVar);
    }

    /** BAOAB's drift (A): θ + (h/2)·p, rounded twice. */
    public static float drift(float theta, float p, float halfStep) { return theta + halfStep * p; }

    /** BAOAB's Ornstein–Uhlenbeck refresh (O): e^{−γh}·p + √(1 − e^{−2γh})·ξ, as (decay·p) + (noise·ξ). */
    public static float refresh(float p, float decay, float noise, float xi) { return decay * p + noise * xi; }
}
