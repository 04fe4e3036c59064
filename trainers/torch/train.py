"""Pretrains the LocalRec SASRec model with DistributedDataParallel (gloo on CPU, NCCL on GPUs).

    python3 -m torch.distributed.run --nproc_per_node N trainers/torch/train.py \
        --data <prepared dir> --run <run dir> [--max-minutes M] [--max-steps S] [--resume] [--init-from <dir>]

`npm run pretrain:torch` prepares <prepared dir> (data.json + data.bin + settings.json), runs this,
then exports <run dir>/best through the TypeScript exporter. Writes into <run dir>: checkpoint/
(weights, Adam state, run state: resumable), best/ (float32 LocalRec model files of the best
epoch by validation NDCG@10), history.jsonl and result.json.
--init-from <dir> starts a new run (schedule and epochs from 0) from the weights of a torch checkpoint
folder (and its Adam state) or of a LocalRec model folder (fresh Adam state): localrec_torch/init_from.py.
"""
import argparse
import json
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from localrec_torch.batches import bucketed_batches, length_groups, next_item_batch, random_batches, share_of  # noqa: E402
from localrec_torch.data import TrainData  # noqa: E402
from localrec_torch.evaluate import rank_cases, rank_metrics  # noqa: E402
from localrec_torch.folder import csr_to_dense, load_model, replace_dir, write_model_files  # noqa: E402
from localrec_torch.init_from import init_from  # noqa: E402
from localrec_torch.losses import per_row_loss  # noqa: E402
from localrec_torch.model import SasRec  # noqa: E402
from localrec_torch.schedule import flat_decay_start, scheduled_rate  # noqa: E402


class LossModule(torch.nn.Module):
    """Wraps the model so one DDP forward computes the summed loss of all length groups of a step."""

    def __init__(self, model, loss):
        super().__init__()
        self.model = model
        self.loss = loss

    def forward(self, groups, negatives, log_q):
        table = self.model.item_table(training=True)
        total = table.new_zeros(())
        for inputs, targets in groups:
            h = self.model.encode(table, inputs, training=True).reshape(-1, self.model.cfg["dim"])
            flat_t = targets.reshape(-1)
            rows = flat_t.nonzero().squeeze(1)
            t = flat_t[rows]
            neg = negatives
            if self.loss["kind"] == "bce":
                neg = bce_negatives(t, self.model.cfg["numItems"])
            total = total + per_row_loss(self.loss["kind"], h[rows], table, t, neg, log_q).sum()
        return total


def bce_negatives(targets, num_items):
    """One uniform negative per row, different from the row's target."""
    neg = torch.randint(1, num_items + 1, targets.shape, device=targets.device)
    clash = neg == targets
    while bool(clash.any()) and num_items > 1:
        neg[clash] = torch.randint(1, num_items + 1, (int(clash.sum()),), device=targets.device)
        clash = neg == targets
    return neg


def log(line):
    print(line, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--max-minutes", type=float, default=float("inf"))
    ap.add_argument("--max-steps", type=int, default=0, help="stop (resumably) after this many steps; 0 = no limit")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init-from", help="a torch checkpoint folder or a LocalRec model folder to start from (ignored when resuming)")
    args = ap.parse_args()

    distributed = "RANK" in os.environ
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    started = time.time()
    main_rank = rank == 0

    with open(os.path.join(args.data, "settings.json"), encoding="utf-8") as f:
        settings = json.load(f)
    cfg, opts = settings["config"], settings["train"]
    data = TrainData(args.data)
    features = None
    if data.num_features:
        features = csr_to_dense(*data.features, data.num_items + 1, data.num_features)
    torch.manual_seed(opts["seed"])
    model = SasRec(cfg, features, seed=opts["seed"])
    ckpt_dir = os.path.join(args.run, "checkpoint")
    state_file = os.path.join(ckpt_dir, "state.json")
    resuming = args.resume and os.path.exists(state_file)
    if resuming:
        saved = torch.load(os.path.join(ckpt_dir, "checkpoint.pt"), map_location="cpu")
        model.load_state_dict(saved["model"])
        with open(state_file, encoding="utf-8") as f:
            state = json.load(f)
    else:
        state = None
    if state is None:
        state = {"epoch": 0, "batchInEpoch": 0, "learningRate": opts["learningRate"], "bestNdcg": -1.0, "bestEpoch": -1,
                 "epochsSinceBest": 0, "history": [], "trainSeconds": 0.0, "clockSeconds": 0.0, "done": False,
                 "epochLossSum": 0.0, "epochLossCount": 0, "steps": 0}
    model.to(device)
    ddp = torch.nn.parallel.DistributedDataParallel(
        LossModule(model, opts["loss"]), device_ids=[local] if cuda else None, broadcast_buffers=False) if distributed \
        else LossModule(model, opts["loss"])
    params = [p for _, p in model.named_weights()]
    adam = dict(lr=opts["learningRate"], betas=(0.9, opts["beta2"]), eps=opts["epsilon"])
    optimizer = torch.optim.AdamW(params, weight_decay=opts["weightDecay"], **adam) if opts["weightDecay"] > 0 else torch.optim.Adam(params, **adam)
    if resuming:
        optimizer.load_state_dict(saved["optimizer"])
        del saved
    elif args.init_from:
        try:
            init_line = init_from(model, optimizer, params, args.init_from)
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"--init-from {args.init_from}: {e}")
        if main_rank:
            log(init_line)
    if main_rank:
        os.makedirs(args.run, exist_ok=True)
        log(f"{'resumed at epoch %d batch %d' % (state['epoch'], state['batchInEpoch']) if resuming else 'training'} on {world} "
            f"process{'es' if world > 1 else ''} ({'NCCL, ' + torch.cuda.get_device_name(device) if cuda else 'gloo, CPU'}; "
            f"torch {torch.__version__}, {torch.get_num_threads()} thread(s) each), {len(data.train)} sequences, {data.num_items} items")

    stop = {"why": ""}
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _f: stop.update(why=signal.Signals(s).name))
    stop_file = os.path.join(args.run, "STOP")
    max_len = cfg["maxLen"]
    lengths = [min(len(data.train[i]) - 1, max_len) for i in range(len(data.train))]
    mean_targets = sum(lengths) / max(1, len(lengths))
    valid_hist, valid_tgt = data.valid
    valid_idx = [int(i) for i in data.valid_subset]
    num_items = data.num_items
    k_neg = min(opts["loss"].get("numNegatives", 256), num_items)
    log_q = torch.full((num_items + 1,), -float(np.log(num_items)), device=device)
    timed_end = opts["timedMinutes"] * 60 if opts["schedule"] == "timed" else float("inf")
    tick = time.time()
    last_ckpt = time.time()
    steps_here = 0
    step_seconds_here = 0.0
    steps_limited = False
    step_losses = {}  # "first" and "last": the first and the latest step's loss of this process run (result.json)

    def advance_clock():
        nonlocal tick
        now = time.time()
        state["clockSeconds"] += now - tick
        tick = now

    def save_checkpoint():
        if main_rank:
            tmp = ckpt_dir + ".tmp"
            os.makedirs(tmp, exist_ok=True)
            named = {n: p.detach().cpu() for n, p in model.named_weights()}
            torch.save({"model": {k.replace("/", "__"): v for k, v in named.items()}, "optimizer": optimizer.state_dict()}, os.path.join(tmp, "checkpoint.pt"))
            with open(os.path.join(tmp, "state.json"), "w", encoding="utf-8") as f:
                json.dump(state, f)
            with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as f:
                json.dump(cfg, f, indent=2)  # the run's model config: what --init-from checks the next phase against
            replace_dir(tmp, ckpt_dir)
        if distributed:
            dist.barrier()

    def evaluate(net, histories, targets, indices):
        net.eval()
        mine = indices[rank::world]
        ranks = rank_cases(net, histories, targets, mine, device)
        net.train()
        full = torch.zeros(len(indices), dtype=torch.float64, device=device)
        pos = {c: k for k, c in enumerate(indices)}
        for c, r in ranks.items():
            full[pos[c]] = r
        if distributed:
            dist.all_reduce(full)
        return rank_metrics(full.cpu().numpy().astype(np.int64))

    def agree(values):
        """Sums a few floats over the ranks (loss parts and the stop flag travel together)."""
        t = torch.tensor(values, dtype=torch.float64, device=device)
        if distributed:
            dist.all_reduce(t)
        return t.tolist()

    model.train()
    while not state["done"] and state["epoch"] < opts["epochs"] and not stop["why"]:
        rng = np.random.default_rng(opts["seed"] * 1000 + state["epoch"])
        batches = random_batches(len(lengths), opts["batchSize"], rng) if opts["batches"] == "random" \
            else bucketed_batches(lengths, opts["batchSize"], rng)
        epoch_start = time.time()
        out_of_time = False
        steps_epoch = 0
        last_lr = state["learningRate"]
        for b in range(state["batchInEpoch"], len(batches)):
            t0 = time.time()
            global_step = state["epoch"] * len(batches) + b + 1
            lr = scheduled_rate(opts, state["learningRate"], global_step, opts["epochs"] * len(batches), state["clockSeconds"], state.get("decayFromSeconds"))
            last_lr = lr
            for g in optimizer.param_groups:
                g["lr"] = lr
            batch = batches[b]
            rows_global = sum(lengths[i] for i in batch)
            part = share_of(batch, lengths, rank, world)
            zero_weight = not part  # a batch smaller than the world: this rank computes a zero-weighted loss
            if zero_weight:
                part = batch[:1]
            seqs = [data.train[i] for i in part]
            grouped = length_groups([lengths[i] for i in part]) if opts["batches"] == "random" else [list(range(len(part)))]
            groups = []
            for grp in grouped:
                inputs, targets = next_item_batch([seqs[i] for i in grp], max_len)
                groups.append((torch.from_numpy(inputs).to(device), torch.from_numpy(targets).to(device)))
            torch.manual_seed(opts["seed"] * 1_000_003 + global_step * 97 + rank)
            negatives = torch.randint(1, num_items + 1, (k_neg,), device=device) if opts["loss"]["kind"] == "sampled" else None
            loss_sum = ddp(groups, negatives, log_q)
            grad_scale = 1.0
            if opts["lossWeighting"] == "token" and mean_targets > 0:
                grad_scale = rows_global / (len(batch) * mean_targets)
            scale = 0.0 if zero_weight else world / max(1, rows_global) * grad_scale
            optimizer.zero_grad(set_to_none=True)
            (loss_sum * scale).backward()
            if opts["clipNorm"] > 0:
                torch.nn.utils.clip_grad_norm_(params, opts["clipNorm"])
            optimizer.step()
            stop_flag = 1.0 if (stop["why"] or os.path.exists(stop_file)) else 0.0
            total, flags = agree([0.0 if zero_weight else float(loss_sum.detach()), stop_flag])
            loss = total / max(1, rows_global)
            if not np.isfinite(loss):
                raise SystemExit(f"loss became {loss} at epoch {state['epoch']} batch {b}; lower the learning rate")
            step_losses.setdefault("first", loss)
            step_losses["last"] = loss
            state["trainSeconds"] += time.time() - t0
            step_seconds_here += time.time() - t0
            advance_clock()
            state["epochLossSum"] += loss
            state["epochLossCount"] += 1
            state["batchInEpoch"] = b + 1
            state["steps"] += 1
            steps_here += 1
            steps_epoch += 1
            if main_rank and (steps_epoch % 10 == 0 or b + 1 == len(batches)):
                el = time.time() - epoch_start
                log(f"epoch {state['epoch'] + 1} batch {b + 1}/{len(batches)} loss {state['epochLossSum'] / state['epochLossCount']:.4f} "
                    f"{steps_epoch * opts['batchSize'] / max(1e-9, el):.1f} seq/s lr {lr:.2e}")
            if time.time() - last_ckpt > opts["checkpointMinutes"] * 60:
                save_checkpoint()
                last_ckpt = time.time()
            if state["clockSeconds"] >= timed_end:
                out_of_time = True
                break
            if flags > 0:
                stop["why"] = stop["why"] or "STOP file or signal"
            if (time.time() - started) / 60 > args.max_minutes:
                stop["why"] = f"--max-minutes {args.max_minutes:g}"
            if args.max_steps and steps_here >= args.max_steps:
                stop["why"] = f"--max-steps {args.max_steps}"
                steps_limited = True
            if stop["why"]:
                break
        if state["batchInEpoch"] < len(batches) and not out_of_time:
            break
        m = evaluate(model, valid_hist, valid_tgt, valid_idx)
        advance_clock()
        epoch_seconds = time.time() - epoch_start
        shown_lr = state["learningRate"] if opts["schedule"] == "plateau" else last_lr
        entry = {"epoch": state["epoch"] + 1, "loss": state["epochLossSum"] / max(1, state["epochLossCount"]),
                 "validNdcg10": m["NDCG@10"], "validHr10": m["HR@10"], "lr": shown_lr, "seconds": epoch_seconds}
        state["history"].append(entry)
        if main_rank:
            with open(os.path.join(args.run, "history.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
        if m["NDCG@10"] > state["bestNdcg"]:
            state.update(bestNdcg=m["NDCG@10"], bestEpoch=state["epoch"], epochsSinceBest=0)
            if main_rank:
                write_model_files(os.path.join(args.run, "best"), model, data.feature_names)
        else:
            state["epochsSinceBest"] += 1
            if opts["schedule"] == "plateau" and state["epochsSinceBest"] % opts["plateauEpochs"] == 0:
                state["learningRate"] = max(opts["minLearningRate"], state["learningRate"] / 2)
            if state["epochsSinceBest"] >= opts["patience"]:
                state["done"] = True
        if main_rank:
            log(f"epoch {state['epoch'] + 1} done in {epoch_seconds:.1f} s: loss {entry['loss']:.4f} valid NDCG@10 {m['NDCG@10']:.4f} "
                f"HR@10 {m['HR@10']:.4f} (best {state['bestNdcg']:.4f} @ {state['bestEpoch'] + 1}) lr {shown_lr:.2e}")
        if state.get("decayFromSeconds") is None and not out_of_time:
            state["decayFromSeconds"] = flat_decay_start(opts, [h["validNdcg10"] for h in state["history"]], state["clockSeconds"])
            if main_rank and state["decayFromSeconds"] is not None:
                log(f"validation gains fell below {100 * opts.get('flatGain', 0.01):.1f}% per epoch: the rate decays linearly from {state['decayFromSeconds']:.0f} s to 0 at {timed_end:.0f} s")
        state.update(epoch=state["epoch"] + 1, batchInEpoch=0, epochLossSum=0.0, epochLossCount=0)
        if out_of_time:
            state["done"] = True
        save_checkpoint()
        last_ckpt = time.time()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
    finished = not stop["why"] and (state["done"] or state["epoch"] >= opts["epochs"])
    result = {"finished": finished, "stopReason": stop["why"], "epoch": state["epoch"], "batchInEpoch": state["batchInEpoch"],
              "bestEpoch": state["bestEpoch"] + 1, "bestValidNdcg10": state["bestNdcg"], "history": state["history"],
              "trainSeconds": state["trainSeconds"], "clockSeconds": state["clockSeconds"], "stepsThisRun": steps_here,
              "stepSecondsThisRun": step_seconds_here,
              "firstStepLoss": step_losses.get("first"), "lastStepLoss": step_losses.get("last"), "batchSize": opts["batchSize"], "processes": world, "device": "cuda" if cuda else "cpu", "torch": torch.__version__}
    if not finished:
        save_checkpoint()
    else:
        state["done"] = True
        save_checkpoint()
        best_dir = os.path.join(args.run, "best")
        best, _ = load_model(best_dir, lambda c, _f: SasRec(c, features))
        best.to(device)
        test_hist, test_tgt = data.test
        result["test"] = evaluate(best, test_hist, test_tgt, list(range(len(test_tgt))))
    if main_rank:
        with open(os.path.join(args.run, "result.json"), "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
        if finished:
            log(f"training finished: best valid NDCG@10 {state['bestNdcg']:.4f} at epoch {state['bestEpoch'] + 1}; "
                f"torch test NDCG@10 {result['test']['NDCG@10']:.4f} HR@10 {result['test']['HR@10']:.4f}")
        else:
            log(f"stopped ({stop['why']}) at epoch {state['epoch']} batch {state['batchInEpoch']}; checkpoint saved. Continue with --resume."
                + (f" ({steps_here} steps)" if steps_limited else ""))
    if distributed:
        dist.barrier()
        # Every file is written and every rank is past the barrier. Leave without the process-group
        # teardown: with gloo on torch 1.13 it sometimes spins forever in a background thread
        # (seen twice in about ten 2-process runs), which would hold the launcher and the export.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
