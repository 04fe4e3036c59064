"""Batches of next-item training, as src/engine/train/batches.ts builds them (plain numpy)."""
import numpy as np


def next_item_batch(seqs, max_len):
    """Right-aligned inputs [batch, len] and targets [batch, len] (0 where no target) from whole sequences."""
    length = max(1, max(min(len(s) - 1, max_len) for s in seqs))
    inputs = np.zeros((len(seqs), length), dtype=np.int64)
    targets = np.zeros((len(seqs), length), dtype=np.int64)
    for r, s in enumerate(seqs):
        steps = min(len(s) - 1, length)
        if steps <= 0:
            continue
        start = len(s) - 1 - steps
        inputs[r, length - steps:] = s[start:start + steps]
        targets[r, length - steps:] = s[start + 1:start + 1 + steps]
    return inputs, targets


def random_batches(count, batch_size, rng):
    """Shuffle everyone, cut in order (the reference code's batches)."""
    order = rng.permutation(count)
    return [order[b:b + batch_size].tolist() for b in range(0, count, batch_size)]


def bucketed_batches(lengths, batch_size, rng, pool_batches=32):
    """Shuffle, sort pools of `pool_batches` batches by length, cut, shuffle the batch order."""
    order = rng.permutation(len(lengths))
    batches = []
    pool = batch_size * pool_batches
    for p in range(0, len(order), pool):
        chunk = sorted(order[p:p + pool].tolist(), key=lambda i: lengths[i])
        batches += [chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def length_groups(lengths, max_padding=0.25, min_rows=8):
    """Positions of `lengths` grouped so a group is at most `max_padding` padding (shortest first)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups, group, real = [], [], 0
    for i in order:
        n = lengths[i]
        cells = (len(group) + 1) * n
        if len(group) >= min_rows and cells > 0 and 1 - (real + n) / cells > max_padding:
            groups.append(group)
            group, real = [], 0
        group.append(i)
        real += n
    if group:
        groups.append(group)
    return groups


def share_of(batch, lengths, rank, world):
    """This rank's part of a global batch: sorted by length and dealt round-robin, so parts cost alike."""
    ordered = sorted(batch, key=lambda i: lengths[i])
    return ordered[rank::world]
