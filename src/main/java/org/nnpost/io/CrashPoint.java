package org.nnpost.io;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places in the writing of a run where a test can make the process die as kill -9 would
 * (Runtime.halt: no finally block, no shutdown hook, no cleanup), to prove that a run killed
 * there resumes to the same bytes. Off unless the system property {@value #PROPERTY} names a
 * point and a count: {@code -Dnnpost.crash=checkpoint-write@3} dies the third time that point is
 * reached, with exit code 137 (128 + SIGKILL's 9).
 */
public final class CrashPoint {
    private CrashPoint() {}

    public static final String PROPERTY = "nnpost.crash";
    private static final ConcurrentHashMap<String, AtomicInteger> SEEN = new ConcurrentHashMap<>();

    /** Dies here when the property asks for this point and this is its n-th passage. */
    public static void at(String point) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || !spec.startsWith(point + "@")) return;
        int n;
        try {
            n = Integer.parseInt(spec.substring(point.length() + 1));
        } catch (NumberFormatException e) {
            return;
        }
        if (SEEN.computeIfAbsent(point, k -> new AtomicInteger()).incrementAndGet() == n) Runtime.getRuntime().halt(137);
    }
}
