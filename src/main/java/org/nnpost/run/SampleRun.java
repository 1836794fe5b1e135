package org.nnpost.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.Backend;
import org.nnpost.backend.BackendFactory;
import org.nnpost.backend.Moments;
import org.nnpost.backend.StepConstants;
import org.nnpost.backend.Traces;
import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.diagnostics.CodingMetrics;
import org.nnpost.diagnostics.TraceRecorder;
import org.nnpost.diagnostics.Warning;
import org.nnpost.io.CrashPoint;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.output.Checkpoint;
import org.nnpost.output.KeptSamples;
import org.nnpost.output.Manifest;
import org.nnpost.output.OutputDir;
import org.nnpost.output.RunLayout;
import org.nnpost.output.RunLock;
import org.nnpost.output.RunStatus;
import org.nnpost.output.RunSummary;
import org.nnpost.output.Version;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.sampler.StepSizeTuner;
import org.nnpost.spec.NnpostException;
import org.nnpost.spec.SpecException;
import org.nnpost.theory.EquilibriumStart;

/**
 * Runs one `nnpost sample` request end to end and writes its run directory; or goes on with one
 * that was stopped ({@link #resume}).
 *
 * <p>The loop: chains start from the prior, then steps run in blocks up to the next observation
 * point ({@link DrawSchedule}); each block is {@code backend.repeat(n, () -> sampler.step(backend))},
 * and a sampler's step (ULA, MALA) is a few {@link Backend} calls. After each block the chains
 * are checked for divergence; at kept draws the traces are recorded, the backend adds the draw
 * to its kernel and predictor sums, and a few draws are saved whole. Between blocks the run may
 * write a checkpoint ({@link Checkpoint}: by {@code --checkpoint-every}, at the end of burn-in,
 * at the end of sampling, and when SIGINT or SIGTERM asks it to stop). The noise is addressed by
 * (seed, chain, step), so a run resumed from a checkpoint draws exactly what it would have, and
 * its arrays are the same bytes as an unbroken run's.
 *
 * <p>The directory is claimed for the run's life ({@link RunLock}); manifest.json says where the
 * run stands: "running" (with a heartbeat and the step reached), then "complete", "diverged",
 * "failed" or "interrupted". Outputs (DESIGN.md "Outputs"), all written atomically, named and
 * shaped as {@link RunLayout} lists them: trace_*.npy [chain, draw], kernel_l*_{train,test}.npy,
 * predictor_{mean,var}_{train,test}.npy [P, m], readout_samples.npy [chain, kept, N, m],
 * activations_{train,test}.npy [chain, kept, N, P], divergence.npy, the data used
 * (x_, y_, labels_{train,test}.npy) and summary.json.
 */
public final class SampleRun {
    /** Exit code of a run that could not write a file (disk full, say); its outputs so far and last checkpoint stay. */
    public static final int WRITE_FAILED = 5;
    /** A look at the chains at least this often, so that a signal or a checkpoint waits no longer. */
    static final double BLOCK_SECONDS = 2;
    /** The manifest's heartbeat and step reached are rewritten this often while the run goes. */
    static final double HEARTBEAT_SECONDS = 10;

    private final RunConfig config;
    private final ModelSpec model;
    private final SamplerSpec samplerSpec;
    private final Task task;
    private final Backend backend;
    private final Path dir;
    private final Manifest manifest;
    private final Progress progress;
    private final DrawSchedule schedule;
    /** The algorithm at its step sizes; with --eta auto, the tuned ones once the tuner has frozen them. */
    private Sampler sampler;
    /** --eta auto's tuner (null with fixed step sizes): it runs the steps before it freezes. */
    private final StepSizeTuner tuner;
    private final String dataChecksum;
    private final long started;
    private TraceRecorder traces;
    private KeptSamples kept;
    /** The directory's lock, whose reserve is given back when the disk is full. */
    private RunLock lock;
    private double samplingSeconds, observeSeconds;
    private double trainError = Double.NaN, testError = Double.NaN;
    // chains dropped by --on-divergence drop: the step and the kept draw from which they count nowhere
    private final long[] droppedAtStep;
    private final int[] droppedFromKept;
    // checkpoints of this run (all its processes)
    private int checkpoints;
    private double checkpointSeconds;
    private long checkpointBytes = -1, lastCheckpointStep = -1;
    private long lastCheckpointNanos, lastHeartbeatNanos;

    private SampleRun(RunConfig config, Task task, Backend backend, Path dir, Manifest manifest, Progress progress,
                      long started) {
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
        this.sampler = Sampler.of(samplerSpec);
        this.tuner = samplerSpec.autoEta() ? new StepSizeTuner(samplerSpec, model) : null;
        this.dataChecksum = task.checksum();
        this.traces = new TraceRecorder(Traces.names(model), samplerSpec.chains(), Math.toIntExact(schedule.draws()));
        droppedAtStep = new long[samplerSpec.chains()];
        droppedFromKept = new int[samplerSpec.chains()];
        Arrays.fill(droppedAtStep, -1);
        Arrays.fill(droppedFromKept, -1);
    }

    // ================================================================== entry points

    /** A new run: checks, claims its directory, samples, writes. */
    public static RunResult execute(RunConfig config, Progress progress) {
        long started = System.nanoTime();
        // refuse a used directory before any work, but create it only once the backend exists and
        // the starting state is sound, so a run that cannot start leaves nothing behind
        OutputDir.checkUsable(config.outDir());
        Task task = config.task().build();
        checkData(config, task);
        BackendFactory.Choice choice = BackendFactory.create(config.backend(), config.model(), task, config.sampler().chains());
        progress.message(choice.reason());
        try (Backend backend = choice.backend()) {
            load(config, task, backend, progress);
            checkStart(config, task, backend);
            SampleRun run = claimNew(config, task, backend, choice.reason(), progress, started);
            try (RunLock lock = run.lock) {
                return run.guarded(() -> {
                    run.writeStart();
                    return run.go(0);
                });
            }
        }
    }

    /** Chains at their start (and what the sampler adds to them), into the backend. */
    static void load(RunConfig config, Task task, Backend backend, Progress progress) {
        backend.load(Sampler.of(config.sampler()).start(start(config, task, progress), config.model()));
    }

    /**
     * Where a run's chains start, as --init says: prior draws, or each neuron drawn from the
     * N → ∞ single-neuron posterior ({@link EquilibriumStart}); either a function of the seed and
     * the chain's index alone, so a run started again from step 0 starts where it did.
     */
    static ChainState start(RunConfig config, Task task, Progress progress) {
        SamplerSpec s = config.sampler();
        if (!s.theoryInit()) return ChainState.fromPrior(config.model(), s.chains(), s.seed());
        EquilibriumStart e = EquilibriumStart.of(config.model(), task.train());
        if (progress != null) progress.message("--init theory: each neuron of every chain drawn from " + e.description());
        return e.start(s.chains(), s.seed());
    }

    /**
     * A new run whose chains are loaded and checked: claims its directory (the run holds the lock,
     * which its caller closes) and makes its manifest.
     */
    static SampleRun claimNew(RunConfig config, Task task, Backend backend, String reason, Progress progress, long started) {
        Path dir = OutputDir.claim(config.outDir(), config.options().freshName());
        RunLock lock = RunLock.claim(dir, "--out " + dir);
        try {
            OutputDir.checkOnly(dir, RunLock.FILE);
            progress.directory(dir);
            Manifest manifest = new Manifest(dir, RunSettings.parameters(config), RunSettings.derived(config),
                    RunSettings.output(config.with(config.options().withOutDir(dir))));
            manifest.backend(backend.description(), reason);
            manifest.process(lock.holder());
            manifest.root().put("data_sha256", task.checksum());
            SampleRun run = new SampleRun(config.with(config.options().withOutDir(dir)), task, backend, dir, manifest,
                    progress, started);
            run.lock = lock;
            return run;
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /** A new run's first files: the manifest, the data, the kept draws' files. */
    void writeStart() {
        manifest.write();
        writeData(false, task.train());
        writeData(true, task.test());
        kept = KeptSamples.open(dir, model, task, samplerSpec.chains(), schedule.kept(), 0, null);
    }

    /**
     * Goes on with a run that stopped before it was complete (interrupted, killed, crashed, or
     * failed to write), from its last checkpoint (or from the start when it has none), in its
     * own directory. Its arrays come out the same bytes as an unbroken run's on the CPU.
     *
     * @param machine where to run now: machine settings (backend, threads, device, ...) given anew,
     *                over those the run recorded; the machine never changes a number on the CPU
     *                (threads), and changes them within float rounding between CPU and GPU
     */
    public static RunResult resume(Path dir, Settings machine, Progress progress) {
        long started = System.nanoTime();
        Path manifestFile = dir.resolve(Manifest.FILE);
        RunStatus.of(dir);   // a run directory with a readable manifest, or one line saying what it is not
        try (RunLock lock = RunLock.claim(dir, dir.toString())) {
            progress.directory(dir);
            Manifest manifest = Manifest.open(dir);
            String status = manifest.status();
            if (status.equals(Manifest.RUNNING))
                progress.message(dir + " was abandoned: the process that ran it is gone (killed or crashed)");
            if (status.equals(Manifest.COMPLETE))
                throw SpecException.input(dir.toString(), "is complete; there is nothing to resume", "a run that stopped before it was complete");
            if (status.equals(Manifest.DIVERGED))
                throw SpecException.input(dir.toString(), "diverged; resuming would diverge again",
                        "a run that stopped before it was complete; start a new one with a lower --eta");
            JsonNode v = manifest.root().path("versions");
            if (!Version.get().equals(v.path("nnpost").asText()) || !Version.build().equals(v.path("build").asText()))
                throw SpecException.input(dir.toString(), "was started by nnpost " + v.path("nnpost").asText() + " (build "
                        + v.path("build").asText() + "), this is " + Version.get() + " (build " + Version.build() + ")",
                        "the build that started the run, which alone continues it bit for bit; or a new run");
            RunConfig recorded = RunSettings.recorded(manifest.root().path("parameters"), dir, manifestFile.toString());
            RunOptions o = recorded.options();
            String mode = manifest.root().path("output").path("progress").asText("auto");
            RunOptions.Checkpoints every = RunOptions.Checkpoints.parse(
                    manifest.root().path("output").path("checkpoint_every").asText(RunOptions.Checkpoints.DEFAULT.text()));
            RunConfig config = new RunConfig(recorded.model(), recorded.task(), recorded.sampler(),
                    RunSettings.machine(manifest.root().path("parameters"), manifestFile.toString(), machine),
                    new RunOptions(dir, false, mode, every, o.onDivergence(), manifest.root().path("output").path("strict").asBoolean()),
                    recorded.sigmaA2PerP());
            Task task = config.task().build();
            String sum = task.checksum();
            if (!sum.equals(manifest.root().path("data_sha256").asText()))
                throw SpecException.input(dir.toString(), "was started on other data (checksum " + manifest.root().path("data_sha256").asText()
                        + ", the data now " + sum + "; a dataset file changed?)", "the data the run started on");
            OutputDir.removeLeftovers(dir);
            Checkpoint.clean(dir, null);
            KeptSamples.recover(dir);
            Checkpoint cp;
            try {
                cp = Checkpoint.read(dir, config.model());
            } catch (RuntimeException e) {
                throw SpecException.input(dir.resolve(Checkpoint.DIR).toString(), "is damaged (" + oneLine(e.getMessage()) + ")",
                        "a checkpoint nnpost wrote; or start the run again");
            }
            if (cp != null && !cp.meta().path("parameters").equals(manifest.root().path("parameters")))
                throw SpecException.input(dir.resolve(Checkpoint.DIR).toString(), "belongs to other parameters than manifest.json's",
                        "the checkpoint of this run");
            BackendFactory.Choice choice = BackendFactory.create(config.backend(), config.model(), task, config.sampler().chains());
            progress.message(choice.reason());
            try (Backend backend = choice.backend()) {
                manifest.status(Manifest.RUNNING);
                manifest.backend(backend.description(), choice.reason());
                manifest.process(lock.holder());
                manifest.resumed(cp == null ? 0 : cp.chains().step(), backend.description());
                SampleRun run = new SampleRun(config, task, backend, dir, manifest, progress, started);
                run.lock = lock;
                return run.guarded(() -> {
                    manifest.root().remove("error");
                    manifest.write();
                    long from = run.restore(cp);
                    progress.message(cp == null ? "no checkpoint: starting " + dir + " again from step 0"
                            : "resuming " + dir + " from its checkpoint at step " + from + " of " + run.samplerSpec.steps());
                    return run.go(from);
                });
            }
        }
    }

    /** Puts the run back where its checkpoint left it (or at the start); returns the step. */
    private long restore(Checkpoint cp) {
        int C = samplerSpec.chains();
        if (cp == null) {
            backend.load(sampler.start(start(config, task, progress), model));
            writeData(false, task.train());
            writeData(true, task.test());
            kept = KeptSamples.open(dir, model, task, C, schedule.kept(), 0, null);
            return 0;
        }
        JsonNode m = cp.meta();
        backend.load(cp.chains());
        backend.restore(cp.moments(), cp.accepted(), cp.divergedAt());
        int draws = m.path("draws").asInt();
        traces = TraceRecorder.restored(Traces.names(model), C, Math.toIntExact(schedule.draws()), cp.traces(), draws);
        for (JsonNode d : m.path("dropped")) {
            int c = d.path("chain").asInt();
            droppedAtStep[c] = d.path("step").asLong();
            droppedFromKept[c] = d.path("kept").asInt();
            backend.drop(c);
        }
        if (tuner != null) {
            tuner.restore(Checkpoint.tuning(m.path("tuning")));
            if (tuner.frozen()) sampler = tuner.sampler();
        }
        samplingSeconds = m.path("sampling_s").asDouble();
        observeSeconds = m.path("observe_s").asDouble();
        checkpoints = m.path("checkpoints").asInt();
        checkpointSeconds = m.path("checkpoint_s").asDouble();
        lastCheckpointStep = cp.chains().step();
        kept = KeptSamples.open(dir, model, task, C, schedule.kept(), m.path("kept").asInt(), droppedFromKept);
        return cp.chains().step();
    }

    // ================================================================== the run

    /** What a run does, from its first step (or the one it resumes at) to the end. */
    private RunResult go(long from) {
        begin(from, true);
        Interrupts.enter();
        try {
            try {
                while (more()) {
                    long b0 = System.nanoTime();
                    long stop = nextStop();
                    stepTo(stop);
                    observe(stop, b0);
                    if (checkpointDue()) checkpoint(step);
                }
            } finally {
                endLoop();
            }
        } finally {
            Interrupts.leave();
        }
        return end();
    }

    // the loop's state: the step reached, and what paces the blocks and the checkpoints
    private long step, loopFrom, loopT0, maxBlock;
    private double loopBefore;
    private boolean burnInSaved, burnInEnded;
    private Runnable oneStep;

    /**
     * Before the first block: the setup time, the invariant of the sampler (unless the chains'
     * gradient is already made: a pack makes it for every member at once), the divergence check
     * of the starting state.
     */
    void begin(long from, boolean initSampler) {
        manifest.timing("setup_s", seconds(started));
        if (initSampler) sampler.init(backend);
        if (from == 0) checkDivergence(0);
        progress.start(samplerSpec.algorithm() + ", " + samplerSpec.chains() + " chains, L=" + model.L() + " " + model.phi().id()
                + " N=" + model.N() + " P=" + task.train().P(), samplerSpec.steps());
        loopT0 = System.nanoTime();
        loopBefore = samplingSeconds;
        lastCheckpointNanos = lastHeartbeatNanos = loopT0;
        maxBlock = samplerSpec.steps();   // grows or shrinks to about BLOCK_SECONDS of steps once the rate is known
        burnInSaved = from > samplerSpec.burnIn() || samplerSpec.burnIn() == 0;
        step = loopFrom = from;
        Sampler stepping = sampler;
        oneStep = () -> stepping.step(backend);
    }

    /** Whether steps are left. */
    boolean more() { return step < samplerSpec.steps(); }

    /** The step the next block ends at: the next observation point, about BLOCK_SECONDS of steps on at most. */
    long nextStop() {
        long stop = Math.min(schedule.nextStop(step), step + maxBlock);
        // the tuner reads the chains after every step, so its steps run one by one
        return tuning() ? Math.min(stop, tuner.freezeAt()) : stop;
    }

    /** This run's own block of steps (a packed run's are its pack's). */
    private void stepTo(long stop) {
        if (tuning()) {
            for (long s = step; s < stop; s++) tuner.step(backend);
            if (tuner.frozen()) {
                sampler = tuner.sampler();
                recordTunedEta();
                Sampler tuned = sampler;
                oneStep = () -> tuned.step(backend);
            }
        } else {
            backend.repeat((int) (stop - step), oneStep);
        }
    }

    /**
     * After a block that ended at {@code stop} (started at {@code b0}): divergence, the draw if
     * one is due, progress, the heartbeat, and a stop on SIGINT or SIGTERM (with a checkpoint).
     */
    void observe(long stop, long b0) {
        long steps = samplerSpec.steps();
        int C = samplerSpec.chains();
        long done = stop - step;
        step = stop;
        checkDivergence(step);
        double[][] tr = backend.traces();
        for (int c = 0; c < C; c++) if (droppedAtStep[c] >= 0) Arrays.fill(tr[c], Double.NaN);
        if (schedule.isDraw(step)) {
            long o = System.nanoTime();
            traces.record(tr);
            backend.accumulate();
            int j = schedule.keptIndex(schedule.drawAt(step));
            if (j >= 0) kept.record(j, backend, dropped());
            observeSeconds += seconds(o);
        }
        double meanLoss = 0;
        int healthy = 0;
        for (double[] t : tr) if (!Double.isNaN(t[Traces.LOSS])) { meanLoss += t[Traces.LOSS]; healthy++; }
        double elapsed = seconds(loopT0), rate = (step - loopFrom) / elapsed;
        progress.update(step, meanLoss / Math.max(1, healthy), rate);
        samplingSeconds = loopBefore + elapsed;
        double blockSeconds = seconds(b0);
        if (blockSeconds > 0) maxBlock = Math.max(1, (long) (done / blockSeconds * BLOCK_SECONDS));
        if (seconds(lastHeartbeatNanos) >= HEARTBEAT_SECONDS) {
            manifest.progress(step, steps, rate);
            manifest.write();
            lastHeartbeatNanos = System.nanoTime();
        }
        int signal = Interrupts.pending();
        if (signal != 0) {
            // the request stays noted: runs going beside this one (a sweep's, on other GPUs) stop too
            checkpoint(step);
            manifest.status(Manifest.INTERRUPTED);
            manifest.progress(step, steps, rate);
            manifest.root().put("interrupted_at_step", step);
            manifest.write();
            throw new NnpostException(128 + signal, String.format(Locale.ROOT,
                    "interrupted at step %d of %d (checkpoint written); resume with: nnpost resume %s", step, steps, dir));
        }
        burnInEnded = !burnInSaved && step >= samplerSpec.burnIn();
        if (burnInEnded) burnInSaved = true;
    }

    /** Whether a checkpoint is due after the last {@link #observe}: by --checkpoint-every, or at the end of burn-in. */
    boolean checkpointDue() {
        return step < samplerSpec.steps() && (due(step) || (burnInEnded && !config.options().checkpoints().off()));
    }

    /** A checkpoint at the step reached. */
    void checkpoint() { checkpoint(step); }

    /** After the last block, or on the way out of the loop. */
    void endLoop() {
        samplingSeconds = loopBefore + seconds(loopT0);
        progress.finish();
    }

    /** The last checkpoint and every output. */
    RunResult end() {
        if (!config.options().checkpoints().off() && lastCheckpointStep != samplerSpec.steps()) checkpoint(samplerSpec.steps());
        return finish();
    }

    private boolean tuning() { return tuner != null && !tuner.frozen(); }

    /** The step sizes the chains move at now. */
    private float[] eta() { return tuner != null ? tuner.eta() : samplerSpec.eta(); }

    /** --eta auto's result, in the manifest's derived block: the frozen step sizes and how they were found. */
    private void recordTunedEta() {
        StepSizeTuner.State t = tuner.state();
        ObjectNode d = (ObjectNode) manifest.root().get("derived");
        d.set("eta", Json.floats(t.eta()));
        ObjectNode how = d.putObject("eta_tuning");
        how.put("measured_by", "mala, one group at a time");
        how.put("group_target_acceptance", tuner.groupTarget());
        how.set("group_acceptance", Json.doubles(java.util.Arrays.copyOf(t.acceptance(), model.groups())));
        how.set("group_mala_eta", Json.doubles(tuner.groupEta()));
        how.set("curvature", Json.doubles(tuner.curvature()));
        how.set("stiffest_curvature", Json.doubles(tuner.stiffest()));
        how.put("frozen_at_step", tuner.freezeAt());
        manifest.write();
        progress.message("step sizes tuned by step " + tuner.freezeAt() + ": eta = " + etaText(t.eta()));
    }

    /** Whether --checkpoint-every asks for a checkpoint now. */
    private boolean due(long step) {
        RunOptions.Checkpoints every = config.options().checkpoints();
        if (every.steps() > 0) return step - Math.max(lastCheckpointStep, 0) >= every.steps();
        return every.seconds() > 0 && seconds(lastCheckpointNanos) >= every.seconds();
    }

    /** Saves everything the run would need to go on from here; the kept draws' files are forced to disk first. */
    private void checkpoint(long step) {
        kept.force();
        ObjectNode meta = Json.object();
        meta.put("format", 1);
        meta.put("nnpost", Version.get());
        meta.put("build", Version.build());
        meta.set("parameters", manifest.root().path("parameters").deepCopy());
        meta.put("data_sha256", dataChecksum);
        meta.put("traces", traces.names().length);
        meta.put("draws", traces.draws());
        meta.put("kept", kept.done());
        ArrayNode dropped = meta.putArray("dropped");
        for (int c = 0; c < droppedAtStep.length; c++)
            if (droppedAtStep[c] >= 0) dropped.addObject().put("chain", c).put("step", droppedAtStep[c]).put("kept", droppedFromKept[c]);
        Json.put(meta, "sampling_s", samplingSeconds);
        Json.put(meta, "observe_s", observeSeconds);
        meta.put("checkpoints", checkpoints + 1);
        if (tuner != null) meta.set("tuning", Checkpoint.tuning(tuner.state()));
        ChainState state = backend.snapshot();
        if (state.step() != step) throw new IllegalStateException("backend at step " + state.step() + ", loop at " + step);
        Checkpoint cp = new Checkpoint(meta, state, backend.accepted(), backend.divergedAt(), backend.moments(), traces.snapshot());
        Checkpoint.Written w = cp.write(dir, model);
        checkpoints++;
        checkpointSeconds += w.seconds();
        checkpointBytes = w.bytes();
        lastCheckpointStep = step;
        lastCheckpointNanos = System.nanoTime();
        manifest.checkpoint(step, w.bytes(), w.seconds(), checkpoints, checkpointSeconds);
        manifest.progress(step, samplerSpec.steps(), Double.NaN);
        manifest.write();
    }

    /** Every output of a finished run, "complete" last; then the checkpoint goes. */
    private RunResult finish() {
        long writing = System.nanoTime();
        RunSummary.Built summary = withDropped(writeResults());
        CrashPoint.at("final-writes");   // arrays written, the kept draws not yet in place
        CodingMetrics coding = kept.coding();
        kept.publish();
        CrashPoint.at("published");   // everything in place but the summary and the "complete" manifest
        ObjectNode s = summary.json();
        ObjectNode cpj = s.putObject("checkpoints");
        cpj.put("count", checkpoints);
        Json.put(cpj, "total_s", checkpointSeconds);
        if (checkpointBytes >= 0) cpj.put("last_bytes", checkpointBytes);
        else cpj.putNull("last_bytes");
        Json.write(dir.resolve(RunLayout.SUMMARY), s);
        manifest.timing("sampling_s", samplingSeconds);
        manifest.timing("output_s", seconds(writing));
        double total = seconds(started);
        manifest.timing("total_s", total);
        manifest.root().set("divergence", Manifest.divergences(backend.divergedAt()));
        manifest.root().set("dropped_chains", droppedJson());
        manifest.progress(samplerSpec.steps(), samplerSpec.steps(), Double.NaN);
        manifest.status(Manifest.COMPLETE);
        manifest.write();   // last: "complete" means every other file is in place
        Checkpoint.removeAll(dir);
        progress.message("wrote " + dir);
        double meanLoss = traces.draws() > 0 ? healthyMean(Traces.LOSS) : Double.NaN;
        return new RunResult(dir, Manifest.COMPLETE, backend.description(), samplerSpec.steps(), traces.draws(),
                total, meanLoss, trainError, testError, summary.maxRhat(), summary.minEssBulk(),
                coding == null ? null : coding.scheme() + ": " + coding.reason(), summary.warnings());
    }

    /**
     * Runs what follows the claim of the directory: on the way out the manifest says how it
     * ended (never "running"), a failed write is one line naming the file and the free space,
     * and temporary files are gone; the last checkpoint and what was written stay.
     */
    private RunResult guarded(java.util.function.Supplier<RunResult> body) {
        try {
            return body.get();
        } catch (RuntimeException | Error e) {
            throw ended(e);
        } finally {
            cleanUp();
        }
    }

    /**
     * A failure of the run after its directory was claimed, recorded: the manifest says how it
     * ended (a divergence or an interruption has said so already), a failed write becomes one line
     * naming the file and the free space. Returns what to throw.
     */
    <E extends Throwable> RuntimeException ended(E e) {
        if (e instanceof NnpostException n) {
            if (n.exitCode() != NnpostException.DIVERGED && n.exitCode() < 128) failed(n.getMessage());
            return n;
        }
        if (e instanceof UncheckedIOException io) {
            if (lock != null) lock.releaseReserve();
            String line = writeFailure(io);
            failed(line);
            return new NnpostException(WRITE_FAILED, line);
        }
        failed(String.valueOf(e.getMessage() != null ? e.getMessage() : e));
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        return new IllegalStateException(e);
    }

    /** On the way out, however the run ended: the kept draws' files closed, no temporary file left. */
    void cleanUp() {
        kept = closeQuietly(kept);
        Checkpoint.clean(dir, null);
        OutputDir.removeLeftovers(dir);
    }

    /** The run's directory lock (its caller closes it when the run is over). */
    RunLock lock() { return lock; }

    Path dir() { return dir; }

    private static KeptSamples closeQuietly(KeptSamples k) {
        if (k != null) {
            try {
                k.close();
            } catch (RuntimeException ignored) {
                // closing after a failure; the failure is the one to report
            }
        }
        return null;
    }

    /** "cannot write FILE: reason (free space: N MB in DIR)". */
    private String writeFailure(UncheckedIOException e) {
        String msg = oneLine(e.getMessage());
        long free = -1;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException ignored) {
            // the file system may be gone altogether
        }
        return msg + (free >= 0 ? String.format(Locale.ROOT, " (free space: %.1f MB in %s)", free / 1e6, dir) : "")
                + "; the run's last checkpoint and outputs so far are kept: free space, then nnpost resume " + dir;
    }

    private void failed(String message) {
        manifest.status(Manifest.FAILED);
        manifest.root().put("error", message);
        try {
            manifest.write();
        } catch (RuntimeException ignored) {
            // the directory itself is failing; the original error is the one to report (and with
            // the lock released, the run reads as abandoned rather than running)
        }
    }

    // ================================================================== divergence

    /**
     * A chain that diverged: with --on-divergence stop (the default) the run ends, writing what is
     * valid (the traces of the draws before, the divergence steps), marked "diverged", exit code
     * 3; with drop the chain is dropped (counts nowhere from here on) and the others go on, unless
     * none is left.
     */
    private void checkDivergence(long step) {
        long[] at = backend.divergedAt();
        boolean any = false;
        for (int c = 0; c < at.length; c++) if (at[c] >= 0 && droppedAtStep[c] < 0) any = true;
        if (!any) return;
        if (config.options().dropsDiverged()) {
            int left = 0;
            for (int c = 0; c < at.length; c++) {
                if (at[c] >= 0 && droppedAtStep[c] < 0) {
                    // the step it diverged at, not the block end that found it (which depends on
                    // timing): every draw ends a block, so no draw came between the two
                    droppedAtStep[c] = at[c];
                    droppedFromKept[c] = kept == null ? 0 : kept.done();
                    backend.drop(c);
                    progress.message("chain " + c + " diverged at step " + at[c] + "; dropped, the others go on");
                }
                if (droppedAtStep[c] < 0) left++;
            }
            if (left > 0) return;
        }
        writeTraces();
        writeDivergence(at);
        manifest.root().set("divergence", Manifest.divergences(at));
        manifest.root().put("stopped_at_step", step);
        manifest.timing("total_s", seconds(started));
        manifest.status(Manifest.DIVERGED);
        manifest.write();
        kept = closeQuietly(kept);
        Checkpoint.removeAll(dir);
        throw new RunException(NnpostException.DIVERGED, divergenceMessage(at, eta()));
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
        return s.append(etaText(eta)).append(')').toString();
    }

    /** Step sizes as --eta takes them: one number when all groups share it. */
    static String etaText(float[] eta) {
        StringBuilder s = new StringBuilder();
        boolean same = true;
        for (float e : eta) same &= e == eta[0];
        for (int g = 0; g < (same ? 1 : eta.length); g++) s.append(g > 0 ? "," : "").append(plain(eta[g]));
        return s.toString();
    }

    private static String plain(float v) {
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** The summary with a warning naming the chains --on-divergence drop dropped, if any. */
    private RunSummary.Built withDropped(RunSummary.Built b) {
        java.util.List<Integer> d = new java.util.ArrayList<>();
        for (int c = 0; c < droppedAtStep.length; c++) if (droppedAtStep[c] >= 0) d.add(c);
        if (d.isEmpty()) return b;
        int[] chains = d.stream().mapToInt(Integer::intValue).toArray();
        Warning w = new Warning("dropped", null, chains, chains.length, 0, String.format(Locale.ROOT,
                "%d of %d chains diverged and were dropped (chain%s %s): their entries are NaN from then on and they count "
                        + "in no statistic; lower --eta", chains.length, droppedAtStep.length, chains.length == 1 ? "" : "s",
                d.toString().replaceAll("[\\[\\]]", "")));
        java.util.List<Warning> all = new java.util.ArrayList<>(b.warnings());
        all.add(w);
        ((ArrayNode) b.json().get("warnings")).addAll(RunSummary.warnings(java.util.List.of(w)));
        b.json().set("dropped_chains", droppedJson());
        return new RunSummary.Built(b.json(), b.maxRhat(), b.minEssBulk(), all);
    }

    private boolean[] dropped() {
        boolean[] d = new boolean[droppedAtStep.length];
        for (int c = 0; c < d.length; c++) d[c] = droppedAtStep[c] >= 0;
        return d;
    }

    private ArrayNode droppedJson() {
        ArrayNode a = Json.array();
        for (int c = 0; c < droppedAtStep.length; c++)
            if (droppedAtStep[c] >= 0) a.addObject().put("chain", c).put("step", droppedAtStep[c]);
        return a;
    }

    /** Mean of trace k over the chains never dropped. */
    private double healthyMean(int k) {
        double[][] t = traces.chainsOf(k);
        double s = 0;
        long n = 0;
        for (int c = 0; c < t.length; c++) {
            if (droppedAtStep[c] >= 0) continue;
            for (double v : t[c]) s += v;
            n += t[c].length;
        }
        return n == 0 ? Double.NaN : s / n;
    }

    // ================================================================== what is checked before any step

    /**
     * Data a run cannot learn from: a non-finite input or target (a pixel scale or a target too
     * large for float32). Named by the setting that made it, before anything is allocated.
     */
    static void checkData(RunConfig config, Task task) {
        for (Dataset d : new Dataset[]{task.train(), task.test()}) {
            for (float v : d.x())
                if (!Float.isFinite(v))
                    throw SpecException.of(config.task().isImages() ? "pixel-scale" : "N0",
                            config.task().isImages() ? config.task().pixelScale() : config.task().N0(),
                            "makes an input that is not a finite float32", config.task().isImages()
                                    ? "a pixel scale whose inputs stay below 3.4e38 (or --normalize on)" : "a finite input");
            for (float v : d.y())
                if (!Float.isFinite(v)) {
                    boolean plus = !Float.isFinite((float) config.task().yPlus());
                    throw SpecException.of(plus ? "y-plus" : "y-minus", plus ? config.task().yPlus() : config.task().yMinus(),
                            "is not a finite float32", "a target of magnitude below 3.4e38");
                }
        }
    }

    /**
     * A starting state that is already blown up: prior draws that are not finite floats (a prior
     * variance too large), or a potential at step 0 past the divergence limit. That is the prior's
     * or the targets' doing, not the step size's, so it is a bad setting (exit code 2) named by its
     * flag, before any step and before the run directory exists.
     */
    static void checkStart(RunConfig config, Task task, Backend backend) {
        ModelSpec m = config.model();
        ChainState s = backend.snapshot();
        for (int g = 0; g < m.groups(); g++)
            for (float v : s.params()[g])
                if (!Float.isFinite(v)) {
                    boolean readout = m.isReadout(g);
                    throw SpecException.of(readout ? "sigma-a2" : "sigma-w2", readout ? m.sigmaA2() : m.sigmaW2(),
                            "draws prior weights that are not finite float32", "a prior variance whose draws stay below 3.4e38");
                }
        backend.gradient();
        long[] at = backend.divergedAt();
        int bad = -1;
        for (int c = 0; c < at.length; c++) if (at[c] >= 0) { bad = c; break; }
        if (bad < 0) return;
        double[] t = backend.traces()[bad];
        double u = t[Traces.POTENTIAL], limit = StepConstants.of(m, task.train()).divergenceLimit();
        double yMax = Math.max(Math.abs(config.task().yPlus()), Math.abs(config.task().yMinus()));
        // ½ Σ y² alone, with f = 0: when the targets carry the loss, they are the cause; else the outputs are
        double fromTargets = 0.5 * yMax * yMax * task.train().P() * m.m();
        String what = String.format(Locale.ROOT, "makes the potential at step 0, before any step, %s (chain %d), past the "
                + "divergence limit %.3g", Double.isFinite(u) ? String.format(Locale.ROOT, "%.3g", u) : "not finite", bad, limit);
        if (Double.isFinite(t[Traces.LOSS]) && fromTargets >= 0.25 * t[Traces.LOSS]) {
            boolean plus = Math.abs(config.task().yPlus()) >= Math.abs(config.task().yMinus());
            throw SpecException.of(plus ? "y-plus" : "y-minus", plus ? config.task().yPlus() : config.task().yMinus(),
                    what, "targets the network's outputs can reach, e.g. of order 1");
        }
        throw SpecException.of("sigma-w2", m.sigmaW2(), what + " through the prior draws' outputs (sigma-a2 = "
                + m.sigmaA2() + ")", "prior variances of order 1");
    }

    // ================================================================== outputs

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
    private RunSummary.Built writeResults() {
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
        return RunSummary.build(config.sampler(), backend, traces, dropped(), trainErr, testErr, kept.gibbsTrain(),
                kept.gibbsTest(), kept.coding(), samplingSeconds, observeSeconds, seconds(started));
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

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static double seconds(long since) { return (System.nanoTime() - since) * 1e-9; }
}
