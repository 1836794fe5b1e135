package org.nnpost.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Is there a GPU this build can use? Asked once per JVM and cached. Touching JCuda on a machine
 * without a driver throws {@link LinkageError} (libcuda.so.1 missing), and a broken driver can
 * block in cuInit; the probe catches the first and runs in a daemon thread with a time limit
 * against the second, so asking never crashes or hangs the JVM. Setting the system property
 * {@code nnpost.gpu=off} answers "not usable" without touching the driver.
 */
public final class GpuProbe {
    private GpuProbe() {}

    /**
     * @param usable        a device with compute capability ≥ 8.0 was found
     * @param reason        one line: the device chosen, or why none is usable
     * @param driverVersion CUDA version of the driver (1000·major + 10·minor), 0 when none
     */
    public record Answer(boolean usable, String reason, int driverVersion, List<DeviceInfo> devices) {
        public Answer { devices = List.copyOf(devices); }

        static Answer no(String reason) { return new Answer(false, reason, 0, List.of()); }

        /** The first supported device, if any. */
        public DeviceInfo best() {
            for (DeviceInfo d : devices) if (d.supported()) return d;
            return null;
        }
    }

    static final long TIMEOUT_MS = 20_000;
    private static final AtomicReference<Answer> cached = new AtomicReference<>();

    /** The cached answer, probing on first use. */
    public static Answer probe() {
        Answer a = cached.get();
        if (a != null) return a;
        synchronized (GpuProbe.class) {
            a = cached.get();
            if (a == null) {
                a = "off".equals(System.getProperty("nnpost.gpu"))
                        ? Answer.no("GPU use switched off (nnpost.gpu=off)")
                        : withTimeout(TIMEOUT_MS);
                cached.set(a);
            }
            return a;
        }
    }

    static Answer withTimeout(long millis) {
        AtomicReference<Answer> out = new AtomicReference<>();
        Thread t = new Thread(() -> out.set(inspect()), "nnpost-gpu-probe");
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, millis));   // join(0) would wait forever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Answer a = out.get();
        return a != null ? a : Answer.no("the CUDA driver did not answer within " + millis / 1000 + " s");
    }

    /** Asks the driver directly; every failure becomes an answer. */
    static Answer inspect() {
        try {
            JCudaDriver.setExceptionsEnabled(false);
            int rc = JCudaDriver.cuInit(0);
            if (rc != CUresult.CUDA_SUCCESS)
                return Answer.no("the CUDA driver did not initialise (" + CUresult.stringFor(rc) + ")");
            int[] v = new int[1];
            JCudaDriver.cuDriverGetVersion(v);
            int driver = v[0];
            int[] n = new int[1];
            rc = JCudaDriver.cuDeviceGetCount(n);
            if (rc != CUresult.CUDA_SUCCESS || n[0] == 0)
                return new Answer(false, "no CUDA device found (driver " + DeviceInfo.driverString(driver) + ")", driver, List.of());
            List<DeviceInfo> devices = new ArrayList<>();
            for (int i = 0; i < n[0]; i++) devices.add(describe(i, driver));
            return decide(driver, devices);
        } catch (LinkageError e) {
            return Answer.no("no CUDA driver on this machine (" + firstLine(e) + ")");
        } catch (RuntimeException e) {
            return Answer.no("the CUDA driver could not be queried (" + firstLine(e) + ")");
        }
    }

    /** The answer for a list of devices the driver reported (separate so it is testable without one). */
    static Answer decide(int driver, List<DeviceInfo> devices) {
        for (DeviceInfo d : devices)
            if (d.supported()) return new Answer(true, d.describe(), driver, devices);
        if (devices.isEmpty()) return new Answer(false, "no CUDA device found", driver, devices);
        DeviceInfo d = devices.get(0);
        return new Answer(false, d.name() + " has compute capability " + d.computeCapability()
                + "; the kernels need " + DeviceInfo.MIN_CC_MAJOR + ".0 (Ampere) or newer", driver, devices);
    }

    private static DeviceInfo describe(int i, int driver) {
        CUdevice dev = new CUdevice();
        CudaException.check(JCudaDriver.cuDeviceGet(dev, i), "cuDeviceGet");
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, dev);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        long[] mem = new long[1];
        JCudaDriver.cuDeviceTotalMem(mem, dev);
        int[] major = new int[1], minor = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        return new DeviceInfo(i, new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII),
                mem[0], major[0], minor[0], driver);
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
