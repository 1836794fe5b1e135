#!/usr/bin/env bash
# nnpost's CPU backend against the numpy peer on the reference preset (L=1, ReLU, N=P=200,
# N0=220, C=16), run alternately ROUNDS times each so that load from other processes falls on
# both, then a table of the medians and their ratio.
#
#   benchmarks/compare-cpu.sh [ROUNDS] [THREADS]
#
# Runs the Bench class behind `nnpost bench` from target/classes (build first: mvn -q -o
# compile); NNPOST_BENCH overrides the whole command (it must print the JSON line, e.g.
# NNPOST_BENCH="nnpost bench reference --json" when the CLI is installed). numpy runs in the
# environment as given; set NUMPY_ENV="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE" to time it
# with its own choice of BLAS kernel.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-3}
THREADS=${2:-$(nproc)}
PRESET=reference
NUMPY_ENV=${NUMPY_ENV:-}

if [ -n "${NNPOST_BENCH:-}" ]; then
  read -r -a NNPOST <<<"$NNPOST_BENCH"
else
  CP=target/classes
  [ -d "$CP" ] || { echo "target/classes missing: build first (mvn -q -o compile)" >&2; exit 2; }
  NNPOST=(java -cp "$CP" org.nnpost.bench.Bench "$PRESET" cpu "$THREADS" 50 3 20 --json)
fi
NUMPY=($NUMPY_ENV python3 benchmarks/peers/numpy_step.py --preset "$PRESET" --steps 50 --warmup 20 --repeats 3)

# the thread count numpy's BLAS gets, to match nnpost's
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS

field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["chain_steps_per_s"])'; }

nn=(); np_=()
for ((i = 1; i <= ROUNDS; i++)); do
  a=$("${NNPOST[@]}" | field); nn+=("$a")
  b=$("${NUMPY[@]}" | field); np_+=("$b")
  printf 'round %d: nnpost %.1f  numpy %.1f chain-steps/s\n' "$i" "$a" "$b" >&2
done

python3 - "${#nn[@]}" "${nn[@]}" "${np_[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1]); v = [float(x) for x in sys.argv[2:]]
nn, npy = v[:n], v[n:]
mn, mp = statistics.median(nn), statistics.median(npy)
print(f"{'':8s} {'median':>10s} {'min':>10s} {'max':>10s}   chain-steps/s, reference preset")
print(f"{'nnpost':8s} {mn:10.1f} {min(nn):10.1f} {max(nn):10.1f}")
print(f"{'numpy':8s} {mp:10.1f} {min(npy):10.1f} {max(npy):10.1f}")
print(f"ratio nnpost/numpy (medians): {mn / mp:.2f}")
PY
