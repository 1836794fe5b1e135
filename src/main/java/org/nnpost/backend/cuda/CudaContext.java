package org.nnpost.backend.cuda;

import java.util.HashMap;
import java.util.Map;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.runtime.cudaStream_t;

/**
 * Everything that belongs to the GPU rather than to a run: the device's primary context (shared
 * by our kernels and cuBLAS, which attaches to the same one), one non-blocking stream on which
 * all work of a backend is queued in order, the kernel module and the cuBLAS handle. Every
 * thread that calls in first makes the context current ({@link #makeCurrent}).
 */
public final class CudaContext implements AutoCloseable {
    /** cuBLAS's own workspace, set explicitly so that graph capture never allocates. */
    static final long CUBLAS_WORKSPACE = 32L << 20;

    final DeviceInfo info;
    final boolean tf32;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    private final CUmodule module;
    final cublasHandle blas = new cublasHandle();
    private final CUdeviceptr workspace = new CUdeviceptr();
    private final Map<String, Kernel> kernels = new HashMap<>();
    private boolean closed;

    private CudaContext(DeviceInfo info, boolean tf32) {
        this.info = info;
        this.tf32 = tf32;
        JCudaDriver.setExceptionsEnabled(false);
        CudaException.check(JCudaDriver.cuInit(0), "cuInit");
        CudaException.check(JCudaDriver.cuDeviceGet(device, info.index()), "cuDeviceGet");
        CudaException.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        CudaException.check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        module = KernelImages.load(info.driverVersion());
        JCublas2.setExceptionsEnabled(false);
        CudaException.checkBlas(JCublas2.cublasCreate(blas), "cublasCreate");
        CudaException.checkBlas(JCublas2.cublasSetStream(blas, new cudaStream_t(stream)), "cublasSetStream");
        CudaException.check(JCudaDriver.cuMemAlloc(workspace, CUBLAS_WORKSPACE), "cuMemAlloc (cuBLAS workspace)");
        CudaException.checkBlas(JCublas2.cublasSetWorkspace(blas, workspace, CUBLAS_WORKSPACE), "cublasSetWorkspace");
        setTensorMath(tf32);
    }

    /** Opens the device the options name; throws {@link CudaException} with a reason when it cannot. */
    public static CudaContext open(CudaOptions options) {
        GpuProbe.Answer probe = GpuProbe.probe();
        if (!probe.usable()) throw new CudaException(probe.reason());
        DeviceInfo info = null;
        for (DeviceInfo d : probe.devices()) if (d.index() == options.device()) info = d;
        if (info == null) throw new CudaException("no CUDA device " + options.device() + " (found " + probe.devices().size() + ")");
        if (!info.supported()) throw new CudaException(info.describe() + " is older than compute 8.0");
        return new CudaContext(info, options.tf32());
    }

    public DeviceInfo device() { return info; }

    void makeCurrent() { CudaException.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent"); }

    /** TF32 tensor cores for the run's GEMMs when asked; plain FP32 for observables. */
    void setTensorMath(boolean on) {
        int mode = on ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH;
        CudaException.checkBlas(JCublas2.cublasSetMathMode(blas, mode), "cublasSetMathMode");
    }

    Kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            CudaException.check(JCudaDriver.cuModuleGetFunction(f, module, n), "cuModuleGetFunction " + n);
            return new Kernel(n, f, stream);
        });
    }

    // ------------------------------------------------------------------ memory

    CUdeviceptr alloc(long bytes, String what) {
        CUdeviceptr p = new CUdeviceptr();
        int rc = JCudaDriver.cuMemAlloc(p, Math.max(bytes, 4));
        CudaException.check(rc, "cuMemAlloc of " + bytes + " bytes for " + what);
        return p;
    }

    static void free(CUdeviceptr p) {
        if (p != null) JCudaDriver.cuMemFree(p);
    }

    /** Free and total device memory, bytes. */
    long[] memoryInfo() {
        long[] free = new long[1], total = new long[1];
        CudaException.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[]{free[0], total[0]};
    }

    void sync() { CudaException.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize"); }

    void upload(CUdeviceptr dst, float[] src) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyHtoD(dst, Pointer.to(src), (long) src.length * Sizeof.FLOAT), "cuMemcpyHtoD");
    }

    void upload(CUdeviceptr dst, long offsetBytes, float[] src) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyHtoD(dst.withByteOffset(offsetBytes), Pointer.to(src),
                (long) src.length * Sizeof.FLOAT), "cuMemcpyHtoD");
    }

    void upload(CUdeviceptr dst, double[] src) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyHtoD(dst, Pointer.to(src), (long) src.length * Sizeof.DOUBLE), "cuMemcpyHtoD");
    }

    void upload(CUdeviceptr dst, long[] src) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyHtoD(dst, Pointer.to(src), (long) src.length * Sizeof.LONG), "cuMemcpyHtoD");
    }

    void download(float[] dst, CUdeviceptr src, long offsetBytes) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), src.withByteOffset(offsetBytes),
                (long) dst.length * Sizeof.FLOAT), "cuMemcpyDtoH");
    }

    void download(double[] dst, CUdeviceptr src) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), src, (long) dst.length * Sizeof.DOUBLE), "cuMemcpyDtoH");
    }

    void download(long[] dst, CUdeviceptr src) {
        sync();
        CudaException.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), src, (long) dst.length * Sizeof.LONG), "cuMemcpyDtoH");
    }

    /** Queued on the stream, so it may be captured in a graph. */
    void copyAsync(CUdeviceptr dst, CUdeviceptr src, long bytes) {
        CudaException.check(JCudaDriver.cuMemcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync");
    }

    void zeroAsync(CUdeviceptr dst, long bytes) {
        CudaException.check(JCudaDriver.cuMemsetD8Async(dst, (byte) 0, bytes, stream), "cuMemsetD8Async");
    }

    void fillBytesAsync(CUdeviceptr dst, byte value, long bytes) {
        CudaException.check(JCudaDriver.cuMemsetD8Async(dst, value, bytes, stream), "cuMemsetD8Async");
    }

    // ------------------------------------------------------------------ graphs

    /** Records what {@code work} queues on the stream (nothing runs) into an executable graph. */
    CUgraphExec capture(Runnable work) {
        CUgraph graph = new CUgraph();
        CudaException.check(JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "cuStreamBeginCapture");
        RuntimeException failure = null;
        try {
            work.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        int rc = JCudaDriver.cuStreamEndCapture(stream, graph);
        if (failure != null) throw failure;
        CudaException.check(rc, "cuStreamEndCapture");
        CUgraphExec exec = new CUgraphExec();
        try {
            CudaException.check(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
        } finally {
            JCudaDriver.cuGraphDestroy(graph);
        }
        return exec;
    }

    void launch(CUgraphExec exec) { CudaException.check(JCudaDriver.cuGraphLaunch(exec, stream), "cuGraphLaunch"); }

    static void destroy(CUgraphExec exec) {
        if (exec != null) JCudaDriver.cuGraphExecDestroy(exec);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        makeCurrent();
        JCudaDriver.cuStreamSynchronize(stream);
        JCublas2.cublasDestroy(blas);
        free(workspace);
        JCudaDriver.cuModuleUnload(module);
        JCudaDriver.cuStreamDestroy(stream);
        // The primary context stays retained for the JVM's life: the next backend (a sweep, the
        // tests) then skips its creation, and the driver frees it at exit.
    }
}
