package org.nnpost.study;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A one-node SLURM cluster of this machine, for a test: munged with a fresh key, slurmctld and
 * slurmd started by hand as root (no systemd), everything (key, sockets, state, spool, logs,
 * slurm.conf) under one directory, on free ports, so nothing of the machine's own SLURM or munge
 * setup is touched or needed. The node is this host with its real CPU count and memory
 * ({@code slurmd -C}). Closing it cancels what is left of the jobs and stops the daemons.
 */
final class SlurmCluster implements AutoCloseable {
    static final List<String> PROGRAMS = List.of("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "scancel");

    private final Path dir;
    private final Path conf;
    private final List<Process> daemons = new ArrayList<>();

    private SlurmCluster(Path dir) {
        this.dir = dir;
        this.conf = dir.resolve("slurm.conf");
    }

    /** Why a cluster cannot be started here, or null when it can: root, and every program found. */
    static String missing() {
        if (!"root".equals(System.getProperty("user.name")))
            return "the SLURM test starts munged, slurmctld and slurmd itself, which needs root (user is " + System.getProperty("user.name") + ")";
        List<String> absent = new ArrayList<>();
        for (String p : PROGRAMS) if (find(p) == null) absent.add(p);
        return absent.isEmpty() ? null : "no " + String.join(", ", absent) + " on this machine (Debian: apt-get install slurm-wlm munge)";
    }

    /** A program on the PATH or in the system directories root's PATH has. */
    static Path find(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    static SlurmCluster start(Path dir) throws IOException, InterruptedException {
        SlurmCluster c = new SlurmCluster(dir);
        try {
            c.boot();
            return c;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            String logs = c.logs();
            c.close();
            throw new AssertionError("the test cluster did not start: " + e.getMessage() + "\n" + logs, e);
        }
    }

    private void boot() throws IOException, InterruptedException {
        Path munge = Files.createDirectories(dir.resolve("munge"));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        Files.createDirectories(dir.resolve("log"));
        // munged insists on a key only its owner reads, in a directory only its owner writes
        byte[] key = new byte[1024];
        new SecureRandom().nextBytes(key);
        Path keyFile = munge.resolve("munge.key");
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("r--------"));
        Files.setPosixFilePermissions(munge, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = munge.resolve("munge.socket");
        daemon("munged", List.of(find("munged").toString(), "--foreground", "--force", "--key-file=" + keyFile, "--socket=" + socket,
                "--pid-file=" + munge.resolve("munged.pid"), "--log-file=" + munge.resolve("munged.log"),
                "--seed-file=" + munge.resolve("munged.seed")));
        waitFor(() -> Files.exists(socket), 20, "munged's socket " + socket);

        String host = exec(List.of("hostname", "-s"), null).strip();
        String node = nodeLine(host);
        int ctldPort = freePort(), dPort = freePort();
        String text = String.join("\n",
                "ClusterName=nnposttest",
                "SlurmctldHost=" + host,
                "SlurmctldPort=" + ctldPort,
                "SlurmdPort=" + dPort,
                "SlurmUser=root",
                "SlurmdUser=root",
                "AuthType=auth/munge",
                "AuthInfo=socket=" + socket,
                "CredType=cred/munge",
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "JobCompType=jobcomp/none",
                "MpiDefault=none",
                "ReturnToService=2",
                "SchedulerType=sched/backfill",
                "MinJobAge=600",
                node + " State=UNKNOWN",
                "PartitionName=test Nodes=" + host + " Default=YES MaxTime=INFINITE State=UP",
                "");
        Files.writeString(conf, text);
        daemon("slurmctld", List.of(find("slurmctld").toString(), "-D", "-c", "-f", conf.toString()));
        daemon("slurmd", List.of(find("slurmd").toString(), "-D", "-f", conf.toString()));
        waitFor(() -> {
            try {
                String s = run(List.of(find("sinfo").toString(), "-h", "-o", "%T")).strip();
                return s.equals("idle");
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, 60, "the node to come up idle");
    }

    /** "NodeName=host CPUs=… RealMemory=…" as slurmd sees this machine, or from Java's view when it cannot say. */
    private static String nodeLine(String host) throws IOException, InterruptedException {
        try {
            for (String line : exec(List.of(find("slurmd").toString(), "-C"), null).split("\n"))
                if (line.startsWith("NodeName=")) return line.strip();
        } catch (IOException | RuntimeException e) {
            // below
        }
        long memMb = 1024;
        for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
            if (l.startsWith("MemTotal:")) memMb = Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        return "NodeName=" + host + " CPUs=" + Runtime.getRuntime().availableProcessors() + " RealMemory=" + memMb;
    }

    /** Submits a batch script; returns the job id. */
    String sbatch(Path script) throws IOException, InterruptedException {
        String out = run(List.of(find("sbatch").toString(), "--parsable", script.toString())).strip();
        return out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
    }

    /**
     * Waits until no task of the job is pending or running; returns each task's "JobState ExitCode"
     * as scontrol reports it, one line per array task.
     */
    List<String> await(String job, long seconds) throws IOException, InterruptedException {
        waitFor(() -> {
            try {
                return run(List.of(find("squeue").toString(), "-h", "-j", job, "-o", "%i")).isBlank();
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, seconds, "job " + job + " to end");
        List<String> tasks = new ArrayList<>();
        for (String line : run(List.of(find("scontrol").toString(), "-o", "show", "job", job)).split("\n")) {
            if (line.isBlank()) continue;
            tasks.add(field(line, "ArrayTaskId") + " " + field(line, "JobState") + " " + field(line, "ExitCode"));
        }
        return tasks;
    }

    private static String field(String line, String name) {
        for (String f : line.split(" ")) if (f.startsWith(name + "=")) return f.substring(name.length() + 1);
        return "?";
    }

    /** The daemons' logs, for a failure's message. */
    String logs() {
        StringBuilder s = new StringBuilder();
        for (String f : List.of("munge/munged.log", "log/slurmctld.log", "log/slurmd.log", "log/munged.out", "log/slurmctld.out", "log/slurmd.out")) {
            Path p = dir.resolve(f);
            try {
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                    s.append("---- ").append(f).append('\n');
                    for (String l : lines.subList(Math.max(0, lines.size() - 15), lines.size())) s.append(l).append('\n');
                }
            } catch (IOException e) {
                s.append("(cannot read ").append(f).append(")\n");
            }
        }
        return s.toString();
    }

    /** Cancels the jobs left, then stops slurmd, slurmctld and munged, in that order; never throws. */
    @Override
    public void close() {
        if (daemons.size() >= 2) {
            try {
                run(List.of(find("scancel").toString(), "--user=root"));
            } catch (IOException | InterruptedException | RuntimeException e) {
                // the daemons go anyway
            }
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        daemons.clear();
    }

    private void daemon(String name, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log/" + name + ".out").toFile());
        pb.environment().put("SLURM_CONF", conf.toString());
        daemons.add(pb.start());
    }

    /** A command's standard output, with this cluster's slurm.conf; a non-zero exit is an exception with its output. */
    String run(List<String> command) throws IOException, InterruptedException {
        return exec(command, conf);
    }

    private static String exec(List<String> command, Path conf) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (conf != null) pb.environment().put("SLURM_CONF", conf.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end in 60 s");
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + s.strip());
        return s;
    }

    interface Check {
        boolean ok() throws IOException, InterruptedException;
    }

    private static void waitFor(Check c, long seconds, String what) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.ok()) {
            if (System.nanoTime() > end) throw new AssertionError("waited " + seconds + " s for " + what);
            Thread.sleep(200);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
