package org.nnpost.cli;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

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
        return switch (mode) {
            case "off" -> new Off();
            case "bar" -> new Bar(out);
            case "lines" -> new Lines(out, LINE_INTERVAL_NANOS);
            default -> terminal ? new Bar(out) : new Lines(out, LINE_INTERVAL_NANOS);
        };
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

    static final class Bar extends ConsoleProgress {
        private final PrintStream out;
        private ProgressBar bar;

        Bar(PrintStream out) { this.out = out; }

        @Override
        public void start(String description, long totalSteps) {
            bar = new ProgressBarBuilder()
                    .setTaskName(description)
                    .setInitialMax(totalSteps)
                    .setUnit(" steps", 1)
                    .showSpeed()
                    .setSpeedUnit(ChronoUnit.SECONDS)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500)
                    .setConsumer(new ConsoleProgressBarConsumer(out))
                    .build();
        }

        @Override
        public void update(long step, double meanLoss, double stepsPerSecond) {
            if (bar == null) return;
            bar.stepTo(step);
            bar.setExtraMessage(" loss " + num(meanLoss));
        }

        @Override
        public void message(String line) {
            if (bar != null) out.println();
            out.println(line);
        }

        @Override
        void end() {
            if (bar != null) bar.close();
            bar = null;
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
