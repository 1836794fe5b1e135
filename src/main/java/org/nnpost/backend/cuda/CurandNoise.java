package org.nnpost.backend.cuda;

import jcuda.JCudaVersion;
import jcuda.LibUtils;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.jcurand.JCurand;
import jcuda.jcurand.curandGenerator;
import jcuda.jcurand.curandRngType;
import jcuda.jcurand.curandStatus;
import jcuda.runtime.cudaStream_t;

/**
 * The Langevin noise and MALA's uniforms drawn by cuRAND's host API (its Philox4_32_10 generator)
 * into device buffers, for {@link CudaOptions#curand}: a generator written by others, so a run can
 * show that its statistics do not hinge on our own Philox stream. The draws are queued on the
 * backend's stream ahead of the kernels that read them.
 *
 * <p>Steps that draw here are not captured as CUDA graphs: cuRAND keeps the generator's position
 * on the host and passes it to the kernels it queues, so a captured step would replay the same
 * noise on every launch.
 *
 * <p>The native part: JCurand is published for CUDA 11.8 only, and its loader asks for the library
 * named after the JCuda version in use ({@link #nativeFileName}), first on java.library.path, then
 * as the classpath resource /lib/&lt;name&gt;. The build puts the 11.8.0 native there under the
 * current name (pom.xml, execution jcurand-native); it links against libcurand.so.10, the soname
 * cuRAND has kept from CUDA 11 to 13.
 */
final class CurandNoise implements AutoCloseable {
    private static String unavailable;
    private static boolean probed;

    private final curandGenerator generator = new curandGenerator();
    private final CUdeviceptr normals, uniforms;
    private final long normalsCapacity, uniformsCapacity;
    /** Values one step draws, rounded as {@link #even}: the generator's offset at step t is t times this. */
    private final long valuesPerStep;
    private boolean closed;

    /**
     * @param maxNormals the most normals one draw needs (chains times the largest group)
     * @param chains     uniforms one MALA decision needs
     * @param perStep    normals drawn in one step (chains times all parameters)
     */
    CurandNoise(CudaContext ctx, long maxNormals, int chains, long perStep) {
        String why = unavailableReason();
        if (why != null) throw new CudaException(why);
        normalsCapacity = even(maxNormals);
        uniformsCapacity = even(chains);
        valuesPerStep = perStep;
        JCurand.setExceptionsEnabled(false);
        check(JCurand.curandCreateGenerator(generator, curandRngType.CURAND_RNG_PSEUDO_PHILOX4_32_10), "curandCreateGenerator");
        CUdeviceptr n = null, u = null;
        try {
            check(JCurand.curandSetStream(generator, new cudaStream_t(ctx.stream)), "curandSetStream");
            n = ctx.alloc(normalsCapacity * Sizeof.FLOAT, "cuRAND normals");
            u = ctx.alloc(uniformsCapacity * Sizeof.FLOAT, "cuRAND uniforms");
        } catch (RuntimeException e) {
            CudaContext.free(n);
            JCurand.curandDestroyGenerator(generator);
            throw e;
        }
        normals = n;
        uniforms = u;
    }

    /**
     * Seeds the generator with the run's seed and starts it at an offset proportional to the step,
     * so that chains resumed at step t do not draw again the noise of the run's first steps.
     */
    void seed(int seed, long step) {
        check(JCurand.curandSetPseudoRandomGeneratorSeed(generator, Integer.toUnsignedLong(seed)),
                "curandSetPseudoRandomGeneratorSeed");
        check(JCurand.curandSetGeneratorOffset(generator, step * valuesPerStep), "curandSetGeneratorOffset");
    }

    /** Queues n standard normals into the normals buffer, [chain][index] as the parameters, and returns it. */
    CUdeviceptr normals(long n) {
        if (n > normalsCapacity) throw new IllegalArgumentException(n + " normals, room for " + normalsCapacity);
        // pseudo-random generators draw normals in pairs (Box-Muller): ask for an even count
        check(JCurand.curandGenerateNormal(generator, normals, even(n), 0f, 1f), "curandGenerateNormal");
        return normals;
    }

    /** Queues n uniforms in (0, 1] into the uniforms buffer and returns it. */
    CUdeviceptr uniforms(int n) {
        if (n > uniformsCapacity) throw new IllegalArgumentException(n + " uniforms, room for " + uniformsCapacity);
        check(JCurand.curandGenerateUniform(generator, uniforms, even(n)), "curandGenerateUniform");
        return uniforms;
    }

    static long even(long n) { return n + (n & 1); }

    /** The file JCurand's loader looks for on this platform, e.g. libJCurand-12.6.0-linux-x86_64.so. */
    static String nativeFileName() {
        return LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName("JCurand-" + JCudaVersion.get()));
    }

    /** Whether this build carries the native JCurand's loader asks for (the resource /lib/&lt;name&gt;). */
    static boolean nativePackaged() {
        return CurandNoise.class.getResource("/lib/" + nativeFileName()) != null;
    }

    /**
     * Null when cuRAND can be used, else why not, in one line. Loads the natives once (JCurand's
     * static initialiser); never throws, since a failed load must not take the JVM down.
     */
    static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            try {
                JCurand.setExceptionsEnabled(false);
                int[] version = new int[1];
                int rc = JCurand.curandGetVersion(version);
                if (rc != curandStatus.CURAND_STATUS_SUCCESS) unavailable = "cuRAND: curandGetVersion failed: " + curandStatus.stringFor(rc);
            } catch (LinkageError e) {
                unavailable = loadFailure(e);
            }
        }
        return unavailable;
    }

    /** The line that says what is missing: our packaged native, or the cuRAND library it links to. */
    static String loadFailure(Throwable e) {
        if (!nativePackaged())
            return "cuRAND: this build has no JCurand native for this platform (lib/" + nativeFileName() + ")";
        String text = String.valueOf(e.getMessage());
        for (String line : text.split("\\R")) {
            int at = line.indexOf("libcurand");
            if (at >= 0) return "cuRAND: the CUDA library " + line.substring(at).trim() + " (install the CUDA toolkit's cuRAND)";
        }
        return "cuRAND could not be loaded: " + CudaException.oneLine(e);
    }

    private static void check(int rc, String what) {
        if (rc != curandStatus.CURAND_STATUS_SUCCESS) throw new CudaException(what + " failed: " + curandStatus.stringFor(rc));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        JCurand.curandDestroyGenerator(generator);
        CudaContext.free(normals);
        CudaContext.free(uniforms);
    }
}
