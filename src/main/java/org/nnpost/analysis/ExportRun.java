package org.nnpost.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.Traces;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.io.Zarr;
import org.nnpost.output.RunLayout;
import org.nnpost.output.Version;
import org.nnpost.run.RunConfig;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.spec.SpecException;

/**
 * {@code nnpost export}: a finished run as ArviZ's InferenceData, in a Zarr store that
 * {@code az.from_zarr} and {@code xr.open_zarr(store, group=...)} open with named dimensions
 * (docs/OUTPUTS.md, "Export"): {@code posterior} (the kept draws' readout weights and
 * activations), {@code sample_stats} (lp = −U, the loss, the squared norms, diverging, MALA's
 * acceptance), {@code observed_data} and {@code constant_data} (the task), every group with the
 * manifest's settings as attributes.
 *
 * <p>Zarr rather than netCDF4: netCDF4 is HDF5 with dimension scales, and the one pure-Java HDF5
 * writer (jhdf 0.9.4) cannot write the object references they are made of, so xarray reads its
 * files with dimensions named phony_dim_0, 1, … (README, "Export").
 */
public final class ExportRun {
    private ExportRun() {}

    public static final String ZARR = "zarr", NETCDF = "netcdf";
    /** The store's default name inside the run directory. */
    public static final String DEFAULT_NAME = "export.zarr";

    public record Result(Path store, String text) {}

    public static Result execute(Path dir, String format, Path out) {
        if (format.equals(NETCDF))
            throw SpecException.of("format", format, "cannot be written: netCDF4 needs HDF5 dimension scales, which no pure-Java "
                    + "HDF5 writer makes (README, \"Export\"); xarray converts the Zarr store: "
                    + "az.from_zarr(STORE).to_netcdf(\"run.nc\")", "zarr");
        if (!format.equals(ZARR)) throw SpecException.of("format", format, "is not a store format", "zarr");
        PlotRun.Checked c = PlotRun.open(dir);
        Path store = out != null ? out : dir.resolve(DEFAULT_NAME);
        if (Files.exists(store))
            throw SpecException.input(store.toString(), "exists", "a new path for the store (remove the old one first)");
        RunConfig run = c.run();
        RunFiles files = c.files();
        SamplerSpec s = run.sampler();
        int C = s.chains();
        long D = s.draws();
        int K = (int) Math.min(s.keepDraws(), D);
        ObjectNode attrs = attributes(c.manifest());
        Zarr z = Zarr.create(store, attrs);
        try {
            // posterior: the K kept draws
            long[] keptDraw = new long[K], keptStep = new long[K];
            for (int j = 0; j < K; j++) {
                keptDraw[j] = RunLayout.drawOfKept(j, D, K);
                keptStep[j] = RunLayout.stepOfDraw(keptDraw[j], s.burnIn(), s.every());
            }
            z.group("posterior", attrs);
            coords(z, "posterior", C, keptDraw, keptStep);
            Npy.Array a = files.array(RunLayout.READOUT);
            long[] sh = a.shape();
            index(z, "posterior/neuron", "neuron", sh[2]);
            index(z, "posterior/output", "output", sh[3]);
            ObjectNode withStep = Json.object().put("coordinates", "step");
            z.array("posterior/a", "<f4", sh, new String[]{"chain", "draw", "neuron", "output"}, a.data(),
                    withStep.deepCopy().put("long_name", "readout weight a_ir of neuron i onto output r"));
            Npy.Array ht = files.array(RunLayout.ACT_TRAIN), he = files.array(RunLayout.ACT_TEST);
            index(z, "posterior/train_input", "train_input", ht.shape()[3]);
            index(z, "posterior/test_input", "test_input", he.shape()[3]);
            z.array("posterior/h_train", "<f4", ht.shape(), new String[]{"chain", "draw", "neuron", "train_input"}, ht.data(),
                    withStep.deepCopy().put("long_name", "last hidden layer's activation on the training inputs"));
            z.array("posterior/h_test", "<f4", he.shape(), new String[]{"chain", "draw", "neuron", "test_input"}, he.data(),
                    withStep.deepCopy().put("long_name", "last hidden layer's activation on the test inputs"));

            // sample_stats: every draw
            long[] draw = new long[(int) D], step = new long[(int) D];
            for (int d = 0; d < D; d++) {
                draw[d] = d;
                step[d] = RunLayout.stepOfDraw(d, s.burnIn(), s.every());
            }
            z.group("sample_stats", attrs);
            coords(z, "sample_stats", C, draw, step);
            String[] cd = {"chain", "draw"};
            long[] shape = {C, D};
            for (String name : Traces.names(run.model())) {
                double[] v = files.array(RunLayout.trace(name)).doubles();
                if (name.equals("potential")) {
                    for (int i = 0; i < v.length; i++) v[i] = -v[i];
                    z.array("sample_stats/lp", v, shape, cd, withStep.deepCopy()
                            .put("long_name", "log posterior density up to a constant: -U, U the potential (trace_potential.npy)"));
                } else {
                    z.array("sample_stats/" + name, v, shape, cd, withStep.deepCopy().put("long_name", describe(name)));
                }
            }
            long[] divergedAt = files.array(RunLayout.DIVERGENCE).longs();
            boolean[] diverging = new boolean[(int) (C * D)];
            for (int ch = 0; ch < C; ch++) {
                if (divergedAt[ch] < 0) continue;
                for (int d = 0; d < D; d++)
                    if (step[d] >= divergedAt[ch]) {
                        diverging[(int) (ch * D + d)] = true;
                        break;
                    }
            }
            z.array("sample_stats/diverging", diverging, shape, cd, withStep.deepCopy()
                    .put("long_name", "true at the first draw at or after the step the chain diverged at (divergence.npy)"));
            JsonNode acc = files.json(RunLayout.SUMMARY).path("acceptance_rate").path("per_chain");
            if (acc.isArray() && acc.size() == C) {
                double[] rate = new double[C];
                for (int ch = 0; ch < C; ch++) rate[ch] = acc.get(ch).isNumber() ? acc.get(ch).asDouble() : Double.NaN;
                z.array("sample_stats/acceptance_rate", rate, new long[]{C}, new String[]{"chain"},
                        Json.object().put("long_name", "MALA: accepted proposals / steps, over the whole run"));
            }

            // the task
            Npy.Array x = files.array(RunLayout.inputs(false)), y = files.array(RunLayout.targets(false));
            Npy.Array xt = files.array(RunLayout.inputs(true)), yt = files.array(RunLayout.targets(true));
            z.group("observed_data", attrs);
            index(z, "observed_data/train_input", "train_input", y.shape()[0]);
            index(z, "observed_data/output", "output", y.shape()[1]);
            z.array("observed_data/y", "<f4", y.shape(), new String[]{"train_input", "output"}, y.data(),
                    Json.object().put("long_name", "training targets"));
            z.array("observed_data/labels", files.array(RunLayout.labels(false)).longs(), new long[]{y.shape()[0]},
                    new String[]{"train_input"}, Json.object().put("long_name", "class of each training input"));
            z.group("constant_data", attrs);
            index(z, "constant_data/train_input", "train_input", x.shape()[0]);
            index(z, "constant_data/test_input", "test_input", xt.shape()[0]);
            index(z, "constant_data/feature", "feature", x.shape()[1]);
            index(z, "constant_data/output", "output", yt.shape()[1]);
            z.array("constant_data/x", "<f4", x.shape(), new String[]{"train_input", "feature"}, x.data(),
                    Json.object().put("long_name", "training inputs"));
            z.array("constant_data/x_test", "<f4", xt.shape(), new String[]{"test_input", "feature"}, xt.data(),
                    Json.object().put("long_name", "test inputs"));
            z.array("constant_data/y_test", "<f4", yt.shape(), new String[]{"test_input", "output"}, yt.data(),
                    Json.object().put("long_name", "test targets"));
            z.array("constant_data/labels_test", files.array(RunLayout.labels(true)).longs(), new long[]{xt.shape()[0]},
                    new String[]{"test_input"}, Json.object().put("long_name", "class of each test input"));
            Path done = z.finish();
            return new Result(done, String.format(java.util.Locale.ROOT,
                    "exported %s: posterior (%d chains x %d kept draws), sample_stats (%d draws), observed_data, constant_data%n"
                            + "open with: az.from_zarr(\"%s\") or xr.open_zarr(\"%s\", group=\"posterior\")",
                    done, C, K, D, done, done));
        } catch (RuntimeException e) {
            z.abandon();
            throw e;
        }
    }

    private static String describe(String trace) {
        if (trace.equals("loss")) return "training loss: 1/2 sum over inputs and outputs of (f - y)^2";
        return "squared norm of parameter group " + trace.substring("sqnorm_".length());
    }

    /** chain and draw coordinates, and step on draw. */
    private static void coords(Zarr z, String group, int C, long[] draw, long[] step) {
        index(z, group + "/chain", "chain", C);
        z.array(group + "/draw", draw, new long[]{draw.length}, new String[]{"draw"}, null);
        z.array(group + "/step", step, new long[]{step.length}, new String[]{"draw"},
                Json.object().put("long_name", "sampler step after which the draw was taken"));
    }

    private static void index(Zarr z, String path, String dim, long n) {
        long[] v = new long[(int) n];
        for (int i = 0; i < n; i++) v[i] = i;
        z.array(path, v, new long[]{n}, new String[]{dim}, null);
    }

    /** ArviZ's usual attributes, and the manifest's parameters and derived values (nulls left out). */
    static ObjectNode attributes(JsonNode manifest) {
        ObjectNode a = Json.object();
        a.put("created_at", Instant.now().toString());
        a.put("inference_library", "nnpost");
        a.put("inference_library_version", Version.get());
        a.put("run_status", manifest.path("status").asText());
        a.put("run_created", manifest.path("created").asText());
        for (String block : new String[]{"parameters", "derived"})
            for (Map.Entry<String, JsonNode> e : manifest.path(block).properties())
                if (!e.getValue().isNull() && !a.has(e.getKey())) a.set(e.getKey(), e.getValue().deepCopy());
        JsonNode b = manifest.path("backend").path("description");
        if (b.isTextual()) a.put("backend_description", b.asText());
        return a;
    }
}
