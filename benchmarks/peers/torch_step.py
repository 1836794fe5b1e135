"""The same ULA step as nnpost's CUDA backend, written plainly in PyTorch, as a peer to compare with.

One hidden layer, ReLU, mean-field scaling, C chains batched; the first layer's forward pass and
weight gradient are each one GEMM over all chains (X is shared), the readout uses batched GEMMs,
noise from torch.randn. Prints "PEER|torch <mode>|<chain-steps/s>|..." lines for eager and
CUDA-graphed steps in FP32 and TF32; with --compile, for torch.compile'd steps instead.

    python3 benchmarks/peers/torch_step.py [--chains 1024] [--steps 30] [--compile]
"""
import math
import time

import torch

from peer_common import arguments, report


def make_step(C, N, N0, P, m, beta, eta, sigma2, X, Y, state):
    s0, s1 = 1.0 / math.sqrt(N0), 1.0 / N          # 1/sqrt(N0) and N^-gamma, gamma = 1
    W1, a = state                                    # (C, N, N0), (C, m, N)
    noise1, noise_a = math.sqrt(2 * eta), math.sqrt(2 * eta)

    def step():
        Z = (W1.view(C * N, N0) @ X.T).mul_(s0).view(C, N, P)       # one GEMM for all chains
        H = torch.relu(Z)
        f = torch.bmm(a, H).mul_(s1)                                  # (C, m, P)
        delta = (f - Y).mul_(beta)
        grad_a = torch.bmm(delta, H.transpose(1, 2)).mul_(s1)         # (C, m, N)
        D = torch.bmm(a.transpose(1, 2), delta).mul_(s1).mul_(Z > 0)  # (C, N, P)
        grad_W1 = (D.view(C * N, P) @ X).mul_(s0).view(C, N, N0)     # one GEMM for all chains
        W1.add_(grad_W1 + W1 / sigma2, alpha=-eta).add_(torch.randn_like(W1), alpha=noise1)
        a.add_(grad_a + a / sigma2, alpha=-eta).add_(torch.randn_like(a), alpha=noise_a)
    return step


def problem(args):
    """The data and the chains' start: the same for every variant."""
    dev = torch.device("cuda")
    C, N, N0, P, m = args.chains, args.N, args.N0, args.P, 2
    g = torch.Generator(device=dev).manual_seed(1)
    X = torch.randn(P, N0, device=dev, generator=g)
    Y = torch.sign(torch.randn(1, m, P, device=dev, generator=g))
    W1 = torch.randn(C, N, N0, device=dev, generator=g)
    a = torch.randn(C, m, N, device=dev, generator=g)
    return X, Y, W1, a


def make_functional_step(C, N, N0, P, beta, eta, sigma2, X, Y):
    """The same step without in-place updates, for torch.compile to fuse."""
    s0, s1 = 1.0 / math.sqrt(N0), 1.0 / N
    noise = math.sqrt(2 * eta)

    def step(W1, a):
        Z = (W1.reshape(C * N, N0) @ X.T).reshape(C, N, P) * s0
        H = torch.relu(Z)
        f = torch.bmm(a, H) * s1
        delta = (f - Y) * beta
        grad_a = torch.bmm(delta, H.transpose(1, 2)) * s1
        D = torch.bmm(a.transpose(1, 2), delta) * s1 * (Z > 0)
        grad_W1 = (D.reshape(C * N, P) @ X).reshape(C, N, N0) * s0
        W1 = W1 - eta * (grad_W1 + W1 / sigma2) + noise * torch.randn_like(W1)
        a = a - eta * (grad_a + a / sigma2) + noise * torch.randn_like(a)
        return W1, a
    return step


def bench_compiled(args, tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    C, N, N0, P = args.chains, args.N, args.N0, args.P
    X, Y, W1, a = problem(args)
    step = torch.compile(make_functional_step(C, N, N0, P, float(N), 1e-4, 1.0, X, Y))
    t0 = time.perf_counter()
    for _ in range(3):
        W1, a = step(W1, a)
    torch.cuda.synchronize()
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(args.steps):
        W1, a = step(W1, a)
    torch.cuda.synchronize()
    sec = time.perf_counter() - t0
    report(f"torch {'tf32' if tf32 else 'fp32'} compile", args, sec, f"compile+warm-up {compile_s:.1f} s")


def bench(args, tf32, graphed):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    C, N, N0, P, m = args.chains, args.N, args.N0, args.P, 2
    X, Y, W1, a = problem(args)
    step = make_step(C, N, N0, P, m, beta=float(N), eta=1e-4, sigma2=1.0, X=X, Y=Y, state=(W1, a))
    run = step
    if graphed:
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                step()
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            step()
        run = graph.replay
    for _ in range(3):
        run()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        run()
    torch.cuda.synchronize()
    sec = time.perf_counter() - t0
    report(f"torch {'tf32' if tf32 else 'fp32'} {'graph' if graphed else 'eager'}", args, sec)


def main():
    args = arguments("the ULA step in PyTorch", lambda p: p.add_argument(
        "--compile", action="store_true", help="time torch.compile'd steps only"))
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}", flush=True)
    if args.compile:
        for tf32 in (False, True):
            try:
                bench_compiled(args, tf32)
            except Exception as e:
                print(f"PEER|torch {'tf32' if tf32 else 'fp32'} compile|failed: {type(e).__name__}: {e}", flush=True)
        return
    for tf32 in (False, True):
        for graphed in (False, True):
            try:
                bench(args, tf32, graphed)
            except Exception as e:   # a peer that fails must not hide the others
                print(f"PEER|torch {'tf32' if tf32 else 'fp32'} {'graph' if graphed else 'eager'}|failed: {e}", flush=True)


if __name__ == "__main__":
    main()
