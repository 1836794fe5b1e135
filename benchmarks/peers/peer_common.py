"""What the GPU peers (torch_step.py, jax_step.py) share: their flags, their timing loop, their
result line, and numpy_step.py's --check protocol (the files a check reads and writes)."""
import argparse
import json
import os
import statistics
import time


def arguments(description, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--chains", type=int, default=1024)
    p.add_argument("--steps", type=int, default=30, help="timed steps per repeat")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first (compilation, caches, clocks)")
    p.add_argument("--repeats", type=int, default=1, help="timed repeats; the median is reported")
    p.add_argument("--N", type=int, default=500)
    p.add_argument("--N0", type=int, default=520)
    p.add_argument("--P", type=int, default=500)
    p.add_argument("--check", metavar="DIR",
                   help="one step of the timed step function on the arrays in DIR, with the noise given there "
                        "(numpy_step.py's protocol), in FP32; nothing is timed")
    if extra:
        extra(p)
    return p.parse_args()


def timed(run, sync, args):
    """args.warmup untimed calls of run, then args.repeats blocks of args.steps calls, each ended by
    sync(); returns (seconds of the warm-up, seconds of the median block)."""
    t0 = time.perf_counter()
    for _ in range(args.warmup):
        run()
    sync()
    warm = time.perf_counter() - t0
    blocks = []
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            run()
        sync()
        blocks.append(time.perf_counter() - t0)
    return warm, statistics.median(blocks)


def report(name, args, seconds, note=""):
    """One "PEER|..." line: chain-steps/s and SPEC section 9's flops (4 P N0 N per chain-step)."""
    rate = args.chains * args.steps / seconds
    flops = 4.0 * args.P * args.N0 * args.N
    print(f"PEER|{name}|{rate:.0f}|chain-steps/s|{1e3 * seconds / args.steps:.2f} ms/step|"
          f"{rate * flops / 1e12:.1f} TFLOP/s|{100 * rate * flops / 67e12:.0f}% of 67 TFLOP/s" + (f"|{note}" if note else ""),
          flush=True)


def read_check(directory):
    """spec.json, x.npy (P x N0), y.npy (P x m) and, per group g, theta<g>.npy and noise<g>.npy
    (C x out x in) from DIR, as float32 numpy arrays: (spec, x, y, theta, noise)."""
    import numpy as np
    with open(os.path.join(directory, "spec.json")) as fh:
        spec = json.load(fh)
    groups = spec["L"] + 1
    load = lambda name: np.ascontiguousarray(np.load(os.path.join(directory, name)), dtype=np.float32)
    theta = [load(f"theta{g}.npy") for g in range(groups)]
    noise = [load(f"noise{g}.npy") for g in range(groups)]
    return spec, load("x.npy"), load("y.npy"), theta, noise


def write_check(directory, theta):
    """theta<g>_new.npy, the parameters after the step, as float32 (C x out x in)."""
    import numpy as np
    for g, t in enumerate(theta):
        np.save(os.path.join(directory, f"theta{g}_new.npy"), np.ascontiguousarray(t, dtype=np.float32))


def one_hidden_relu(spec, peer):
    """The timed steps of torch_step.py and jax_step.py are one hidden layer with ReLU; a check
    asks for exactly that, so that it proves what is timed."""
    if spec["L"] != 1 or spec["phi"] != "relu":
        raise SystemExit(f"{peer} --check: the timed step is L=1 with relu; the spec asks for "
                         f"L={spec['L']} with {spec['phi']}")
