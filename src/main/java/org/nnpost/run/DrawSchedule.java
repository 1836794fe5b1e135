package org.nnpost.run;

import org.nnpost.sampler.SamplerSpec;

/**
 * Which steps a run observes. Draw d (0-based) is taken after step burnIn + (d+1)·every, i.e. at
 * steps k > burnIn with (k − burnIn) divisible by every. Of the D draws, K = min(keepDraws, D)
 * evenly spaced ones also save readout weights and activations: kept draw j is draw
 * ⌊(j+1)·D/K⌋ − 1, so the last draw is always among them.
 *
 * @param maxBlock the most steps run between two looks at the chains (progress, divergence)
 */
record DrawSchedule(long steps, long burnIn, int every, long draws, int kept, int maxBlock) {

    static DrawSchedule of(SamplerSpec s) {
        return of(s.steps(), s.burnIn(), s.every(), s.keepDraws());
    }

    static DrawSchedule of(long steps, long burnIn, int every, int keepDraws) {
        long draws = steps <= burnIn ? 0 : (steps - burnIn) / every;
        int kept = (int) Math.min(keepDraws, draws);
        // about 200 looks per run, at most every 100 steps: frequent enough for a live rate and
        // an early stop on divergence, rare enough to cost nothing
        int maxBlock = (int) Math.max(1, Math.min(100, steps / 200));
        return new DrawSchedule(steps, burnIn, every, draws, kept, maxBlock);
    }

    /** The step after which draw d is taken. */
    long stepOf(long d) { return burnIn + (d + 1) * every; }

    /** True when the chains after {@code step} steps make a draw. */
    boolean isDraw(long step) { return step > burnIn && step <= steps && (step - burnIn) % every == 0; }

    /** The draw taken after {@code step} steps (only meaningful when {@link #isDraw}). */
    long drawAt(long step) { return (step - burnIn) / every - 1; }

    /** The draw index of kept draw j. */
    long drawOfKept(int j) { return (j + 1) * draws / kept - 1; }

    /** The kept index of draw d, or −1 when draw d saves no samples. */
    int keptIndex(long d) {
        if (kept == 0) return -1;
        // smallest j with drawOfKept(j) ≥ d, then check it hits d exactly
        long j = ((d + 1) * kept + draws - 1) / draws - 1;
        return j >= 0 && j < kept && drawOfKept((int) j) == d ? (int) j : -1;
    }

    /** Where the block starting after {@code step} steps ends: the next draw, at most maxBlock on, at most steps. */
    long nextStop(long step) {
        long stop = Math.min(steps, step + maxBlock);
        if (step < burnIn + every) return Math.min(stop, burnIn + every);
        long nextDraw = step + (every - (step - burnIn) % every);
        return Math.min(stop, nextDraw);
    }
}
