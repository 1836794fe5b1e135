package org.nnpost.run;

/** Runs one `nnpost sample` request end to end and writes its run directory. */
public final class SampleRun {
    private SampleRun() {}

    public static RunResult execute(RunConfig config, Progress progress) {
        throw new UnsupportedOperationException("not written yet");
    }
}
