"""The same ULA step as nnpost's backends in JAX: jit over a vmap of one chain's step.

One hidden layer, ReLU, mean-field scaling; vmap turns the per-chain products into batched GEMMs
(XLA may merge the layer-1 products, whose X is shared, into one). Noise from jax.random. Prints
"PEER|jax <precision>|<chain-steps/s>|..." lines, FP32 ("highest" matmul precision) and TF32.

    python3 benchmarks/peers/jax_step.py [--chains 1024] [--steps 30]
"""
import math
import time

import jax
import jax.numpy as jnp

from peer_common import arguments, report


def make_step(N, N0, P, beta, eta, sigma2, X, Y, precision):
    s0, s1 = 1.0 / math.sqrt(N0), 1.0 / N      # 1/sqrt(N0) and N^-gamma, gamma = 1
    noise = math.sqrt(2 * eta)
    mm = lambda a, b: jnp.matmul(a, b, precision=precision)

    def one(W1, a, key):                         # W1 (N, N0), a (m, N)
        Z = s0 * mm(W1, X.T)                     # (N, P)
        H = jax.nn.relu(Z)
        f = s1 * mm(a, H)                        # (m, P)
        delta = beta * (f - Y)
        grad_a = s1 * mm(delta, H.T)
        D = s1 * mm(a.T, delta) * (Z > 0)
        grad_W1 = s0 * mm(D, X)
        k1, k2 = jax.random.split(key)
        W1 = W1 - eta * (grad_W1 + W1 / sigma2) + noise * jax.random.normal(k1, W1.shape, W1.dtype)
        a = a - eta * (grad_a + a / sigma2) + noise * jax.random.normal(k2, a.shape, a.dtype)
        return W1, a

    batched = jax.vmap(one)

    @jax.jit
    def step(W1, a, key):
        key, sub = jax.random.split(key)
        W1, a = batched(W1, a, jax.random.split(sub, W1.shape[0]))
        return W1, a, key
    return step


def bench(args, tf32):
    C, N, N0, P, m = args.chains, args.N, args.N0, args.P, 2
    key = jax.random.PRNGKey(1)
    kx, ky, kw, ka, key = jax.random.split(key, 5)
    X = jax.random.normal(kx, (P, N0), jnp.float32)
    Y = jnp.sign(jax.random.normal(ky, (m, P), jnp.float32))
    W1 = jax.random.normal(kw, (C, N, N0), jnp.float32)
    a = jax.random.normal(ka, (C, m, N), jnp.float32)
    precision = jax.lax.Precision.DEFAULT if tf32 else jax.lax.Precision.HIGHEST
    step = make_step(N, N0, P, float(N), 1e-4, 1.0, X, Y, precision)
    t0 = time.perf_counter()
    for _ in range(3):
        W1, a, key = step(W1, a, key)
    W1.block_until_ready()
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(args.steps):
        W1, a, key = step(W1, a, key)
    W1.block_until_ready()
    sec = time.perf_counter() - t0
    report(f"jax {'tf32' if tf32 else 'fp32'} jit+vmap", args, sec, f"compile+warm-up {compile_s:.1f} s")


def main():
    args = arguments("the ULA step in JAX")
    print(f"jax {jax.__version__}, {jax.devices()[0]}", flush=True)
    for tf32 in (False, True):
        try:
            bench(args, tf32)
        except Exception as e:   # a peer that fails must not hide the others
            print(f"PEER|jax {'tf32' if tf32 else 'fp32'} jit+vmap|failed: {type(e).__name__}: {e}", flush=True)


if __name__ == "__main__":
    main()
