"""Next-item training objectives, as src/engine/train/losses.ts computes them.

- ce: full softmax cross-entropy over the catalog (padding column excluded);
- sampled: softmax over the target and K negatives shared by the batch, logQ-corrected;
- bce: original SASRec, one negative per target, softplus(-pos) + softplus(neg).
Each returns the per-row loss [rows]; the caller weights and averages.
"""
import math

import torch
from torch import nn

from .model import NEG_INF, pad_column_bias


def full_softmax(hidden, table, targets):
    """Per-row -log softmax(hidden . table^T)[target]: [rows]."""
    logits = hidden @ table.T + pad_column_bias(table.shape[0], table.dtype, table.device)
    return nn.functional.cross_entropy(logits, targets, reduction="none")


def sampled_softmax(hidden, table, targets, negatives, log_q):
    """Per-row sampled softmax with logQ correction.

    negatives: [K] item ids shared by the batch; log_q: [vocab] log-probability that the sampler
    draws each item. A negative equal to the row's target is removed (NEG_INF).
    """
    log_k = math.log(negatives.shape[0])
    pos = (hidden * table[targets]).sum(-1) - (log_q[targets] + log_k)
    neg = hidden @ table[negatives].T - (log_q[negatives] + log_k)  # [rows, K]
    neg = neg.masked_fill(targets.unsqueeze(1) == negatives.unsqueeze(0), NEG_INF)
    logits = torch.cat([pos.unsqueeze(1), neg], 1)
    return nn.functional.cross_entropy(logits, torch.zeros_like(targets), reduction="none")


def bce(hidden, table, targets, negatives):
    """Per-row softplus(-pos) + softplus(neg) with one negative per row."""
    pos = (hidden * table[targets]).sum(-1)
    neg = (hidden * table[negatives]).sum(-1)
    return nn.functional.softplus(-pos) + nn.functional.softplus(neg)


def per_row_loss(kind, hidden, table, targets, negatives=None, log_q=None):
    """Dispatches on the loss kind of a LocalRec "loss" spec."""
    if kind == "ce":
        return full_softmax(hidden, table, targets)
    if kind == "sampled":
        return sampled_softmax(hidden, table, targets, negatives, log_q)
    if kind == "bce":
        return bce(hidden, table, targets, negatives)
    raise ValueError(f'unknown loss kind "{kind}" (expected ce, sampled or bce)')
