package org.nnpost.backend.cuda;

import java.util.Locale;

/**
 * One GPU as the driver reports it: what a future {@code nnpost devices} prints and what a run's
 * manifest records.
 *
 * @param driverVersion the driver's CUDA version as an integer, 1000·major + 10·minor (13000 = 13.0)
 */
public record DeviceInfo(int index, String name, long totalMemory, int ccMajor, int ccMinor, int driverVersion) {

    /** The kernels ship sm_80 and sm_90 machine code plus compute_80+ PTX: Ampere or newer. */
    public static final int MIN_CC_MAJOR = 8;

    public boolean supported() { return ccMajor >= MIN_CC_MAJOR; }

    public String computeCapability() { return ccMajor + "." + ccMinor; }

    public static String driverString(int version) {
        return version <= 0 ? "unknown" : (version / 1000) + "." + (version % 1000) / 10;
    }

    /** "NVIDIA H200 (device 0, compute 9.0, 139.8 GiB, CUDA driver 13.0)". */
    public String describe() {
        return String.format(Locale.ROOT, "%s (device %d, compute %s, %.1f GiB, CUDA driver %s)",
                name, index, computeCapability(), totalMemory / (double) (1L << 30), driverString(driverVersion));
    }
}
