package org.nnpost.cli;

import java.io.PrintStream;

import org.nnpost.backend.cuda.DeviceInfo;
import org.nnpost.backend.cuda.GpuProbe;

/** {@code nnpost devices}: the GPUs the CUDA backend can see, and whether it can use them. */
final class DevicesCommand {
    private DevicesCommand() {}

    static int run(String[] args, PrintStream out) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println("Usage: nnpost devices\n\nLists the GPUs with memory, driver and compute capability, and says "
                    + "whether the CUDA backend can use one (compute capability " + DeviceInfo.MIN_CC_MAJOR + ".0 or newer).");
            return 0;
        }
        if (args.length > 0) throw new UsageException("nnpost devices takes no arguments (got " + args[0] + ")");
        GpuProbe.Answer a = GpuProbe.probe();
        if (a.devices().isEmpty()) {
            out.println("no GPU: " + a.reason());
            out.println("the CPU backend runs everything (--backend cpu, or auto)");
            return 0;
        }
        for (DeviceInfo d : a.devices())
            out.println((d.supported() ? "  " : "  (unsupported) ") + d.describe());
        out.println((a.usable() ? "usable: " : "not usable: ") + a.reason());
        return 0;
    }
}
