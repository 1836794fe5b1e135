package org.nnpost.cli;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

import org.nnpost.run.Progress;

/**
 * How a run shows itself on the console: a bar with steps/s, ETA and mean loss on a terminal;
 * plain periodic lines (for logs and CI) otherwise; or nothing. Closing it ends a bar that a
 * failed run left open, so the error line that follows starts on a line of its own.
 */
abstract class ConsoleProgress implements Progress, AutoCloseable {

    /** Plain lines come at most this often, apart from the first and the last. */
    static final long LINE_INTERVAL_NANOS = 5_000_000_000L;

    static ConsoleProgress create(String mode, PrintStream out, boolean terminal) {
        ConsoleProgress p = switch (mode) {
            case "off" -> new Off();
            case "bar" -> bar(out);
            case "lines" -> new Lines(out, LINE_INTERVAL_NANOS);
            default -> terminal ? bar(out) : new Lines(out, LINE_INTERVAL_NANOS);
        };
        if (out instanceof RunLog.Tee t) p.log = t;
        return p;
    }

    /** A bar on the terminal; when the output is teed into a run log, the log gets plain lines in its place. */
    private static Bar bar(PrintStream out) {
        if (out instanceof RunLog.Tee t) return new Bar(t.raw, out, new Lines(t.log.only(), LINE_INTERVAL_NANOS), width());
        return new Bar(out, out, null, width());
    }

    /** The terminal's width: $COLUMNS when the shell exports it, else 80. */
    static int width() {
        try {
            String c = System.getenv("COLUMNS");
            return c == null ? 80 : Math.max(40, Math.min(500, Integer.parseInt(c.trim())));
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** The stream teed into the run's log, if any: the log is opened in the run's directory once it is claimed. */
    private RunLog.Tee log;

    @Override
    public void directory(java.nio.file.Path dir) {
        if (log != null) log.log.open(dir, log.raw);
    }

    /** Four significant digits without trailing zeros: 0.25, 1234, 1.5e-07, NaN. */
    static String num(double x) {
        if (!Double.isFinite(x)) return Double.toString(x);
        if (x == 0) return "0";
        double a = Math.abs(x);
        if (a >= 1e-3 && a < 1e6) return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        return String.format(Locale.ROOT, "%.3e", x);
    }

    private boolean finished;

    @Override
    public final void finish() {
        if (!finished) {
            finished = true;
            end();
        }
    }

    abstract void end();

    @Override
    public void close() { finish(); }

    static final class Off extends ConsoleProgress {
        @Override public void start(String description, long totalSteps) {}
        @Override public void update(long step, double meanLoss, double stepsPerSecond) {}
        @Override public void message(String line) {}
        @Override void end() {}
    }

    /**
     * A bar redrawn in place: "37% [=====>     ] 3700/10000  812 steps/s  ETA 0:08  loss 0.0123".
     * The numbers keep their room whatever the width; the bar takes what is left (at least 5
     * columns, else it goes). The run's description is a line of its own above it.
     */
    static final class Bar extends ConsoleProgress {
        static final long REDRAW_NANOS = 200_000_000L;
        private final PrintStream out, messages;
        private final Lines logLines;
        private final int width;
        private long total, lastDraw = Long.MIN_VALUE;
        private long step;
        private double loss = Double.NaN, rate = Double.NaN;
        private boolean drawn;

        /**
         * @param out      where the bar is drawn (a terminal)
         * @param messages where messages go (the same, or teed into a run log)
         * @param logLines plain lines for the run log in the bar's place, or null
         */
        Bar(PrintStream out, PrintStream messages, Lines logLines, int width) {
            this.out = out;
            this.messages = messages;
            this.logLines = logLines;
            this.width = width;
        }

        @Override
        public void start(String description, long totalSteps) {
            total = totalSteps;
            out.println(description + ": " + totalSteps + " steps");
            if (logLines != null) logLines.start(description, totalSteps);
            draw(0, Double.NaN, Double.NaN, true);
        }

        @Override
        public void update(long step, double meanLoss, double stepsPerSecond) {
            if (logLines != null) logLines.update(step, meanLoss, stepsPerSecond);
            draw(step, meanLoss, stepsPerSecond, step == total);
        }

        private void draw(long step, double meanLoss, double stepsPerSecond, boolean now) {
            this.step = step;
            loss = meanLoss;
            rate = stepsPerSecond;
            long t = System.nanoTime();
            if (!now && t - lastDraw < REDRAW_NANOS) return;
            lastDraw = t;
            out.print("\r" + line(width - 1, step, total, rate, loss));
            out.flush();
            drawn = true;
        }

        /** The bar's line, at most {@code columns} characters, padded to clear what an earlier, longer one left. */
        static String line(int columns, long step, long total, double rate, double loss) {
            String pct = String.format(Locale.ROOT, "%3d%%", total > 0 ? 100 * step / total : 0);
            String eta = rate > 0 && total > step ? Lines.duration((total - step) / rate) : step >= total && total > 0 ? "0:00" : "?";
            String nums = String.format(Locale.ROOT, " %d/%d  %s steps/s  ETA %s  loss %s", step, total, num(rate), eta, num(loss));
            int room = columns - pct.length() - nums.length() - 3;
            String s;
            if (room >= 5) {
                int fill = total > 0 ? (int) (room * Math.min(1.0, (double) step / total)) : 0;
                StringBuilder b = new StringBuilder(pct).append(" [");
                for (int i = 0; i < room; i++) b.append(i < fill ? '=' : i == fill ? '>' : ' ');
                s = b.append(']').append(nums).toString();
            } else {
                s = pct + nums;
            }
            if (s.length() > columns) s = s.substring(0, Math.max(0, columns));
            StringBuilder pad = new StringBuilder(s);
            while (pad.length() < columns) pad.append(' ');
            return pad.toString();
        }

        @Override
        public void message(String line) {
            if (drawn) out.println();
            drawn = false;
            messages.println(line);
        }

        @Override
        void end() {
            if (drawn) {
                out.print("\r" + line(width - 1, step, total, rate, loss));
                out.println();
            }
            drawn = false;
            if (logLines != null) logLines.finish();
        }
    }

    /** One line at the start, then at most one every interval, and one at the end. */
    static final class Lines extends ConsoleProgress {
        private final PrintStream out;
        private final long intervalNanos;
        private String description = "";
        private long total, lastPrinted = Long.MIN_VALUE, lastStep = -1;
        private double lastLoss = Double.NaN, lastRate = Double.NaN;
        private boolean lastShown = true;

        Lines(PrintStream out, long intervalNanos) {
            this.out = out;
            this.intervalNanos = intervalNanos;
        }

        @Override
        public void start(String description, long totalSteps) {
            this.description = description;
            this.total = totalSteps;
            out.println(description + ": " + totalSteps + " steps");
            lastPrinted = System.nanoTime();
        }

        @Override
        public void update(long step, double meanLoss, double stepsPerSecond) {
            lastStep = step;
            lastLoss = meanLoss;
            lastRate = stepsPerSecond;
            long now = System.nanoTime();
            if (now - lastPrinted >= intervalNanos || step == total) {
                print();
                lastPrinted = now;
            } else {
                lastShown = false;
            }
        }

        private void print() {
            String eta = lastRate > 0 && total > lastStep ? ", ETA " + duration((total - lastStep) / lastRate) : "";
            out.println(String.format(Locale.ROOT, "%s: step %d/%d (%d%%), %s steps/s, loss %s%s", description, lastStep,
                    total, total > 0 ? 100 * lastStep / total : 0, num(lastRate), num(lastLoss), eta));
            lastShown = true;
        }

        @Override
        public void message(String line) { out.println(line); }

        @Override
        void end() {
            if (!lastShown && lastStep >= 0) print();
        }

        static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }
}
