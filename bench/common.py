"""Helpers the benchmarks share: a process's memory, and one training run to the end here."""

from __future__ import annotations


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def train_here(spec, data=None, views: bool = True):
    """One TrainingJob run to the end in this thread, its network given back to the pool."""
    from nncore.training.job import TrainingJob

    job = TrainingJob(spec, data=data, views=views)
    s = job.run()
    job.release()
    if s.status != "done":
        raise RuntimeError(s.message)
    return job


def growth(step, times: int) -> tuple[float, float]:
    """RSS before and after `times` calls of `step`, once it has run once (first-time costs)."""
    import gc

    step()
    gc.collect()
    before = rss_mb()
    for _ in range(times):
        step()
    gc.collect()
    return before, rss_mb()
