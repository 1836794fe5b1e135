package org.nnpost.run;

import java.nio.file.Path;

import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * How a run behaves around its numbers: where it writes, how it shows progress, when it saves a
 * checkpoint, what it does with a chain that diverges and whether convergence warnings fail it.
 * Only {@code onDivergence} changes what a run writes (which chains' draws are in it); it is
 * recorded with the parameters. The rest is recorded under manifest.json's {@code output}.
 *
 * @param outDir       the run directory to create (must not exist, or be empty)
 * @param freshName    the directory was named by the clock: a run that finds it taken takes the
 *                     next free name (suffix -2, -3, …) rather than failing
 * @param progress     "auto" (a bar on a terminal, lines otherwise), "bar", "lines" or "off"
 * @param checkpoints  when to save a checkpoint
 * @param onDivergence "stop": a diverged chain ends the run (exit code 3); "drop": the run goes on
 *                     with the healthy chains and writes their outputs, naming the dropped ones
 * @param strict       convergence warnings end the run with exit code 4 (after writing everything)
 */
public record RunOptions(Path outDir, boolean freshName, String progress, Checkpoints checkpoints, String onDivergence,
                         boolean strict) {

    public static final String[] ON_DIVERGENCE = {"stop", "drop"};

    public RunOptions {
        Check.that(outDir != null, "out", null, "missing", RunSettings.OUT_ALLOWED);
        Check.oneOf("progress", progress, RunSettings.PROGRESS);
        Check.that(checkpoints != null, "checkpoint-every", null, "missing", Checkpoints.ALLOWED);
        Check.oneOf("on-divergence", onDivergence, ON_DIVERGENCE);
    }

    /** A run into dir with the defaults: no progress shown, checkpoints as by default, stop on divergence. */
    public static RunOptions into(Path dir, String progress) {
        return new RunOptions(dir, false, progress, Checkpoints.DEFAULT, "stop", false);
    }

    /** The same options writing into another directory. */
    public RunOptions withOutDir(Path dir) {
        return new RunOptions(dir, false, progress, checkpoints, onDivergence, strict);
    }

    /** Whether a diverged chain is dropped rather than ending the run. */
    public boolean dropsDiverged() { return onDivergence.equals("drop"); }

    /**
     * When a running run saves its state: every so many steps, or every so many seconds of wall
     * time, or never on a schedule ({@code off}); always at the end of burn-in unless off, and
     * always when interrupted. Checkpoints read the state and change nothing of it, so when they
     * are taken has no effect on any number of the run.
     *
     * @param steps   a checkpoint every this many steps, or 0
     * @param seconds a checkpoint after this many seconds since the last, or 0
     */
    public record Checkpoints(long steps, double seconds) {
        public static final String ALLOWED = "a number of steps (5000), a duration (90s, 10m, 2h), or off";
        /** Every five minutes: at most a few minutes of work lost to a crash, a negligible cost. */
        public static final Checkpoints DEFAULT = new Checkpoints(0, 300);
        public static final Checkpoints OFF = new Checkpoints(0, 0);

        public Checkpoints {
            Check.that(steps >= 0 && seconds >= 0 && Double.isFinite(seconds) && !(steps > 0 && seconds > 0),
                    "checkpoint-every", steps + " steps, " + seconds + " s", "not one interval", ALLOWED);
        }

        public boolean off() { return steps == 0 && seconds == 0; }

        /** "5000", "90s", "off", as the flag takes it. */
        public String text() {
            if (off()) return "off";
            if (steps > 0) return Long.toString(steps);
            return seconds == Math.rint(seconds) ? (long) seconds + "s" : seconds + "s";
        }

        /** The interval a flag names: steps, a duration with s, m or h, or off. */
        public static Checkpoints parse(String text) {
            String s = text.trim();
            if (s.equals("off")) return OFF;
            if (s.matches("[0-9]+")) {
                long n;
                try {
                    n = Long.parseLong(s);
                } catch (NumberFormatException e) {
                    throw SpecException.of("checkpoint-every", text, "too large", ALLOWED);
                }
                if (n < 1) throw SpecException.of("checkpoint-every", text, "not positive", ALLOWED);
                return new Checkpoints(n, 0);
            }
            if (s.matches("[0-9]+(\\.[0-9]+)?[smh]")) {
                double v = Double.parseDouble(s.substring(0, s.length() - 1));
                double unit = switch (s.charAt(s.length() - 1)) {
                    case 's' -> 1;
                    case 'm' -> 60;
                    default -> 3600;
                };
                if (!(v > 0)) throw SpecException.of("checkpoint-every", text, "not positive", ALLOWED);
                return new Checkpoints(0, v * unit);
            }
            throw SpecException.of("checkpoint-every", text, "not an interval", ALLOWED);
        }
    }
}
