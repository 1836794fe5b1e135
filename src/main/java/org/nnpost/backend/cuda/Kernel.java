package org.nnpost.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/** One extern "C" entry point of the module, launched on the backend's stream. */
final class Kernel {
    final String name;
    private final CUfunction function;
    private final CUstream stream;

    Kernel(String name, CUfunction function, CUstream stream) {
        this.name = name;
        this.function = function;
        this.stream = stream;
    }

    /**
     * Launches on a (gridX, gridY) grid of 1-d blocks. Arguments are device pointers, Integer,
     * Long, Float or Double, in the order of the kernel's parameters.
     */
    void launch(Launch.Grid grid, Object... args) {
        Pointer[] p = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr d) p[i] = Pointer.to(d);
            else if (a instanceof Integer v) p[i] = Pointer.to(new int[]{v});
            else if (a instanceof Long v) p[i] = Pointer.to(new long[]{v});
            else if (a instanceof Float v) p[i] = Pointer.to(new float[]{v});
            else if (a instanceof Double v) p[i] = Pointer.to(new double[]{v});
            else throw new IllegalArgumentException(name + ": argument " + i + " of type " + a.getClass());
        }
        CudaException.check(JCudaDriver.cuLaunchKernel(function, grid.x(), grid.y(), 1, grid.threads(), 1, 1,
                0, stream, Pointer.to(p), null), "launch " + name);
    }
}
