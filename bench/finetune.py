"""Fine-tuning on one writer's handwriting: does the network read that writer's *other* digits better,
and how much MNIST does it forget?

    python -m bench finetune [--writers 3] [--per-digit 5] [--others 20] [--epochs 5] [--json]
    python -m bench finetune --write-examples mine.json [--writer-seed 0]   # an examples file for the CLI

Each writer is generated (tests/strokes.py's templates, never a handwriting set): one way of writing
each digit, kept for all of their digits, with the habits the default CNN misreads most: a
continental 1 (a long flag on a short stem, read as 7) and a slashed zero (read as 8), a 7 with a
crossbar, and a slant of their own. `--per-digit` of each digit are the examples the learner gives
(python -m nncore finetune holds some back itself); `--others` of each digit, written the same way
but never given, are scored: by the default CNN (the baseline, in the same run) and by the
fine-tuned network. MNIST: the validation digits of the default CNN's split, before and after.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

HABIT_STYLES = {0: "0-slashed", 1: "1-flag-short-stem"}  # tests/strokes.HABITS
FIXED_STYLES = {7: "7-crossbar"}


def writer(seed: int, per_digit: int, start: int = 0):
    """`per_digit` examples of each digit by one generated writer (nncore.inference.finetune.Example,
    in canvas pixels); `start` skips that many samples of each digit (another batch by the same
    writer: the same styles and slant, new variations)."""
    from nncore.inference.finetune import Example
    from nncore.inference.preprocess import CANVAS
    from tests.strokes import HABITS, TEMPLATES, _place, _to_digit, _vary, to_canvas

    style_rng = np.random.default_rng([seed, 0])  # the writer: styles and slant
    styles = {d: HABITS[d][HABIT_STYLES[d]] if d in HABIT_STYLES else
              TEMPLATES[d][FIXED_STYLES[d]] if d in FIXED_STYLES else
              TEMPLATES[d][style_rng.choice(list(TEMPLATES[d]))] for d in range(10)}
    slant = style_rng.uniform(-0.2, 0.25)
    out = []
    for d in range(10):
        rng = np.random.default_rng([seed, 1, d])
        for k in range(start + per_digit):
            strokes = _vary(styles[d](), rng)
            strokes = [s + np.stack([-slant * s[:, 1], np.zeros(len(s))], axis=1) for s in strokes]
            placed = _place(strokes, "normal", rng)
            if k >= start:
                digit = _to_digit(d, placed, "writer", spacing=None)
                out.append(Example(d, tuple(tuple(p) for p in to_canvas(digit, CANVAS, CANVAS))))
    return out


def measure(seed: int, per_digit: int, others: int, epochs: int, start) -> dict:
    from nncore.inference.finetune import FineTune, accuracy

    given = writer(seed, per_digit)
    unseen = writer(seed, others, start=per_digit)
    x = np.array([e.inputs() for e in unseen], np.float32)
    y = np.array([e.label for e in unseen])
    began = time.perf_counter()
    plan = FineTune.plan(given, start, epochs=epochs)
    job = plan.job(queued=False, views=False)
    job.run()
    report = plan.report(job)
    default, tuned = start.answer(x).argmax(1), job.outputs(x).argmax(1)
    per_digit_before = {d: float((default[y == d] == d).mean()) for d in range(10)}
    per_digit_after = {d: float((tuned[y == d] == d).mean()) for d in range(10)}
    return {"writer": seed, "given": len(given), "scored": len(unseen),
            "others_before": accuracy(start.answer(x), y), "others_after": accuracy(job.outputs(x), y),
            "ones_before": per_digit_before[1], "ones_after": per_digit_after[1],
            "sevens_before": per_digit_before[7], "sevens_after": per_digit_after[7],
            "zeros_before": per_digit_before[0], "zeros_after": per_digit_after[0],
            "mnist_before": report["mnist_before"], "mnist_after": report["mnist_after"],
            "held_back_before": report["before"], "held_back_after": report["after"],
            "seconds": round(time.perf_counter() - began, 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench finetune", description=__doc__.split("\n")[0])
    ap.add_argument("--writers", type=int, default=3)
    ap.add_argument("--per-digit", type=int, default=5, help="examples of each digit the writer gives")
    ap.add_argument("--others", type=int, default=20, help="other digits of each, scored")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--write-examples", metavar="FILE.json", help="only write one writer's examples there")
    ap.add_argument("--writer-seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.write_examples:
        from nncore.inference.finetune import dumps_examples

        examples = writer(args.writer_seed, args.per_digit)
        with open(args.write_examples, "w") as f:
            f.write(dumps_examples(examples))
        print(f"{len(examples)} examples by writer {args.writer_seed} written to {args.write_examples}")
        return
    from nncore.inference.finetune import default_start

    start = default_start()
    rows = [measure(seed, args.per_digit, args.others, args.epochs, start) for seed in range(args.writers)]
    if args.json:
        print(json.dumps({"rows": rows}))
        return
    print(f"Fine-tuning on {args.per_digit} examples of each digit by one generated writer (continental 1s, "
          f"slashed zeros, crossed 7s), {args.epochs} epochs; scored on {args.others} other digits of each by "
          "the same writer. Baseline: the default CNN, in the same run.")
    print(f"{'writer':>6} {'others: default':>16} {'fine-tuned':>11} {'1s':>13} {'0s':>13} "
          f"{'MNIST val':>17} {'seconds':>8}")
    for r in rows:
        print(f"{r['writer']:>6} {r['others_before']:>16.1%} {r['others_after']:>11.1%} "
              f"{r['ones_before']:>5.0%} -> {r['ones_after']:<4.0%} {r['zeros_before']:>5.0%} -> {r['zeros_after']:<4.0%}"
              f" {r['mnist_before']:>7.2%} -> {r['mnist_after']:<7.2%} {r['seconds']:>8}")
    gain = np.mean([r["others_after"] - r["others_before"] for r in rows])
    drop = max(r["mnist_before"] - r["mnist_after"] for r in rows)
    print(f"mean gain on the writers' other digits {gain * 100:+.1f} points; largest MNIST drop {drop * 100:.2f} points")


if __name__ == "__main__":
    main()
