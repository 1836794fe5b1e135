"""The same ULA step as nnpost's CUDA backend, written plainly in PyTorch, as a peer to compare with.

One hidden layer, ReLU, C chains batched; the first layer's forward pass and weight gradient are
each one GEMM over all chains (X is shared), the readout uses batched GEMMs, noise from
torch.randn. Prints "PEER|torch <precision> <mode>|<chain-steps/s>|..." lines for eager and
CUDA-graphed steps in FP32 and TF32; with --compile, for torch.compile'd steps instead.

    python3 benchmarks/peers/torch_step.py [--chains 1024] [--steps 30] [--compile]
    python3 benchmarks/peers/torch_step.py --mode eager --precision fp32 --device cpu ...
        one variant (benchmarks/compare.sh runs them one at a time)
    python3 benchmarks/peers/torch_step.py --check DIR [--mode eager|graph|compile]
        numpy_step.py's check: reads spec.json, x.npy, y.npy, theta<g>.npy, noise<g>.npy from DIR,
        makes one step of the timed step function (of that mode) with the given noise, in FP32
        (no TF32), and writes theta<g>_new.npy; on CUDA when torch sees a GPU, else on the CPU
        (eager only). The spec must be what is timed: L=1, relu.
"""
import math

import torch

from peer_common import arguments, one_hidden_relu, read_check, report, timed, write_check


def make_step(C, N, N0, P, beta, eta, sigma2, X, Y, state, gamma=1.0, noise=None):
    """One ULA step of all chains, in place on state = (W1 (C, N, N0), a (C, m, N)); X is (P, N0),
    Y (1, m, P). eta and sigma2 are (layer 1, readout) pairs. noise, when given, is the
    (xi_W1, xi_a) the step adds (for --check); else each step draws it with torch.randn_like."""
    s0, s1 = 1.0 / math.sqrt(N0), N ** -gamma        # 1/sqrt(N0) and N^-gamma
    W1, a = state
    (eta1, eta_a), (var1, var_a) = eta, sigma2
    noise1, noise_a = math.sqrt(2 * eta1), math.sqrt(2 * eta_a)
    draw = (lambda t, g: torch.randn_like(t)) if noise is None else (lambda t, g: noise[g])

    def step():
        Z = (W1.view(C * N, N0) @ X.T).mul_(s0).view(C, N, P)       # one GEMM for all chains
        H = torch.relu(Z)
        f = torch.bmm(a, H).mul_(s1)                                  # (C, m, P)
        delta = (f - Y).mul_(beta)
        grad_a = torch.bmm(delta, H.transpose(1, 2)).mul_(s1)         # (C, m, N)
        D = torch.bmm(a.transpose(1, 2), delta).mul_(s1).mul_(Z > 0)  # (C, N, P)
        grad_W1 = (D.view(C * N, P) @ X).mul_(s0).view(C, N, N0)     # one GEMM for all chains
        W1.add_(grad_W1 + W1 / var1, alpha=-eta1).add_(draw(W1, 0), alpha=noise1)
        a.add_(grad_a + a / var_a, alpha=-eta_a).add_(draw(a, 1), alpha=noise_a)
    return step


def make_functional_step(C, N, N0, P, beta, eta, sigma2, X, Y, gamma=1.0, noise=None):
    """The same step without in-place updates, for torch.compile to fuse: step(W1, a) -> (W1, a)."""
    s0, s1 = 1.0 / math.sqrt(N0), N ** -gamma
    (eta1, eta_a), (var1, var_a) = eta, sigma2
    noise1, noise_a = math.sqrt(2 * eta1), math.sqrt(2 * eta_a)
    draw = (lambda t, g: torch.randn_like(t)) if noise is None else (lambda t, g: noise[g])

    def step(W1, a):
        Z = (W1.reshape(C * N, N0) @ X.T).reshape(C, N, P) * s0
        H = torch.relu(Z)
        f = torch.bmm(a, H) * s1
        delta = (f - Y) * beta
        grad_a = torch.bmm(delta, H.transpose(1, 2)) * s1
        D = torch.bmm(a.transpose(1, 2), delta) * s1 * (Z > 0)
        grad_W1 = (D.reshape(C * N, P) @ X).reshape(C, N, N0) * s0
        W1 = W1 - eta1 * (grad_W1 + W1 / var1) + noise1 * draw(W1, 0)
        a = a - eta_a * (grad_a + a / var_a) + noise_a * draw(a, 1)
        return W1, a
    return step


def graphed(step, state):
    """step captured as a CUDA graph, after the warm-up runs on a side stream that capture needs;
    the state is put back as it was before them, so each replay() makes the next step from there."""
    saved = [t.clone() for t in state]
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(s)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step()
    for t, v in zip(state, saved):
        t.copy_(v)
    return graph.replay


def runner(mode, C, N, N0, P, X, Y, W1, a, **constants):
    """What the timing loop and --check call, one step per call, for each mode."""
    if mode == "compile":
        step = torch.compile(make_functional_step(C, N, N0, P, X=X, Y=Y, **constants))
        state = [W1, a]

        def run():
            state[:] = step(*state)
        return run, state
    state = [W1, a]
    step = make_step(C, N, N0, P, X=X, Y=Y, state=state, **constants)
    return (graphed(step, state) if mode == "graph" else step), state


def set_tf32(on):
    """TF32 in cuBLAS's FP32 products, or not (the default), by the flag that every PyTorch version
    reads; newer versions also have other switches, and Inductor refuses a mix of the two kinds."""
    torch.backends.cuda.matmul.allow_tf32 = on


def sync_of(dev):
    return torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)


def problem(args, dev):
    """The data and the chains' start: the same for every variant."""
    C, N, N0, P, m = args.chains, args.N, args.N0, args.P, 2
    g = torch.Generator(device=dev).manual_seed(1)
    X = torch.randn(P, N0, device=dev, generator=g)
    Y = torch.sign(torch.randn(1, m, P, device=dev, generator=g))
    W1 = torch.randn(C, N, N0, device=dev, generator=g)
    a = torch.randn(C, m, N, device=dev, generator=g)
    return X, Y, W1, a


def bench(args, dev, tf32, mode):
    set_tf32(tf32)
    X, Y, W1, a = problem(args, dev)
    run, _ = runner(mode, args.chains, args.N, args.N0, args.P, X, Y, W1, a,
                    beta=float(args.N), eta=(1e-4, 1e-4), sigma2=(1.0, 1.0))
    warm, sec = timed(run, sync_of(dev), args)
    name = f"torch {'tf32' if tf32 else 'fp32'} {mode}" + (" cpu" if dev.type == "cpu" else "")
    report(name, args, sec, f"compile+warm-up {warm:.1f} s" if mode == "compile" else "")


def check(directory, mode):
    spec, x, y, theta, noise = read_check(directory)
    one_hidden_relu(spec, "torch_step.py")
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if mode != "eager" and dev.type != "cuda":
        raise SystemExit(f"torch_step.py --check --mode {mode}: needs CUDA, and torch sees no GPU")
    set_tf32(False)   # the check is of FP32 arithmetic: no TF32 in any product
    on = lambda arr: torch.from_numpy(arr).to(dev)
    X, Y = on(x), on(y.T.copy()).unsqueeze(0)          # Y as the timed step has it: (1, m, P)
    W1, a = (on(t) for t in theta)
    C, N, N0 = W1.shape
    P = X.shape[0]
    if (N, N0, a.shape[1]) != (spec["N"], spec["N0"], spec["m"]):
        raise SystemExit(f"torch_step.py --check: arrays of shape {tuple(W1.shape)}, {tuple(a.shape)} "
                         f"do not match the spec")
    run, state = runner(mode, C, N, N0, P, X, Y, W1, a, beta=spec["beta"], eta=tuple(spec["eta"]),
                        sigma2=tuple(spec["sigma2"]), gamma=spec["gamma"], noise=[on(n) for n in noise])
    run()
    sync_of(dev)()
    write_check(directory, [t.cpu().numpy() for t in state])


def main():
    def extra(p):
        p.add_argument("--compile", action="store_true", help="time torch.compile'd steps only (as --mode compile)")
        p.add_argument("--mode", action="append", choices=["eager", "graph", "compile"],
                       help="the variant(s) to time, or to check (default: eager and graph; compile with --compile)")
        p.add_argument("--precision", action="append", choices=["fp32", "tf32"],
                       help="default: both on CUDA, fp32 on the CPU")
        p.add_argument("--device", choices=["cuda", "cpu"], help="default: cuda when torch sees a GPU, else cpu")
    args = arguments("the ULA step in PyTorch", extra)
    if args.check:
        if args.mode and len(args.mode) > 1:
            raise SystemExit("torch_step.py --check: one --mode at a time")
        check(args.check, args.mode[0] if args.mode else "compile" if args.compile else "eager")
        return
    dev = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    modes = args.mode or (["compile"] if args.compile else ["eager", "graph"] if dev.type == "cuda" else ["eager"])
    precisions = args.precision or (["fp32", "tf32"] if dev.type == "cuda" else ["fp32"])
    where = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {where}", flush=True)
    for precision in precisions:
        for mode in modes:
            try:
                if mode != "eager" and dev.type != "cuda":
                    raise RuntimeError(f"{mode} needs CUDA")
                bench(args, dev, precision == "tf32", mode)
            except Exception as e:   # a peer that fails must not hide the others
                print(f"PEER|torch {precision} {mode}|failed: {type(e).__name__}: {e}", flush=True)


if __name__ == "__main__":
    main()
