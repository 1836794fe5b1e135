#!/usr/bin/env bash
# Regenerates kernels/ from src/main/cuda with nvcc: a fatbin with sm_80 and sm_90 machine code
# plus compute_90 PTX (loaded first), the PTX alone (the fallback for other GPUs), and
# SOURCES.sha256, the hashes of the sources they were built from. A unit test recomputes the
# hashes, so CI fails when someone edits a kernel without rebuilding.
#   scripts/build-kernels.sh            rebuild into kernels/
#   scripts/build-kernels.sh OUTDIR     rebuild into OUTDIR
#   scripts/build-kernels.sh --ptx-only OUTDIR   only the PTX (a test compares it with kernels/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ptx_only=0
[[ ${1:-} == --ptx-only ]] && { ptx_only=1; shift; }
out=${1:-$root/kernels}
src=$root/src/main/cuda
command -v nvcc >/dev/null || { echo "build-kernels: nvcc not found on PATH" >&2; exit 1; }
mkdir -p "$out"
flags=(-O3 -std=c++17)
nvcc "${flags[@]}" -ptx -arch=compute_80 -o "$out/nnpost.ptx" "$src/nnpost.cu"
((ptx_only)) && exit 0
nvcc "${flags[@]}" -fatbin \
    -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_90,code=compute_90 \
    -o "$out/nnpost.fatbin" "$src/nnpost.cu"
# hashes of every source file, paths relative to src/main/cuda, sorted: what the test recomputes
(cd "$src" && find . -type f \( -name '*.cu' -o -name '*.cuh' \) | sed 's|^\./||' | LC_ALL=C sort \
    | xargs sha256sum) > "$out/SOURCES.sha256"
nvcc --version | grep -o 'release [0-9.]*, V[0-9.]*' > "$out/NVCC_VERSION"
echo "nvcc: $(cat "$out/NVCC_VERSION")" >&2
ls -l "$out" >&2
