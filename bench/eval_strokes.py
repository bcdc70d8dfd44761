"""Accuracy of a digit model on our stroke test set, through the Draw page's preprocessing.

    python -m bench strokes [MODEL_PATH] [--per-digit N] [--seed S] [--mnist N]

The strokes are drawn on the page's canvas with its brush (preprocess.CANVAS, BRUSH; as the page would
receive them), preprocessed with nncore.inference.preprocess.from_strokes, and classified. Prints
accuracy overall, per digit, per size class and per style, and the worst mistakes; then on the
writers' habits the templates lack (tests/strokes.HABITS: a 9's long curved tail, a 7's crossbar
with a hooked top, a continental 1's long flag).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from nncore.inference import preprocess
from tests.strokes import habit_digits, stroke_digits, to_canvas



def inputs_for(digits) -> np.ndarray:
    rows = []
    for d in digits:
        steps = preprocess.from_strokes(to_canvas(d, preprocess.CANVAS, preprocess.CANVAS))
        rows.append(steps.input[0])
    return np.array(rows)


def evaluate(predictor, digits) -> dict:
    x = inputs_for(digits)
    predicted = predictor.probabilities(x).argmax(1)
    labels = np.array([d.label for d in digits])
    right = predicted == labels
    by = defaultdict(list)
    for d, ok in zip(digits, right):
        template, _, size = d.style.partition("/")
        by[f"digit {d.label}"].append(ok)
        by[f"size {size}"].append(ok)
        by[f"style {template}"].append(ok)
    return {"accuracy": float(right.mean()), "n": len(digits),
            "groups": {k: float(np.mean(v)) for k, v in sorted(by.items())},
            "mistakes": [(d.style, int(p)) for d, p, ok in zip(digits, predicted, right) if not ok]}


def main(argv: list[str] | None = None) -> None:
    from nncore.inference.predictor import ASSETS, load_predictor

    ap = argparse.ArgumentParser(prog="python -m bench strokes", description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", default=str(ASSETS / "digits-logits"))
    ap.add_argument("--per-digit", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mnist", type=int, default=0, help="also N traced real validation digits")
    args = ap.parse_args(argv)
    predictor = load_predictor(args.model)
    if args.mnist:
        traced = evaluate(predictor, mnist_stroke_digits(args.mnist, args.seed, predictor.spec))
        print(f"accuracy {traced['accuracy']:.3f} on {traced['n']} traced validation digits; "
              f"mistakes: {traced['mistakes'][:30]}")
    result = evaluate(predictor, stroke_digits(args.per_digit, args.seed))
    print(f"accuracy {result['accuracy']:.3f} on {result['n']} stroke digits")
    for k, v in result["groups"].items():
        if v < 1:
            print(f"  {k:<24} {v:.2f}")
    print("mistakes (style -> predicted):", result["mistakes"])
    habits = evaluate(predictor, habit_digits(args.per_digit, args.seed))
    print(f"accuracy {habits['accuracy']:.3f} on {habits['n']} digits in writers' habits the templates lack "
          "(tests/strokes.HABITS): " + ", ".join(f"{k.removeprefix('style ')} {v:.2f}"
                                                  for k, v in habits["groups"].items() if k.startswith("style")))


def mnist_stroke_digits(n: int = 300, seed: int = 0, spec=None):
    """Real validation digits of `spec`'s split (never trained on), traced into strokes."""
    from nncore import ExperimentSpec
    from nncore.data import load_dataset
    from tests.strokes import mnist_strokes

    data = load_dataset(spec or ExperimentSpec())
    idx = np.random.default_rng(seed).choice(len(data.x_val), n, replace=False)
    return mnist_strokes(data.x_val[idx].reshape(-1, 28, 28), data.y_val[idx], seed=seed)


if __name__ == "__main__":
    main()
