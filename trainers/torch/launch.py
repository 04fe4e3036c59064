"""`python3 -m torch.distributed.run` (torchrun), made to work with Debian's torch 1.13 on Python 3.11.

    python3 trainers/torch/launch.py --standalone --nproc_per_node N trainers/torch/train.py ...

Takes exactly torchrun's arguments. torch 1.13's Std.from_str("0") returns None on Python 3.11
(a zero-valued IntFlag is no longer listed when iterating the enum), so every torchrun launch fails
in to_map(); this fixes that one function and leaves the rest of torch.distributed.run untouched.
With a current PyTorch (e.g. pip on a GPU machine) `torchrun` can be used directly instead.
"""
import re
import sys

from torch.distributed import run
from torch.distributed.elastic.multiprocessing import api


def _from_str(cls, vm):
    if re.fullmatch(r"\d", vm):
        return cls(int(vm))
    return {int(i): cls(int(v)) for i, v in (m.split(":") for m in vm.split(","))}


if api.Std.from_str("0") is None:
    api.Std.from_str = classmethod(_from_str)

if __name__ == "__main__":
    sys.exit(run.main(sys.argv[1:]))
