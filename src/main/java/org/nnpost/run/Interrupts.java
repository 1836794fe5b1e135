package org.nnpost.run;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT and SIGTERM, for a run that should stop cleanly: the first one is noted and the run
 * loop, at its next look at the chains, finishes the steps under way, writes a checkpoint and
 * ends with 128 + the signal's number (130, 143), saying how to resume. A second SIGINT ends the
 * process at once. Outside a run (while a command reads its flags, or writes a figure) a signal
 * ends the process at once, as it would without these handlers.
 *
 * <p>Several listeners may be active at once: a sweep listens for its whole life (so a signal
 * between two points stops it before the next one), and runs of a sweep on several GPUs listen
 * side by side. A noted signal stays noted until the first listener of a quiet process comes,
 * so every run that is going sees it and stops at its next look.
 *
 * <p>The handlers use the JDK's {@code sun.misc.Signal}, reached by reflection so the build
 * carries no dependence on it; where it is missing, only shutdown's defaults apply (a run then
 * stops like one killed, and is resumed from its last checkpoint).
 */
public final class Interrupts {
    private Interrupts() {}

    public static final int SIGINT = 2, SIGTERM = 15;

    private static final AtomicInteger PENDING = new AtomicInteger();
    /** Runs and sweeps listening now; a signal while none is ends the process. */
    private static final AtomicInteger LISTENERS = new AtomicInteger();

    /** The signal a run should stop for (2 or 15), or 0. */
    public static int pending() { return PENDING.get(); }

    /** Notes a request to stop, as a signal would (the handlers call this; so may tests). */
    public static void request(int signal) { PENDING.compareAndSet(0, signal); }

    /** Forgets a request (when a run has acted on it, or before a new one starts). */
    public static void clear() { PENDING.set(0); }

    /**
     * A run (or a sweep of runs) starts to listen: from now on a signal is noted rather than
     * ending the process. The first listener of a quiet process forgets a request left from
     * before; later ones keep it, so a signal that asked the runs under way to stop is not lost
     * to one that starts beside them. Every {@code enter} is followed by one {@link #leave}.
     */
    public static synchronized void enter() {
        if (LISTENERS.getAndIncrement() == 0) PENDING.set(0);
    }

    /** A listener is done; with none left, a signal ends the process again. */
    public static synchronized void leave() {
        if (LISTENERS.get() > 0) LISTENERS.decrementAndGet();
    }

    /**
     * What a signal does: end the process at once (outside a run, or a SIGINT after one already
     * asked the run to stop), or ask the run to stop.
     *
     * @param pending the signal already noted, or 0
     */
    static boolean endsAtOnce(boolean armed, int pending, int signal) {
        return !armed || (signal == SIGINT && pending != 0);
    }

    /** Installs the handlers for SIGINT and SIGTERM; call once, from the command line's main. */
    public static void install() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handler);
            Method number = signal.getMethod("getNumber");
            InvocationHandler h = new InvocationHandler() {
                @Override
                public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
                    if (!m.getName().equals("handle")) return m.getDeclaringClass() == Object.class ? m.invoke(this, args) : null;
                    int n = (Integer) number.invoke(args[0]);
                    if (endsAtOnce(LISTENERS.get() > 0, PENDING.get(), n)) Runtime.getRuntime().halt(128 + n);
                    request(n);
                    return null;
                }
            };
            Object proxy = Proxy.newProxyInstance(Interrupts.class.getClassLoader(), new Class<?>[]{handler}, h);
            for (String name : new String[]{"INT", "TERM"})
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // no sun.misc.Signal on this platform: the default behaviour stays
        }
    }
}
