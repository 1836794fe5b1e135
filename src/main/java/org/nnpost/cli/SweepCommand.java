package org.nnpost.cli;

import static org.nnpost.cli.Flags.flag;
import static org.nnpost.cli.Flags.toggle;

import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.io.Json;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Setting;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;
import org.nnpost.spec.SpecException;
import org.nnpost.study.SlurmScript;
import org.nnpost.study.Study;
import org.nnpost.study.Sweep;
import org.nnpost.study.SweepPlot;
import org.nnpost.study.SweepTable;

/**
 * {@code nnpost sweep}: a study, its runs, its table and plots.
 *
 * <pre>
 *   nnpost sweep STUDY.json --out DIR [--shard i/n] [--devices 0,1] [--retry-failed] [machine flags]
 *   nnpost sweep --grid N=50,100 --grid phi=linear,erf --seeds 3 [run flags: the base] --out DIR
 *   nnpost sweep STUDY.json --out DIR --slurm [--shards n] [--time HH:MM:SS] [--threads T] [--partition P]
 *   nnpost sweep collect DIR [--max-rhat r]
 *   nnpost sweep plot DIR [--x N] [--y COLUMN,...] [--by phi] [--where P=20] [--log x|y|xy] [--max-rhat r]
 * </pre>
 *
 * The study's refusal when a directory holds another study is one line followed by what changed,
 * one line each; every other failure is one line (exit code 2 for bad input, before anything runs).
 */
final class SweepCommand {
    private SweepCommand() {}

    static final String STUDY = "Study (the same from a study file: base, grid, zip, seeds, observables)";
    static final String SWEEP = "Sweep";
    static final String SLURM = "SLURM (with --slurm: write DIR/sweep.sbatch, an array job of shards, and run nothing)";

    /** Run settings a study cannot hold: the sweep decides them or has its own flag for them. */
    static final List<String> NOT_IN_A_STUDY = List.of("out", "name", "seed", "device", "devices", "progress", "strict");

    static final List<Setting> OWN = List.of(
            flag("grid", STUDY, "key=v,v,...", null, "a setting and its values (';' between values that are lists); "
                    + "every combination of the --grid settings is a point; repeat for each setting"),
            flag("zip", STUDY, "key=v,v,...", null, "a setting and its values, taken together with the other --zip settings "
                    + "(lists of one length); repeat for each"),
            flag("seeds", STUDY, "k|s,s,...", "1", "sampler seeds of every point: a count k (seeds 1..k) or a list"),
            flag("observables", STUDY, "list", "every group", "table columns: groups diagnostics, errors, coding, readout_U, "
                    + "kernel, theory, or column names such as participation_ratio_per_N"),
            flag("out", SWEEP, "dir", null, "the sweep's directory (required): new, or the directory of the same study to go on with it"),
            flag("shard", SWEEP, "i/n", "0/1", "run the points whose index is i modulo n (a SLURM array task's share)"),
            flag("devices", SWEEP, "list", null, "GPUs to hand out: points run side by side, one per GPU at a time"),
            toggle("retry-failed", SWEEP, "run the points that failed earlier again (from their checkpoints)"),
            flag("progress", SWEEP, "mode", "auto", "auto, bar, lines, off"),
            toggle("print-study", SWEEP, "print the study as a study file (JSON) and run nothing"),
            toggle(Flags.HELP, SWEEP, "this text"),
            toggle("slurm", SLURM, "write DIR/sweep.sbatch and study.json, run nothing"),
            flag("shards", SLURM, "n", "the number of points, at most 1000", "array tasks, one shard each"),
            flag("time", SLURM, "[D-]HH:MM:SS", "01:00:00", "time limit of each task"),
            flag("partition", SLURM, "name", "the cluster's default", "partition to run in"));

    static final Flags FLAGS;

    static {
        List<Setting> all = new ArrayList<>(OWN);
        for (Setting s : RunSettings.all()) if (!NOT_IN_A_STUDY.contains(s.key())) all.add(s);
        FLAGS = new Flags("sweep", all);
    }

    static final Flags COLLECT = new Flags("sweep collect", List.of(
            flag("max-rhat", SWEEP, "r", null, "leave points whose max R-hat exceeds r out of the table by seed"),
            toggle(Flags.HELP, SWEEP, "this text")));

    static final Flags PLOT = new Flags("sweep plot", List.of(
            flag("x", SWEEP, "key", "the first numeric setting that varies", "the setting on the x axis"),
            flag("y", SWEEP, "list", "participation_ratio_per_N, excess_kurtosis, test_error, max_rhat",
                    "columns of sweep.csv to plot, one image each"),
            flag("by", SWEEP, "list", "every other setting that varies", "settings whose values make separate lines"),
            flag("where", SWEEP, "key=v", null, "hold a setting at one value (repeat for more)"),
            flag("log", SWEEP, "x|y|xy", null, "logarithmic axes"),
            flag("max-rhat", SWEEP, "r", null, "leave points whose max R-hat exceeds r out"),
            toggle(Flags.HELP, SWEEP, "this text")));

    static String usage() {
        return FLAGS.usage("nnpost sweep [STUDY.json] [--grid key=v,v...]... [--seeds k] [run flags] --out DIR\n"
                        + "       nnpost sweep collect DIR [--max-rhat r]\n"
                        + "       nnpost sweep plot DIR [--x key] [--y column,...] [--by key,...] [--where key=v]... [--log x|y|xy]",
                "Runs every point of a study (the product of the --grid lists, the --zip lists taken together,\n"
                        + "times the seeds) as an ordinary run directory DIR/<point>, e.g. DIR/N=200,phi=erf,seed=2, and\n"
                        + "writes DIR/study.json, DIR/sweep.csv (one row per point: settings, diagnostics, errors, coding\n"
                        + "metrics, readout U, kernel summaries, theory beside them) and DIR/sweep_by_seed.csv (mean, SE, n\n"
                        + "over seeds). Every point is checked before anything runs. The same command again skips complete\n"
                        + "points, resumes interrupted ones from their checkpoints and refuses a changed study. A study file\n"
                        + "takes the machine and output flags only; without one, the run flags are the base of every point.\n"
                        + "Exit codes: 0 all complete, 2 bad input, 3 some diverged, 5 some failed, 6 some running\n"
                        + "elsewhere, 130/143 interrupted (a line says how to go on). See README.md, \"Studies\".");
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        if (args.length > 0 && args[0].equals("collect")) return collect(Arrays.copyOfRange(args, 1, args.length), out);
        if (args.length > 0 && args[0].equals("plot")) return plot(Arrays.copyOfRange(args, 1, args.length), out);
        // a study file first; --grid and --zip may be repeated, which the flag table does not allow
        String file = null;
        List<String> rest = new ArrayList<>(), grids = new ArrayList<>(), zips = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i == 0 && !a.startsWith("-")) {
                file = a;
                continue;
            }
            String flag = a.startsWith("--") && a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (flag.equals("--grid") || flag.equals("--zip")) {
                String value;
                if (a.contains("=") && a.startsWith("--") && flag.length() < a.length()) value = a.substring(flag.length() + 1);
                else if (i + 1 < args.length) value = args[++i];
                else throw new UsageException(flag + " needs a value (allowed: key=v,v,... after the flag)");
                (flag.equals("--grid") ? grids : zips).add(value);
                continue;
            }
            rest.add(a);
        }
        Settings v = FLAGS.parse(rest.toArray(String[]::new));
        if (Flags.isHelp(v)) {
            out.print(usage());
            return 0;
        }
        Settings machine = new Settings();
        for (String k : Study.MACHINE) if (v.has(k)) machine.put(k, v.raw(k), v.label(k));
        Study study;
        if (file != null) {
            for (String k : v.keys())
                if (isRunSetting(k) && !Study.MACHINE.contains(k) && OWN.stream().noneMatch(x -> x.key().equals(k)))
                    throw new UsageException("--" + k + ": with a study file, settings go into its \"base\" (allowed on the command line: "
                            + "the sweep's flags and --" + String.join(", --", Study.MACHINE.stream().sorted().toList()) + ")");
            if (!grids.isEmpty() || !zips.isEmpty() || v.has("seeds") || v.has("observables"))
                throw new UsageException((grids.isEmpty() && zips.isEmpty() ? v.has("seeds") ? "--seeds" : "--observables" : grids.isEmpty() ? "--zip" : "--grid")
                        + ": the study file " + file + " says what varies (allowed: a study file, or --grid, --zip, --seeds and --observables)");
            study = Study.read(Path.of(file));
        } else {
            study = Study.fromCommandLine(commandLineStudy(v, grids, zips));
        }
        if (v.has("print-study") && v.switchValue("print-study")) {
            out.println(Json.object().setAll(study.given()).toPrettyString());
            return 0;
        }
        if (!v.has("out")) throw new UsageException("--out is needed: the sweep's directory (allowed: a new directory, or that of the same study)");
        Path dir = path(v, "out");
        boolean slurm = v.has("slurm") && v.switchValue("slurm");
        for (String k : new String[]{"shards", "time", "partition"})
            if (v.has(k) && !slurm) throw v.bad(k, "goes with --slurm", "--slurm --" + k + " " + v.raw(k));
        if (slurm && (v.has("shard") || v.has("devices")))
            throw v.bad(v.has("shard") ? "shard" : "devices", "the script chooses it", "leave it out with --slurm (each task gets one shard, and one GPU with the cuda backend)");
        Sweep.Shard shard = v.has("shard") ? shard(v) : Sweep.Shard.ALL;
        int[] devices = v.has("devices") ? devices(v) : null;
        boolean retry = v.has("retry-failed") && v.switchValue("retry-failed");
        String progress = v.choice("progress", "auto", RunSettings.PROGRESS);
        Sweep.Request q = new Sweep.Request(study, dir, machine, shard, devices, retry, goOn(args));
        Sweep.Plan plan = Sweep.plan(q);   // a changed study: Main prints its line and what changed
        if (slurm) return slurm(v, plan, file, grids, zips, out);
        boolean side = devices != null;
        // points side by side share the console: plain lines, each with its point's name
        String mode = side && !progress.equals("off") ? "lines" : progress;
        Sweep.Outcome o = Sweep.run(plan, p -> pointProgress(mode, p, out, terminal, side),
                line -> {
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                });
        out.flush();
        return o.exitCode();
    }

    private static boolean isRunSetting(String key) {
        for (Setting s : RunSettings.all()) if (s.key().equals(key)) return true;
        return false;
    }

    /** The study of --grid, --zip, --seeds, --observables and the run flags (the base), as a study file would hold it. */
    static ObjectNode commandLineStudy(Settings v, List<String> grids, List<String> zips) {
        ObjectNode o = Json.object();
        ObjectNode base = o.putObject(Study.BASE);
        for (String k : v.keys()) {
            if (!isRunSetting(k) || Study.MACHINE.contains(k) || OWN.stream().anyMatch(x -> x.key().equals(k))) continue;
            Setting s = RunSettings.all().stream().filter(x -> x.key().equals(k)).findFirst().get();
            base.set(s.fileKey(), s.isSwitch() ? Json.parse(v.raw(k).trim().toLowerCase(java.util.Locale.ROOT).equals("false") ? "false" : "true")
                    : value(v.raw(k)));
        }
        for (String[] section : new String[][]{{Study.GRID, "--grid"}, {Study.ZIP, "--zip"}}) {
            List<String> given = section[0].equals(Study.GRID) ? grids : zips;
            if (given.isEmpty()) continue;
            ObjectNode g = o.putObject(section[0]);
            for (String text : given) {
                int eq = text.indexOf('=');
                if (eq <= 0) throw new UsageException(section[1] + " " + text + ": not key=values (allowed: e.g. " + section[1] + " N=50,100,200)");
                String key = text.substring(0, eq).trim().replace('-', '_');
                if (g.has(key)) throw new UsageException(section[1] + " " + key + " given twice (allowed: once per setting)");
                String values = text.substring(eq + 1);
                ArrayNode a = g.putArray(key);
                for (String part : values.split(values.contains(";") ? ";" : ",", -1)) {
                    if (part.isBlank()) throw new UsageException(section[1] + " " + text + ": an empty value (allowed: values between "
                            + (values.contains(";") ? "';'" : "','") + ")");
                    a.add(value(part));
                }
            }
        }
        if (v.has("seeds")) o.set(Study.SEEDS, value(v.raw("seeds")));
        if (v.has("observables")) {
            ArrayNode a = o.putArray(Study.OBSERVABLES);
            for (String s : v.raw("observables").split(",")) a.add(s.trim());
        }
        return o;
    }

    /** A value as JSON: a number when it reads as one, a list when it has commas, else text. */
    static JsonNode value(String text) {
        String t = text.trim();
        if (t.contains(",")) {
            ArrayNode a = Json.array();
            for (String p : t.split(",", -1)) a.add(value(p));
            return a;
        }
        if (t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            try {
                return Json.parse(t.startsWith("+") ? t.substring(1) : t.startsWith(".") ? "0" + t : t.endsWith(".") ? t + "0" : t);
            } catch (RuntimeException e) {
                // a number JSON does not take as written (leading zeros): keep the text
            }
        }
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(t);
    }

    private static Path path(Settings v, String key) {
        if (v.raw(key).isBlank()) throw v.bad(key, "empty", "a directory");
        try {
            return Path.of(v.raw(key));
        } catch (InvalidPathException e) {
            throw v.bad(key, "not a path", "a directory");
        }
    }

    private static Sweep.Shard shard(Settings v) {
        try {
            return Sweep.Shard.parse(v.raw("shard"));
        } catch (SpecException e) {
            throw v.relabel(e);
        }
    }

    private static int[] devices(Settings v) {
        String allowed = "GPU indices, e.g. 0,1,2,3";
        double[] d = v.reals("devices", new double[0], allowed);
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || d[i] < 0 || d[i] > 1023) throw v.bad("devices", "not " + allowed, allowed);
            out[i] = (int) d[i];
            for (int j = 0; j < i; j++) if (out[j] == out[i]) throw v.bad("devices", "names GPU " + out[i] + " twice", allowed);
        }
        return out;
    }

    /** "nnpost sweep ARGS", quoted for a shell, to say how to go on. */
    static String goOn(String[] args) {
        StringBuilder s = new StringBuilder("nnpost sweep");
        for (String a : args) {
            if (a.equals("--retry-failed")) continue;
            s.append(' ').append(a.matches("[A-Za-z0-9_./=:,+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return s.toString();
    }

    /** A point's progress: the console's, its lines prefixed with the point's name when points run side by side. */
    private static Progress pointProgress(String mode, org.nnpost.study.Study.Point p, PrintStream out, boolean terminal, boolean named) {
        ConsoleProgress c = ConsoleProgress.create(mode, out, terminal);
        if (!named) return c;
        return new Progress() {
            @Override public void start(String description, long totalSteps) { c.start(p.name() + ": " + description, totalSteps); }
            @Override public void update(long step, double meanLoss, double stepsPerSecond) { c.update(step, meanLoss, stepsPerSecond); }
            @Override public void message(String line) { c.message(p.name() + ": " + line); }
            @Override public void finish() { c.finish(); }
        };
    }

    // ---------------------------------------------------------------- --slurm

    private static int slurm(Settings v, Sweep.Plan plan, String file, List<String> grids, List<String> zips, PrintStream out) {
        int points = plan.points().size();
        int tasks = (int) v.integer("shards", Math.min(points, 1000), 1, points);
        int threads = (int) v.integer("threads", 1, 1, 4096);
        String time = v.has("time") ? v.raw("time").trim() : "01:00:00";
        String partition = v.has("partition") ? v.raw("partition").trim() : null;
        boolean gpu = false;
        for (RunConfig c : plan.configs().values()) gpu |= c.backend().kind().equals("cuda");
        List<String> args = new ArrayList<>();
        if (file != null) args.add(Path.of(file).toAbsolutePath().normalize().toString());
        for (String g : grids) args.addAll(List.of("--grid", g));
        for (String z : zips) args.addAll(List.of("--zip", z));
        for (String k : v.keys()) {
            if (k.equals("out") || k.equals("threads") || k.equals("progress") || k.equals("slurm") || k.equals("shards")
                    || k.equals("time") || k.equals("partition") || k.equals("print-study")) continue;
            Setting s = FLAGS_BY_KEY.get(k);
            if (s == null) continue;
            String value = v.raw(k);
            if (k.equals("data-dir")) value = Path.of(value).toAbsolutePath().normalize().toString();
            args.add("--" + k);
            if (!s.isSwitch()) args.add(value);
        }
        args.addAll(List.of("--out", plan.directory().toAbsolutePath().normalize().toString()));
        List<String> jvm = new ArrayList<>();
        jvm.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        jvm.add("-cp");
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            if (!e.isEmpty()) cp.add(Path.of(e).toAbsolutePath().normalize().toString());
        jvm.add(String.join(java.io.File.pathSeparator, cp));
        jvm.add(Main.class.getName());
        SlurmScript script;
        try {
            script = new SlurmScript(plan.directory(), tasks, time, threads, partition, gpu, jvm, args, Path.of("").toAbsolutePath());
        } catch (SpecException e) {
            throw v.relabel(e);
        }
        Path f = script.write();
        out.println("wrote " + f + ": " + tasks + " array tasks for " + points + " points, " + threads + " CPU"
                + (threads == 1 ? "" : "s") + (gpu ? " and one GPU" : "") + " each, time limit " + time);
        out.println("submit with:      sbatch " + f);
        out.println("once all are done: nnpost sweep collect " + plan.directory());
        return 0;
    }

    private static final Map<String, Setting> FLAGS_BY_KEY = new LinkedHashMap<>();

    static {
        for (Setting s : OWN) FLAGS_BY_KEY.put(s.key(), s);
        for (Setting s : RunSettings.all()) if (!NOT_IN_A_STUDY.contains(s.key())) FLAGS_BY_KEY.put(s.key(), s);
    }

    // ---------------------------------------------------------------- collect, plot

    private static Path sweepDir(String[] args, String command) {
        if (args.length == 0 || args[0].startsWith("-"))
            throw new UsageException("which directory? (allowed: nnpost sweep " + command + " DIR, a sweep's directory)");
        return Path.of(args[0]);
    }

    static int collect(String[] args, PrintStream out) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(COLLECT.usage("nnpost sweep collect DIR [--max-rhat r]",
                    "Rebuilds DIR/sweep.csv, DIR/sweep.json and DIR/sweep_by_seed.csv from the points that are complete\n"
                            + "(the shards of a SLURM array together, say)."));
            return 0;
        }
        Path dir = sweepDir(args, "collect");
        Settings v = COLLECT.parse(Arrays.copyOfRange(args, 1, args.length));
        double maxRhat = v.has("max-rhat") ? v.positive("max-rhat", 1) : Double.NaN;
        SweepTable.Result r = SweepTable.collect(dir, maxRhat);
        out.println("collected " + dir + ": " + r.complete() + " of " + r.rows() + " points complete"
                + (Double.isNaN(maxRhat) ? "" : ", " + r.used() + " with max R-hat <= " + maxRhat + " in the table by seed"));
        out.println("  " + r.csv());
        out.println("  " + r.bySeed());
        out.println("  " + r.json());
        return 0;
    }

    static int plot(String[] args, PrintStream out) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(PLOT.usage("nnpost sweep plot DIR [flags]",
                    "Plots columns of DIR/sweep.json (made by collect, or at the end of a sweep) against a setting that\n"
                            + "varies: the mean over seeds with its standard error, theory dashed where the table has it. Against N\n"
                            + "it also plots against 1/N with a weighted least-squares line and prints its value at N -> infinity.\n"
                            + "PNGs go to DIR/plots/."));
            return 0;
        }
        Path dir = sweepDir(args, "plot");
        List<String> rest = new ArrayList<>();
        Map<String, String> where = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--where") || args[i].startsWith("--where=")) {
                String w = args[i].contains("=") && args[i].startsWith("--where=") ? args[i].substring(8) : i + 1 < args.length ? args[++i] : null;
                if (w == null || w.indexOf('=') <= 0) throw new UsageException("--where needs key=value (allowed: e.g. --where P=20)");
                where.put(w.substring(0, w.indexOf('=')).trim().replace('-', '_'), w.substring(w.indexOf('=') + 1).trim());
                continue;
            }
            rest.add(args[i]);
        }
        Settings v = PLOT.parse(rest.toArray(String[]::new));
        String log = v.has("log") ? v.choice("log", "", "x", "y", "xy", "yx") : "";
        List<String> ys = v.has("y") ? list(v.raw("y")) : null;
        List<String> by = v.has("by") ? list(v.raw("by")) : null;
        String x = v.has("x") ? v.raw("x").trim().replace('-', '_') : null;
        double maxRhat = v.has("max-rhat") ? v.positive("max-rhat", 1) : Double.NaN;
        SweepPlot.Result r = SweepPlot.execute(new SweepPlot.Request(dir, x, ys, by, where, log, maxRhat));
        r.lines().forEach(out::println);
        return 0;
    }

    private static List<String> list(String s) {
        List<String> out = new ArrayList<>();
        for (String p : s.split(",")) if (!p.isBlank()) out.add(p.trim().replace('-', '_'));
        return out;
    }
}
