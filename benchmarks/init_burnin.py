#!/usr/bin/env python3
"""Burn-in and bias of --init theory against --init prior, from benchmarks/init-burnin.sh's runs.

Stationarity test (per trace, on the mean over chains of the trace, draws every 5 steps):
  reference = the mean over the last half of the run; s = the standard error of a window mean,
  estimated by batch means: the standard deviation of the means of non-overlapping windows of
  W = 40 draws (200 steps) over that last half. The burn-in is the first window start from
  which every window mean lies within 3 s of the reference ("stays"); we also give the first
  window whose mean comes within 2 s ("enters"). A trace stationary from the start has burn-in 0.
  Both starts are judged against the same reference: the last half of the prior-started run,
  which is twice as long (the long run), so a start that settles elsewhere is not "stationary".

Bias: the mean of the theory-started run's last half against the long prior-started run's last
half, with the standard error of their difference (batch means over chains and windows).

  python3 benchmarks/init_burnin.py OUT_DIR STEPS [W]   (W: draws per window, default 40)
"""
import json
import sys
from pathlib import Path

import numpy as np

TRACES = ["potential", "loss", "sqnorm_W1", "sqnorm_a"]
W = 40          # draws per window
EVERY = 5       # steps per draw (the runs' --every)


def windows(x):
    n = len(x) // W
    return x[: n * W].reshape(n, W).mean(1)


def last_half_stats(tr):
    """Mean over chains and draws of the last half, and its standard error by batch means."""
    half = tr[:, tr.shape[1] // 2:]
    b = np.concatenate([windows(c) for c in half])           # window means of every chain
    return half.mean(), b.std(ddof=1) / np.sqrt(len(b))


def burn_in(tr, ref, s_window):
    """(stays, enters): first window start (steps) after which every window mean is within 3 s, and first within 2 s."""
    wm = windows(tr.mean(0))
    dev = np.abs(wm - ref)
    stays = None
    for i in range(len(wm)):
        if np.all(dev[i:] <= 3 * s_window):
            stays = i
            break
    enters = next((i for i in range(len(wm)) if dev[i] <= 2 * s_window), None)
    f = lambda i: None if i is None else i * W * EVERY
    return f(stays), f(enters)


def main(out, steps):
    out = Path(out)
    rows, bias = [], []
    for phi in ["linear", "erf", "relu"]:
        th = {t: np.load(out / f"{phi}-theory" / f"trace_{t}.npy") for t in TRACES}
        pr = {t: np.load(out / f"{phi}-prior" / f"trace_{t}.npy") for t in TRACES}
        th["sqnorm_theta"] = th["sqnorm_W1"] + th["sqnorm_a"]
        pr["sqnorm_theta"] = pr["sqnorm_W1"] + pr["sqnorm_a"]
        for t in TRACES + ["sqnorm_theta"]:
            long = pr[t]
            ref, _ = last_half_stats(long)
            # the spread of one chain-averaged window mean in the reference half
            half = long[:, long.shape[1] // 2:].mean(0)
            s = windows(half).std(ddof=1)
            n = int(steps) // EVERY
            p_stays, p_enters = burn_in(long[:, :n], ref, s)
            t_stays, t_enters = burn_in(th[t][:, :n], ref, s)
            rows.append((phi, t, p_stays, p_enters, t_stays, t_enters))
            m_th, se_th = last_half_stats(th[t])
            m_pr, se_pr = last_half_stats(long)
            se = np.hypot(se_th, se_pr)
            bias.append((phi, t, m_th, m_pr, se, (m_th - m_pr) / se))
    print("| phi | trace | prior: stays (enters) | theory: stays (enters) |")
    print("|---|---|---|---|")
    for phi, t, ps, pe, ts, te in rows:
        print(f"| {phi} | {t} | {ps} ({pe}) | {ts} ({te}) |")
    print()
    print("| phi | trace | theory start, last half | prior start (long run), last half | se of difference | z |")
    print("|---|---|---|---|---|---|")
    for phi, t, a, b, se, z in bias:
        print(f"| {phi} | {t} | {a:.6g} | {b:.6g} | {se:.3g} | {z:+.2f} |")
    # the first draws: what the start gives before any mixing
    print()
    print("| phi | trace | first draw (step 5): prior | theory | long-run mean |")
    print("|---|---|---|---|---|")
    for phi in ["linear", "erf", "relu"]:
        for t in TRACES:
            a = np.load(out / f"{phi}-prior" / f"trace_{t}.npy")
            b = np.load(out / f"{phi}-theory" / f"trace_{t}.npy")
            print(f"| {phi} | {t} | {a[:, 0].mean():.6g} | {b[:, 0].mean():.6g} | {last_half_stats(a)[0]:.6g} |")


if __name__ == "__main__":
    if len(sys.argv) > 3:
        W = int(sys.argv[3])
    main(sys.argv[1], sys.argv[2])
