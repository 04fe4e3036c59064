"""Reads the compact training file that `npm run pretrain:torch` writes (scripts/lib/torchData.ts).

data.json lists int32/float32 arrays stored back to back in data.bin: training sequences,
validation and test cases of the leave-one-out split (ranked against every item, the case's
history excluded), the validation subset, and the content features in CSR form.
"""
import json
import os

import numpy as np

DATA_FORMAT = "localrec-torch-data"
DATA_VERSION = 1


class Ragged:
    """Variable-length int32 rows stored as offsets + values."""

    def __init__(self, offsets, values):
        self.offsets = offsets
        self.values = values

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, i):
        return self.values[self.offsets[i]:self.offsets[i + 1]]

    def lengths(self):
        return np.diff(self.offsets)


class TrainData:
    """Everything a training run reads: sequences, evaluation cases, features."""

    def __init__(self, folder):
        with open(os.path.join(folder, "data.json"), encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("format") != DATA_FORMAT or meta.get("version") != DATA_VERSION:
            raise ValueError(f"{folder}/data.json is not a {DATA_FORMAT} v{DATA_VERSION} file; write it again with npm run pretrain:torch")
        raw = np.fromfile(os.path.join(folder, "data.bin"), dtype=np.uint8)
        arrays = {}
        for a in meta["arrays"]:
            dtype = np.dtype("<i4" if a["dtype"] == "int32" else "<f4")
            arrays[a["name"]] = raw[a["offset"]:a["offset"] + a["length"] * 4].view(dtype)
        self.num_items = meta["numItems"]
        self.num_features = meta["numFeatures"]
        self.feature_names = meta["featureNames"]
        self.train = Ragged(arrays["train_offsets"], arrays["train_items"])
        self.valid = (Ragged(arrays["valid_offsets"], arrays["valid_items"]), arrays["valid_targets"])
        self.test = (Ragged(arrays["test_offsets"], arrays["test_items"]), arrays["test_targets"])
        self.valid_subset = arrays["valid_subset"]
        self.features = None
        if self.num_features > 0:
            self.features = (arrays["feat_offsets"], arrays["feat_columns"], arrays["feat_values"])
