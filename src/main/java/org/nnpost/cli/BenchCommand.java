package org.nnpost.cli;

import static org.nnpost.cli.Flags.flag;
import static org.nnpost.cli.Flags.toggle;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.nnpost.backend.BackendSpec;
import org.nnpost.bench.Bench;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;

/** {@code nnpost bench}: chain-steps per second of a preset after warm-up. */
final class BenchCommand {
    private BenchCommand() {}

    static final String PRESETS = Bench.Preset.NAMES;

    static final Flags FLAGS = new Flags("bench", Flags.join(List.of(
            flag("preset", "Workload", "name", "reference", "network and chains: " + PRESETS
                    + " (reference: L=1 relu, N=P=200, N0=220, C=16)"),
            flag("chains", "Workload", "int", "the preset's (16)", "independent chains C")),
            Flags.join(RunSettings.MACHINE_SETTINGS, List.of(
            flag("warmup", "Timing", "int", "20", "untimed steps first (JIT, caches, GPU clocks)"),
            flag("steps", "Timing", "int", "50", "timed steps per repeat"),
            flag("repeats", "Timing", "int", "3", "timed repeats; the median and spread are reported"),
            flag("ess-steps", "Mixing", "int", "0 (off)", "then run each --sampler this many steps and report, from the second half, "
                    + "bulk ESS per second of the slowest trace and of the readout second moment, and <|a|^2>, <loss> with their errors"),
            flag("sampler", "Mixing", "list", "ula", "algorithms of the ESS runs: ula, mala, uld, e.g. ula,mala,uld; without --ess-steps, the algorithms timed (in alternating rounds)"),
            flag("eta", "Mixing", "x[,x...]|auto", "0.005", "step size of the ESS runs: one for all, or one per --sampler; auto: tuned in the first half"),
            flag("friction", "Mixing", "x", "2", "uld's friction in its ESS run"),
            toggle("burn-in-by-uld", "Mixing", "the first half runs ULD at eta 0.0025, then the sampler from there: a reference run of a slowly relaxing exact sampler (MALA)"),
            toggle("peak", "Timing", "CPU: also measure the cores' SGEMM peak (the best kernel here, OpenBLAS where it loads, and the backend's own) and copy bandwidth, and report the step's fraction of the peak"),
            toggle("json", "Other", "print the result as one JSON object (a second one for the ESS run)"),
            toggle(Flags.HELP, "Other", "this text")))));

    static String usage() {
        return FLAGS.usage("nnpost bench [flags]",
                "Times Langevin steps of a preset network on one backend and prints chain-steps/s.");
    }

    static int run(String[] args, PrintStream out) {
        Settings v = FLAGS.parse(args);
        if (Flags.isHelp(v)) {
            out.print(usage());
            return 0;
        }
        String presetName = v.string("preset", "reference");
        BackendSpec backend = RunSettings.backend(v);
        int warmup = (int) v.integer("warmup", 20, 0, Integer.MAX_VALUE);
        int steps = (int) v.integer("steps", 50, 1, Integer.MAX_VALUE);
        int repeats = (int) v.integer("repeats", 3, 1, 1000);
        Bench.Preset preset;
        try {
            preset = Bench.Preset.named(presetName);
        } catch (IllegalArgumentException e) {
            throw v.bad("preset", "unknown preset", PRESETS);
        }
        if (v.has("chains")) preset = preset.withChains((int) v.integer("chains", preset.chains(), 1, Integer.MAX_VALUE));
        // checked before any timing, so a bad value costs nothing
        long essSteps = v.integer("ess-steps", 0, 0, Integer.MAX_VALUE);
        int thin = (int) Math.max(1, essSteps / 400);
        if (essSteps > 0 && essSteps < 16) throw v.bad("ess-steps", "too few", "0, or at least 16");
        String[] samplers = v.has("sampler") ? v.raw("sampler").split(",", -1) : new String[]{"ula"};
        for (String a : samplers)
            if (!java.util.Arrays.asList(org.nnpost.sampler.SamplerSpec.ALGORITHMS).contains(a.trim()))
                throw v.bad("sampler", "unknown algorithm " + a.trim(), "ula, mala, uld, or a list of them");
        String[] etas = v.has("eta") ? v.raw("eta").split(",", -1) : new String[]{"0.005"};
        if (etas.length != 1 && etas.length != samplers.length)
            throw v.bad("eta", etas.length + " values for " + samplers.length + " samplers", "one for all, or one per --sampler");
        String allowedEta = "auto, or numbers > 0: one for all, or one per --sampler";
        for (String e : etas) {
            if (e.trim().equals("auto")) {
                if (essSteps > 0 && essSteps / 2 < org.nnpost.sampler.StepSizeTuner.MIN_BURN_IN)
                    throw v.bad("ess-steps", "too few for --eta auto, which tunes in the first half",
                            "at least " + 2 * org.nnpost.sampler.StepSizeTuner.MIN_BURN_IN + " with --eta auto");
                continue;
            }
            double x;
            try {
                x = Double.parseDouble(e.trim());
            } catch (NumberFormatException ex) {
                throw v.bad("eta", "not a number: " + e.trim(), allowedEta);
            }
            if (!(x > 0) || !Float.isFinite((float) x)) throw v.bad("eta", "a step size is not positive", allowedEta);
        }
        float friction = (float) v.positive("friction", org.nnpost.sampler.SamplerSpec.DEFAULT_FRICTION);
        boolean json = v.switchValue("json");
        // everything is measured before anything is printed: a bench that fails prints no number
        // that could be taken for a result, and a --json one prints only its JSON objects
        List<String> lines = new ArrayList<>();
        // without --ess-steps, --sampler names the algorithms to time, in alternating rounds
        String[] timed = essSteps > 0 ? new String[]{"ula"} : java.util.Arrays.stream(samplers).map(String::trim).toArray(String[]::new);
        List<Bench.Result> rs = Bench.measure(preset, backend, warmup, steps, repeats, Bench.ETA, timed);
        for (Bench.Result t : rs) {
            NnpostException timing = timingDiverged(t);
            if (timing != null) throw timing;
            lines.add(json ? t.toJson() : t.format());
        }
        Bench.Result r = rs.get(0);
        if (v.switchValue("peak")) {
            if (!r.device().startsWith("cpu"))
                throw v.bad("peak", "measures CPU cores only", "with --backend cpu; benchmarks/gpu-check.sh measures cuBLAS SGEMM on a GPU");
            org.nnpost.backend.cpu.CpuPeaks.Peaks pk = org.nnpost.backend.cpu.CpuPeaks.measure(backend.threads());
            double fraction = r.gflops() / pk.gemmGflops();
            lines.add(json
                    ? String.format(java.util.Locale.ROOT, "{\"sgemm_gflops\": %.2f, \"sgemm_kernel\": \"%s\", "
                            + "\"backend_sgemm_gflops\": %.2f, \"copy_gbs\": %.2f, \"fraction_of_sgemm\": %.3f}",
                            pk.gemmGflops(), pk.gemmName().replace("\"", "'"), pk.backendGemmGflops(), pk.copyGBs(), fraction)
                    : String.format(java.util.Locale.ROOT, "cores: SGEMM %.2f GFLOP/s (%s; the backend's kernel %.2f), "
                            + "copy %.2f GB/s; the step runs at %.0f%% of the SGEMM peak",
                            pk.gemmGflops(), pk.gemmName(), pk.backendGemmGflops(), pk.copyGBs(), 100 * fraction));
        }
        if (essSteps > 0) {
            for (int k = 0; k < samplers.length; k++) {
                String e = etas[etas.length == 1 ? 0 : k].trim(), alg = samplers[k].trim();
                boolean auto = e.equals("auto");
                float eta = auto ? org.nnpost.run.RunSettings.DEFAULT_ETA : Float.parseFloat(e);
                if (auto && v.switchValue("burn-in-by-uld"))
                    throw v.bad("burn-in-by-uld", "leaves --eta auto no burn-in to tune in", "a fixed --eta with it");
                Bench.Mixing mix = Bench.mixing(preset, backend, (int) essSteps, thin, alg, eta, auto, friction, v.switchValue("burn-in-by-uld"));
                NnpostException failed = essFailed(mix, v.label("eta") + " " + e + (samplers.length > 1 ? " (" + alg + ")" : ""));
                if (failed != null) throw failed;
                lines.add(json ? mix.toJson() : mix.format());
            }
        }
        for (String line : lines) out.println(line);
        return 0;
    }

    /**
     * The timed chains diverged: their rate would time non-finite arithmetic, so none is reported.
     * Their step size is fixed ({@code Bench.ETA}, far below what any preset needs), so no flag is to
     * blame; it says so.
     */
    static NnpostException timingDiverged(Bench.Result r) {
        if (r.diverged() == 0) return null;
        return new NnpostException(NnpostException.DIVERGED, r.diverged() + " of " + r.chains() + " chains of the timing run diverged ("
                + r.preset() + " on " + r.device() + ") at its fixed step size " + plain(Bench.ETA)
                + ", which no flag sets and no preset should diverge at: no rate is reported, since it would time "
                + "non-finite arithmetic; this points at the backend, please report it");
    }

    /** The ESS run's chains diverged, or its loss trace gave no ESS: the step size is the user's, so it names it. */
    static NnpostException essFailed(Bench.Mixing mix, String eta) {
        if (mix.diverged() > 0)
            return new NnpostException(NnpostException.DIVERGED, eta + ": " + mix.diverged() + " of the ESS run's chains diverged "
                    + "within its first " + (mix.steps() == 1 ? "step" : mix.steps() + " steps") + ", so it has no ESS (allowed: a smaller step size; the default is 0.005)");
        if (!Double.isFinite(mix.essSlowest()) || !Double.isFinite(mix.essReadout()))
            return new NnpostException(NnpostException.DIVERGED, eta + ": the ESS run's " + mix.traces()[mix.slowest()]
                    + " trace or readout gives no ESS (it is not finite, "
                    + "or does not move), so there is no ESS per second to report (allowed: a step size at which the chains "
                    + "move and stay finite; the default is 0.005)");
        return null;
    }

    private static String plain(float v) {
        return new java.math.BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }
}
