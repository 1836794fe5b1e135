"""What the GPU peers (torch_step.py, jax_step.py) share: their flags and their result line."""
import argparse


def arguments(description, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--chains", type=int, default=1024)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--N", type=int, default=500)
    p.add_argument("--N0", type=int, default=520)
    p.add_argument("--P", type=int, default=500)
    if extra:
        extra(p)
    return p.parse_args()


def report(name, args, seconds, note=""):
    """One "PEER|..." line: chain-steps/s and SPEC section 9's flops (4 P N0 N per chain-step)."""
    rate = args.chains * args.steps / seconds
    flops = 4.0 * args.P * args.N0 * args.N
    print(f"PEER|{name}|{rate:.0f}|chain-steps/s|{1e3 * seconds / args.steps:.2f} ms/step|"
          f"{rate * flops / 1e12:.1f} TFLOP/s|{100 * rate * flops / 67e12:.0f}% of 67 TFLOP/s" + (f"|{note}" if note else ""),
          flush=True)
