#!/usr/bin/env bash
# nnpost against every peer available here, on one preset. Each program runs once per round, in
# an order that turns by one each round, so that load from other processes falls on all alike;
# then one table: median, min and max chain-steps/s over the rounds, and nnpost's median over the
# peer's (against nnpost on the same device and precision).
#
#   benchmarks/compare.sh PRESET [ROUNDS]     PRESET: small, reference, paper or deep; ROUNDS: 3
#
# Programs. Anywhere: nnpost-cpu (`nnpost bench`, run from target/classes:
# build first with `mvn -q -o compile`; the runtime jars, for OpenBLAS, from target/classpath.txt), numpy (benchmarks/peers/numpy_step.py), torch-cpu and
# jax-cpu (the GPU peers' steps on the CPU). Where nvidia-smi sees a GPU, also nnpost-cuda-fp32/-tf32
# (needs the runtime jars: APP_CP, or target/classpath.txt, which ./nnpost writes), torch eager,
# CUDA-graph and torch.compile steps in FP32 and TF32, and JAX jit+vmap in FP32 and TF32. A
# program that is missing is listed as not available; a run that fails is left out of its round.
# Every program gets the preset's sizes (L, N, P, N0) and the same chains, steps, repeats and
# warm-up; the torch and JAX steps have one hidden layer, so they sit out the deep preset.
#
# Environment:
#   CHAINS     chains C for every program (default: the preset's, 16; on a GPU try 1024)
#   STEPS      timed steps per repeat (default: about 3e10 flops per repeat, within 10..1000)
#   REPEATS    timed repeats in each run, which reports their median (default 3)
#   WARMUP     untimed steps before them (default STEPS/4, at least 10: the JIT compilers of
#              the JVM, torch.compile and JAX finish their work there)
#   THREADS    CPU threads of nnpost-cpu and of the peers' BLAS (default: all, nproc)
#   PROGRAMS   the programs to run, named as in the table (default: all)
#   PYTHON     the peers' interpreter (default python3)
#   NUMPY_ENV  a prefix for numpy's command, e.g. "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE"
#   TIMEOUT    seconds one run may take (default 600)
#   LOGS       where every run's output is kept (default: a new temporary directory)
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: benchmarks/compare.sh small|reference|paper|deep [ROUNDS]" >&2; exit 2; }
PRESET=${1:-}
ROUNDS=${2:-3}
case $PRESET in   # (L, N, P, N0), as `nnpost bench --preset` and numpy_step.py's PRESETS
  small)     L=1 N=100 P=100 N0=110 ;;
  reference) L=1 N=200 P=200 N0=220 ;;
  paper)     L=1 N=500 P=500 N0=520 ;;
  deep)      L=3 N=200 P=200 N0=220 ;;
  *) usage ;;
esac
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || usage
CHAINS=${CHAINS:-16}
THREADS=${THREADS:-$(nproc)}
REPEATS=${REPEATS:-3}
STEPS=${STEPS:-$(awk -v L=$L -v N=$N -v P=$P -v N0=$N0 -v C=$CHAINS 'BEGIN {
  f = 4 * P * N0 * N + 6 * P * N * N * (L - 1); s = int(3e10 / (f * C) + 0.5)
  print (s < 10 ? 10 : s > 1000 ? 1000 : s) }')}
WARMUP=${WARMUP:-$(( STEPS / 4 > 10 ? STEPS / 4 : 10 ))}
PY=${PYTHON:-python3}
TIMEOUT=${TIMEOUT:-600}
LOGS=${LOGS:-$(mktemp -d)}
mkdir -p "$LOGS"
# the peers' BLAS and OpenMP get the threads nnpost gets
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS

SIZES=(--N "$N" --N0 "$N0" --P "$P" --chains "$CHAINS" --steps "$STEPS" --warmup "$WARMUP" --repeats "$REPEATS")
BENCH=(org.nnpost.cli.Main bench --preset "$PRESET" --threads "$THREADS" --steps "$STEPS" --repeats "$REPEATS"
       --warmup "$WARMUP" --chains "$CHAINS" --json)   # nnpost bench, its flags but the backend's
py_ok() { $PY -c "$1" >/dev/null 2>&1; }

ALL=(nnpost-cpu numpy torch-cpu jax-cpu nnpost-cuda-fp32 nnpost-cuda-tf32
     torch-fp32-eager torch-fp32-graph torch-fp32-compile torch-tf32-eager torch-tf32-graph torch-tf32-compile
     jax-fp32 jax-tf32)
declare -A WHY CMD RATES FAILS
gpu=0; nvidia-smi -L >/dev/null 2>&1 && gpu=1
if [[ -z ${APP_CP:-} ]] && { [[ ! -f target/classpath.txt ]] || [[ pom.xml -nt target/classpath.txt ]]; } && command -v mvn >/dev/null; then
  # the runtime jars (OpenBLAS for the CPU backend's GEMMs, JCuda), as ./nnpost writes them
  mvn -q -B dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/classpath.txt >/dev/null 2>&1 || true
fi
if [[ -n ${APP_CP:-} ]]; then RUNTIME_CP=$APP_CP
elif [[ -f target/classpath.txt ]]; then RUNTIME_CP="target/classes:$(cat target/classpath.txt)"
else RUNTIME_CP=""; fi
torch_cuda=""; jax_gpu=""
if ((gpu)) && ((L == 1)); then
  torch_cuda=$($PY -c "import torch; print(int(torch.cuda.is_available()), int(hasattr(torch, 'compile')))" 2>/dev/null)
  jax_gpu=$($PY -c "import jax; print(int(jax.devices()[0].platform == 'gpu'))" 2>/dev/null)
fi

# Why a program cannot run here (empty: it can), and its command line.
for p in "${ALL[@]}"; do
  why=""
  case $p in
    nnpost-cpu)
      [[ -f target/classes/org/nnpost/cli/Main.class ]] || why="target/classes missing: build first (mvn -q -o compile)"
      # without the runtime jars the backend runs its Java GEMM kernel (the table's device line says which)
      CMD[$p]="java -cp ${RUNTIME_CP:-target/classes} ${BENCH[*]} --backend cpu" ;;
    nnpost-cuda-*)
      if ((!gpu)); then why="no GPU (nvidia-smi sees none)"
      elif [[ -z $RUNTIME_CP ]]; then why="no runtime classpath: set APP_CP, or run ./nnpost once to write target/classpath.txt"; fi
      CMD[$p]="java -cp $RUNTIME_CP ${BENCH[*]} --backend cuda"
      [[ $p == *tf32 ]] && CMD[$p]+=" --precision tf32" ;;
    numpy)
      py_ok "import numpy" || why="$PY cannot import numpy"
      CMD[$p]="${NUMPY_ENV:-} $PY benchmarks/peers/numpy_step.py --preset $PRESET --chains $CHAINS --steps $STEPS --warmup $WARMUP --repeats $REPEATS" ;;
    torch-cpu)
      if ((L != 1)); then why="the torch step has one hidden layer; preset $PRESET has L=$L"
      elif ! py_ok "import torch"; then why="$PY cannot import torch"; fi
      CMD[$p]="$PY benchmarks/peers/torch_step.py --device cpu --mode eager --precision fp32 ${SIZES[*]}" ;;
    jax-cpu)
      if ((L != 1)); then why="the JAX step has one hidden layer; preset $PRESET has L=$L"
      elif ! JAX_PLATFORMS=cpu py_ok "import jax; jax.devices()"; then why="$PY cannot import jax"; fi
      CMD[$p]="env JAX_PLATFORMS=cpu $PY benchmarks/peers/jax_step.py --precision fp32 ${SIZES[*]}" ;;
    torch-*)
      IFS=- read -r _ prec mode <<<"$p"
      if ((!gpu)); then why="no GPU (nvidia-smi sees none)"
      elif ((L != 1)); then why="the torch step has one hidden layer; preset $PRESET has L=$L"
      elif [[ ${torch_cuda:0:1} != 1 ]]; then why="$PY has no torch that sees the GPU"
      elif [[ $mode == compile && ${torch_cuda:2:1} != 1 ]]; then why="this torch has no torch.compile"; fi
      CMD[$p]="$PY benchmarks/peers/torch_step.py --device cuda --mode $mode --precision $prec ${SIZES[*]}" ;;
    jax-*)
      if ((!gpu)); then why="no GPU (nvidia-smi sees none)"
      elif ((L != 1)); then why="the JAX step has one hidden layer; preset $PRESET has L=$L"
      elif [[ $jax_gpu != 1 ]]; then why="$PY has no jax that sees the GPU"; fi
      CMD[$p]="$PY benchmarks/peers/jax_step.py --precision ${p#jax-} ${SIZES[*]}" ;;
  esac
  WHY[$p]=$why
done

RUN=()
for p in "${ALL[@]}"; do
  [[ -n ${PROGRAMS:-} && " $PROGRAMS " != *" $p "* ]] && continue
  [[ -z ${WHY[$p]} ]] && RUN+=("$p")
done

# chain-steps/s from a run's output: nnpost bench's and numpy's JSON, or the GPU peers' PEER line
rate_of() {
  { sed -n 's/.*"chain_steps_per_s": \([0-9.eE+-]*\).*/\1/p' "$1"
    awk -F'|' '$1 == "PEER" && $3 ~ /^[0-9.]+$/ { print $3 }' "$1"; } | tail -n 1
}

n=${#RUN[@]}
echo "compare.sh: $PRESET (L=$L N=$N P=$P N0=$N0) C=$CHAINS, $STEPS steps x $REPEATS repeats after $WARMUP warm-up steps," \
     "$ROUNDS rounds of: ${RUN[*]:-nothing}; logs in $LOGS" >&2
for ((r = 0; r < ROUNDS; r++)); do
  line="round $((r + 1)):"
  for ((i = 0; i < n; i++)); do
    p=${RUN[$(((i + r) % n))]}
    log="$LOGS/$p.$((r + 1)).log"
    # shellcheck disable=SC2086  # CMD holds a command line
    timeout -k 5 "$TIMEOUT" ${CMD[$p]} >"$log" 2>&1
    rc=$?
    v=$(rate_of "$log")
    if ((rc == 0)) && [[ -n $v ]]; then RATES[$p]+="$v "; line+=" $p $v"
    else FAILS[$p]=$((${FAILS[$p]:-0} + 1)); line+=" $p failed(rc=$rc)"; fi
  done
  echo "$line" >&2
done

# median, min and max of a list of numbers
stats() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END {
  m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'; }
base_of() {
  case $1 in
    nnpost-*) echo "" ;;
    numpy | torch-cpu | jax-cpu) echo nnpost-cpu ;;
    *fp32*) echo nnpost-cuda-fp32 ;;
    *tf32*) echo nnpost-cuda-tf32 ;;
  esac
}

echo
echo "preset $PRESET: L=$L, N=$N, P=$P, N0=$N0, C=$CHAINS chains; $STEPS steps x $REPEATS repeats after $WARMUP warm-up steps per run, $ROUNDS rounds, $THREADS CPU threads"
printf '%-20s %12s %12s %12s %12s\n' program median min max nnpost/peer
declare -A MEDIAN
for p in "${ALL[@]}"; do
  [[ -n ${PROGRAMS:-} && " $PROGRAMS " != *" $p "* ]] && continue
  if [[ -n ${WHY[$p]} ]]; then printf '%-20s not available: %s\n' "$p" "${WHY[$p]}"; continue; fi
  if [[ -z ${RATES[$p]:-} ]]; then printf '%-20s failed in every round (see %s/%s.*.log)\n' "$p" "$LOGS" "$p"; continue; fi
  read -r med lo hi <<<"$(stats "${RATES[$p]}")"
  MEDIAN[$p]=$med
  base=$(base_of "$p")
  ratio="-"
  [[ -n $base && -n ${MEDIAN[$base]:-} ]] && ratio=$(awk -v a="${MEDIAN[$base]}" -v b="$med" 'BEGIN { printf "%.2f", a / b }')
  note=""
  [[ -n ${FAILS[$p]:-} ]] && note="  (failed in ${FAILS[$p]} of $ROUNDS rounds)"
  printf '%-20s %12.1f %12.1f %12.1f %12s%s\n' "$p" "$med" "$lo" "$hi" "$ratio" "$note"
done
echo "chain-steps/s over the rounds, each run's own median of its repeats; nnpost/peer: ratio of medians against nnpost on the same device and precision"
for p in nnpost-cpu nnpost-cuda-fp32; do
  d=$(sed -n 's/.*"device": "\([^"]*\)".*/\1/p' "$LOGS/$p.1.log" 2>/dev/null | head -n 1)
  [[ -n $d ]] && echo "$p ran on: $d"
done
