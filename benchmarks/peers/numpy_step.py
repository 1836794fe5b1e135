#!/usr/bin/env python3
"""The ULA step of nnpost in idiomatic numpy float32: the peer `nnpost bench` is compared with.

One step for all C chains (SPEC sections 1-3), parameters stored like nnpost's: group g holds
W^(g+1) for every chain as a (C, out, in) array, the last group the readout a as (C, m, N):

    z1 = W1 x / sqrt(N0),  zl = Wl phi(z(l-1)) / sqrt(N),  f = N^-gamma a phi(zL)
    delta = beta (f - y);  grad W = c delta h^T;  delta below = c (W^T delta) * phi'(z)
    theta <- theta - eta (grad + theta / sigma^2) + sqrt(2 eta) xi

Layer 1 sees the same X for every chain, so its forward pass is one GEMM, X (P x N0) @ W1_all^T
(N0 x C*N), and so is its weight gradient; deeper layers and the readout use batched matmul.

    numpy_step.py [--preset reference] [--chains C] [--steps S] [--warmup W] [--repeats R]
        times S steps R times after W warm-up steps; prints JSON with the median chain-steps/s.
    numpy_step.py --check DIR
        reads spec.json, x.npy, y.npy, theta<g>.npy, noise<g>.npy from DIR, makes one step with
        the given noise and writes theta<g>_new.npy there (the test that the peer computes
        nnpost's step).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np

PRESETS = {  # name: (L, N, P, N0, C), as org.nnpost.bench.Bench
    "small": (1, 100, 100, 110, 16),
    "reference": (1, 200, 200, 220, 16),
    "paper": (1, 500, 500, 520, 16),
    "deep": (3, 200, 200, 220, 16),
}


def phi_pair(name):
    """phi and phi' as float32 array functions."""
    if name == "linear":
        return (lambda z: z), (lambda z: np.ones_like(z))
    if name == "relu":
        return (lambda z: np.maximum(z, np.float32(0))), (lambda z: (z > 0).astype(np.float32))
    if name == "tanh":
        def dtanh(z):
            t = np.tanh(z)
            return np.float32(1) - t * t
        return np.tanh, dtanh
    if name == "erf":
        from math import erf
        verf = np.vectorize(lambda v: erf(math.sqrt(math.pi) / 2 * v), otypes=[np.float32])
        return verf, (lambda z: np.exp(np.float32(-math.pi / 4) * z * z))
    raise ValueError(name)


class Model:
    """Sizes and constants of one posterior; x is P x N0, y is P x m (float32)."""

    def __init__(self, L, N, N0, m, phi, gamma, beta, sigma2, x, y):
        self.L, self.N, self.N0, self.m = L, N, N0, m
        self.phi, self.dphi = phi_pair(phi)
        last = N0 if L == 0 else N
        self.scale = [np.float32(1 / math.sqrt(N0 if g == 0 else N)) for g in range(L)] + [np.float32(last ** -gamma)]
        self.beta = np.float32(beta)
        self.inv_var = [np.float32(1 / s) for s in sigma2]
        self.x = np.ascontiguousarray(x, dtype=np.float32)
        self.y = np.ascontiguousarray(y, dtype=np.float32)

    def gradient(self, theta):
        """Likelihood gradient of every group for all chains (the prior term joins in the update)."""
        C, P = theta[0].shape[0], self.x.shape[0]
        L = self.L
        # forward: h[l] is (C, P, width) for l >= 1; layer 1 as one GEMM over all chains
        zs, hs = [], [None]
        if L > 0:
            W1 = theta[0]
            z = (self.x @ W1.reshape(C * self.N, self.N0).T) * self.scale[0]   # P x C*N
            z = z.reshape(P, C, self.N).transpose(1, 0, 2)                     # C x P x N (a view)
            zs.append(z)
            hs.append(self.phi(z))
            for g in range(1, L):
                z = np.matmul(hs[g], theta[g].transpose(0, 2, 1)) * self.scale[g]
                zs.append(z)
                hs.append(self.phi(z))
            h_last = hs[L]
        else:
            h_last = np.broadcast_to(self.x, (C, P, self.N0))
        f = np.matmul(h_last, theta[L].transpose(0, 2, 1)) * self.scale[L]   # C x P x m
        delta = self.beta * (f - self.y)
        grads = [None] * (L + 1)
        for g in range(L, -1, -1):
            if g == 0:
                if L == 0:
                    grads[0] = np.matmul(delta.transpose(0, 2, 1), self.x) * self.scale[0]
                else:
                    # one GEMM over all chains: (C*N x P) @ (P x N0)
                    d = delta.transpose(0, 2, 1).reshape(C * self.N, P)
                    grads[0] = (d @ self.x).reshape(C, self.N, self.N0) * self.scale[0]
                break
            grads[g] = np.matmul(delta.transpose(0, 2, 1), hs[g]) * self.scale[g]
            delta = np.matmul(delta, theta[g]) * self.scale[g] * self.dphi(zs[g - 1])
        return grads

    def step(self, theta, eta, noise):
        """theta <- theta - eta (grad + theta/sigma^2) + sqrt(2 eta) xi, in place."""
        grads = self.gradient(theta)
        for g, (t, gr) in enumerate(zip(theta, grads)):
            e = np.float32(eta[g])
            t -= e * (gr + t * self.inv_var[g])
            t += np.float32(math.sqrt(2.0 * eta[g])) * noise[g]


def check(directory):
    with open(os.path.join(directory, "spec.json")) as fh:
        s = json.load(fh)
    x = np.load(os.path.join(directory, "x.npy"))
    y = np.load(os.path.join(directory, "y.npy"))
    groups = s["L"] + 1
    theta = [np.load(os.path.join(directory, f"theta{g}.npy")) for g in range(groups)]
    noise = [np.load(os.path.join(directory, f"noise{g}.npy")) for g in range(groups)]
    model = Model(s["L"], s["N"], s["N0"], s["m"], s["phi"], s["gamma"], s["beta"], s["sigma2"], x, y)
    model.step(theta, s["eta"], noise)
    for g in range(groups):
        np.save(os.path.join(directory, f"theta{g}_new.npy"), theta[g])


def bench(preset, steps, warmup, repeats, seed=1, chains=None):
    L, N, P, N0, C = PRESETS[preset]
    C = chains or C
    m = 2
    rng = np.random.default_rng(seed)
    # orthogonal inputs with |x|^2 = N0, two classes in equal numbers, targets +-1 (as nnpost's task)
    q, _ = np.linalg.qr(rng.standard_normal((N0, P)))
    x = (math.sqrt(N0) * q.T).astype(np.float32)
    labels = np.arange(P) % m
    y = np.where(labels[:, None] == np.arange(m)[None, :], 1.0, -1.0).astype(np.float32)
    gamma, beta0 = 1.0, 1.0
    beta = beta0 * N ** (2 * gamma - 1)
    model = Model(L, N, N0, m, "relu", gamma, beta, [1.0] * (L + 1), x, y)
    shapes = [(C, N, N0)] + [(C, N, N)] * (L - 1) + [(C, m, N)]
    theta = [rng.standard_normal(sh, dtype=np.float32) for sh in shapes]
    eta = [1e-4] * (L + 1)

    def one_step():
        noise = [rng.standard_normal(t.shape, dtype=np.float32) for t in theta]
        model.step(theta, eta, noise)

    for _ in range(warmup):
        one_step()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            one_step()
        rates.append(C * steps / (time.perf_counter() - t0))
    finite = all(bool(np.isfinite(t).all()) for t in theta)
    flops = 4.0 * P * N0 * N + 6.0 * P * N * N * (L - 1)
    med = statistics.median(rates)
    return {
        "peer": "numpy", "preset": preset, "chains": C, "steps": steps, "warmup_steps": warmup,
        "chain_steps_per_s": med, "chain_steps_per_s_min": min(rates), "chain_steps_per_s_max": max(rates),
        "repeats": rates, "gflops": med * flops * 1e-9, "finite": finite, "numpy": np.__version__,
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"), "openblas_core": blas_core(),
    }


def blas_core():
    """OpenBLAS's kernel family (Haswell, SkylakeX, ...), when numpy's OpenBLAS says; else None."""
    try:
        import ctypes
        import glob
        libdir = os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs")
        for path in glob.glob(os.path.join(libdir, "*openblas*")):
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
                fn = getattr(lib, name, None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    return fn().decode()
    except OSError:
        pass
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", metavar="DIR", help="one step on the arrays in DIR (see above)")
    ap.add_argument("--preset", default="reference", choices=sorted(PRESETS))
    ap.add_argument("--chains", type=int, help="chains C (default: the preset's)")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args(argv)
    if a.check:
        check(a.check)
        return 0
    print(json.dumps(bench(a.preset, a.steps, a.warmup, a.repeats, chains=a.chains)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
