package org.nnpost.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Runs per-chain work on a fixed set of threads, each with its own workspace. Chains are split
 * into contiguous ranges; since every chain's arithmetic is sequential and independent, the
 * results do not depend on how many threads there are.
 */
final class ChainPool<W> implements AutoCloseable {
    interface ChainTask<W> { void run(int chain, W workspace); }

    private final int threads;
    private final ExecutorService exec;
    private final List<W> workspaces = new ArrayList<>();

    ChainPool(int threads, IntFunction<W> workspace) {
        this.threads = threads;
        this.exec = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "nnpost-cpu");
            t.setDaemon(true);
            return t;
        }) : null;
        for (int t = 0; t < threads; t++) workspaces.add(workspace.apply(t));
    }

    /** Applies task to chains from..to−1, in parallel across threads. */
    void forChains(int from, int to, ChainTask<W> task) {
        int n = to - from;
        if (exec == null || n <= 1) {
            for (int c = from; c < to; c++) task.run(c, workspaces.get(0));
            return;
        }
        int parts = Math.min(threads, n);
        List<Future<?>> fs = new ArrayList<>(parts);
        for (int t = 0; t < parts; t++) {
            int a = from + (int) ((long) n * t / parts), b = from + (int) ((long) n * (t + 1) / parts);
            W ws = workspaces.get(t);
            fs.add(exec.submit(() -> { for (int c = a; c < b; c++) task.run(c, ws); }));
        }
        join(fs);
    }

    /** Applies task to indices 0..n−1 split across threads (for row-parallel reductions). */
    void forRange(int n, ChainTask<W> task) { forChains(0, n, task); }

    private static void join(List<Future<?>> fs) {
        try {
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error er) throw er;
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        if (exec != null) exec.shutdownNow();
    }
}
