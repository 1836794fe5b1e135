package org.nnpost.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.BackendSpec;
import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.run.Interrupts;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunResult;
import org.nnpost.run.RunSettings;
import org.nnpost.run.SampleRun;
import org.nnpost.run.Setting;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;
import org.nnpost.spec.SpecException;

/**
 * {@code nnpost sweep}: every point of a {@link Study} as an ordinary run directory under one
 * directory, restartably. Before anything runs, every point is checked as a run is
 * ({@link RunSettings#config(Settings, Path)}: the records check themselves), the directory is
 * made or found to hold the same study ({@link SweepDir}), and a point directory that holds a run
 * of other settings is refused. Then each point of this invocation (all, or a shard's) goes as
 * its directory says: complete and diverged points are left as they are, interrupted and
 * abandoned ones resume from their checkpoints ({@link SampleRun#resume}), failed ones only with
 * {@code --retry-failed}, new ones start. A point that fails or diverges is recorded and the
 * sweep goes on; SIGINT or SIGTERM stops the running point at its next look (it writes a
 * checkpoint) and then the sweep.
 *
 * <p>Points run one after another in this JVM on the CPU: the JVM, its compiled code, the native
 * GEMM library, the GPU probe and an image dataset once read serve every point, and the theory of
 * points with the same data is computed once when the table is made. With {@code --devices 0,1,...} points run side by side,
 * one per GPU at a time, each on the next free device. (Packing several small points into one
 * batch of chains on one GPU would go here too, as a backend whose chains belong to several
 * points; it is not done: each point has its own backend.)
 *
 * <p>Exit codes ({@link Outcome#exitCode}): 0 every point of the invocation is complete; 3 some
 * diverged (the rest complete); 5 some failed (their errors are in study.json and in their
 * manifests; {@code --retry-failed} runs them again), whatever else happened; 6 some are running
 * in another process (another shard, another sweep); 130 and 143 interrupted.
 */
public final class Sweep {
    private Sweep() {}

    public static final int DIVERGED = 3, FAILED = 5, ELSEWHERE = 6;

    /** Which points an invocation runs: those whose index is {@code index} modulo {@code count}. */
    public record Shard(int index, int count) {
        public static final Shard ALL = new Shard(0, 1);
        public static final String ALLOWED = "i/n with 0 <= i < n, e.g. 0/4 (the points whose index is i modulo n)";

        public Shard {
            if (count < 1 || index < 0 || index >= count) throw SpecException.of("shard", index + "/" + count, "out of range", ALLOWED);
        }

        public static Shard parse(String text) {
            String t = text.trim();
            if (!t.matches("[0-9]{1,9}/[0-9]{1,9}")) throw SpecException.of("shard", text, "not i/n", ALLOWED);
            String[] p = t.split("/");
            return new Shard(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }

        public boolean has(int pointIndex) { return pointIndex % count == index; }

        public boolean all() { return count == 1; }

        @Override public String toString() { return index + "/" + count; }
    }

    /**
     * @param machine     settings given on the command line for where the chains run (backend,
     *                    threads, precision, rng, data-dir, checkpoint-every): not part of the study
     * @param devices     GPUs to hand out, one point per device at a time, or null to run on one
     * @param goOn        the command that goes on with this sweep, for messages
     */
    public record Request(Study study, Path dir, Settings machine, Shard shard, int[] devices, boolean retryFailed,
                          String goOn) {}

    /** A checked sweep, its directory made or found. */
    public record Plan(Request request, List<Study.Point> points, Map<Integer, RunConfig> configs, SweepDir dir) {
        /** The points this invocation runs. */
        public List<Study.Point> mine() {
            List<Study.Point> out = new ArrayList<>();
            for (Study.Point p : points) if (request.shard().has(p.index())) out.add(p);
            return out;
        }

        public Path directory() { return dir.dir(); }
    }

    /** How one point ended in this invocation (or was left as it was). */
    public record PointResult(Study.Point point, String status, String did, String error, int exitCode, double seconds) {}

    /** @param exitCode see the class comment; {@code lines} a summary for the user */
    public record Outcome(List<PointResult> points, int exitCode, List<String> lines) {}

    // ---------------------------------------------------------------- checking

    /** Checks every point and the directory; makes the directory (with study.json) when it is new. */
    public static Plan plan(Request q) {
        List<Study.Point> points = q.study().points();
        Map<Integer, RunConfig> configs = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Study.Point p : points) {
            Settings v = q.study().settings(p, q.machine());
            RunConfig c;
            try {
                c = RunSettings.config(v, q.dir().resolve(p.name()));
            } catch (SpecException e) {
                throw pointError(p, e, v);
            }
            String same = seen.put(science(RunSettings.parameters(c)).toString(), p.name());
            if (same != null)
                throw SpecException.input("point " + p.name(), "is the same run as point " + same, "points whose settings differ");
            configs.put(p.index(), c);
        }
        if (q.devices() != null) {
            if (q.devices().length == 0) throw SpecException.of("devices", "", "empty", "GPU indices, e.g. 0,1");
            for (RunConfig c : configs.values())
                if (c.backend().kind().equals("cpu"))
                    throw SpecException.of("devices", list(q.devices()), "hands out GPUs, and the points run on the CPU (--backend cpu)",
                            "--backend cuda or auto with --devices; leave --devices out for CPU points");
        }
        SweepDir dir = SweepDir.open(q.dir(), q.study(), points);
        Plan plan = new Plan(q, points, configs, dir);
        for (Study.Point p : plan.mine()) checkHeld(plan, p);
        return plan;
    }

    /** "point N=400,phi=erf,seed=1: P (in s.json grid) 500: ..." — a setting left at its default is named so. */
    static SpecException pointError(Study.Point p, SpecException e, Settings v) {
        SpecException named = e.key() != null && !v.has(e.key()) && e.getMessage().startsWith("--" + e.key())
                ? e.relabel(Setting.fileKey(e.key()) + " (default)", null) : e;
        return SpecException.input("point " + p.name(), named.getMessage(), null);
    }

    /** The settings that decide a run's numbers: its parameters without where the chains ran. */
    static ObjectNode science(ObjectNode parameters) {
        ObjectNode o = parameters.deepCopy();
        o.remove(List.of("backend", "threads", "device", "devices", "precision", "rng", "data_dir"));
        return o;
    }

    /** A point's directory that holds a run must hold this point's run (a directory changed by hand is refused). */
    private static void checkHeld(Plan plan, Study.Point p) {
        Path m = plan.dir().point(p.name()).resolve(Manifest.FILE);
        if (!Files.isRegularFile(m)) return;
        JsonNode held;
        try {
            held = Json.read(m).path("parameters");
        } catch (RuntimeException e) {
            return;   // unreadable: the point's state says failed, and the run says why when resumed
        }
        // as a file holds it: read back from its text, so that numbers compare by value, not by Java type
        ObjectNode want = (ObjectNode) Json.parse(science(RunSettings.parameters(plan.configs().get(p.index()))).toString());
        if (!held.isObject()) return;
        ObjectNode have = science((ObjectNode) held);
        if (have.equals(want)) return;
        List<String> diff = new ArrayList<>();
        for (java.util.Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!want.path(k).equals(have.path(k)))
                diff.add(k + " " + (have.has(k) ? show(have.get(k)) : "(none)") + " there, " + show(want.get(k)) + " in the study");
        }
        throw SpecException.input(plan.dir().point(p.name()).toString(), "holds a run of other settings than the study's point ("
                + String.join("; ", diff) + ")", "the point's own run; move the directory away to run the point anew");
    }

    private static String show(JsonNode n) {
        return n.isTextual() ? n.asText() : n.toString();
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the plan's points of this invocation. The table is made at the end of an unsharded
     * sweep (shards leave it to {@code nnpost sweep collect}, once all are done).
     *
     * @param progress a progress display per point
     * @param say      lines for the user: a point starts, ends, is left as it was
     * @throws NnpostException with 130 or 143 when a signal stopped the sweep (the running points wrote checkpoints)
     */
    public static Outcome run(Plan plan, Function<Study.Point, Progress> progress, Consumer<String> say) {
        Request q = plan.request();
        List<Study.Point> mine = plan.mine();
        int total = plan.points().size();
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, JsonNode> recorded = plan.dir().recordedAll();
        for (Study.Point p : mine)
            count.merge(plan.dir().state(p.name(), recorded.getOrDefault(p.name(), Json.object())), 1, Integer::sum);
        say.accept(String.format(Locale.ROOT, "sweep %s: %d points%s: %s", plan.directory(), total,
                q.shard().all() ? "" : ", shard " + q.shard() + " runs " + mine.size() + " of them", describe(count)));
        List<PointResult> results = Collections.synchronizedList(new ArrayList<>());
        Interrupts.enter();
        try {
            if (q.devices() == null) {
                for (Study.Point p : mine) {
                    if (Interrupts.pending() != 0) break;
                    PointResult r = runOne(plan, p, -1, progress, say);
                    results.add(r);
                    if (r.exitCode() >= 128) break;
                }
            } else {
                onDevices(plan, mine, progress, say, results);
            }
        } finally {
            Interrupts.leave();
        }
        List<PointResult> done = new ArrayList<>(results);
        done.sort((a, b) -> Integer.compare(a.point().index(), b.point().index()));
        int signal = Interrupts.pending();
        for (PointResult r : done) if (r.exitCode() >= 128) signal = r.exitCode() - 128;
        if (signal != 0) {
            long complete = done.stream().filter(r -> r.status().equals(Manifest.COMPLETE)).count();
            String where = done.stream().filter(r -> r.exitCode() >= 128).map(r -> "at point " + r.point().name() + " (" + r.error() + ")")
                    .findFirst().orElse("between points");
            throw new NnpostException(128 + signal, String.format(Locale.ROOT,
                    "sweep interrupted %s; %d of the %d points of this run are complete; go on with: %s", where,
                    complete, mine.size(), q.goOn()));
        }
        return outcome(plan, done, say);
    }

    private static Outcome outcome(Plan plan, List<PointResult> done, Consumer<String> say) {
        Map<String, Integer> count = new LinkedHashMap<>();
        for (PointResult r : done) count.merge(r.status(), 1, Integer::sum);
        int code = count.containsKey(Manifest.FAILED) ? FAILED : count.containsKey(Manifest.DIVERGED) ? DIVERGED
                : count.containsKey("running") ? ELSEWHERE : 0;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "sweep %s: %s", plan.directory(), describe(count)));
        for (PointResult r : done)
            if (r.status().equals(Manifest.FAILED) || r.status().equals(Manifest.DIVERGED))
                lines.add("  " + r.point().name() + ": " + r.status() + (r.error() == null ? "" : ": " + r.error()));
        if (count.containsKey(Manifest.FAILED)) lines.add("  run the failed points again with: " + plan.request().goOn() + " --retry-failed");
        if (count.containsKey("running")) lines.add("  points running in another process: rerun when they are done");
        if (plan.request().shard().all()) {
            SweepTable.Result t = SweepTable.collect(plan.directory(), Double.NaN);
            lines.add("  table: " + t.csv() + " (" + t.complete() + " of " + t.rows() + " points complete), by seed: " + t.bySeed());
        } else {
            lines.add("  shard " + plan.request().shard() + " done; once every shard is: nnpost sweep collect " + plan.directory());
        }
        lines.forEach(say);
        return new Outcome(done, code, lines);
    }

    static String describe(Map<String, Integer> count) {
        if (count.isEmpty()) return "nothing to do";
        List<String> parts = new ArrayList<>();
        for (String s : List.of(Manifest.COMPLETE, Manifest.DIVERGED, Manifest.FAILED, Manifest.INTERRUPTED, Manifest.ABANDONED,
                "running", SweepDir.PENDING))
            if (count.containsKey(s)) parts.add(count.get(s) + " " + (s.equals("running") ? "running elsewhere" : s));
        for (Map.Entry<String, Integer> e : count.entrySet())
            if (!parts.stream().anyMatch(x -> x.endsWith(" " + e.getKey()))) parts.add(e.getValue() + " " + e.getKey());
        return String.join(", ", parts);
    }

    /** One point per GPU at a time: each point takes the next free device and gives it back when done. */
    private static void onDevices(Plan plan, List<Study.Point> mine, Function<Study.Point, Progress> progress,
                                  Consumer<String> say, List<PointResult> results) {
        int[] devices = plan.request().devices();
        BlockingQueue<Integer> free = new ArrayBlockingQueue<>(devices.length);
        for (int d : devices) free.add(d);
        ExecutorService pool = Executors.newFixedThreadPool(devices.length, r -> {
            Thread t = new Thread(r, "sweep-point");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Study.Point p : mine)
                futures.add(pool.submit(() -> {
                    if (Interrupts.pending() != 0) return;
                    int device;
                    try {
                        device = free.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    try {
                        if (Interrupts.pending() == 0) results.add(runOne(plan, p, device, progress, say));
                    } finally {
                        free.add(device);
                    }
                }));
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One point: left as it is, resumed, or started; its status recorded in study.json. */
    private static PointResult runOne(Plan plan, Study.Point p, int device, Function<Study.Point, Progress> progress,
                                      Consumer<String> say) {
        Request q = plan.request();
        SweepDir dir = plan.dir();
        Path pd = dir.point(p.name());
        JsonNode recorded = dir.recorded(p.name());
        String state = dir.state(p.name(), recorded);
        String tag = String.format(Locale.ROOT, "[%d/%d] %s", p.index() + 1, plan.points().size(), p.name());
        boolean manifest = Files.isRegularFile(pd.resolve(Manifest.FILE));
        String did;
        switch (state) {
            case Manifest.COMPLETE -> {
                return left(p, state, "complete");
            }
            case Manifest.DIVERGED -> {
                say.accept(tag + ": diverged earlier; left as it is");
                return new PointResult(p, state, "diverged earlier", recorded.path("error").asText(null), NnpostException.DIVERGED, 0);
            }
            case Manifest.RUNNING -> {
                say.accept(tag + ": running in another process; left to it");
                return left(p, "running", "running elsewhere");
            }
            case Manifest.FAILED -> {
                if (!q.retryFailed()) {
                    String why = recorded.path("error").asText(null);
                    say.accept(tag + ": failed earlier" + (why == null ? "" : " (" + why + ")") + "; --retry-failed runs it again");
                    return new PointResult(p, Manifest.FAILED, "failed earlier", why, FAILED, 0);
                }
                did = manifest ? "retried from its last checkpoint" : "retried";
            }
            case Manifest.INTERRUPTED, Manifest.ABANDONED -> did = "resumed (" + state + ")";
            default -> did = "started";
        }
        say.accept(tag + ": " + (did.startsWith("started") ? "running" : did));
        dir.record(p.name(), o -> o.put("status", Manifest.RUNNING).put("host", host()).put("pid", ProcessHandle.current().pid()));
        long t0 = System.nanoTime();
        String status, error = null;
        int code = 0;
        Progress shown = progress.apply(p);
        try {
            RunResult r;
            if (manifest) {
                Settings machine = machine(q.machine(), device);
                r = SampleRun.resume(pd, machine, shown);
            } else {
                RunConfig c = plan.configs().get(p.index());
                if (device >= 0) c = onDevice(c, device);
                r = SampleRun.execute(c, shown);
            }
            status = Manifest.COMPLETE;
            say.accept(String.format(Locale.ROOT, "%s: complete in %.1f s, max R-hat %s, %d warning%s%s", tag, seconds(t0),
                    num(r.maxRhat()), r.warnings().size(), r.warnings().size() == 1 ? "" : "s", codes(r)));
        } catch (NnpostException e) {
            code = e.exitCode();
            // a setting the run found unusable at its start, named as the study gives it
            NnpostException named = e instanceof SpecException se ? q.study().settings(p, q.machine()).relabel(se) : e;
            error = Study.oneLine(named.getMessage());
            status = code == NnpostException.DIVERGED ? Manifest.DIVERGED : code >= 128 ? Manifest.INTERRUPTED : Manifest.FAILED;
            say.accept(tag + ": " + status + ": " + error);
        } catch (RuntimeException | OutOfMemoryError | LinkageError e) {
            code = 1;
            error = "internal error: " + e.getClass().getSimpleName() + ": " + Study.oneLine(String.valueOf(e.getMessage()));
            status = Manifest.FAILED;
            say.accept(tag + ": failed: " + error);
        } finally {
            shown.finish();
        }
        double s = seconds(t0);
        final String st = status, err = error;
        final int c = code;
        dir.record(p.name(), o -> {
            o.put("status", st);
            if (err != null) o.put("error", err);
            if (c != 0) o.put("exit_code", c);
            Json.put(o, "seconds", s);
        });
        return new PointResult(p, status, did, error, code, s);
    }

    static String list(int[] v) {
        StringBuilder s = new StringBuilder();
        for (int x : v) s.append(s.length() > 0 ? "," : "").append(x);
        return s.toString();
    }

    private static PointResult left(Study.Point p, String status, String did) {
        return new PointResult(p, status, did, null, 0, 0);
    }

    /** The run's backend moved to one GPU of the pool. */
    static RunConfig onDevice(RunConfig c, int device) {
        BackendSpec b = c.backend();
        return new RunConfig(c.model(), c.task(), c.sampler(),
                new BackendSpec(b.kind(), b.threads(), device, null, b.tf32(), b.curand()), c.options(), c.sigmaA2PerP());
    }

    private static Settings machine(Settings given, int device) {
        Settings v = new Settings();
        // the machine settings a resumed run takes anew (checkpoint-every and data-dir stay as the run recorded them)
        if (given != null)
            for (String k : given.keys())
                if (List.of("backend", "threads", "precision", "rng", "device", "devices").contains(k)) v.put(k, given.raw(k), given.label(k));
        if (device >= 0) v.put("device", Integer.toString(device), "--devices");
        return v;
    }

    private static String codes(RunResult r) {
        if (r.warnings().isEmpty()) return "";
        java.util.TreeSet<String> c = new java.util.TreeSet<>();
        r.warnings().forEach(w -> c.add(w.code()));
        return " (" + String.join(", ", c) + ")";
    }

    static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.4g", x) : "n/a";
    }

    private static double seconds(long t0) { return (System.nanoTime() - t0) * 1e-9; }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
