"""The same ULA step as nnpost's backends in JAX: jit over a vmap of one chain's step.

One hidden layer, ReLU; vmap turns the per-chain products into batched GEMMs (XLA may merge the
layer-1 products, whose X is shared, into one). Noise from jax.random. Prints
"PEER|jax <precision> jit+vmap|<chain-steps/s>|..." lines, FP32 ("highest" matmul precision) and
TF32 ("default", on GPUs that have it).

    python3 benchmarks/peers/jax_step.py [--chains 1024] [--steps 30] [--precision fp32]
    python3 benchmarks/peers/jax_step.py --check DIR
        numpy_step.py's check: reads spec.json, x.npy, y.npy, theta<g>.npy, noise<g>.npy from DIR,
        makes one step of the timed step function with the given noise, in FP32 (HIGHEST
        precision in every product), and writes theta<g>_new.npy. The spec must be what is
        timed: L=1, relu.
"""
import math

import jax
import jax.numpy as jnp

from peer_common import arguments, one_hidden_relu, read_check, report, timed, write_check


def make_step(N, N0, P, beta, eta, sigma2, X, Y, precision, gamma=1.0):
    """(step, with_noise): step(W1, a, key) -> (W1, a, key) is the timed step of all chains, W1
    (C, N, N0), a (C, m, N), with X (P, N0) and Y (m, P); each chain draws its own noise.
    with_noise(W1, a, xi_W1, xi_a) -> (W1, a) is the same step with the noise given (--check).
    Both are jit over a vmap of `one`, one chain's gradient and update; eta and sigma2 are
    (layer 1, readout) pairs."""
    s0, s1 = 1.0 / math.sqrt(N0), N ** -gamma  # 1/sqrt(N0) and N^-gamma
    (eta1, eta_a), (var1, var_a) = eta, sigma2
    noise1, noise_a = math.sqrt(2 * eta1), math.sqrt(2 * eta_a)
    mm = lambda a, b: jnp.matmul(a, b, precision=precision)

    def one(W1, a, xi1, xi_a):                   # W1 (N, N0), a (m, N)
        Z = s0 * mm(W1, X.T)                     # (N, P)
        H = jax.nn.relu(Z)
        f = s1 * mm(a, H)                        # (m, P)
        delta = beta * (f - Y)
        grad_a = s1 * mm(delta, H.T)
        D = s1 * mm(a.T, delta) * (Z > 0)
        grad_W1 = s0 * mm(D, X)
        W1 = W1 - eta1 * (grad_W1 + W1 / var1) + noise1 * xi1
        a = a - eta_a * (grad_a + a / var_a) + noise_a * xi_a
        return W1, a

    def drawn(W1, a, key):
        k1, k2 = jax.random.split(key)
        return one(W1, a, jax.random.normal(k1, W1.shape, W1.dtype), jax.random.normal(k2, a.shape, a.dtype))

    batched = jax.vmap(drawn)

    @jax.jit
    def step(W1, a, key):
        key, sub = jax.random.split(key)
        W1, a = batched(W1, a, jax.random.split(sub, W1.shape[0]))
        return W1, a, key
    return step, jax.jit(jax.vmap(one))


def bench(args, tf32):
    C, N, N0, P, m = args.chains, args.N, args.N0, args.P, 2
    key = jax.random.PRNGKey(1)
    kx, ky, kw, ka, key = jax.random.split(key, 5)
    X = jax.random.normal(kx, (P, N0), jnp.float32)
    Y = jnp.sign(jax.random.normal(ky, (m, P), jnp.float32))
    W1 = jax.random.normal(kw, (C, N, N0), jnp.float32)
    a = jax.random.normal(ka, (C, m, N), jnp.float32)
    precision = jax.lax.Precision.DEFAULT if tf32 else jax.lax.Precision.HIGHEST
    step, _ = make_step(N, N0, P, float(N), (1e-4, 1e-4), (1.0, 1.0), X, Y, precision)
    state = [W1, a, key]

    def run():
        state[:] = step(*state)
    warm, sec = timed(run, lambda: state[0].block_until_ready(), args)
    report(f"jax {'tf32' if tf32 else 'fp32'} jit+vmap", args, sec, f"compile+warm-up {warm:.1f} s")


def check(directory):
    import numpy as np
    spec, x, y, theta, noise = read_check(directory)
    one_hidden_relu(spec, "jax_step.py")
    # FP32 products: HIGHEST below on every one, and the default for any other (no TF32)
    jax.config.update("jax_default_matmul_precision", "float32")
    C, N, N0 = theta[0].shape
    P, m = y.shape
    if (N, N0, theta[1].shape[1]) != (spec["N"], spec["N0"], spec["m"]):
        raise SystemExit(f"jax_step.py --check: arrays of shape {theta[0].shape}, {theta[1].shape} do not match the spec")
    _, with_noise = make_step(N, N0, P, spec["beta"], tuple(spec["eta"]), tuple(spec["sigma2"]),
                              jnp.asarray(x), jnp.asarray(y.T), jax.lax.Precision.HIGHEST, spec["gamma"])
    W1, a = with_noise(*(jnp.asarray(t) for t in theta + noise))
    write_check(directory, [np.asarray(W1), np.asarray(a)])


def main():
    args = arguments("the ULA step in JAX", lambda p: p.add_argument(
        "--precision", action="append", choices=["fp32", "tf32"], help="default: both on a GPU, else fp32"))
    if args.check:
        check(args.check)
        return
    dev = jax.devices()[0]
    print(f"jax {jax.__version__}, {dev}", flush=True)
    for precision in args.precision or (["fp32", "tf32"] if dev.platform == "gpu" else ["fp32"]):
        try:
            bench(args, precision == "tf32")
        except Exception as e:   # a peer that fails must not hide the others
            print(f"PEER|jax {precision} jit+vmap|failed: {type(e).__name__}: {e}", flush=True)


if __name__ == "__main__":
    main()
