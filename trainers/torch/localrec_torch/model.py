"""The LocalRec SASRec model in PyTorch, op for op the tfjs model of src/engine/model/sasrec.ts.

Parameters carry the tfjs names ("block0/wq", ...) and shapes (dense weights are [in, out], applied
as x @ w), so a state dict maps one to one onto the weights of a LocalRec model folder.
"""
import math

import torch
from torch import nn

NEG_INF = -1e9
"""Large negative used instead of -inf, as in layers.ts (sums of masks stay finite)."""
LN_EPS = 1e-6


def resolve_config(cfg):
    """Fills the defaults of config.ts and rejects what the TypeScript loader would reject."""
    out = {"maxLen": 200, "dim": 64, "blocks": 2, "heads": 1, "ffnDim": 64, "dropout": 0.2, "numFeatures": 0, "idDropout": 0.0}
    out.update(cfg)
    for key in ("numItems", "maxLen", "dim", "blocks", "heads", "ffnDim"):
        if not isinstance(out[key], int) or out[key] <= 0:
            raise ValueError(f'model config "{key}" must be a positive integer, got {out[key]!r}')
    if out["dim"] % out["heads"] != 0:
        raise ValueError(f'model config: dim ({out["dim"]}) must be divisible by heads ({out["heads"]})')
    if out.get("positions", "fromEnd") not in ("fromEnd", "fromStart"):
        raise ValueError(f'model config "positions" must be "fromEnd" or "fromStart", got {out["positions"]!r}')
    if out.get("block", "preLN") not in ("preLN", "sasrec"):
        raise ValueError(f'model config "block" must be "preLN" or "sasrec", got {out["block"]!r}')
    if out.get("attentionInit", "initStd") not in ("initStd", "xavier"):
        raise ValueError(f'model config "attentionInit" must be "initStd" or "xavier", got {out["attentionInit"]!r}')
    return out


def weight_shapes(cfg):
    """Every trainable weight as (tfjs name, shape), in the order of sasrec.ts initWeights."""
    d, n, ffn = cfg["dim"], cfg["numItems"], cfg["ffnDim"]
    shapes = [("item_emb", (n + 1, d)), ("pos_emb", (cfg["maxLen"], d))]
    if cfg["numFeatures"] > 0:
        shapes.append(("feat_emb", (cfg["numFeatures"], d)))
    for b in range(cfg["blocks"]):
        p = f"block{b}/"
        shapes += [(p + "ln1_g", (d,)), (p + "ln1_b", (d,))]
        for m in "qkvo":
            shapes += [(f"{p}w{m}", (d, d)), (f"{p}b{m}", (d,))]
        shapes += [(p + "ln2_g", (d,)), (p + "ln2_b", (d,))]
        shapes += [(p + "ffn_w1", (d, ffn)), (p + "ffn_b1", (ffn,)), (p + "ffn_w2", (ffn, d)), (p + "ffn_b2", (d,))]
    shapes += [("final_ln_g", (d,)), ("final_ln_b", (d,))]
    return shapes


def _key(name):
    return name.replace("/", "__")


class SasRec(nn.Module):
    """SASRec-family encoder with item embeddings shared between input and output.

    features: optional [numItems+1, numFeatures] float tensor (row-normalised multi-hot content
    features, not trained); each item's vector is then item_emb + features @ feat_emb.
    """

    def __init__(self, cfg, features=None, seed=42):
        super().__init__()
        self.cfg = resolve_config(cfg)
        self.names = [name for name, _ in weight_shapes(self.cfg)]
        gen = torch.Generator().manual_seed(seed)
        for name, shape in weight_shapes(self.cfg):
            self.register_parameter(_key(name), nn.Parameter(self._init(name, shape, gen)))
        if self.cfg["numFeatures"] > 0 and features is None:
            raise ValueError("this config has content features: pass the feature matrix")
        self.register_buffer("features", features if self.cfg["numFeatures"] > 0 else None, persistent=False)

    def _init(self, name, shape, gen):
        cfg, d = self.cfg, self.cfg["dim"]
        std0 = cfg.get("initStd")
        leaf = name.split("/")[-1]
        if leaf.startswith(("ln", "final_ln")):
            return torch.ones(shape) if leaf.endswith("_g") else torch.zeros(shape)
        if len(shape) == 1:
            return torch.zeros(shape)
        if name in ("item_emb", "pos_emb", "feat_emb"):
            std = std0 if std0 is not None else 1 / math.sqrt(d)
        elif leaf in ("wq", "wk", "wv") and cfg.get("attentionInit") == "xavier":
            std = math.sqrt(2 / (4 * d))
        else:
            std = std0 if std0 is not None else math.sqrt(2 / (shape[0] + shape[1]))
        # Truncated at two standard deviations, like tf.truncatedNormal.
        t = torch.empty(shape)
        with torch.no_grad():
            t.normal_(0, 1, generator=gen)
            bad = t.abs() > 2
            while bad.any():
                t[bad] = torch.empty(int(bad.sum())).normal_(0, 1, generator=gen)
                bad = t.abs() > 2
            t.mul_(std)
            if name == "item_emb":
                t[0] = 0
        return t

    def w(self, name):
        """The parameter with tfjs name `name`."""
        return getattr(self, _key(name))

    def named_weights(self):
        """(tfjs name, parameter) in model-folder order."""
        return [(n, self.w(n)) for n in self.names]

    def item_table(self, training=False):
        """Item vectors [numItems+1, dim]: ID embedding (ID dropout when training) + content projection."""
        ids = self.w("item_emb")
        rate = self.cfg["idDropout"]
        if training and rate > 0:
            keep = (torch.rand(ids.shape[0], 1, device=ids.device) >= rate).to(ids.dtype)
            ids = ids * keep
        if self.cfg["numFeatures"] == 0:
            return ids
        return ids + self.features @ self.w("feat_emb")

    def encode(self, table, seqs, training=False):
        """Hidden states [batch, len, dim] of left-padded int64 sequences [batch, len] (0 = padding)."""
        cfg = self.cfg
        d, heads, rate = cfg["dim"], cfg["heads"], cfg["dropout"]
        batch, length = seqs.shape
        if length > cfg["maxLen"]:
            raise ValueError(f"sequence length {length} exceeds maxLen {cfg['maxLen']}")
        sasrec_block = cfg.get("block") == "sasrec"

        def drop(t):
            return nn.functional.dropout(t, rate, training=True) if training and rate > 0 else t

        mask = (seqs != 0).to(table.dtype)  # [batch, len]
        mask3 = mask.unsqueeze(2)
        x = table[seqs] * math.sqrt(d) + self._positions(mask)
        x = drop(x) * mask3
        bias = attention_bias(mask)  # [batch, 1, len, len]
        for b in range(cfg["blocks"]):
            g = lambda n, b=b: self.w(f"block{b}/{n}")  # noqa: E731
            h = layer_norm(x, g("ln1_g"), g("ln1_b"))
            out = self_attention(h, g, heads, bias, drop, x if sasrec_block else h)
            x = h + out if sasrec_block else x + drop(out)
            n2 = layer_norm(x, g("ln2_g"), g("ln2_b"))
            f1 = torch.relu(n2 @ g("ffn_w1") + g("ffn_b1"))
            f2 = drop(f1) @ g("ffn_w2") + g("ffn_b2")
            x = ((n2 if sasrec_block else x) + drop(f2)) * mask3
        return layer_norm(x, self.w("final_ln_g"), self.w("final_ln_b"))

    def _positions(self, mask):
        table = self.w("pos_emb")
        length = mask.shape[1]
        if self.cfg.get("positions") != "fromStart":
            return table[self.cfg["maxLen"] - length:]
        index = torch.relu(torch.cumsum(mask, 1) - 1).long()
        return table[index]

    def score_last(self, seqs, table=None):
        """Scores [batch, numItems+1] of every item after each sequence's newest item; column 0 is NEG_INF."""
        t = self.item_table() if table is None else table
        h = self.encode(t, seqs)[:, -1, :]
        return h @ t.T + pad_column_bias(t.shape[0], t.dtype, t.device)


def pad_column_bias(vocab, dtype=torch.float32, device=None):
    """[1, vocab] bias that removes the padding column (item 0) from a softmax or a ranking."""
    b = torch.zeros(1, vocab, dtype=dtype, device=device)
    b[0, 0] = NEG_INF
    return b


def layer_norm(x, gamma, beta):
    """LayerNorm over the last axis with the biased variance and eps 1e-6 (layers.ts)."""
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) * torch.rsqrt(var + LN_EPS) * gamma + beta


def attention_bias(mask):
    """[batch, 1, len, len]: NEG_INF where the key is later than the query or is padding."""
    length = mask.shape[1]
    causal = torch.triu(torch.full((length, length), NEG_INF, dtype=mask.dtype, device=mask.device), diagonal=1)
    key = ((1 - mask) * NEG_INF).reshape(mask.shape[0], 1, 1, length)
    return causal + key


def self_attention(x, g, heads, bias, drop, kv):
    """Multi-head causal self-attention; queries read x, keys and values read kv. Returns [batch, len, d]."""
    batch, length, d = x.shape
    dh = d // heads

    def split(t):
        return t.reshape(batch, length, heads, dh).transpose(1, 2)  # [batch, heads, len, dh]

    q = split(x @ g("wq") + g("bq"))
    k = split(kv @ g("wk") + g("bk"))
    v = split(kv @ g("wv") + g("bv"))
    scores = (q @ k.transpose(-1, -2)) * (1 / math.sqrt(dh)) + bias
    probs = torch.softmax(scores, -1)
    ctx = drop(probs) @ v  # [batch, heads, len, dh]
    merged = ctx.transpose(1, 2).reshape(batch, length, d)
    return merged @ g("wo") + g("bo")
