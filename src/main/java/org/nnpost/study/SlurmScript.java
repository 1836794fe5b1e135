package org.nnpost.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.nnpost.io.AtomicFile;
import org.nnpost.spec.SpecException;

/**
 * {@code DIR/sweep.sbatch}: a SLURM array job whose task k runs shard k/n of the sweep
 * ({@code nnpost sweep ... --shard $SLURM_ARRAY_TASK_ID/n}). Each task writes only its own
 * points' directories and records their status in study.json under its lock ({@link SweepDir}),
 * and logs to {@code DIR/slurm/task-<k>.out} and {@code .err} (appended, so a resubmission keeps
 * the earlier logs). At the time limit SLURM sends SIGTERM: the running point writes a checkpoint
 * and the task ends with 143; submitting the script again goes on from the checkpoints and skips
 * what is complete. {@code nnpost sweep collect DIR} then makes the tables of all shards.
 *
 * <p>The script runs the very nnpost that wrote it: the same Java binary and class path (the
 * build's classes and jars, as absolute paths), so the cluster's nodes need that directory; the
 * environment variable {@code NNPOST_CMD}, when set where the job runs, replaces it (for example
 * {@code NNPOST_CMD="/opt/nnpost/nnpost"}); {@code NNPOST_JAVA_OPTS} passes options to the JVM.
 *
 * @param tasks     array tasks, one shard each
 * @param time      the time limit, [D-]HH:MM:SS
 * @param threads   CPU threads per task (--cpus-per-task; the run's --threads unless SLURM says otherwise)
 * @param partition the partition, or null for the cluster's default
 * @param gpu       ask for one GPU per task (--gres=gpu:1): the study's backend is cuda
 * @param jvm       the JVM command of this build: java binary, then options up to the main class
 * @param args      the sweep's arguments (study file, flags), with absolute paths, without --shard
 * @param workdir   where the job starts (relative paths in the study are read from there)
 */
public record SlurmScript(Path dir, int tasks, String time, int threads, String partition, boolean gpu, List<String> jvm,
                          List<String> args, Path workdir) {

    public static final String FILE = "sweep.sbatch";
    public static final String TIME_ALLOWED = "[D-]HH:MM:SS, e.g. 02:00:00 or 1-12:00:00";

    public SlurmScript {
        if (tasks < 1) throw SpecException.of("shards", tasks, "not positive", "1 or more");
        if (!validTime(time)) throw SpecException.of("time", time, "not a SLURM time limit", TIME_ALLOWED);
        if (partition != null && !partition.matches("[A-Za-z0-9._-]+"))
            throw SpecException.of("partition", partition, "not a partition name", "letters, digits, '.', '_' and '-'");
        jvm = List.copyOf(jvm);
        args = List.copyOf(args);
    }

    static boolean validTime(String t) {
        return t != null && t.matches("([0-9]{1,3}-)?[0-9]{1,3}:[0-5][0-9]:[0-5][0-9]") && !t.matches("(0+-)?0+:00:00");
    }

    public String text() {
        Path d = dir.toAbsolutePath().normalize();
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# nnpost sweep as a SLURM array: task k runs shard k/").append(tasks).append(" of the study's points.\n");
        s.append("# Submit with: sbatch ").append(quote(d.resolve(FILE).toString())).append('\n');
        s.append("# Resubmit the same way after a time limit or a failure: complete points are skipped and\n");
        s.append("# interrupted ones resume from their checkpoints. Once every task is done:\n");
        s.append("#   nnpost sweep collect ").append(quote(d.toString())).append('\n');
        s.append("#SBATCH --job-name=").append(jobName(d)).append('\n');
        s.append("#SBATCH --array=0-").append(tasks - 1).append('\n');
        s.append("#SBATCH --ntasks=1\n");
        s.append("#SBATCH --cpus-per-task=").append(threads).append('\n');
        s.append("#SBATCH --time=").append(time).append('\n');
        if (partition != null) s.append("#SBATCH --partition=").append(partition).append('\n');
        if (gpu) s.append("#SBATCH --gres=gpu:1\n");
        s.append("#SBATCH --chdir=").append(workdir.toAbsolutePath().normalize()).append('\n');
        s.append("#SBATCH --output=").append(d.resolve("slurm")).append("/task-%a.out\n");
        s.append("#SBATCH --error=").append(d.resolve("slurm")).append("/task-%a.err\n");
        s.append("#SBATCH --open-mode=append\n");
        s.append('\n');
        s.append("if [[ -n \"${NNPOST_CMD:-}\" ]]; then\n");
        s.append("    read -r -a nnpost <<< \"$NNPOST_CMD\"\n");
        s.append("else\n");
        s.append("    read -r -a java_opts <<< \"${NNPOST_JAVA_OPTS:-}\"\n");
        s.append("    nnpost=(").append(quote(jvm.get(0))).append(" \"${java_opts[@]}\"");
        for (String a : jvm.subList(1, jvm.size())) s.append(' ').append(quote(a));
        s.append(")\n");
        s.append("fi\n");
        s.append("echo \"nnpost sweep: shard ${SLURM_ARRAY_TASK_ID}/").append(tasks).append(" of job ${SLURM_ARRAY_JOB_ID} on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n");
        // exec: nnpost is the job's own process, so SLURM's SIGTERM at the time limit reaches it directly
        s.append("exec \"${nnpost[@]}\" sweep");
        for (String a : args) s.append(' ').append(quote(a));
        s.append(" --threads \"${SLURM_CPUS_PER_TASK:-").append(threads).append("}\"");
        s.append(" --progress lines --shard \"${SLURM_ARRAY_TASK_ID}/").append(tasks).append("\"\n");
        return s.toString();
    }

    /** Writes DIR/sweep.sbatch (and DIR/slurm/ for the logs). */
    public Path write() {
        Path f = dir.resolve(FILE);
        try {
            Files.createDirectories(dir.resolve("slurm"));
        } catch (IOException e) {
            throw SpecException.input(dir.resolve("slurm").toString(), "cannot be created (" + e.getMessage() + ")", "a writable directory");
        }
        AtomicFile.write(f, text().getBytes(StandardCharsets.UTF_8));
        f.toFile().setExecutable(true);
        return f;
    }

    private static String jobName(Path d) {
        String n = d.getFileName() == null ? "sweep" : d.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return "nnpost-" + (n.length() > 40 ? n.substring(0, 40) : n);
    }

    /** A word for bash: single-quoted unless it is plainly safe. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./=:,+@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
