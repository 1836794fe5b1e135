#!/usr/bin/env bash
# A 16-point beta0 sweep at N = P = 100 (N0 = 120, ReLU, orthogonal data), packed (one batch of
# chains for all 16 points, the default) against one by one (--pack off), on the CPU. The two
# run alternately, ROUNDS times each, each sweep a fresh process into a fresh directory; the
# table gives every round's wall time and the medians. Both write the same files (the packing
# identity test checks that on small sweeps), so only the time differs.
#
#   benchmarks/pack-cpu.sh            build first: ./nnpost --version (or any command)
#
# Environment: CHAINS per point (default 4), STEPS (1000), BURN_IN (250), ROUNDS (3),
# THREADS (default: nproc), KEEP (the work directories, default: removed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
chains=${CHAINS:-4} steps=${STEPS:-1000} burn=${BURN_IN:-250} rounds=${ROUNDS:-3} threads=${THREADS:-$(nproc)}
work=$(mktemp -d)
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT
betas=$(seq -s, 1 16)
sweep() {   # $1: on|off, $2: directory; prints the wall time in seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$root/nnpost" sweep --grid "beta0=$betas" --L 1 --N 100 --P 100 --N0 120 --phi relu --chains "$chains" \
        --steps "$steps" --burn-in "$burn" --every 10 --keep 2 --eta 0.002 --backend cpu --threads "$threads" \
        --checkpoint-every off --progress off --pack "$1" --out "$2" >"$2.log" 2>&1 || { cat "$2.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
"$root/nnpost" --version >/dev/null
echo "16 points (beta0 = 1..16), N = P = 100, N0 = 120, ReLU, $chains chains x $steps steps each, $threads threads, $(nproc) cores"
echo "round  packed_s  one_by_one_s"
packed=() alone=()
for r in $(seq 1 "$rounds"); do
    if (( r % 2 )); then
        p=$(sweep on "$work/p$r"); a=$(sweep off "$work/a$r")
    else
        a=$(sweep off "$work/a$r"); p=$(sweep on "$work/p$r")
    fi
    cmp -s "$work/p$r/sweep.csv" "$work/a$r/sweep.csv" || { echo "sweep.csv differs between packed and one by one" >&2; exit 1; }
    packed+=("$p") alone+=("$a")
    printf '%5d  %8.2f  %12.2f\n' "$r" "$p" "$a"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mp=$(median "${packed[@]}") ma=$(median "${alone[@]}")
printf 'median  %7.2f  %12.2f   one by one / packed = %.2f\n' "$mp" "$ma" "$(echo "$ma / $mp" | bc -l)"
