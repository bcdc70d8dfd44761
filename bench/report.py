"""`python -m bench`: the playground's speed and memory, each beside a baseline.

Every figure is measured in this run against a baseline measured in the same run, and
printed with their ratio; nothing is asserted (timing never decides a test). The trainer
measured is the app's own `TrainingJob`, the drawing path the Draw page's own
`from_strokes` + `Predictor`, and the app is started with `streamlit run` and watched in
Chromium (skipped, with the reason, when there is no Chromium).

Timings on a shared 2-core machine wander by 10-30 % from one run to the next, so each
training figure is the median of several runs, ours and the baseline's taking turns.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from typing import Any

import numpy as np

from .common import growth, rss_mb, train_here

EPOCHS = 10


def _median(xs: list[float]) -> float:
    return float(statistics.median(xs))


# ---- training ---------------------------------------------------------------------------

def numpy_epoch(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], state: dict, rng=None,
                batch_size: int = 32, learning_rate: float = 1e-3, order: np.ndarray | None = None) -> None:
    """One epoch of the same math by hand: ReLU layers, softmax cross-entropy on logits, Adam
    (Keras' formulas). `weights` (kernels and biases) and `state` change in place."""
    b1, b2, eps = 0.9, 0.999, 1e-7
    perm = rng.permutation(len(x)) if order is None else order
    n_layers = len(weights) // 2
    for start in range(0, len(x), batch_size):
        idx = perm[start:start + batch_size]
        a, zs, acts = x[idx], [], []
        for i in range(n_layers):
            acts.append(a)
            z = a @ weights[2 * i] + weights[2 * i + 1]
            zs.append(z)
            a = np.maximum(z, 0) if i < n_layers - 1 else z
        e = np.exp(a - a.max(axis=1, keepdims=True))
        g = e / e.sum(axis=1, keepdims=True)
        g[np.arange(len(idx)), y[idx]] -= 1
        g /= len(idx)
        grads: list[np.ndarray] = [None] * len(weights)  # type: ignore[list-item]
        for i in reversed(range(n_layers)):
            grads[2 * i], grads[2 * i + 1] = acts[i].T @ g, g.sum(axis=0)
            if i:
                g = (g @ weights[2 * i].T) * (zs[i - 1] > 0)
        state["t"] += 1
        alpha = learning_rate * np.sqrt(1 - b2 ** state["t"]) / (1 - b1 ** state["t"])
        for w, grad, m, v in zip(weights, grads, state["m"], state["v"]):
            m += (1 - b1) * (grad - m)
            v += (1 - b2) * (grad * grad - v)
            w -= alpha * m / (np.sqrt(v) + eps)


def training(repeats: int = 5, epochs: int = EPOCHS) -> dict[str, Any]:
    """The course network 784-25-15-10 on the 4,000 training digits, batch 32, Adam 0.001.

    first: the first training of this network in the process (ours builds and traces it;
    plain fit on a new model traces too). warm: median of `repeats` trainings, taking turns:
    plain `model.fit(x, y, batch_size=32)` on an already-fitted model, the app's TrainingJob
    with its live views (validation each epoch, loss log, the digits' PCA plane) and without,
    and the same math by hand in NumPy."""
    from nncore import ExperimentSpec
    from nncore.data import load_dataset
    from nncore.model import build_model

    spec = ExperimentSpec(epochs=epochs)
    data = load_dataset(spec)
    x, y = data.x_train, data.y_train
    samples = len(x) * epochs

    def ours(views: bool) -> float:
        return train_here(spec, data, views).seconds

    first_ours = ours(True)
    model = build_model(spec)
    t = time.perf_counter()
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    first_plain = time.perf_counter() - t

    weights = [np.array(w, np.float32) for w in build_model(spec, compile=False).get_weights()]
    state = {"t": 0, "m": [np.zeros_like(w) for w in weights], "v": [np.zeros_like(w) for w in weights]}
    rng = np.random.default_rng(0)
    times: dict[str, list[float]] = {"plain": [], "ours": [], "ours_no_views": [], "numpy": []}
    for _ in range(repeats):
        t = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
        times["plain"].append(time.perf_counter() - t)
        times["ours"].append(ours(True))
        times["ours_no_views"].append(ours(False))
        t = time.perf_counter()
        for _ in range(epochs):
            numpy_epoch(x, y, weights, state, rng)
        times["numpy"].append(time.perf_counter() - t)
    med = {k: _median(v) for k, v in times.items()}
    return {"samples": samples, "epochs": epochs, "repeats": repeats,
            "first_plain_s": first_plain, "first_ours_s": first_ours, "first_speedup": first_plain / first_ours,
            "plain_s": med["plain"], "ours_s": med["ours"], "ours_no_views_s": med["ours_no_views"],
            "numpy_s": med["numpy"], "runs": times,
            "speedup": med["plain"] / med["ours"], "speedup_no_views": med["plain"] / med["ours_no_views"],
            "numpy_speedup": med["plain"] / med["numpy"], "ours_vs_numpy": med["numpy"] / med["ours"]}


# ---- one drawn digit --------------------------------------------------------------------

def _seven() -> list[list[tuple[float, float]]]:
    """A '7' as the canvas sends it: one stroke of points along the top bar and down."""
    top = [(60 + 4 * i, 50 + 0.2 * i) for i in range(40)]
    down = [(220 - 2.2 * i, 58 + 5 * i) for i in range(40)]
    return [top + down]


def drawing(calls: int = 200) -> dict[str, Any]:
    """Canvas strokes to probabilities, the Draw page's way (preprocess + Predictor) against
    the same preprocessing + `model.predict`."""
    from nncore.inference.predictor import ASSETS, DEFAULT_MODELS, load_predictor
    from nncore.inference.preprocess import from_strokes

    p = load_predictor(ASSETS / DEFAULT_MODELS["logits"])
    strokes = _seven()
    ours, prep, theirs = [], [], []
    answer = None
    for _ in range(calls):
        t = time.perf_counter()
        steps = from_strokes(strokes)
        t1 = time.perf_counter()
        answer = p.probabilities(steps.input)
        ours.append(time.perf_counter() - t)
        prep.append(t1 - t)
    for _ in range(15):
        t = time.perf_counter()
        p.model.predict(from_strokes(strokes).input, verbose=0)
        theirs.append(time.perf_counter() - t)
    a, b = _median(ours), _median(theirs)
    return {"ours_ms": a * 1000, "preprocess_ms": _median(prep) * 1000, "predict_ms": b * 1000,
            "speedup": b / a, "p90_ms": float(np.percentile(ours, 90)) * 1000,
            "answer": int(np.argmax(answer))}


# ---- memory -----------------------------------------------------------------------------

def memory(trainings: int = 20, fresh: int = 5) -> dict[str, Any]:
    """RSS growth over `trainings` trainings through the pool (as the app trains), against
    `fresh` trainings that each build and fit a new Keras model; and RSS while training."""
    from nncore import ExperimentSpec
    from nncore.data import load_dataset
    from nncore.model import build_model
    from nncore.training.job import TrainingJob

    spec = ExperimentSpec(epochs=1)
    data = load_dataset(spec)
    before, after = growth(lambda: train_here(spec, data), trainings)  # the first one traces

    peak = 0.0
    job = TrainingJob(spec.replace(epochs=5), data=data).start()
    while not job.join(0.05):
        peak = max(peak, rss_mb())
    job.release()

    def fresh_training() -> None:
        model = build_model(spec)
        model.fit(data.x_train, data.y_train, batch_size=32, epochs=1, verbose=0)

    fresh_before, fresh_after = growth(fresh_training, fresh)
    per_fresh = (fresh_after - fresh_before) / fresh
    return {"trainings": trainings, "rss_before_mb": before, "rss_after_mb": after,
            "growth_mb": after - before, "rss_training_mb": peak,
            "fresh": fresh, "fresh_growth_per_training_mb": per_fresh,
            "fresh_growth_projected_mb": per_fresh * trainings}


def memory_new_process(trainings: int = 20, rounds: int = 2) -> list[float]:
    """RSS growth over `rounds` runs of `trainings` trainings each, in a new Python process
    whose only work is this: the first round includes the runtime's own warm-up (allocator
    arenas, TensorFlow's caches), the rounds after show the steady state."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import json; from nncore import ExperimentSpec, import_keras; import_keras(); "
            "from bench.common import growth, train_here; from nncore.data import load_dataset; "
            "spec = ExperimentSpec(epochs=1); data = load_dataset(spec); "
            f"print(json.dumps([b - a for a, b in (growth(lambda: train_here(spec, data), {trainings}) "
            f"for _ in range({rounds}))]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the whole report ---------------------------------------------------------------------

def run(repeats: int = 5, epochs: int = EPOCHS, browser: bool = True) -> dict[str, Any]:
    from nncore import import_keras
    from nncore.data import load_dataset
    from nncore.spec import ExperimentSpec

    t0 = time.perf_counter()
    keras = import_keras()
    import tensorflow as tf

    load_dataset(ExperimentSpec())
    report: dict[str, Any] = {
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__},
        "cores": os.cpu_count(),
        "import_s": time.perf_counter() - t0,
        "rss_idle_mb": rss_mb(),
    }
    report["training"] = training(repeats, epochs)
    report["drawing"] = drawing()
    report["memory"] = memory()
    report["memory"]["new_process_growth_mb"] = memory_new_process()
    from .warm import measure as fresh_first_training

    report["warm"] = fresh_first_training(epochs=epochs, rounds=2)
    if browser:
        from .app import app_figures

        report["app"] = app_figures()
    report["seconds"] = time.perf_counter() - t0
    return report


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    t, d, m = r["training"], r["drawing"], r["memory"]
    n = t["samples"]

    def rate(seconds: float) -> str:
        return f"{n / seconds:,.0f}/s ({seconds:.2f} s)"

    out = [
        (f"training 784-25-15-10, {t['epochs']} epochs, per sample (median of {t['repeats']})",
         rate(t["ours_s"]), f"plain fit {rate(t['plain_s'])}", f"{t['speedup']:.1f}x"),
        ("  same, live views off", rate(t["ours_no_views_s"]), "plain fit", f"{t['speedup_no_views']:.1f}x"),
        ("  same math by hand in NumPy (stretch goal)", rate(t["numpy_s"]), "plain fit",
         f"{t['numpy_speedup']:.1f}x"),
        ("  first training of the network (traces it)", rate(t["first_ours_s"]),
         f"plain fit {rate(t['first_plain_s'])}", f"{t['first_speedup']:.1f}x"),
        *([("  same, each from a fresh process (python -m bench warm)", rate(r["warm"]["first_ours_s"]),
            f"plain fit {rate(r['warm']['first_plain_s'])}", f"{r['warm']['first_speedup']:.1f}x")]
          if "warm" in r else []),
        ("one drawn digit: strokes -> probabilities", f"{d['ours_ms']:.2f} ms (p90 {d['p90_ms']:.2f})",
         f"with model.predict {d['predict_ms']:.1f} ms", f"{d['speedup']:.0f}x"),
        ("  of which preprocessing", f"{d['preprocess_ms']:.2f} ms", "", ""),
        (f"RSS growth over {m['trainings']} trainings, after this run's others", f"{m['growth_mb']:+.1f} MB",
         f"new model each: {m['fresh_growth_projected_mb']:+.0f} MB", ""),
        *[(f"  same, in a new process: trainings {21 * k + 2}-{21 * k + 21}", f"{g:+.1f} MB", "", "")
          for k, g in enumerate(m.get("new_process_growth_mb", []))],
        ("RSS idle: TensorFlow and the data loaded, nothing trained", f"{r['rss_idle_mb']:.0f} MB", "", ""),
        (f"RSS after {m['trainings'] + 1} trainings / while one more trains", f"{m['rss_after_mb']:.0f} MB",
         f"while training {m['rss_training_mb']:.0f} MB", ""),
    ]
    a = r.get("app")
    if a is not None and a.get("skipped"):
        out.append(("app in Chromium", "skipped", a["skipped"], ""))
    elif a is not None:
        out += [
            (f"cold start: streamlit run -> first paint (median of {a['rounds']})", f"{a['app_paint_s']:.1f} s",
             f"one-line app {a['hello_paint_s']:.1f} s", f"{a['cold_start_ratio']:.2f}x"),
            ("fresh server: first Train, click to Done (one round)",
             f"{a['first_click_s']:.1f} s", f"third Train {a['third_click_s']:.1f} s", f"{a['first_click_ratio']:.2f}x"),
            (f"practice lab ({a['short_epochs']} epochs) trained from the open Train page", f"{a['page_s']:.1f} s",
             f"headless {a['headless_s']:.1f} s", f"{a['page_ratio']:.2f}x"),
            (f"  same, {a['long_epochs']} epochs (the live charts redraw many times)", f"{a['long_page_s']:.1f} s",
             f"headless {a['long_headless_s']:.1f} s", f"{a['long_page_ratio']:.2f}x"),
        ]
        if "server_idle_mb" in a:
            out.append(("the app server's RSS: page open and idle / while training", f"{a['server_idle_mb']:.0f} MB",
                        f"while training {a['server_training_mb']:.0f} MB", ""))
        if "split_ratio" in a:
            out.append(("  same, server on core 0 and Chromium on core 1", f"{a['split_page_s']:.1f} s",
                        f"headless on core 0 {a['split_headless_s']:.1f} s", f"{a['split_ratio']:.2f}x"))
    return out


def print_table(r: dict[str, Any]) -> None:
    v = r["versions"]
    print(f"nncore bench: Python {v['python']}, TensorFlow {v['tensorflow']}, Keras {v['keras']}, "
          f"NumPy {v['numpy']}, {r['cores']} cores, {r['seconds']:.0f} s")
    print(f"{'figure':<58} {'ours':<26} {'baseline':<36} ratio")
    for row in rows(r):
        print(f"{row[0]:<58} {row[1]:<26} {row[2]:<36} {row[3]}")


def main(as_json: bool = False, repeats: int = 5, epochs: int = EPOCHS, browser: bool = True) -> int:
    report = run(repeats, epochs, browser)
    if as_json:
        print(json.dumps(report))
    else:
        print_table(report)
    return 0


__all__ = ["main", "run", "training", "drawing", "memory", "numpy_epoch"]
