"""Leave-one-out, full-ranking evaluation (src/engine/eval/rankTargets.ts and metrics.ts)."""
import math

import numpy as np
import torch


@torch.no_grad()
def rank_cases(model, histories, targets, indices, device, batch_size=256):
    """0-based ranks of the cases `indices`: other non-excluded items scoring >= the target (ties count against it)."""
    max_len = model.cfg["maxLen"]
    table = model.item_table()
    order = sorted(indices, key=lambda i: len(histories[i]))
    ranks = {}
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        length = max(1, max(min(len(histories[i]), max_len) for i in idx))
        seqs = np.zeros((len(idx), length), dtype=np.int64)
        excl = np.zeros((len(idx), max(1, max(len(histories[i]) for i in idx))), dtype=np.int64)
        for r, i in enumerate(idx):
            h = histories[i]
            n = min(len(h), length)
            if n:
                seqs[r, length - n:] = h[len(h) - n:]
            excl[r, :len(h)] = h
        scores = model.score_last(torch.from_numpy(seqs).to(device), table)
        tgt = torch.from_numpy(np.asarray([targets[i] for i in idx], dtype=np.int64)).to(device)
        ts = scores.gather(1, tgt.unsqueeze(1))
        scores.scatter_(1, torch.from_numpy(excl).to(device), float("-inf"))  # history items (and column 0)
        scores[:, 0] = float("-inf")
        scores.scatter_(1, tgt.unsqueeze(1), ts)  # the target is ranked even when it is in the history
        r = (scores >= ts).sum(1) - 1
        for k, i in enumerate(idx):
            ranks[i] = int(r[k])
    return ranks


def rank_metrics(ranks):
    """HR@K and NDCG@K for K = 5, 10, 20 and MRR, averaged over targets."""
    ranks = np.asarray(ranks)
    n = max(1, len(ranks))
    out = {}
    for k in (5, 10, 20):
        hit = ranks < k
        out[f"HR@{k}"] = float(hit.sum() / n)
        out[f"NDCG@{k}"] = float(sum(1 / math.log2(r + 2) for r in ranks[hit]) / n)
    out["MRR"] = float(sum(1 / (r + 1) for r in ranks) / n)
    return out
