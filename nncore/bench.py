"""`python -m nncore bench`: the playground's speed and memory, each beside a baseline.

Every figure is measured in this run against a baseline measured in the same run, and
printed with their ratio; nothing is asserted (timing never decides a test). The trainer
measured is the app's own `TrainingJob`, the predictor the Draw page's own `Predictor`.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from typing import Any

import numpy as np


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def training_throughput(epochs: int = 10) -> dict[str, Any]:
    """Course network 784-25-15-10 on the 4,000 training digits, batch 32, Adam: samples per
    second of the app's TrainingJob (live snapshots on) against plain `model.fit`."""
    from . import ExperimentSpec
    from .data import load_dataset
    from .model import build_model
    from .train import TrainingJob

    spec = ExperimentSpec(epochs=epochs)
    data = load_dataset(spec)
    n = len(data.x_train) * epochs
    model = build_model(spec)  # the same compiled network, fitted the plain way
    t = time.perf_counter()
    model.fit(data.x_train, data.y_train, batch_size=32, epochs=epochs, verbose=0)
    plain = time.perf_counter() - t
    result = {"samples": n, "plain_fit_s": plain}
    for name, views in (("ours_s", True), ("ours_no_views_s", False)):
        job = TrainingJob(spec, views=views)
        job.run()
        result[name] = job.seconds
    result["speedup"] = plain / result["ours_s"]
    result["speedup_no_views"] = plain / result["ours_no_views_s"]
    return result


def inference() -> dict[str, Any]:
    """One digit through the Draw page's default model: Predictor against model.predict."""
    from .data import load_dataset
    from .infer import ASSETS, DEFAULT_MODELS, load_predictor
    from .spec import ExperimentSpec

    p = load_predictor(ASSETS / DEFAULT_MODELS["logits"])
    x = load_dataset(ExperimentSpec()).x_val[:1]
    ours, theirs = [], []
    for _ in range(100):
        t = time.perf_counter()
        p.probabilities(x)
        ours.append(time.perf_counter() - t)
    for _ in range(15):
        t = time.perf_counter()
        p.model.predict(x, verbose=0)
        theirs.append(time.perf_counter() - t)
    a, b = statistics.median(ours), statistics.median(theirs)
    return {"predictor_ms": a * 1000, "model_predict_ms": b * 1000, "speedup": b / a}


def memory(trainings: int = 20) -> dict[str, Any]:
    """RSS before and after `trainings` consecutive small trainings in this one process."""
    from . import ExperimentSpec
    from .train import TrainingJob

    spec = ExperimentSpec(epochs=1)
    TrainingJob(spec).run()  # first one pays for imports and tracing
    before = _rss_mb()
    for _ in range(trainings):
        TrainingJob(spec).run()
    after = _rss_mb()
    return {"trainings": trainings, "rss_after_first_mb": before, "rss_after_all_mb": after,
            "growth_mb": after - before}


def run(epochs: int = 10) -> dict[str, Any]:
    from . import import_keras

    t0 = time.perf_counter()
    keras = import_keras()
    import tensorflow as tf

    report: dict[str, Any] = {
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__},
        "cores": os.cpu_count(),
        "import_s": time.perf_counter() - t0,
        "rss_idle_mb": _rss_mb(),
    }
    report["training"] = training_throughput(epochs)
    report["inference"] = inference()
    report["memory"] = memory()
    return report


def print_table(r: dict[str, Any]) -> None:
    v = r["versions"]
    print(f"nncore bench: Python {v['python']}, TensorFlow {v['tensorflow']}, Keras {v['keras']}, "
          f"NumPy {v['numpy']}, {r['cores']} cores")
    t, i, m = r["training"], r["inference"], r["memory"]
    rows = [
        ("training, 784-25-15-10, batch 32, per sample",
         f"{t['samples'] / t['ours_s']:,.0f}/s ({t['ours_s']:.2f} s)",
         f"plain fit {t['samples'] / t['plain_fit_s']:,.0f}/s ({t['plain_fit_s']:.2f} s)",
         f"{t['speedup']:.2f}x"),
        ("  same, without live boundary/plane views",
         f"{t['samples'] / t['ours_no_views_s']:,.0f}/s", "", f"{t['speedup_no_views']:.2f}x"),
        ("one drawn digit, inference", f"{i['predictor_ms']:.2f} ms", f"model.predict {i['model_predict_ms']:.1f} ms",
         f"{i['speedup']:.0f}x"),
        (f"RSS growth over {m['trainings']} trainings", f"{m['growth_mb']:+.1f} MB",
         f"after the first: {m['rss_after_first_mb']:.0f} MB", ""),
        ("RSS idle (TensorFlow loaded)", f"{r['rss_idle_mb']:.0f} MB", "", ""),
    ]
    print(f"{'figure':<46} {'ours':<24} {'baseline':<32} ratio")
    for row in rows:
        print(f"{row[0]:<46} {row[1]:<24} {row[2]:<32} {row[3]}")


def main(as_json: bool = False, epochs: int = 10) -> int:
    report = run(epochs)
    if as_json:
        print(json.dumps(report))
    else:
        print_table(report)
    return 0
