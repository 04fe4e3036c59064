"""`--init-from`: start a new training phase from the weights (and Adam state) of an earlier run.

Sources, as `npm run pretrain -- --init-from` takes them:
- a PyTorch run's checkpoint folder (<run>/checkpoint: checkpoint.pt + state.json): weights, and
  Adam's moments and step count when every shape matches;
- a LocalRec model folder (model.json + weights.bin: an exported model at any precision and format
  version folder.py reads, a torch run's best/, or a Node run's best/ or checkpoint/): weights only,
  Adam starts fresh.
The new phase's own settings (schedule, epochs, Adam's betas, eps and weight decay) always come from
its config; only the moments and the step count carry over. `npm run pretrain:torch` checks the
model config against the source's before it starts; the checks here name the weight that differs.
"""
import os

import numpy as np
import torch

from .folder import read_weights

CHECKPOINT_FILE = "checkpoint.pt"


def is_torch_checkpoint(folder):
    return os.path.exists(os.path.join(folder, CHECKPOINT_FILE))


def _check_shapes(model, shapes, where):
    """shapes: {tfjs name: shape}. Raises ValueError naming the first weight that is missing or differs."""
    for name, p in model.named_weights():
        if name not in shapes:
            raise ValueError(f'{where}: weight "{name}" is missing; the folder holds a model of another shape '
                             f'(use the "model" block and data of the run that wrote it)')
        if tuple(shapes[name]) != tuple(p.shape):
            raise ValueError(f'{where}: weight "{name}" has shape {list(shapes[name])}, this run needs {list(p.shape)}; '
                             f'the folder holds a model of another shape (use the "model" block and data of the run that wrote it)')


def load_weights(model, folder):
    """Copies the weights of `folder` (torch checkpoint or model folder) into `model`; returns the
    torch checkpoint's saved dict (for its optimizer state) or None for a model folder."""
    if is_torch_checkpoint(folder):
        saved = torch.load(os.path.join(folder, CHECKPOINT_FILE), map_location="cpu")
        tensors = {k.replace("__", "/"): v for k, v in saved["model"].items()}
        _check_shapes(model, {k: v.shape for k, v in tensors.items()}, os.path.join(folder, CHECKPOINT_FILE))
        with torch.no_grad():
            for name, p in model.named_weights():
                p.copy_(tensors[name].to(p.dtype))
        return saved
    _, arrays = read_weights(folder)
    _check_shapes(model, {k: v.shape for k, v in arrays.items()}, folder)
    with torch.no_grad():
        for name, p in model.named_weights():
            p.copy_(torch.from_numpy(np.ascontiguousarray(arrays[name], dtype=np.float32)))
    return None


def load_adam_state(optimizer, params, saved_optimizer):
    """Puts the saved Adam moments and step counts into `optimizer` when there is one entry per
    parameter with the parameter's shape; keeps the optimizer's own hyperparameters (the new
    phase's config). Returns None when loaded, else why not."""
    state = saved_optimizer.get("state", {})
    if len(state) != len(params) or any(i not in state for i in range(len(params))):
        return f"it has Adam state for {len(state)} weights, this model has {len(params)}"
    for i, p in enumerate(params):
        for key in ("exp_avg", "exp_avg_sq"):
            if key not in state[i] or tuple(state[i][key].shape) != tuple(p.shape):
                return f"its Adam state of weight {i} has another shape"
    current = optimizer.state_dict()
    current["state"] = state
    optimizer.load_state_dict(current)
    return None


def adam_steps(optimizer):
    """Adam's step count (the same for every weight), or 0 before the first step."""
    for s in optimizer.state.values():
        step = s.get("step")
        if step is not None:
            return int(step.item() if torch.is_tensor(step) else step)
    return 0


def init_from(model, optimizer, params, folder):
    """Loads `folder` into model (and optimizer when it is a torch checkpoint); returns the log line."""
    saved = load_weights(model, folder)
    if saved is None:
        why = "a Node trainer's Adam state is not read by the PyTorch trainer" if os.path.exists(os.path.join(folder, "optimizer.json")) \
            else "the folder has none"
        return f"starting from the weights in {folder} with a fresh Adam state ({why})"
    not_loaded = load_adam_state(optimizer, params, saved["optimizer"])
    if not_loaded:
        return f"starting from the weights in {folder} with a fresh Adam state ({not_loaded})"
    return f"starting from the weights in {folder} with its Adam state (step {adam_steps(optimizer)})"
