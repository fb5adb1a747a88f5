"""Peak memory of the current process, for the benchmark scripts."""

import resource
from pathlib import Path


def high_water_mib() -> float:
    """This process's peak resident size in MiB. Unlike ru_maxrss, VmHWM starts afresh at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
