package org.nnpost.output;

import java.nio.file.Path;
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
 */
public final class KeptSamples implements AutoCloseable {
    private final ModelSpec spec;
    private final int C, K, width, m, P, Pt;
    private final NpyStream readout, actTrain, actTest;
    private final ClassErrors.Gibbs gibbsTrain, gibbsTest;
    private final CodingMetrics.Accumulator coding;   // null when there is no hidden layer
    private final float[] aT;
    private final double[] f;

    public KeptSamples(Path dir, ModelSpec spec, Task task, int chains, int kept) {
        this.spec = spec;
        this.C = chains;
        this.K = kept;
        this.width = spec.lastWidth();
        this.m = spec.m();
        this.P = task.train().P();
        this.Pt = task.test().P();
        NpyStream r = null, a = null, t = null;
        try {
            r = NpyStream.createFloat32(dir.resolve(RunLayout.READOUT), C, K, width, m);
            a = NpyStream.createFloat32(dir.resolve(RunLayout.ACT_TRAIN), C, K, width, P);
            t = NpyStream.createFloat32(dir.resolve(RunLayout.ACT_TEST), C, K, width, Pt);
        } catch (RuntimeException e) {
            if (r != null) r.abort();
            if (a != null) a.abort();
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
    }

    /** Saves kept draw j of every chain from the backend's current parameters. */
    public void record(int j, Backend backend) {
        ChainState s = backend.snapshot();
        int L = spec.L();
        float[] a = s.params()[L];   // per chain m × width ([out][in])
        for (int c = 0; c < C; c++) {
            int off = c * m * width;
            for (int r = 0; r < m; r++)
                for (int i = 0; i < width; i++) aT[i * m + r] = a[off + r * width + i];
            long slot = (long) c * K + j;
            readout.write(slot * width * m, aT, 0, width * m);

            float[] hTrain = backend.activations(c, false);
            actTrain.write(slot * width * P, hTrain, 0, width * P);
            gibbsTrain.add(outputs(a, off, hTrain, P));
            if (coding != null) coding.add(Arrays.copyOfRange(a, off, off + m * width), hTrain);

            float[] hTest = backend.activations(c, true);
            actTest.write(slot * width * Pt, hTest, 0, width * Pt);
            if (Pt > 0) gibbsTest.add(outputs(a, off, hTest, Pt));
        }
    }

    /** f on n inputs, [input][class], in a reused buffer (may be longer). */
    private double[] outputs(float[] a, int off, float[] h, int n) {
        return Readout.outputs(spec, a, off, h, n, f);
    }

    public ClassErrors gibbsTrain() { return gibbsTrain.result(); }

    /** The coding scheme of the kept draws' last hidden layer, or null (L = 0, or none kept). */
    public CodingMetrics coding() { return coding == null || coding.samples() == 0 ? null : coding.result(); }

    public ClassErrors gibbsTest() { return gibbsTest.result(); }

    public void commit() {
        readout.commit();
        actTrain.commit();
        actTest.commit();
    }

    /** Drops the files unless committed (a diverged or failed run keeps no half-filled arrays). */
    @Override
    public void close() {
        readout.close();
        actTrain.close();
        actTest.close();
    }
}
