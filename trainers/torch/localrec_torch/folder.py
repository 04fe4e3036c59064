"""Reads and writes the float32 model files of a LocalRec model folder (model.json + weights.bin).

The format is docs/MODEL_FORMAT.md: a tfjs weights manifest (one shard), the model config and the
content-feature names. Python writes float32 only; `npm run pretrain:torch` hands the folder to the
one TypeScript exporter, which writes float16/uint8, catalog, metrics, replay, card and manifest.

Sparse content features (CSR) follow src/engine/model/sparseFeatures.ts exactly (format version 2):
int32 row offsets; uint16 column indices up to 65,536 features, else int32; values not stored when
every value is 1 (fill "one") or 1 / the row's non-zeros (fill "inverseRowCount"), float16 when
every value is exact in float16, else float32. The parity test checks that both write the same bytes.
"""
import json
import os

import numpy as np
import torch

FORMAT = "localrec-sasrec"
FORMAT_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
WEIGHTS_FILE = "weights.bin"
_BYTES = {"float32": 4, "int32": 4}
_QBYTES = {"float16": 2, "uint8": 1}
OFFSETS, COLUMNS, VALUES = "item_features_offsets", "item_features_columns", "item_features_values"
# Stored dtype -> numpy dtype (None: not stored) of each CSR entry; version 1 wrote int32 / int32 / float32.
_SPARSE_DTYPES = {
    OFFSETS: {"int32": "<i4"},
    COLUMNS: {"uint16": "<u2", "int32": "<i4"},
    VALUES: {"float32": "<f4", "float16": "<f2", "implicit": None},
}
_FILLS = ("one", "inverseRowCount")
UINT16_MAX_FEATURES = 65536


def check_version(raw, where):
    """A folder without formatVersion is version 1; an unknown version is an error naming the fix."""
    v = 1 if raw is None else raw
    if v not in SUPPORTED_VERSIONS:
        raise ValueError(f"{where}: model folder format version {v!r} is not one this trainer reads "
                         f"({', '.join(map(str, SUPPORTED_VERSIONS))}); update LocalRec or re-export the folder")
    return v


def read_model_json(folder):
    """Parsed model.json of `folder`, with its format and version checked."""
    path = os.path.join(folder, "model.json")
    with open(path, encoding="utf-8") as f:
        j = json.load(f)
    if j.get("format") != FORMAT:
        raise ValueError(f'{path}: format is {j.get("format")!r}, expected "{FORMAT}"')
    check_version(j.get("formatVersion"), path)
    return j


def _sparse_dtype(spec, where):
    """numpy dtype of a CSR entry (None for implicit values), or an error naming what is wrong and the fix."""
    allowed = _SPARSE_DTYPES[spec["name"]]
    dtype = spec.get("dtype")
    if spec.get("quantization") or dtype not in allowed:
        raise ValueError(f'{where}: sparse item features "{spec["name"]}" has dtype {dtype!r}; this trainer reads '
                         f'{" or ".join(allowed)} there; update LocalRec or re-export the folder')
    if dtype == "implicit" and spec.get("fill") not in _FILLS:
        raise ValueError(f'{where}: sparse item features "{spec["name"]}" is implicit with fill {spec.get("fill")!r}; '
                         f'this trainer reads fill "one" or "inverseRowCount"; update LocalRec or re-export the folder')
    return allowed[dtype]


def implicit_values(fill, offsets):
    """CSR values that are not stored: 1, or float32(1 / non-zeros of the row), as sparseFeatures.ts rebuilds them."""
    counts = np.diff(np.asarray(offsets, dtype=np.int64))
    if fill == "one":
        return np.ones(int(counts.sum()), dtype=np.float32)
    return np.repeat((1.0 / np.maximum(counts, 1)).astype(np.float32), counts)


def read_weights(folder):
    """(model.json, {name: float32 numpy array}) with quantized entries dequantized as tfjs does
    (CSR entries as stored: int32 offsets, uint16/int32 columns, float32 values)."""
    j = read_model_json(folder)
    arrays = {}
    fill = None
    for group in j["weightsManifest"]:
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        off = 0
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            q = spec.get("quantization")
            if spec["name"] in _SPARSE_DTYPES:
                np_dtype = _sparse_dtype(spec, os.path.join(folder, "model.json"))
                if np_dtype is None:
                    fill, n = spec["fill"], 0
                    continue
                n = count * np.dtype(np_dtype).itemsize
                arr = np.frombuffer(data[off:off + n], dtype=np_dtype)
                arr = arr.astype(np.float32) if spec["name"] == VALUES else arr.astype(np.int64)
            elif q:
                n = count * _QBYTES[q["dtype"]]
                raw = data[off:off + n]
                if q["dtype"] == "float16":
                    arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
                else:
                    arr = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"]))
            else:
                n = count * _BYTES[spec["dtype"]]
                arr = np.frombuffer(data[off:off + n], dtype="<f4" if spec["dtype"] == "float32" else "<i4").copy()
            arrays[spec["name"]] = arr.reshape(spec["shape"])
            off += n
    if fill is not None and OFFSETS in arrays:
        arrays[VALUES] = implicit_values(fill, arrays[OFFSETS])
    return j, arrays


def feature_matrix(j, arrays):
    """The dense [numItems+1, numFeatures] feature matrix stored in a folder (CSR or dense), or None."""
    cfg = j["config"]
    rows, cols = cfg["numItems"] + 1, cfg.get("numFeatures", 0)
    if cols == 0:
        return None
    if "item_features" in arrays:
        return torch.from_numpy(np.ascontiguousarray(arrays["item_features"], dtype=np.float32))
    if OFFSETS in arrays:
        return csr_to_dense(arrays[OFFSETS], arrays[COLUMNS], arrays[VALUES], rows, cols)
    return None


def csr_to_dense(offsets, columns, values, rows, cols):
    """Dense float32 tensor from CSR parts."""
    dense = np.zeros((rows, cols), dtype=np.float32)
    counts = np.diff(offsets)
    dense[np.repeat(np.arange(rows), counts), columns] = values
    return torch.from_numpy(dense)


def csr_entries(dense):
    """[(spec, bytes)] of the CSR entries of a float32 [rows, cols] matrix, by the rules of
    src/engine/model/sparseFeatures.ts (lossless), or None when they would not be smaller than dense."""
    rows, cols = dense.shape
    nz = np.nonzero(dense)
    nnz = len(nz[0])
    column_dtype = "uint16" if cols <= UINT16_MAX_FEATURES else "int32"
    offset_bytes, column_bytes, dense_bytes = (rows + 1) * 4, nnz * (2 if column_dtype == "uint16" else 4), dense.size * 4
    if offset_bytes + column_bytes >= dense_bytes:
        return None
    offsets = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(nz[0], minlength=rows), out=offsets[1:])
    values = dense[nz].astype(np.float32)
    value_spec = {"name": VALUES, "shape": [nnz]}
    if np.all(values == 1):
        value_spec.update(dtype="implicit", fill="one")
        value_bytes = b""
    elif np.array_equal(values, implicit_values("inverseRowCount", offsets)):
        value_spec.update(dtype="implicit", fill="inverseRowCount")
        value_bytes = b""
    else:
        with np.errstate(over="ignore"):
            half = values.astype("<f2")
        exact = np.array_equal(half.astype(np.float32), values)
        value_spec.update(dtype="float16" if exact else "float32")
        value_bytes = half.tobytes() if exact else values.astype("<f4").tobytes()
    if offset_bytes + column_bytes + len(value_bytes) >= dense_bytes:
        return None
    return [({"name": OFFSETS, "shape": [rows + 1], "dtype": "int32"}, offsets.astype("<i4").tobytes()),
            ({"name": COLUMNS, "shape": [nnz], "dtype": column_dtype}, nz[1].astype(_SPARSE_DTYPES[COLUMNS][column_dtype]).tobytes()),
            (value_spec, value_bytes)]


def write_model_files(folder, model, feature_names):
    """Writes model.json, weights.bin and config.json (float32) atomically: a complete LocalRec model
    that `npm run eval` and `npm run export:model` read. Content features are stored as the
    TypeScript encoder stores them: CSR when smaller than the dense matrix."""
    tmp = folder + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    specs, parts = [], []

    def add(name, arr, dtype="float32"):
        specs.append({"name": name, "shape": list(arr.shape), "dtype": dtype})
        parts.append(arr.astype("<f4" if dtype == "float32" else "<i4").tobytes())

    for name, p in model.named_weights():
        add(name, p.detach().to("cpu", torch.float32).contiguous().numpy())
    if model.features is not None:
        dense = model.features.detach().to("cpu", torch.float32).numpy()
        sparse = csr_entries(dense)
        if sparse:
            for spec, data in sparse:
                specs.append(spec)
                parts.append(data)
        else:
            add("item_features", dense)
    with open(os.path.join(tmp, WEIGHTS_FILE), "wb") as f:
        f.write(b"".join(parts))
    cfg = dict(model.cfg)
    doc = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "config": cfg, "featureNames": list(feature_names),
           "precision": "float32", "weightsManifest": [{"paths": [WEIGHTS_FILE], "weights": specs}]}
    with open(os.path.join(tmp, "model.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
    replace_dir(tmp, folder)


def replace_dir(tmp, folder):
    """Swaps `tmp` in for `folder` so a kill never leaves half a folder."""
    old = folder + ".old"
    if os.path.exists(old):
        _rmtree(old)
    if os.path.exists(folder):
        os.rename(folder, old)
    os.rename(tmp, folder)
    if os.path.exists(old):
        _rmtree(old)


def _rmtree(path):
    import shutil
    shutil.rmtree(path)


def load_model(folder, model_cls):
    """A model built from a folder's config and weights (features from the folder when it has them)."""
    j, arrays = read_weights(folder)
    model = model_cls(j["config"], feature_matrix(j, arrays))
    with torch.no_grad():
        for name, p in model.named_weights():
            if name not in arrays:
                raise ValueError(f'{folder}: weight "{name}" is missing')
            a = arrays[name]
            if tuple(a.shape) != tuple(p.shape):
                raise ValueError(f'{folder}: weight "{name}" has shape {list(a.shape)}, the config needs {list(p.shape)}')
            p.copy_(torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)))
    return model, j
