#!/usr/bin/env bash
# The GPU check of the CUDA backend, for a machine with an NVIDIA GPU, Java and the project's jars
# (see .device/run.sh: it exports APP_CP, TEST_CP and JUNIT). Each stage has its own time limit,
# so one hang cannot eat the whole budget; logs go to $OUT (a temp dir if unset); a short table
# comes last.
#   stage diag    the GPU, driver and libraries found
#   stage junit   the gpu-tagged tests: CPU agreement on the same seed, MALA, graphs, observables,
#                 the exact L = 0 posterior, long-run statistics in FP32 and TF32
#   stage bench   nnpost chain-steps/s at N = P = 500, N0 = 520, L = 1, ReLU, C chains; SGEMM peak
#   stage torch   the same ULA step in PyTorch (eager and CUDA-graphed), same sizes
#   stage torchc  the same step under torch.compile
#   stage jax     the same step in JAX (jit + vmap)
#   stage e2e     `nnpost sample` on CUDA beside the CPU, same seed; the paper's size end to end
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
CHAINS=${CHAINS:-1024}
STEPS=${STEPS:-30}
mkdir -p "$OUT"
: > "$OUT/stages.txt"
stage() {
  local name=$1 limit=$2; shift 2
  echo "[gpu-check $(date -u +%T)] $name (limit ${limit}s)"
  local t0=$SECONDS
  timeout -k 5 "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  echo "$name rc=$rc $((SECONDS - t0))s" >> "$OUT/stages.txt"
  echo "$name rc=$rc in $((SECONDS - t0)) s"
  tail -n 4 "$OUT/$name.log"
}

stage diag 25 bash -c '
  date -u; uname -a
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv
  nvidia-smi | head -15
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  for d in ${LD_LIBRARY_PATH//:/ }; do ls "$d" 2>/dev/null | grep -E "cublas|nvrtc|curand" | sed "s|^|  $d/|"; done
  java -version 2>&1
  python3 -c "import torch; print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda)"
  nvcc --version | tail -1'

stage junit 150 java -jar "$JUNIT" execute -cp "$TEST_CP" --include-tag gpu \
    --select-package org.nnpost.backend.cuda --disable-banner --disable-ansi-colors --details=tree

stage bench 80 java -cp "$TEST_CP" org.nnpost.backend.cuda.GpuCheck "$CHAINS" "$STEPS"

stage torch 70 python3 benchmarks/peers/torch_step.py --chains "$CHAINS" --steps "$STEPS"

stage torchc 150 python3 benchmarks/peers/torch_step.py --chains "$CHAINS" --steps "$STEPS" --compile

stage jax 120 python3 benchmarks/peers/jax_step.py --chains "$CHAINS" --steps "$STEPS"

stage e2e 120 bash benchmarks/gpu-e2e.sh

echo
echo "==== gpu-check summary ($(date -u +%F\ %T) UTC) ===="
grep -h "GPU\|NVIDIA" "$OUT/diag.log" | head -2
grep -h "^device:\|^probe:" "$OUT/bench.log" | head -2
cat "$OUT/stages.txt"
grep -hE "tests (successful|failed|skipped|aborted)" "$OUT/junit.log"
echo "check                                         |      value|      tol|"
grep -h "^TABLE|" "$OUT/junit.log" | cut -d'|' -f2-
grep -h "^BENCH|\|^PEER|" "$OUT/bench.log" "$OUT/torch.log" "$OUT/torchc.log" "$OUT/jax.log" | cut -d'|' -f2-
grep -h "^E2E|" "$OUT/e2e.log" | cut -d'|' -f2-
