package org.nnpost.backend.cuda;

import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpuProbeTest {
    static final DeviceInfo H200 = new DeviceInfo(0, "NVIDIA H200", 150_000_000_000L, 9, 0, 13000);
    static final DeviceInfo T4 = new DeviceInfo(0, "Tesla T4", 16_000_000_000L, 7, 5, 12020);

    @Test
    void answersWithoutThrowingAndCachesTheAnswer() {
        long t0 = System.nanoTime();
        GpuProbe.Answer a = GpuProbe.probe();
        assertTrue((System.nanoTime() - t0) / 1e9 < GpuProbe.TIMEOUT_MS / 1000.0 + 5);
        assertSame(a, GpuProbe.probe());
        assertFalse(a.reason().isBlank());
        assertFalse(a.reason().contains("\n"));
    }

    @Test
    void withoutADriverTheAnswerIsNotUsableAndSaysWhy() {
        GpuProbe.Answer a = GpuProbe.probe();
        Assumptions.assumeFalse(a.usable(), "a GPU is present: the no-driver answer cannot be observed here");
        assertTrue(a.devices().isEmpty() || a.best() == null);
        assertTrue(a.reason().contains("driver") || a.reason().contains("device") || a.reason().contains("off"), a.reason());
        assertTrue(Devices.list().size() == a.devices().size());
    }

    @Test
    void anAmpereOrNewerDeviceIsUsableAndNamed() {
        GpuProbe.Answer a = GpuProbe.decide(13000, List.of(H200));
        assertTrue(a.usable());
        assertEquals("NVIDIA H200 (device 0, compute 9.0, 139.7 GiB, CUDA driver 13.0)", a.reason());
        assertSame(H200, a.best());
    }

    @Test
    void anOlderDeviceIsRefusedWithItsComputeCapability() {
        GpuProbe.Answer a = GpuProbe.decide(12020, List.of(T4));
        assertFalse(a.usable());
        assertEquals("Tesla T4 has compute capability 7.5; the kernels need 8.0 (Ampere) or newer", a.reason());
    }

    @Test
    void aHungDriverTimesOutIntoAnAnswer() {
        // a one-millisecond limit stands in for a driver that never returns
        long t0 = System.nanoTime();
        GpuProbe.Answer a = GpuProbe.withTimeout(1);
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "the probe waited past its limit");
        assertTrue(a.usable() || a.reason().contains("did not answer") || a.reason().contains("driver")
                || a.reason().contains("device"), a.reason());
    }

    @Test
    void moduleLoadFailureNamesTheDriverVersionNeeded() {
        String msg = KernelImages.failure(12020, 209, 222);
        assertTrue(msg.contains("CUDA 12.2"), msg);
        assertTrue(msg.contains("CUDA 13.0 (driver R580) or newer"), msg);
        assertFalse(KernelImages.failure(13000, 209, 222).contains("or newer"));
    }
}
