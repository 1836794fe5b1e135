package org.nnpost.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * `nnpost` as a child process, as the launcher starts it: the same JVM binary running
 * {@code org.nnpost.cli.Main} on this test's class path, with its own signal handlers, its own
 * exit code and, when asked, a crash point ({@code -Dnnpost.crash=...}).
 */
public final class ChildRun {
    private ChildRun() {}

    public record Ended(int code, String out, String err) {}

    public static Process start(Path logs, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.nnpost.cli.Main");
        cmd.addAll(List.of(args));
        Files.createDirectories(logs);
        return new ProcessBuilder(cmd).directory(logs.getParent().toFile()).redirectOutput(logs.resolve("out.txt").toFile())
                .redirectError(logs.resolve("err.txt").toFile()).start();
    }

    public static Ended run(Path logs, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        Process p = start(logs, jvmOptions, args);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nnpost " + String.join(" ", args) + " did not end in 180 s");
        }
        return ended(logs, p);
    }

    public static Ended ended(Path logs, Process p) throws IOException {
        return new Ended(p.exitValue(), Files.readString(logs.resolve("out.txt")), Files.readString(logs.resolve("err.txt")));
    }
}
