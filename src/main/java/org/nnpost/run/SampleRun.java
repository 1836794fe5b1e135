package org.nnpost.run;

import java.math.BigDecimal;
import java.nio.file.Path;

import org.nnpost.backend.Backend;
import org.nnpost.backend.BackendFactory;
import org.nnpost.backend.Moments;
import org.nnpost.backend.Traces;
import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.diagnostics.CodingMetrics;
import org.nnpost.diagnostics.TraceRecorder;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.output.KeptSamples;
import org.nnpost.output.Manifest;
import org.nnpost.output.OutputDir;
import org.nnpost.output.RunLayout;
import org.nnpost.output.RunSummary;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.spec.NnpostException;

/**
 * Runs one `nnpost sample` request end to end and writes its run directory.
 *
 * <p>The loop: chains start from the prior, then steps run in blocks up to the next observation
 * point ({@link DrawSchedule}); each block is {@code backend.repeat(n, () -> sampler.step(backend))},
 * and a sampler's step (ULA, MALA) is a few {@link Backend} calls. After each block the chains
 * are checked for divergence; at kept draws the traces are recorded, the backend adds the draw
 * to its kernel and predictor sums, and a few draws are saved whole.
 *
 * <p>Outputs (DESIGN.md "Outputs"), all written atomically, named and shaped as
 * {@link RunLayout} lists them: manifest.json (status "running" first and "complete" last),
 * trace_*.npy [chain, draw], kernel_l*_{train,test}.npy, predictor_{mean,var}_{train,test}.npy
 * [P, m], readout_samples.npy [chain, kept, N, m], activations_{train,test}.npy
 * [chain, kept, N, P], divergence.npy, the data used (x_, y_, labels_{train,test}.npy) and
 * summary.json.
 */
public final class SampleRun {
    private final RunConfig config;
    private final ModelSpec model;
    private final SamplerSpec samplerSpec;
    private final Task task;
    private final Backend backend;
    private final Path dir;
    private final Manifest manifest;
    private final Progress progress;
    private final DrawSchedule schedule;
    private final TraceRecorder traces;
    private final long started;
    private double samplingSeconds, observeSeconds;
    private double trainError = Double.NaN, testError = Double.NaN;

    private SampleRun(RunConfig config, Task task, Backend backend, Path dir, Manifest manifest,
                      Progress progress, long started) {
        this.config = config;
        this.model = config.model();
        this.samplerSpec = config.sampler();
        this.task = task;
        this.backend = backend;
        this.dir = dir;
        this.manifest = manifest;
        this.progress = progress;
        this.started = started;
        this.schedule = DrawSchedule.of(samplerSpec);
        this.traces = new TraceRecorder(Traces.names(model), samplerSpec.chains(),
                Math.toIntExact(schedule.draws()));
    }

    public static RunResult execute(RunConfig config, Progress progress) {
        long started = System.nanoTime();
        // refuse a used directory before any work, but create it only once the backend exists,
        // so a run that cannot start leaves nothing behind
        OutputDir.checkUsable(config.outDir());
        Task task = config.task().build();
        BackendFactory.Choice choice = BackendFactory.create(config.backend(), config.model(), task, config.sampler().chains());
        progress.message(choice.reason());
        try (Backend backend = choice.backend()) {
            Path dir = OutputDir.create(config.outDir());
            Manifest manifest = new Manifest(dir, RunSettings.parameters(config), RunSettings.derived(config), RunSettings.output(config));
            manifest.backend(backend.description(), choice.reason());
            manifest.write();
            try {
                return new SampleRun(config, task, backend, dir, manifest, progress, started).run();
            } catch (RuntimeException | Error e) {
                if (!(e instanceof RunException r && r.exitCode() == NnpostException.DIVERGED)) fail(manifest, e);
                throw e;
            }
        }
    }

    private RunResult run() {
        writeData(false, task.train());
        writeData(true, task.test());
        int C = samplerSpec.chains();
        backend.load(ChainState.fromPrior(model, C, samplerSpec.seed()));
        Sampler sampler = Sampler.of(samplerSpec.algorithm(), samplerSpec.eta());
        sampler.init(backend);
        checkDivergence(0);
        manifest.timing("setup_s", seconds(started));

        try (KeptSamples kept = new KeptSamples(dir, model, task, C, schedule.kept())) {
            sample(sampler, kept);
            long writing = System.nanoTime();
            RunSummary.Built summary = writeResults(kept);
            CodingMetrics coding = kept.coding();
            kept.commit();
            Json.write(dir.resolve(RunLayout.SUMMARY), summary.json());
            manifest.timing("sampling_s", samplingSeconds);
            manifest.timing("output_s", seconds(writing));
            double total = seconds(started);
            manifest.timing("total_s", total);
            manifest.root().set("divergence", Manifest.divergences(backend.divergedAt()));
            manifest.status("complete");
            manifest.write();   // last: "complete" means every other file is in place
            progress.message("wrote " + dir);
            double meanLoss = traces.draws() > 0 ? traces.mean(Traces.LOSS) : Double.NaN;
            return new RunResult(dir, "complete", backend.description(), samplerSpec.steps(), traces.draws(),
                    total, meanLoss, trainError, testError, summary.maxRhat(), summary.minEssBulk(),
                    coding == null ? null : coding.scheme() + ": " + coding.reason());
        }
    }

    /** The Langevin loop: blocks of steps between observation points. */
    private void sample(Sampler sampler, KeptSamples kept) {
        int C = samplerSpec.chains();
        long steps = samplerSpec.steps();
        progress.start(samplerSpec.algorithm() + ", " + C + " chains, L=" + model.L() + " " + model.phi().id()
                + " N=" + model.N() + " P=" + task.train().P(), steps);
        long t0 = System.nanoTime();
        try {
            long step = 0;
            Runnable oneStep = () -> sampler.step(backend);
            while (step < steps) {
                long stop = schedule.nextStop(step);
                backend.repeat((int) (stop - step), oneStep);
                step = stop;
                checkDivergence(step);
                double[][] tr = backend.traces();
                if (schedule.isDraw(step)) {
                    long o = System.nanoTime();
                    traces.record(tr);
                    backend.accumulate();
                    int j = schedule.keptIndex(schedule.drawAt(step));
                    if (j >= 0) kept.record(j, backend);
                    observeSeconds += seconds(o);
                }
                double meanLoss = 0;
                for (double[] t : tr) meanLoss += t[Traces.LOSS];
                progress.update(step, meanLoss / C, step / seconds(t0));
            }
        } finally {
            samplingSeconds = seconds(t0);
            progress.finish();
        }
    }

    /**
     * Stops the run when any chain has diverged: writes what is valid (the traces of the draws
     * before, the divergence steps), marks the manifest "diverged" and ends with exit code 3.
     */
    private void checkDivergence(long step) {
        long[] at = backend.divergedAt();
        int n = 0;
        for (long s : at) if (s >= 0) n++;
        if (n == 0) return;
        writeTraces();
        writeDivergence(at);
        manifest.root().set("divergence", Manifest.divergences(at));
        manifest.root().put("stopped_at_step", step);
        manifest.timing("total_s", seconds(started));
        manifest.status("diverged");
        manifest.write();
        throw new RunException(NnpostException.DIVERGED, divergenceMessage(at, samplerSpec.eta()));
    }

    static String divergenceMessage(long[] at, float[] eta) {
        StringBuilder s = new StringBuilder("chains diverged: ");
        int listed = 0, n = 0;
        for (int c = 0; c < at.length; c++) {
            if (at[c] < 0) continue;
            n++;
            if (listed < 5) {
                s.append(listed > 0 ? ", " : "").append("chain ").append(c).append(" at step ").append(at[c]);
                listed++;
            }
        }
        if (n > listed) s.append(", …");
        s.append(" (").append(n).append(" of ").append(at.length).append(" chains); lower --eta (now ");
        boolean same = true;
        for (float e : eta) same &= e == eta[0];
        for (int g = 0; g < (same ? 1 : eta.length); g++) s.append(g > 0 ? "," : "").append(plain(eta[g]));
        return s.append(')').toString();
    }

    private static String plain(float v) {
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    // ------------------------------------------------------------------ outputs

    private void writeData(boolean test, Dataset d) {
        Npy.write(dir.resolve(RunLayout.inputs(test)), d.x(), d.P(), d.N0());
        Npy.write(dir.resolve(RunLayout.targets(test)), d.y(), d.P(), d.m());
        Npy.writeInt64(dir.resolve(RunLayout.labels(test)), d.labels(), d.P());
    }

    private void writeTraces() {
        String[] names = traces.names();
        for (int k = 0; k < names.length; k++)
            Npy.write(dir.resolve(RunLayout.trace(names[k])), traces.flat(k), traces.chains(), traces.draws());
    }

    private void writeDivergence(long[] at) {
        Npy.write(dir.resolve(RunLayout.DIVERGENCE), at, at.length);
    }

    /** Every array of a finished run, and the summary they support. */
    private RunSummary.Built writeResults(KeptSamples kept) {
        writeTraces();
        writeDivergence(backend.divergedAt());
        Moments mom = backend.moments();
        int m = model.m(), P = task.train().P(), Pt = task.test().P();
        double[] meanTrain = null, meanTest = null;
        if (mom.samples() > 0) {
            double inv = 1.0 / mom.samples();
            for (int l = 1; l <= model.L(); l++) {
                Npy.write(dir.resolve(RunLayout.kernel(l, false)), scaled(mom.kernelTrain()[l - 1], inv), P, P);
                Npy.write(dir.resolve(RunLayout.kernel(l, true)), scaled(mom.kernelTest()[l - 1], inv), Pt, Pt);
            }
            meanTrain = scaled(mom.fTrain(), inv);
            meanTest = scaled(mom.fTest(), inv);
            Npy.write(dir.resolve(RunLayout.predictorMean(false)), meanTrain, P, m);
            Npy.write(dir.resolve(RunLayout.predictorVar(false)), variance(mom.fTrainSq(), meanTrain, inv), P, m);
            Npy.write(dir.resolve(RunLayout.predictorMean(true)), meanTest, Pt, m);
            Npy.write(dir.resolve(RunLayout.predictorVar(true)), variance(mom.fTestSq(), meanTest, inv), Pt, m);
        } else {
            progress.message("no draws kept (steps <= burn-in): kernels and predictor not written");
        }
        ClassErrors trainErr = meanTrain == null ? null : ClassErrors.of(meanTrain, m, task.train().labels());
        ClassErrors testErr = meanTest == null ? null : ClassErrors.of(meanTest, m, task.test().labels());
        if (trainErr != null) trainError = trainErr.overall();
        if (testErr != null) testError = testErr.overall();
        return RunSummary.build(config.sampler(), backend, traces, trainErr, testErr, kept.gibbsTrain(), kept.gibbsTest(),
                kept.coding(), samplingSeconds, observeSeconds, seconds(started));
    }

    private static double[] scaled(double[] sum, double inv) {
        double[] out = new double[sum.length];
        for (int i = 0; i < sum.length; i++) out[i] = sum[i] * inv;
        return out;
    }

    /** E[f²] − E[f]² over all (chain, draw) samples; rounding can push it a hair below 0, hence the clamp. */
    private static double[] variance(double[] sumSq, double[] mean, double inv) {
        double[] v = new double[mean.length];
        for (int i = 0; i < v.length; i++) v[i] = Math.max(0.0, sumSq[i] * inv - mean[i] * mean[i]);
        return v;
    }

    private static void fail(Manifest manifest, Throwable e) {
        manifest.status("failed");
        manifest.root().put("error", String.valueOf(e.getMessage() != null ? e.getMessage() : e));
        try {
            manifest.write();
        } catch (RuntimeException ignored) {
            // the directory itself is failing; the original error is the one to report
        }
    }

    private static double seconds(long since) { return (System.nanoTime() - since) * 1e-9; }
}
