package org.nnpost.run;

/** What a run reports while it goes; the CLI turns it into a bar or plain lines. */
public interface Progress {
    /** Called once before the first step. */
    void start(String description, long totalSteps);

    /** Called after each block of steps: mean training loss over chains, steps per second. */
    void update(long step, double meanLoss, double stepsPerSecond);

    /** A line for the user (backend chosen, outputs written, …). */
    void message(String line);

    void finish();

    /** The run's directory, once it is claimed (before the first step; a resumed run's own): where a log of the run goes. */
    default void directory(java.nio.file.Path dir) {}

    Progress SILENT = new Progress() {
        @Override public void start(String d, long t) {}
        @Override public void update(long s, double l, double r) {}
        @Override public void message(String line) {}
        @Override public void finish() {}
    };
}
