#!/usr/bin/env python3
"""Writes numpy-made fixtures for the scoring tests: python3 make_fixtures.py OUT_DIR

OUT_DIR/npy/        one .npy per dtype x order (C/F) x byte order (<, >), format versions 1/2/3,
                    special shapes, and broken files; expected.json holds what a reader must return.
OUT_DIR/scoring/    pred/ and ref/ arrays (and CSVs) plus expected.json with every metric value
                    computed with numpy using the asibench 0.2.0 formulas.
Values in JSON are repr() strings so that nan/inf and every bit of a float64 survive.
"""
import io
import json
import os
import sys

import numpy as np

OUT = sys.argv[1]
NPY = os.path.join(OUT, "npy")
SC = os.path.join(OUT, "scoring")
for d in (NPY, os.path.join(SC, "pred"), os.path.join(SC, "ref")):
    os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(20240611)


def r(x):
    return repr(float(x))


def save(path, arr, version=None):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version)


# ---------------------------------------------------------------- npy reader fixtures
npy_expected = {}


def record(name, arr, version="1.0"):
    real = arr.real if np.iscomplexobj(arr) else arr
    entry = {
        "shape": list(arr.shape),
        "dtype": str(arr.dtype.name),
        "descr": np.lib.format.dtype_to_descr(arr.dtype),
        "fortran": bool(arr.flags.f_contiguous and not arr.flags.c_contiguous),
        "version": version,
        "real": [r(v) for v in np.asarray(real, dtype=np.float64).ravel(order="C")],
        "imag": [r(v) for v in np.asarray(arr.imag, dtype=np.float64).ravel(order="C")] if np.iscomplexobj(arr) else None,
    }
    npy_expected[name] = entry


def base_values(dtype):
    dt = np.dtype(dtype)
    shape = (3, 4, 2)
    n = int(np.prod(shape))
    if dt.kind == "b":
        vals = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        vals = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
        vals[0], vals[1] = info.min, info.max
    elif dt.kind == "f":
        vals = (rng.standard_normal(n) * 1000).astype(dt)
        vals[0], vals[1], vals[2] = np.inf, -np.inf, np.nan
        vals[3] = np.finfo(dt).tiny / 4  # subnormal
        vals[4] = -0.0
    else:
        part = np.float32 if dt.itemsize == 8 else np.float64
        vals = (rng.standard_normal(n).astype(part) + 1j * rng.standard_normal(n).astype(part)).astype(dt)
        vals[0] = complex(np.nan, 1.0)
    return vals.reshape(shape)


dtypes = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128"]
for dtype in dtypes:
    c_arr = base_values(dtype)
    for order in ("C", "F"):
        for endian in ("<", ">"):
            dt = np.dtype(dtype).newbyteorder(endian) if np.dtype(dtype).itemsize > 1 else np.dtype(dtype)
            arr = np.asarray(c_arr, dtype=dt, order=order)
            name = f"{dtype}_{order}_{'le' if endian == '<' else 'be'}.npy"
            save(os.path.join(NPY, name), arr)
            record(name, arr)

for major in (1, 2, 3):
    arr = rng.standard_normal((4, 5))
    name = f"version{major}.npy"
    save(os.path.join(NPY, name), arr, version=(major, 0))
    record(name, arr, f"{major}.0")

for name, arr in {
    "scalar.npy": np.array(3.5),
    "empty.npy": np.zeros((0, 3)),
    "vector.npy": np.arange(7, dtype=np.int16),
    "fortran4d.npy": np.asfortranarray(rng.standard_normal((2, 3, 4, 5)).astype(np.float32)),
}.items():
    save(os.path.join(NPY, name), arr)
    record(name, arr)

np.save(os.path.join(NPY, "object.npy"), np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
np.save(os.path.join(NPY, "structured.npy"), np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]))
np.save(os.path.join(NPY, "strings.npy"), np.array(["ab", "cd"]))
buf = io.BytesIO()
np.save(buf, rng.standard_normal(100))
with open(os.path.join(NPY, "truncated.npy"), "wb") as f:
    f.write(buf.getvalue()[:-16])
with open(os.path.join(NPY, "badmagic.npy"), "wb") as f:
    f.write(b"PK\x03\x04 this is a zip, not an npy file")
with open(os.path.join(NPY, "expected.json"), "w") as f:
    json.dump(npy_expected, f)

# ---------------------------------------------------------------- scorer fixtures
P = os.path.join(SC, "pred")
R = os.path.join(SC, "ref")


def pair(name, pred, ref):
    np.save(os.path.join(P, name), pred)
    np.save(os.path.join(R, name), ref)


def rel_l2(p, t):
    n = np.linalg.norm(t)
    return float(np.linalg.norm(p) if n == 0 else np.linalg.norm(p - t) / n)


ref = rng.standard_normal((5, 40))
ref[0, :3] = 0.0
pred = ref + 0.05 * rng.standard_normal((5, 40))
pair("field.npy", pred, ref)
p, t = pred.astype(np.float64), ref.astype(np.float64)
denom = np.where(np.abs(t) == 0, 1.0, np.abs(t))
mask = np.abs(t) > 0
exp = {
    "relative_l2": rel_l2(p, t),
    "mean_relative_l2": float(np.mean([rel_l2(p[i], t[i]) for i in range(5)])),
    "per_frame": [rel_l2(p[i], t[i]) for i in range(5)],
    "rmse": float(np.sqrt(np.mean((p - t) ** 2))),
    "mape": float(np.mean(np.abs(p[mask] - t[mask]) / np.abs(t[mask]))),
    "relative_error": float(np.max(np.abs(p - t) / denom)),
    "absolute_error": float(np.max(np.abs(p - t))),
    "cosine_similarity": float(np.dot(p.ravel(), t.ravel()) / (np.linalg.norm(p.ravel()) * np.linalg.norm(t.ravel()))),
    "correlation": float(np.corrcoef(p.ravel(), t.ravel())[0, 1]),
    "allclose_fraction": float(np.mean(np.isclose(p, t, rtol=0.05, atol=0.02))),
    "rows_1_4": rel_l2(p[1:4], t[1:4]),
    "row_last": rel_l2(p[-1:], t[-1:]),
    "rows_step2": rel_l2(p[::2], t[::2]),
    "rows_neg3": rel_l2(p[-3:], t[-3:]),
    "rows_rev": rel_l2(p[::-2], t[::-2]),
}

# Noisy correlation in the interpolation band; pred of float32 against a float64 reference.
cref = rng.standard_normal(300)
cpred = (cref + 0.9 * rng.standard_normal(300)).astype(np.float32)
pair("corr.npy", cpred, cref)
exp["corr_band"] = float(np.corrcoef(cpred.astype(np.float64), cref)[0, 1])
exp["corr_band_rmse"] = float(np.sqrt(np.mean((cpred.astype(np.float64) - cref) ** 2)))

nref = rng.standard_normal(50)
npred = nref * 1.1
npred[[3, 17]] = np.nan
nref[[5]] = np.inf
pair("nan.npy", npred, nref)
m = np.isfinite(npred) & np.isfinite(nref)
exp["relative_l2_omit"] = rel_l2(npred[m], nref[m])

energy = np.abs(rng.standard_normal(30)) + 1.0
energy[0] = 1.5
np.save(os.path.join(P, "energy.npy"), energy)
exp["max_ratio"] = float(np.max(np.abs(energy)) / np.abs(energy[0]))

fref = rng.standard_normal((3, 12, 10))
fpred = np.empty_like(fref)
shifts = [(2, -1), (0, 0), (-1, 2)]
for i, (dx, dy) in enumerate(shifts):
    fpred[i] = np.roll(np.roll(fref[i], -dx, axis=0), -dy, axis=1) + 0.01 * rng.standard_normal((12, 10))
fpred[2] = rng.standard_normal((12, 10))  # the third frame is unrelated
pair("frames.npy", fpred, fref)
best = []
for i in range(3):
    b, bs = float("inf"), (0, 0)
    for dx in range(-2, 3):
        for dy in range(-2, 3):
            e = rel_l2(np.roll(np.roll(fpred[i], dx, axis=0), dy, axis=1), fref[i])
            if e < b:
                b, bs = e, (dx, dy)
    best.append({"rel_err": b, "shift": list(bs)})
exp["frames_aligned"] = best
exp["frames_plain"] = [rel_l2(fpred[i], fref[i]) for i in range(3)]

same = rng.standard_normal((4, 4))
pair("exact.npy", same, same.copy())
np.save(os.path.join(P, "short.npy"), np.zeros((2, 100)))
np.save(os.path.join(R, "short.npy"), np.zeros((2, 200)))
np.save(os.path.join(P, "ints.npy"), np.arange(12, dtype=np.int32).reshape(3, 4))
np.save(os.path.join(P, "range.npy"), np.linspace(-1.0, 2.0, 31))
np.save(os.path.join(R, "broken_ref.npy"), np.array([None], dtype=object), allow_pickle=True)
np.save(os.path.join(P, "broken_ref.npy"), np.zeros(1))

tt = np.linspace(0, 1, 25)
y_ref = np.sin(2 * np.pi * tt)
y_pred = y_ref + 0.03 * np.cos(7 * tt)
x_ref = tt ** 2
x_pred = x_ref * 1.02
with open(os.path.join(R, "series.csv"), "w") as f:
    f.write("t,x,y\n" + "".join(f"{float(a)!r},{float(b)!r},{float(c)!r}\n" for a, b, c in zip(tt, x_ref, y_ref)))
with open(os.path.join(P, "series.csv"), "w") as f:
    f.write('t,x,"y"\r\n' + "".join(f"{float(a)!r},{float(b)!r},{float(c)!r}\r\n" for a, b, c in zip(tt, x_pred, y_pred)))
exp["csv_rmse_y"] = float(np.sqrt(np.mean((y_pred - y_ref) ** 2)))
exp["csv_relative_l2_x"] = rel_l2(x_pred, x_ref)

with open(os.path.join(SC, "expected.json"), "w") as f:
    json.dump(exp, f, indent=1)
