"""Learning-rate schedules of scripts/lib/trainOptions.ts: warm-up, then plateau, linear or timed."""


def timed_rate(opts, clock_seconds):
    """Constant, then linear to 0 over the last decayShare of timedMinutes; 0 afterwards."""
    end = opts["timedMinutes"] * 60
    decay_from = end * (1 - opts["decayShare"])
    if clock_seconds >= end:
        return 0.0
    if clock_seconds <= decay_from:
        return opts["learningRate"]
    return opts["learningRate"] * (end - clock_seconds) / max(1e-9, end - decay_from)


def scheduled_rate(opts, plateau_rate, global_step, total_steps, clock_seconds=0.0):
    """Rate of 1-based step `global_step`: the schedule's rate capped by the linear warm-up."""
    warm = opts["learningRate"] * global_step / opts["warmupSteps"] if opts["warmupSteps"] > 0 else float("inf")
    if opts["schedule"] == "timed":
        return min(timed_rate(opts, clock_seconds), warm)
    if opts["schedule"] == "linear":
        rate = opts["learningRate"] * max(0.0, 1 - (global_step - 1) / max(1, total_steps))
    else:
        rate = plateau_rate
    return min(rate, warm)
