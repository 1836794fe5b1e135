#!/usr/bin/env bash
# Burn-in of --init theory against --init prior (benchmarks/RESULTS.md, "Chains that start at
# equilibrium"): for linear, erf and ReLU networks at N = 200, P = 100, N0 = 120, beta0 = 10,
# two classes +-1, underdamped Langevin at eta = 0.005 (linear: 0.0025, where the prior start
# diverges at 0.005 within ten steps), 4 chains, every trace kept from step 5.
# The prior-started runs are twice as long, so that their second half is the long reference.
# Then benchmarks/init_burnin.py measures when each trace becomes stationary, and the bias.
#   benchmarks/init-burnin.sh OUT_DIR [STEPS]
set -euo pipefail
out=${1:?usage: init-burnin.sh OUT_DIR [STEPS]}
steps=${2:-6000}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
for phi in linear erf relu; do
  eta=0.005; [ "$phi" = linear ] && eta=0.0025
  for init in theory prior; do
    n=$steps; [ "$init" = prior ] && n=$((2 * steps))
    dir="$out/$phi-$init"
    [ -f "$dir/manifest.json" ] && grep -q '"complete"' "$dir/manifest.json" && continue
    rm -rf "$dir"
    "$here/nnpost" sample --phi "$phi" --N 200 --P 100 --N0 120 --beta0 10 --sampler uld --eta "$eta" \
      --chains 4 --steps "$n" --burn-in 0 --every 5 --keep 0 --seed 1 --threads 1 --progress off \
      --checkpoint-every off --init "$init" --out "$dir" 2>&1 | grep -v 'warning' | sed -n '1,3p' || true
  done
done
python3 "$here/benchmarks/init_burnin.py" "$out" "$steps"
