"""Scores, losses and gradients of a LocalRec model folder in PyTorch, for the parity test.

    python3 trainers/torch/parity.py <request.json> <response.json>

request: {"folder", "rewrite" (a folder to write the model back to), "seqs": [[...]] left-padded, "loss": {"seqs", "positions", "targets",
"sampledNegatives", "bceNegatives", "logQ"}}. response: {"scores", "losses": {kind: value},
"grads": {kind: {name: [...]}}}. Float32 throughout, no dropout. With "rewriteOnly": true the request
has only "folder" and "rewrite": the folder is read and written back (folder.py), nothing computed.
With "initFrom": true the request has "folder" and "seqs": a freshly initialised model (other seed)
takes the folder's weights the way `train.py --init-from` does (init_from.py); response: {"scores"}.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from localrec_torch.folder import feature_matrix, load_model, read_weights, write_model_files  # noqa: E402
from localrec_torch.init_from import load_weights  # noqa: E402
from localrec_torch.losses import per_row_loss  # noqa: E402
from localrec_torch.model import SasRec  # noqa: E402


def main(request_file, response_file):
    with open(request_file, encoding="utf-8") as f:
        req = json.load(f)
    torch.set_num_threads(1)
    if req.get("initFrom"):
        j, arrays = read_weights(req["folder"])
        fresh = SasRec(j["config"], feature_matrix(j, arrays), seed=12345)
        load_weights(fresh, req["folder"])
        fresh.eval()
        with torch.no_grad():
            scores = fresh.score_last(torch.tensor(req["seqs"], dtype=torch.long))
        with open(response_file, "w", encoding="utf-8") as f:
            json.dump({"scores": scores.tolist(), "torch": torch.__version__}, f)
        return
    model, meta = load_model(req["folder"], SasRec)
    model.eval()
    if req.get("rewrite"):
        write_model_files(req["rewrite"], model, meta.get("featureNames", []))
    if req.get("rewriteOnly"):
        with open(response_file, "w", encoding="utf-8") as f:
            json.dump({"torch": torch.__version__}, f)
        return
    with torch.no_grad():
        scores = model.score_last(torch.tensor(req["seqs"], dtype=torch.long))
    lb = req["loss"]
    vocab = model.cfg["numItems"] + 1
    losses, grads = {}, {}
    for kind in ("ce", "sampled", "bce"):
        model.zero_grad()
        table = model.item_table()
        seqs = torch.tensor(lb["seqs"], dtype=torch.long)
        h = model.encode(table, seqs).reshape(-1, model.cfg["dim"])
        hidden = h[torch.tensor(lb["positions"], dtype=torch.long)]
        targets = torch.tensor(lb["targets"], dtype=torch.long)
        negatives = torch.tensor(lb["sampledNegatives" if kind == "sampled" else "bceNegatives"], dtype=torch.long)
        log_q = torch.full((vocab,), float(lb["logQ"]))
        loss = per_row_loss(kind, hidden, table, targets, negatives, log_q).mean()
        loss.backward()
        losses[kind] = loss.item()
        grads[kind] = {name: p.grad.reshape(-1).tolist() for name, p in model.named_weights() if p.grad is not None}
    with open(response_file, "w", encoding="utf-8") as f:
        json.dump({"scores": scores.tolist(), "losses": losses, "grads": grads, "torch": torch.__version__}, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python3 trainers/torch/parity.py <request.json> <response.json>")
    main(sys.argv[1], sys.argv[2])
