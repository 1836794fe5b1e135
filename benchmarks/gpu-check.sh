#!/usr/bin/env bash
# The GPU check of the CUDA backend, for a machine with an NVIDIA GPU, Java and the project's jars
# (see .device/run.sh: it exports APP_CP, TEST_CP and JUNIT). Each stage has its own time limit,
# so one hang cannot eat the whole budget; logs go to $OUT (a temp dir if unset); a short table
# comes last.
#   stage diag    the GPU, driver and libraries found
#   stage junit   the gpu-tagged tests: CPU agreement on the same seed, MALA, graphs, observables,
#                 the exact L = 0 posterior, long-run statistics in FP32 and TF32
#   stage peers   PeerStepTest: one step of each peer's timed step function (numpy; torch eager,
#                 CUDA graph, compile; JAX) on the GPU in FP32 equals the CPU backend's step
#   stage bench   nnpost chain-steps/s at N = P = 500, N0 = 520, L = 1, ReLU, C chains; SGEMM peak
#   stage torch   the same ULA step in PyTorch (eager and CUDA-graphed), same sizes
#   stage torchc  the same step under torch.compile
#   stage jax     the same step in JAX (jit + vmap)
#   stage e2e     `nnpost sample` on CUDA beside the CPU, same seed; the paper's size end to end
# The limits add up to more than the whole check usually takes, but they can exceed a short device
# lease: STAGES picks the stages to run (default all), e.g. STAGES="diag junit peers bench torch jax".
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
CHAINS=${CHAINS:-1024}
STEPS=${STEPS:-30}
STAGES=${STAGES:-diag junit peers bench torch torchc jax e2e}
mkdir -p "$OUT"
: > "$OUT/stages.txt"
stage() {
  local name=$1 limit=$2; shift 2
  if [[ " $STAGES " != *" $name "* ]]; then
    rm -f "$OUT/$name.log"; echo "$name not run (not in STAGES)" >> "$OUT/stages.txt"; return
  fi
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

stage peers 90 java -jar "$JUNIT" execute -cp "$TEST_CP" --select-class org.nnpost.backend.cpu.PeerStepTest \
    --disable-banner --disable-ansi-colors --details=tree

stage bench 80 java -cp "$TEST_CP" org.nnpost.backend.cuda.GpuCheck "$CHAINS" "$STEPS"

stage torch 70 python3 benchmarks/peers/torch_step.py --chains "$CHAINS" --steps "$STEPS"

stage torchc 150 python3 benchmarks/peers/torch_step.py --chains "$CHAINS" --steps "$STEPS" --compile

stage jax 120 python3 benchmarks/peers/jax_step.py --chains "$CHAINS" --steps "$STEPS"

stage e2e 120 bash benchmarks/gpu-e2e.sh

echo
echo "==== gpu-check summary ($(date -u +%F\ %T) UTC) ===="
logs() { for n; do [[ -f $OUT/$n.log ]] && echo "$OUT/$n.log"; done; }   # the stages that ran
grep -h "GPU\|NVIDIA" $(logs diag) /dev/null | head -2
grep -h "^device:\|^probe:" $(logs bench) /dev/null | head -2
cat "$OUT/stages.txt"
for n in junit peers; do
  grep -hE "tests (successful|failed|skipped|aborted)" $(logs $n) /dev/null | sed "s/^ */$n: /"
done
echo "check                                         |      value|      tol|"
[[ -f $OUT/peers.log ]] && echo "(peer rows: the largest |peer's step - CPU backend's| / tolerance over all parameters)"
grep -h "^TABLE|" $(logs junit peers) /dev/null | cut -d'|' -f2-
grep -h "^BENCH|\|^PEER|" $(logs bench torch torchc jax) /dev/null | cut -d'|' -f2-
grep -h "^E2E|" $(logs e2e) /dev/null | cut -d'|' -f2-
