"""Learning-rate schedules of scripts/lib/trainOptions.ts: warm-up, then plateau, linear or timed."""


def timed_rate(opts, clock_seconds, decay_from_seconds=None):
    """Constant until decay_from_seconds (default: the last decayMinShare of timedMinutes), then linear to 0; 0 afterwards."""
    end = opts["timedMinutes"] * 60
    decay_from = decay_from_seconds if decay_from_seconds is not None else end * (1 - opts.get("decayMinShare", opts["decayShare"]))
    if clock_seconds >= end:
        return 0.0
    if clock_seconds <= decay_from:
        return opts["learningRate"]
    return opts["learningRate"] * (end - clock_seconds) / max(1e-9, end - decay_from)


def flat_decay_start(opts, valid_ndcg, clock_seconds):
    """flatDecayStart of trainOptions.ts: where the timed decay starts once validation flattened, else None."""
    if opts["schedule"] != "timed" or len(valid_ndcg) < 4:
        return None
    now = max(valid_ndcg)
    before = max(valid_ndcg[:-3])
    gain = (now / before) ** (1 / 3) - 1 if before > 0 else float("inf")
    if gain >= opts.get("flatGain", 0.01):
        return None
    end = opts["timedMinutes"] * 60
    return min(end * (1 - opts.get("decayMinShare", opts["decayShare"])), max(end * (1 - opts["decayShare"]), clock_seconds))


def scheduled_rate(opts, plateau_rate, global_step, total_steps, clock_seconds=0.0, decay_from_seconds=None):
    """Rate of 1-based step `global_step`: the schedule's rate capped by the linear warm-up."""
    warm = opts["learningRate"] * global_step / opts["warmupSteps"] if opts["warmupSteps"] > 0 else float("inf")
    if opts["schedule"] == "timed":
        return min(timed_rate(opts, clock_seconds, decay_from_seconds), warm)
    if opts["schedule"] == "linear":
        rate = opts["learningRate"] * max(0.0, 1 - (global_step - 1) / max(1, total_steps))
    else:
        rate = plateau_rate
    return min(rate, warm)
