package org.nnpost.backend.cuda;

import java.util.List;

/** The GPUs of this machine, for a {@code devices} listing; empty (never an error) without a driver. */
public final class Devices {
    private Devices() {}

    public static List<DeviceInfo> list() { return GpuProbe.probe().devices(); }
}
