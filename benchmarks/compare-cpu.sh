#!/usr/bin/env bash
# nnpost's CPU backend against the numpy peer on the reference preset, as RESULTS.md's CPU tables
# were measured: benchmarks/compare.sh with two programs and that run's timing.
#
#   benchmarks/compare-cpu.sh [ROUNDS] [THREADS]
#
# compare.sh covers every peer and preset; its environment variables apply here too (NUMPY_ENV,
# PYTHON, ...).
cd "$(dirname "$0")/.." || exit 2
THREADS=${2:-$(nproc)} PROGRAMS="nnpost-cpu numpy" STEPS=50 REPEATS=3 WARMUP=20 \
  exec benchmarks/compare.sh reference "${1:-3}"
