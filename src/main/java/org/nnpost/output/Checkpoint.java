package org.nnpost.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.Moments;
import org.nnpost.io.CrashPoint;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.sampler.StepSizeTuner;

/**
 * What a run needs to go on exactly where it stopped: the parameters of every chain (and their
 * momenta, for underdamped Langevin) with the step counter and seed, the per-chain counts (acceptances, divergence steps), the running sums
 * of kernels and predictor moments, and the traces of the draws so far. The kept draws whole
 * (readout weights, activations) are not copied here: they stream into the same directory
 * ({@link #streamPath}) and are forced to disk before each checkpoint, and the checkpoint says
 * how many of them are in ({@code kept} in {@link #meta}); the Gibbs error and coding metrics
 * are read back from them on resume.
 *
 * <p>On disk, under RUN_DIR/{@value #DIR}: each checkpoint is a directory of .npy files and
 * meta.json, written under a temporary name, forced to disk and renamed; then
 * {@value #LATEST} (written atomically) names it, and older ones are deleted. A crash at any
 * moment leaves the last complete checkpoint named and whole; what a crash leaves half-written
 * is never named, and {@link #clean} removes it.
 *
 * @param meta   the trace series, draws and kept draws so far, and what resume must match:
 *               program version and build, the run's parameters, the data's checksum (step,
 *               seed, chains and samples are added from the state itself)
 * @param traces [trace][chain][draw] in C order, the draws so far
 */
public record Checkpoint(ObjectNode meta, ChainState chains, long[] accepted, long[] divergedAt, Moments moments,
                         double[] traces) {

    public static final String DIR = "checkpoint";
    public static final String LATEST = "latest.json";
    static final String PREFIX = "state-";
    static final String TMP = ".partial";

    /** Where kept draws stream during a run: under the checkpoint directory, never looking finished. */
    public static Path streamPath(Path runDir, String file) { return runDir.resolve(DIR).resolve(file); }

    /** What writing one took: bytes on disk and seconds. */
    public record Written(long bytes, double seconds, String name) {}

    /** Writes this checkpoint, then names it the latest, then deletes the others. */
    public Written write(Path runDir, ModelSpec spec) {
        long t0 = System.nanoTime();
        Path dir = runDir.resolve(DIR);
        String name = PREFIX + chains.step();
        Path tmp = dir.resolve("." + name + TMP), target = dir.resolve(name);
        try {
            Files.createDirectories(dir);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            int C = chains.chains();
            for (int g = 0; g < spec.groups(); g++) {
                Npy.write(tmp.resolve("theta_" + spec.groupName(g) + ".npy"), chains.params()[g], C, spec.outDim(g), spec.inDim(g));
                if (chains.momenta() != null)
                    Npy.write(tmp.resolve("momentum_" + spec.groupName(g) + ".npy"), chains.momenta()[g], C, spec.outDim(g), spec.inDim(g));
            }
            CrashPoint.at("checkpoint-write");   // half of it written
            Npy.write(tmp.resolve("accepted.npy"), accepted, C);
            Npy.write(tmp.resolve("diverged_at.npy"), divergedAt, C);
            int draws = meta.path("draws").asInt(), series = meta.path("traces").asInt();
            if (traces.length != (long) series * C * draws)
                throw new IllegalArgumentException("traces: " + traces.length + " values for " + series + " x " + C + " x " + draws);
            Npy.write(tmp.resolve("traces.npy"), traces, series, C, draws);
            for (int l = 0; l < moments.kernelTrain().length; l++) {
                int P = (int) Math.round(Math.sqrt(moments.kernelTrain()[l].length));
                int Pt = (int) Math.round(Math.sqrt(moments.kernelTest()[l].length));
                Npy.write(tmp.resolve("kernel_l" + (l + 1) + "_train_sum.npy"), moments.kernelTrain()[l], P, P);
                Npy.write(tmp.resolve("kernel_l" + (l + 1) + "_test_sum.npy"), moments.kernelTest()[l], Pt, Pt);
            }
            Npy.write(tmp.resolve("f_train_sum.npy"), moments.fTrain(), moments.fTrain().length);
            Npy.write(tmp.resolve("f_train_sq_sum.npy"), moments.fTrainSq(), moments.fTrainSq().length);
            Npy.write(tmp.resolve("f_test_sum.npy"), moments.fTest(), moments.fTest().length);
            Npy.write(tmp.resolve("f_test_sq_sum.npy"), moments.fTestSq(), moments.fTestSq().length);
            ObjectNode m = meta.deepCopy();
            m.put("step", chains.step());
            m.put("seed", Integer.toUnsignedLong(chains.seed()));
            m.put("chains", C);
            m.put("samples", moments.samples());
            Json.write(tmp.resolve("meta.json"), m);
            syncDirectory(tmp);
            deleteTree(target);
            Files.move(tmp, target);
            syncDirectory(dir);
            ObjectNode latest = Json.object();
            latest.put("checkpoint", name);
            latest.put("step", chains.step());
            CrashPoint.at("checkpoint-named");   // complete, not yet the latest
            Json.write(dir.resolve(LATEST), latest);
            long bytes = size(target);
            clean(runDir, name);
            return new Written(bytes, (System.nanoTime() - t0) * 1e-9, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp + ": " + e.getMessage(), e);
        }
    }

    /** --eta auto's tuning state as a checkpoint keeps it: every number exactly, so a resumed tuning goes on bit for bit. */
    public static ObjectNode tuning(StepSizeTuner.State t) {
        ObjectNode o = Json.object();
        ArrayNode updates = o.putArray("t");
        for (long x : t.t()) updates.add(x);
        o.set("mu", Json.doubles(t.mu()));
        o.set("h_bar", Json.doubles(t.hBar()));
        o.set("log_eta", Json.doubles(t.logEta()));
        o.set("log_eta_bar", Json.doubles(t.logEtaBar()));
        o.set("acceptance", Json.doubles(t.acceptance()));
        if (t.eta() != null) o.set("eta", Json.floats(t.eta()));
        return o;
    }

    /** The tuning state a checkpoint kept. */
    public static StepSizeTuner.State tuning(JsonNode o) {
        if (!o.isObject()) throw new IllegalStateException("the checkpoint has no tuning state, which --eta auto needs");
        float[] eta = null;
        if (o.has("eta")) {
            eta = new float[o.path("eta").size()];
            for (int g = 0; g < eta.length; g++) eta[g] = (float) o.path("eta").get(g).asDouble();
        }
        long[] t = new long[o.path("t").size()];
        for (int g = 0; g < t.length; g++) t[g] = o.path("t").get(g).asLong();
        return new StepSizeTuner.State(t, doubles(o.path("mu")), doubles(o.path("h_bar")), doubles(o.path("log_eta")),
                doubles(o.path("log_eta_bar")), doubles(o.path("acceptance")), eta);
    }

    /** Numbers as Json.doubles wrote them: null for what was not finite (an acceptance not yet measured). */
    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).isNumber() ? a.get(i).asDouble() : Double.NaN;
        return v;
    }

    /**
     * The latest complete checkpoint of a run directory, or null when it has none.
     *
     * @throws IllegalStateException when the one named is damaged (a message naming the file)
     */
    public static Checkpoint read(Path runDir, ModelSpec spec) {
        Path dir = runDir.resolve(DIR), latest = dir.resolve(LATEST);
        if (!Files.isRegularFile(latest)) return null;
        JsonNode l = Json.read(latest);
        Path state = dir.resolve(l.path("checkpoint").asText(""));
        if (!Files.isRegularFile(state.resolve("meta.json")))
            throw new IllegalStateException(latest + " names " + state.getFileName() + ", which is missing");
        ObjectNode meta = (ObjectNode) Json.read(state.resolve("meta.json"));
        int C = meta.path("chains").asInt();
        float[][] params = new float[spec.groups()][];
        for (int g = 0; g < spec.groups(); g++) {
            params[g] = Npy.read(state.resolve("theta_" + spec.groupName(g) + ".npy")).floats();
            if (params[g].length != (long) C * spec.groupSize(g))
                throw new IllegalStateException(state.resolve("theta_" + spec.groupName(g) + ".npy") + " has "
                        + params[g].length + " values, not " + C + " x " + spec.groupSize(g));
        }
        float[][] momenta = null;
        if (Files.exists(state.resolve("momentum_" + spec.groupName(0) + ".npy"))) {
            momenta = new float[spec.groups()][];
            for (int g = 0; g < spec.groups(); g++) {
                momenta[g] = Npy.read(state.resolve("momentum_" + spec.groupName(g) + ".npy")).floats();
                if (momenta[g].length != params[g].length)
                    throw new IllegalStateException(state.resolve("momentum_" + spec.groupName(g) + ".npy") + " has "
                            + momenta[g].length + " values, not " + params[g].length);
            }
        }
        ChainState chains = new ChainState(C, (int) meta.path("seed").asLong(), meta.path("step").asLong(), params, momenta);
        long[] accepted = Npy.read(state.resolve("accepted.npy")).longs();
        long[] diverged = Npy.read(state.resolve("diverged_at.npy")).longs();
        double[] traces = Npy.read(state.resolve("traces.npy")).doubles();
        int L = spec.L();
        double[][] kt = new double[L][], ke = new double[L][];
        for (int i = 0; i < L; i++) {
            kt[i] = Npy.read(state.resolve("kernel_l" + (i + 1) + "_train_sum.npy")).doubles();
            ke[i] = Npy.read(state.resolve("kernel_l" + (i + 1) + "_test_sum.npy")).doubles();
        }
        Moments m = new Moments(meta.path("samples").asLong(), kt, ke,
                Npy.read(state.resolve("f_train_sum.npy")).doubles(), Npy.read(state.resolve("f_train_sq_sum.npy")).doubles(),
                Npy.read(state.resolve("f_test_sum.npy")).doubles(), Npy.read(state.resolve("f_test_sq_sum.npy")).doubles());
        return new Checkpoint(meta, chains, accepted, diverged, m, traces);
    }

    /** Removes what a crash may have left half-written, and every checkpoint but {@code keep} (null: keep the latest). */
    public static void clean(Path runDir, String keep) {
        Path dir = runDir.resolve(DIR);
        if (!Files.isDirectory(dir)) return;
        String named = keep;
        if (named == null && Files.isRegularFile(dir.resolve(LATEST))) {
            try {
                named = Json.read(dir.resolve(LATEST)).path("checkpoint").asText(null);
            } catch (RuntimeException e) {
                named = null;
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                boolean stale = f.endsWith(TMP) || (f.startsWith(PREFIX) && !f.equals(named));
                if (stale) deleteTree(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Removes the checkpoint directory of a finished run: it has nothing left to resume. */
    public static void removeAll(Path runDir) {
        try {
            deleteTree(runDir.resolve(DIR));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + runDir.resolve(DIR) + ": " + e.getMessage(), e);
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long n = 0;
            for (Path p : s.toList()) if (Files.isRegularFile(p)) n += Files.size(p);
            return n;
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(p)) {
            s.forEach(all::add);
        }
        for (int i = all.size() - 1; i >= 0; i--) Files.deleteIfExists(all.get(i));
    }

    /** Makes the names in a directory durable where the platform can open a directory (Linux, macOS). */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not possible on this platform; the renames are still atomic, only their durability is weaker
        }
    }
}
