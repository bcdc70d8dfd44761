"""Benchmark of live decision boundaries: cost of one frame, its size, and the training slowdown.

    .venv/bin/python -m bench boundary

Prints figures and ratios (with boundaries against without, in the same run); asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from app import charts
from nncore import ExperimentSpec
from nncore.training.probes import BoundaryProbe
from nncore.training.job import TrainingJob


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(prog="python -m bench boundary", description=__doc__.split("\n")[0]).parse_args(argv)
    for preset in ("multiclass-lab", "softmax-lab"):
        spec = ExperimentSpec.from_preset(preset)
        times = {}
        for views in (False, True, False, True):
            job = TrainingJob(spec, views=views)
            job.run()
            times.setdefault(views, []).append(job.seconds)
        plain, live = min(times[False]), min(times[True])
        probe = BoundaryProbe(job.model, job.data.bounds(), spec.from_logits)
        probe(0)
        frame = []
        for _ in range(30):
            t = time.perf_counter()
            b = probe(1)
            frame.append(time.perf_counter() - t)
        fig = charts.boundary_figure(b, job.data.x_train, job.data.y_train, job.data.x_val, job.data.y_val)
        units = charts.unit_views(b.units, b.x1, b.x2)
        print(f"{preset}: one 100x100 boundary frame (all units included) {statistics.median(frame) * 1000:.1f} ms; "
              f"boundary figure {len(fig.to_json()) / 1024:.0f} KB, unit views {len(units.to_json()) / 1024:.0f} KB "
              f"({len(b.units)} units); training {live:.2f} s with live boundaries vs {plain:.2f} s without: "
              f"ratio {live / plain:.2f}")


if __name__ == "__main__":
    main()
