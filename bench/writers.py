"""Handwriting the model never saw: writers outside MNIST and outside our stroke templates, drawn
through the Draw page's canvas pipeline, per digit.

    python -m bench writers [MODEL_PATH] [--style strokes|pen8|image|both] [--pendigits PATH] [--ceiling] [--json]

The writers: scikit-learn's `load_digits`, a copy of the test set of UCI's "Optical Recognition of
Handwritten Digits" (1,797 digits by 13 people; NIST forms, not MNIST's writers). It ships inside
scikit-learn, so the check runs offline. No model of this project trains on it.

Each 8x8 bitmap is upscaled, thinned and traced into pen strokes (nncore/inference/trace.py),
and the strokes are drawn on the page's canvas with its brush (preprocess.CANVAS, BRUSH) and preprocessed by
nncore.inference.preprocess.from_strokes, exactly as a mouse drawing is. Two ways of writing:

* strokes: the traced strokes as they are, one mouse gesture each;
* pen8: like UCI's pen-based digits ("pendigits"): the whole trajectory, pen-ups included,
  resampled to 8 points by arc length and drawn as one polyline, a crude, angular digit;
* image: no strokes: the bitmap upscaled to 32x32 through preprocess.from_image, as a photo or
  scan goes (tracing an 8x8 bitmap sometimes loses a loop: a 9 can come out as a bare hook).

(UCI's pendigits themselves ship in no installable Python package found here, so pen8 rebuilds
their form from these writers' strokes.) Prints accuracy overall and per digit, and the confusions.

`--pendigits PATH` adds the real thing from a local copy of UCI's files (bench/pendigits.py): 3,498
digits pen-written on a tablet by 14 writers (pendigits-orig.tes), each replayed stroke by stroke on
the canvas; `--browser N` draws N of them with the mouse on the Draw page in headless Chromium.
The shipped Draw model's habit rates and seed were chosen on pendigits-orig.tra (30 other writers);
neither set nor optdigits is trained on.

`--ceiling` says how much of each digit a style's rendering of the 8x8 bitmaps keeps: an SVM
trained on half of these writers' rendered digits, tested on the other half.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

import numpy as np

STYLES = ("strokes", "pen8", "image")


def trace(image: np.ndarray, up: int = 6) -> list[np.ndarray]:
    """Pen strokes (unit box) traced from one 8x8 bitmap (0..16) by trace.image_strokes, as MNIST's
    digits are, with a small bitmap's settings: upscaled smoothly, stretched, levels up to 0.8 (8x8
    bitmaps fill loops) and loops from half a source pixel."""
    from nncore.inference.trace import image_strokes

    return image_strokes(image / 16.0, upscale=up, order=3, levels=(0.35, 0.5, 0.65, 0.8), min_loop=0.5,
                         stretch=True)


def writer_digits(style: str = "strokes", every: int = 1):
    """(list of strokes in unit-box coordinates, labels) for the 1,797 held-out digits (or every
    `every`-th of them)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    drawings = []
    for image in data.images[::every]:
        strokes = trace(image)
        drawings.append(pen8(strokes) if style == "pen8" else strokes)
    return drawings, data.target[::every].astype(int)


def pen8(strokes: list[np.ndarray], points: int = 8) -> list[np.ndarray]:
    """The strokes joined (pen-ups drawn too) and resampled to `points` points by arc length."""
    from nncore.inference.handwriting import resample_path

    return resample_path(strokes, points)


def inputs(drawings) -> np.ndarray:
    """The 784 inputs of each drawing, through the canvas's own preprocessing."""
    from nncore.inference import preprocess

    return np.array([preprocess.from_unit_strokes(strokes).input[0] for strokes in drawings], dtype=np.float32)


def image_inputs() -> tuple[np.ndarray, np.ndarray]:
    """The bitmaps themselves, upscaled smoothly to 32x32 (their forms' size), through
    preprocess.from_image (crop, fit 20x20, centre of mass): no tracing in between."""
    from scipy import ndimage
    from sklearn.datasets import load_digits

    from nncore.inference import preprocess

    data = load_digits()
    rows = [preprocess.from_image(np.clip(ndimage.zoom(im / 16.0, 4, order=3), 0, 1), threshold=0.2).input[0]
            for im in data.images]
    return np.array(rows, np.float32), data.target.astype(int)


def evaluate(predictor, style: str = "strokes", x: np.ndarray | None = None,
             y: np.ndarray | None = None) -> dict:
    if x is None and style == "image":
        x, y = image_inputs()
    elif x is None:
        drawings, y = writer_digits(style)
        x = inputs(drawings)
    return score(style, y, predictor.probabilities(x).argmax(1))


def score(style: str, y: np.ndarray, predicted: np.ndarray) -> dict:
    """Accuracy overall and per digit, and the most frequent confusions, of answers to digits y."""
    right = predicted == y
    per_digit = {int(d): float(right[y == d].mean()) for d in range(10)}
    confusions = Counter((int(a), int(b)) for a, b in zip(y[~right], predicted[~right]))
    return {"style": style, "n": int(len(y)), "accuracy": float(right.mean()), "per_digit": per_digit,
            "worst_digit": min(per_digit.values()),
            "confusions": [f"{a}->{b}: {n}" for (a, b), n in confusions.most_common(8)]}


def ceiling(style: str, x: np.ndarray, y: np.ndarray) -> float:
    """How much of each digit a style's rendering keeps: an SVM (scikit-learn) trained on the
    rendered digits of one half of these writers' forms and tested on the other half, both ways.
    A model that never saw these writers cannot be expected to do better than this."""
    from sklearn.svm import SVC

    half = len(y) // 2
    right = 0
    for train, test in ((slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))):
        right += int((SVC(C=10).fit(x[train], y[train]).predict(x[test]) == y[test]).sum())
    return right / len(y)


def pen_digits(predictor, path: str, browser: int = 0) -> dict:
    """UCI's pendigits (a local copy) replayed on the canvas: per digit and the weakest writer;
    `browser`: also draw that many of them (spread over the file) on the Draw page in Chromium."""
    from bench import pendigits

    digits = pendigits.load(path)
    x, y, writer = pendigits.inputs(digits)
    predicted = predictor.probabilities(x).argmax(1)
    result = score("pendigits", y, predicted)
    right = predicted == y
    per_writer = {int(w): float(right[writer == w].mean()) for w in np.unique(writer)}
    result.update(writers=len(per_writer), worst_writer=min(per_writer.values()), per_writer=per_writer)
    if browser:
        chosen = np.arange(len(digits))[:: max(1, len(digits) // browser)][:browser]
        read = np.array(pendigits.browser_replay([digits[i] for i in chosen]))
        result["browser"] = {"n": len(chosen), "accuracy": float((read == y[chosen]).mean()),
                             "agree_with_headless": float((read == predicted[chosen]).mean())}
    return result


def main(argv: list[str] | None = None) -> None:
    from nncore.inference.predictor import ASSETS, load_predictor

    ap = argparse.ArgumentParser(prog="python -m bench writers", description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", default=str(ASSETS / "digits-logits"))
    ap.add_argument("--style", choices=STYLES + ("both",), default="both")
    ap.add_argument("--pendigits", metavar="PATH",
                    help="also replay UCI's pendigits-orig.tes (or .tra), a local copy, on the canvas")
    ap.add_argument("--browser", type=int, default=0, metavar="N",
                    help="with --pendigits: also draw N of them (spread over writers and digits) with the "
                         "mouse on the Draw page in headless Chromium and read the page's answers")
    ap.add_argument("--ceiling", action="store_true",
                    help="also print what an SVM trained on half of these writers reads of the other half")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    predictor = load_predictor(args.model)
    results = []
    for style in STYLES if args.style == "both" else (args.style,):
        if style == "image":
            x, y = image_inputs()
        else:
            drawings, y = writer_digits(style)
            x = inputs(drawings)
        result = evaluate(predictor, style, x, y)
        if args.ceiling:
            result["ceiling"] = ceiling(style, x, y)
        results.append(result)
    if args.pendigits:
        results.append(pen_digits(predictor, args.pendigits, args.browser))
    if args.json:
        print(json.dumps({"model": args.model, "results": results}))
        return
    print(f"{args.model}: writers never seen, drawn through the canvas pipeline: 1,797 digits by 13 writers "
          "(UCI optdigits' test set, scikit-learn's load_digits)"
          + (f" and {results[-1]['n']:,} pen-written digits by {results[-1]['writers']} writers "
             f"({args.pendigits})" if args.pendigits else ""))
    print(f"{'style':<10} {'all':>6}  " + " ".join(f"{d:>5}" for d in range(10))
          + ("  ceiling" if args.ceiling else ""))
    for r in results:
        print(f"{r['style']:<10} {r['accuracy']:>6.1%}  "
              + " ".join(f"{r['per_digit'][d]:>5.0%}" for d in range(10))
              + (f"  {r['ceiling']:>7.1%}" if "ceiling" in r else ""))
    for r in results:
        print(f"  {r['style']}: most frequent mistakes (true->read): {', '.join(r['confusions'])}")
        if "worst_writer" in r:
            print(f"  {r['style']}: weakest of {r['writers']} writers {r['worst_writer']:.1%}")
        if "browser" in r:
            b = r["browser"]
            print(f"  {r['style']}: {b['n']} drawn with the mouse on the Draw page in Chromium: {b['accuracy']:.1%} "
                  f"read right; the page's answer equals the headless replay's for {b['agree_with_headless']:.1%}")
    if args.ceiling:
        print("  ceiling: an SVM trained on the rendered digits of half of these writers' forms, tested on "
              "the other half (both ways): how much of each digit the 8x8 bitmaps and their rendering keep")


if __name__ == "__main__":
    main()
