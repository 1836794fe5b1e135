package org.nnpost.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

import org.nnpost.backend.Backend;
import org.nnpost.data.Task;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.diagnostics.CodingMetrics;
import org.nnpost.io.NpyStream;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Readout;

/**
 * The few draws a user keeps whole (SPEC §6, the paper's activation rasters): readout weights
 * [chain, draw, N, m] and last-layer activations [chain, draw, N, P] on train and test inputs,
 * streamed to disk as they come. From the same draws it scores each sample's own predictor,
 * giving the Gibbs error at no extra forward pass, and measures the coding scheme.
 *
 * <p>While the run goes the arrays live in its checkpoint directory, where they do not look
 * finished; {@link #force} makes them durable before a checkpoint counts them, a resumed run
 * reopens them and reads back the draws already kept ({@link #open} with {@code done}), and
 * {@link #publish} moves them into the run directory when the run completes. A dropped chain's
 * entries from its drop on are NaN and it no longer counts in the Gibbs error or the coding
 * metrics.
 */
public final class KeptSamples implements AutoCloseable {
    static final String[] FILES = {RunLayout.READOUT, RunLayout.ACT_TRAIN, RunLayout.ACT_TEST};

    private final Path runDir;
    private final ModelSpec spec;
    private final int C, K, width, m, P, Pt;
    private final NpyStream readout, actTrain, actTest;
    private final ClassErrors.Gibbs gibbsTrain, gibbsTest;
    private final CodingMetrics.Accumulator coding;   // null when there is no hidden layer
    private final float[] aT;
    private final double[] f;
    private int done;

    /**
     * The kept-draw arrays of a run, made in its checkpoint directory or reopened there.
     *
     * @param done    kept draws already written by an earlier process of this run (0 for a new run);
     *                they are read back into the Gibbs error and coding metrics
     * @param dropped per chain, the kept draw from which it was dropped (it counts in none of
     *                them from there on), or −1; null when none is
     */
    public static KeptSamples open(Path runDir, ModelSpec spec, Task task, int chains, int kept, int done, int[] dropped) {
        return new KeptSamples(runDir, spec, task, chains, kept, done, dropped);
    }

    private KeptSamples(Path runDir, ModelSpec spec, Task task, int chains, int kept, int done, int[] droppedFrom) {
        this.runDir = runDir;
        this.spec = spec;
        this.C = chains;
        this.K = kept;
        this.width = spec.lastWidth();
        this.m = spec.m();
        this.P = task.train().P();
        this.Pt = task.test().P();
        try {
            Files.createDirectories(runDir.resolve(Checkpoint.DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(Checkpoint.DIR) + ": " + e.getMessage(), e);
        }
        NpyStream r = null, a = null, t = null;
        try {
            r = NpyStream.openFloat32(Checkpoint.streamPath(runDir, RunLayout.READOUT), C, K, width, m);
            a = NpyStream.openFloat32(Checkpoint.streamPath(runDir, RunLayout.ACT_TRAIN), C, K, width, P);
            t = NpyStream.openFloat32(Checkpoint.streamPath(runDir, RunLayout.ACT_TEST), C, K, width, Pt);
        } catch (RuntimeException e) {
            if (r != null) r.close();
            if (a != null) a.close();
            throw e;
        }
        readout = r;
        actTrain = a;
        actTest = t;
        gibbsTrain = new ClassErrors.Gibbs(m, task.train().labels());
        gibbsTest = new ClassErrors.Gibbs(m, task.test().labels());
        coding = spec.L() > 0 ? new CodingMetrics.Accumulator(width, m, task.train().labels()) : null;
        aT = new float[width * m];
        f = new double[Math.max(P, Pt) * m];
        for (int j = 0; j < done; j++) replay(j, droppedFrom);
        this.done = done;
    }

    /** Kept draws written so far. */
    public int done() { return done; }

    /**
     * Saves kept draw j of every chain from the backend's current parameters.
     *
     * @param dropped chains dropped by now: their entries are NaN and they count nowhere
     */
    public void record(int j, Backend backend, boolean[] dropped) {
        ChainState s = backend.snapshot();
        int L = spec.L();
        float[] a = s.params()[L];   // per chain m × width ([out][in])
        for (int c = 0; c < C; c++) {
            long slot = (long) c * K + j;
            if (dropped != null && dropped[c]) {
                writeNaN(slot);
                continue;
            }
            int off = c * m * width;
            for (int r = 0; r < m; r++)
                for (int i = 0; i < width; i++) aT[i * m + r] = a[off + r * width + i];
            readout.write(slot * width * m, aT, 0, width * m);
            float[] hTrain = backend.activations(c, false);
            actTrain.write(slot * width * P, hTrain, 0, width * P);
            float[] hTest = backend.activations(c, true);
            actTest.write(slot * width * Pt, hTest, 0, width * Pt);
            score(Arrays.copyOfRange(a, off, off + m * width), hTrain, hTest);
        }
        done = Math.max(done, j + 1);
    }

    private void writeNaN(long slot) {
        int n = width * Math.max(m, Math.max(P, Pt));
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        readout.write(slot * width * m, nan, 0, width * m);
        actTrain.write(slot * width * P, nan, 0, width * P);
        actTest.write(slot * width * Pt, nan, 0, width * Pt);
    }

    /** The Gibbs error and coding metrics of one chain's draw: a as m × width, h as width × n. */
    private void score(float[] a, float[] hTrain, float[] hTest) {
        gibbsTrain.add(Readout.outputs(spec, a, 0, hTrain, P, f));
        if (coding != null) coding.add(a, hTrain);
        if (Pt > 0) gibbsTest.add(Readout.outputs(spec, a, 0, hTest, Pt, f));
    }

    /** Reads kept draw j back from the arrays and scores it as {@link #record} did. */
    private void replay(int j, int[] droppedFrom) {
        for (int c = 0; c < C; c++) {
            if (droppedFrom != null && droppedFrom[c] >= 0 && j >= droppedFrom[c]) continue;
            long slot = (long) c * K + j;
            float[] t = readout.read(slot * width * m, width * m);
            float[] a = new float[m * width];
            for (int r = 0; r < m; r++)
                for (int i = 0; i < width; i++) a[r * width + i] = t[i * m + r];
            score(a, actTrain.read(slot * width * P, width * P), actTest.read(slot * width * Pt, width * Pt));
        }
    }

    public ClassErrors gibbsTrain() { return gibbsTrain.result(); }

    /** The coding scheme of the kept draws' last hidden layer, or null (L = 0, or none kept). */
    public CodingMetrics coding() { return coding == null || coding.samples() == 0 ? null : coding.result(); }

    public ClassErrors gibbsTest() { return gibbsTest.result(); }

    /** Makes what was written durable, before a checkpoint says it is in. */
    public void force() {
        readout.force();
        actTrain.force();
        actTest.force();
    }

    /** Moves the finished arrays into the run directory under their own names. */
    public void publish() {
        force();
        close();
        for (String name : FILES) {
            Path from = Checkpoint.streamPath(runDir, name), to = runDir.resolve(name);
            try {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + to + ": " + e.getMessage(), e);
            }
        }
        Checkpoint.syncDirectory(runDir);
    }

    /**
     * Where a finished array went when the streams of a resumed run are missing from the
     * checkpoint directory: moved into the run directory by a process that stopped before it was
     * done. Moves it back, so the run can reopen it.
     */
    public static void recover(Path runDir) {
        for (String name : FILES) {
            Path stream = Checkpoint.streamPath(runDir, name), published = runDir.resolve(name);
            if (!Files.exists(stream) && Files.exists(published)) {
                try {
                    Files.createDirectories(stream.getParent());
                    Files.move(published, stream, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot move " + published + " back: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Closes the arrays; their files stay, for a resumed run or for {@link #publish}. */
    @Override
    public void close() {
        readout.close();
        actTrain.close();
        actTest.close();
    }
}
