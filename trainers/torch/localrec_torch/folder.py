"""Reads and writes the float32 model files of a LocalRec model folder (model.json + weights.bin).

The format is docs/MODEL_FORMAT.md: a tfjs weights manifest (one shard), the model config and the
content-feature names. Python writes float32 only; `npm run pretrain:torch` hands the folder to the
one TypeScript exporter, which writes float16/uint8, catalog, metrics, replay, card and manifest.
"""
import json
import os

import numpy as np
import torch

FORMAT = "localrec-sasrec"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
WEIGHTS_FILE = "weights.bin"
_BYTES = {"float32": 4, "int32": 4}
_QBYTES = {"float16": 2, "uint8": 1}


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


def read_weights(folder):
    """(model.json, {name: float32 numpy array}) with quantized entries dequantized as tfjs does."""
    j = read_model_json(folder)
    arrays = {}
    for group in j["weightsManifest"]:
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        off = 0
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            q = spec.get("quantization")
            if q:
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
    return j, arrays


def feature_matrix(j, arrays):
    """The dense [numItems+1, numFeatures] feature matrix stored in a folder (CSR or dense), or None."""
    cfg = j["config"]
    rows, cols = cfg["numItems"] + 1, cfg.get("numFeatures", 0)
    if cols == 0:
        return None
    if "item_features" in arrays:
        return torch.from_numpy(np.ascontiguousarray(arrays["item_features"], dtype=np.float32))
    if "item_features_offsets" in arrays:
        return csr_to_dense(arrays["item_features_offsets"], arrays["item_features_columns"], arrays["item_features_values"], rows, cols)
    return None


def csr_to_dense(offsets, columns, values, rows, cols):
    """Dense float32 tensor from CSR parts."""
    dense = np.zeros((rows, cols), dtype=np.float32)
    counts = np.diff(offsets)
    dense[np.repeat(np.arange(rows), counts), columns] = values
    return torch.from_numpy(dense)


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
        rows, cols = dense.shape
        nz = np.nonzero(dense)
        if len(nz[0]) * 8 + (rows + 1) * 4 < dense.size * 4:
            offsets = np.zeros(rows + 1, dtype=np.int64)
            np.cumsum(np.bincount(nz[0], minlength=rows), out=offsets[1:])
            add("item_features_offsets", offsets, "int32")
            add("item_features_columns", nz[1], "int32")
            add("item_features_values", dense[nz])
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
