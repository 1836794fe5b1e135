package org.nnpost.cli;

import static org.nnpost.cli.Flags.flag;
import static org.nnpost.cli.Flags.toggle;

import java.io.PrintStream;
import java.util.List;

import org.nnpost.bench.Bench;

/** {@code nnpost bench}: chain-steps per second of a preset after warm-up. */
final class BenchCommand {
    private BenchCommand() {}

    static final String PRESETS = "small, reference, paper, deep";

    static final Flags FLAGS = new Flags("bench", List.of(
            flag("preset", "Workload", "name", "reference", "network and chains: " + PRESETS
                    + " (reference: L=1 relu, N=P=200, N0=220, C=16)"),
            flag("chains", "Workload", "int", "the preset's (16)", "independent chains C"),
            flag("backend", "Machine", "name", "auto", "cpu, cuda or auto"),
            flag("threads", "Machine", "int", "all cores", "CPU threads"),
            flag("device", "Machine", "int", "0", "GPU to run on"),
            flag("precision", "Machine", "name", "fp32", "fp32, or tf32 (GPU only)"),
            flag("rng", "Machine", "name", "philox", "philox, or curand (GPU only: cuRAND draws the noise)"),
            flag("warmup", "Timing", "int", "20", "untimed steps first (JIT, caches, GPU clocks)"),
            flag("steps", "Timing", "int", "50", "timed steps per repeat"),
            flag("repeats", "Timing", "int", "3", "timed repeats; the median and spread are reported"),
            toggle("json", "Other", "print the result as one JSON object"),
            toggle(Flags.HELP, "Other", "this text")));

    static String usage() {
        return FLAGS.usage("nnpost bench [flags]",
                "Times Langevin steps of a preset network on one backend and prints chain-steps/s.");
    }

    static int run(String[] args, PrintStream out) {
        Flags.Values v = FLAGS.parse(args);
        if (v.isHelp()) {
            out.print(usage());
            return 0;
        }
        String presetName = v.string("preset", "reference");
        String backend = v.choice("backend", "auto", "cpu", "cuda", "auto");
        int threads = (int) v.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 4096);
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
        org.nnpost.backend.cuda.CudaOptions cuda = SampleCommand.cudaOptions(v, backend);
        Bench.Result r = Bench.measure(preset, backend, threads, warmup, steps, repeats, cuda);
        out.println(v.switchValue("json") ? r.toJson() : r.format());
        return 0;
    }
}
