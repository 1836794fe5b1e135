#!/usr/bin/env bash
# End to end on a GPU machine: the nnpost command (run loop, outputs, observables) on the CUDA
# backend beside the CPU backend, same seed. Needs APP_CP (see .device/run.sh) and numpy.
#   1. 20 steps, a draw every step: the traces of both backends agree to float tolerance
#   1b. the same with --rng curand: completes, says so in its manifest, draws other noise
#   1c. the same with --devices 0,0 (chains split in two parts): agrees with one device
#   2. nnpost devices
#   3. the paper's size (N = P = 500, N0 = 520, ReLU, C = 1024) through `nnpost sample`, FP32 and
#      TF32: chain-steps/s with the run loop's observation cost included
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
W=$(mktemp -d)
nn() { java -cp "$APP_CP" org.nnpost.cli.Main "$@"; }

small="--L 2 --phi erf --N 48 --N0 40 --P 30 --Ptest 10 --chains 6 --steps 20 --burn-in 0 --every 1 --keep 2 --seed 7 --progress off"
nn sample $small --backend cpu --out "$W/cpu" > "$OUT/e2e-cpu.log" 2>&1; echo "cpu rc=$?"
nn sample $small --backend cuda --out "$W/cuda" > "$OUT/e2e-cuda.log" 2>&1; echo "cuda rc=$?"
tail -4 "$OUT/e2e-cuda.log"
python3 - "$W/cpu" "$W/cuda" <<'PY'
import sys, numpy as np, json
a, b = sys.argv[1], sys.argv[2]
worst = 0.0
for f in ["trace_potential", "trace_loss", "trace_sqnorm_W1", "trace_sqnorm_W2", "trace_sqnorm_a", "readout_samples",
          "activations_train", "kernel_l1_train", "kernel_l2_test", "predictor_mean_test"]:
    x, y = np.load(f"{a}/{f}.npy"), np.load(f"{b}/{f}.npy")
    d = float(np.max(np.abs(x - y)) / max(np.max(np.abs(x)), 1e-30))
    worst = max(worst, d)
    print(f"E2E|{f} cpu vs cuda, max rel diff|{d:.2e}|1e-4|")
m = json.load(open(f"{b}/manifest.json"))
print(f"E2E|cuda manifest status {m['status']}, backend|{m.get('backend', {}).get('description', '?')[:40]}||")
print("E2E|worst|%.2e|1e-4|%s" % (worst, "ok" if worst <= 1e-4 else "FAIL"))
PY

nn sample $small --backend cuda --rng curand --out "$W/curand" > "$OUT/e2e-curand.log" 2>&1; echo "curand rc=$?"
tail -4 "$OUT/e2e-curand.log"
python3 - "$W/cpu" "$W/curand" <<'PY'
import sys, numpy as np, json
a, b = sys.argv[1], sys.argv[2]
m = json.load(open(f"{b}/manifest.json"))
desc = m.get('backend', {}).get('description', '?')
x, y = np.load(f"{a}/trace_potential.npy"), np.load(f"{b}/trace_potential.npy")
d = float(np.max(np.abs(x - y)) / max(np.max(np.abs(x)), 1e-30))
ok = m['status'] == 'complete' and 'cuRAND' in desc and np.all(np.isfinite(y)) and d > 1e-4
print(f"E2E|curand run {m['status']}, manifest names cuRAND: {'cuRAND' in desc}||")
print(f"E2E|curand vs cpu trace_potential max rel diff (other noise)|{d:.2e}|>1e-4|{'ok' if ok else 'FAIL'}")
PY

# 1c. the chains split across two parts (both on device 0 on a one-GPU machine): what one GPU draws
nn sample $small --backend cuda --devices 0,0 --out "$W/split" > "$OUT/e2e-split.log" 2>&1; echo "split rc=$?"
python3 - "$W/cuda" "$W/split" <<'PY'
import sys, numpy as np, json
a, b = sys.argv[1], sys.argv[2]
worst = 0.0
for f in ["trace_potential", "trace_loss", "readout_samples", "kernel_l1_train", "predictor_mean_test"]:
    x, y = np.load(f"{a}/{f}.npy"), np.load(f"{b}/{f}.npy")
    worst = max(worst, float(np.max(np.abs(x - y)) / max(np.max(np.abs(x)), 1e-30)))
m = json.load(open(f"{b}/manifest.json"))
print("E2E|--devices 0,0 vs one device, max rel diff (%s)|%.2e|1e-4|%s" % (m["status"], worst, "ok" if worst <= 1e-4 else "FAIL"))
PY

nn devices

for prec in fp32 tf32; do
  nn sample --N 500 --P 500 --N0 520 --Ptest 100 --phi relu --chains 1024 --steps 400 --burn-in 200 --every 50 \
     --keep 0 --eta 0.002 --backend cuda --precision $prec --progress off --out "$W/paper-$prec" > "$OUT/e2e-paper-$prec.log" 2>&1
  echo "paper $prec rc=$?"
  tail -4 "$OUT/e2e-paper-$prec.log"
  python3 -c "import json,sys; s=json.load(open('$W/paper-$prec/summary.json')); print('E2E|sample paper size $prec chain-steps/s (run loop)|%.0f||' % s['chain_steps_per_second'])" 2>/dev/null
done
rm -rf "$W"
