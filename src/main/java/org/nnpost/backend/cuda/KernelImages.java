package org.nnpost.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The compiled kernels inside the jar (built by scripts/build-kernels.sh from src/main/cuda):
 * a fatbin with sm_80 and sm_90 machine code plus PTX, tried first, and the PTX alone, which the
 * driver compiles for any newer GPU. nvcc 13 writes PTX ISA 9.0, which needs driver R580
 * (CUDA 13.0) or newer; an older driver can still run the fatbin's machine code on Ampere and
 * Hopper.
 */
final class KernelImages {
    private KernelImages() {}

    static final String FATBIN = "/kernels/nnpost.fatbin";
    static final String PTX = "/kernels/nnpost.ptx";
    /** The driver's CUDA version that understands our PTX (nvcc 13: PTX ISA 9.0). */
    static final int PTX_DRIVER = 13000;

    static byte[] resource(String path, boolean nulTerminated) {
        try (InputStream in = KernelImages.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("kernel image " + path + " is missing from the classpath");
            byte[] b = in.readAllBytes();
            return nulTerminated ? Arrays.copyOf(b, b.length + 1) : b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the fatbin, else the PTX, into the current context. */
    static CUmodule load(int driverVersion) {
        CUmodule module = new CUmodule();
        int fat = JCudaDriver.cuModuleLoadData(module, resource(FATBIN, false));
        if (fat == CUresult.CUDA_SUCCESS) return module;
        int ptx = JCudaDriver.cuModuleLoadData(module, resource(PTX, true));
        if (ptx == CUresult.CUDA_SUCCESS) return module;
        throw new CudaException(failure(driverVersion, fat, ptx));
    }

    /** The one line a user sees when neither image loads. */
    static String failure(int driverVersion, int fatbinRc, int ptxRc) {
        String msg = "could not load the CUDA kernels (fatbin: " + CUresult.stringFor(fatbinRc)
                + ", PTX: " + CUresult.stringFor(ptxRc) + ")";
        if (driverVersion < PTX_DRIVER)
            msg += "; this driver supports CUDA " + DeviceInfo.driverString(driverVersion)
                    + ", the kernels' PTX needs CUDA " + DeviceInfo.driverString(PTX_DRIVER)
                    + " (driver R580) or newer, and the fatbin's machine code covers compute 8.x and 9.0 only";
        return msg;
    }
}
