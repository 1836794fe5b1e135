"""Opens every group of an nnpost export with xarray and checks it against the run's .npy files.

Usage: check_export.py STORE RUN_DIR. Prints one line per check and "export ok" at the end;
any failure raises (exit code 1).
"""
import json
import sys
import warnings

import numpy as np
import xarray as xr

warnings.simplefilter("error")   # a store xarray has to guess about is a fault of the writer
store, run = sys.argv[1], sys.argv[2]
load = lambda name: np.load(f"{run}/{name}")
with open(f"{run}/manifest.json") as f:
    manifest = json.load(f)
p = manifest["parameters"]
C, D = p["chains"], manifest["derived"]["draws"]
K = min(p["keep"], D)


def group(name, dims):
    ds = xr.open_zarr(store, group=name, consolidated=True)
    for var, want in dims.items():
        got = ds[var].dims
        assert got == want, f"{name}/{var}: dims {got}, expected {want}"
    print(f"{name}: {dict(ds.sizes)}")
    return ds


post = group("posterior", {"a": ("chain", "draw", "neuron", "output"),
                           "h_train": ("chain", "draw", "neuron", "train_input"),
                           "h_test": ("chain", "draw", "neuron", "test_input")})
assert post.sizes["chain"] == C and post.sizes["draw"] == K
np.testing.assert_array_equal(post["a"].values, load("readout_samples.npy"))
np.testing.assert_array_equal(post["h_train"].values, load("activations_train.npy"))
np.testing.assert_array_equal(post["h_test"].values, load("activations_test.npy"))
kept = (np.arange(1, K + 1) * D) // K - 1
np.testing.assert_array_equal(post["draw"].values, kept)
np.testing.assert_array_equal(post["step"].values, p["burn_in"] + p["every"] * (kept + 1))
np.testing.assert_array_equal(post["chain"].values, np.arange(C))
assert post.attrs["inference_library"] == "nnpost" and post.attrs["N"] == p["N"], post.attrs

stats = group("sample_stats", {"lp": ("chain", "draw"), "loss": ("chain", "draw"), "diverging": ("chain", "draw")})
assert stats.sizes["draw"] == D
np.testing.assert_array_equal(stats["lp"].values, -load("trace_potential.npy"))
np.testing.assert_array_equal(stats["loss"].values, load("trace_loss.npy"))
np.testing.assert_array_equal(stats["sqnorm_a"].values, load("trace_sqnorm_a.npy"))
assert stats["diverging"].dtype == bool
div = load("divergence.npy")
for c in range(C):
    assert stats["diverging"].values[c].any() == (div[c] >= 0)
if p["sampler"] == "mala":
    with open(f"{run}/summary.json") as f:
        summary = json.load(f)
    assert stats["acceptance_rate"].dims == ("chain",)
    np.testing.assert_allclose(stats["acceptance_rate"].values, summary["acceptance_rate"]["per_chain"])
# the kept draws line up with the traces by their draw coordinate
np.testing.assert_array_equal(stats.sel(draw=post["draw"])["step"].values, post["step"].values)

obs = group("observed_data", {"y": ("train_input", "output"), "labels": ("train_input",)})
np.testing.assert_array_equal(obs["y"].values, load("y_train.npy"))
np.testing.assert_array_equal(obs["labels"].values, load("labels_train.npy"))
const = group("constant_data", {"x": ("train_input", "feature"), "x_test": ("test_input", "feature"),
                                "y_test": ("test_input", "output"), "labels_test": ("test_input",)})
np.testing.assert_array_equal(const["x"].values, load("x_train.npy"))
np.testing.assert_array_equal(const["x_test"].values, load("x_test.npy"))
np.testing.assert_array_equal(const["labels_test"].values, load("labels_test.npy"))

try:
    import arviz as az
except ImportError:
    print("arviz not installed: az.from_zarr not tried")
else:
    idata = az.from_zarr(store)
    assert set(idata.groups()) >= {"posterior", "sample_stats", "observed_data", "constant_data"}, idata.groups()
    print("az.from_zarr:", idata.groups())
print("export ok")
