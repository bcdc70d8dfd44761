"""`python -m bench`: the speed and memory report, or one of the other benchmarks.

    python -m bench [--json] [--epochs 10] [--repeats 5] [--no-browser]   # the report
    python -m bench draw [--drawings 15]        # the Draw page in Chromium
    python -m bench boundary                    # live decision boundaries
    python -m bench strokes [MODEL] [--per-digit 30] [--seed 0] [--mnist N]   # accuracy on strokes
    python -m bench race [--epochs 10] [--repeats 3]   # optimizers raced vs one by one
    python -m bench memory [--sessions 20] [--epochs 5]   # memory per extra session
    python -m bench queue [--trainings 6] [--epochs 5]    # the queue's estimate vs the actual wait
    python -m bench warm [--epochs 10] [--rounds 2]       # first training, fresh processes
    python -m bench first-click [--rounds 1] [--json]     # a newcomer's first three Trains in Chromium
    python -m bench finetune [--writers 3] [--json]     # fine-tuning on one writer: their other digits, MNIST
    python -m bench sessions [--sessions 20] [--epochs 5] [--json]   # N Chromium sessions train at once
    python -m bench cluster up|down|restart|measure ...   # PostgreSQL, N replicas, HAProxy (bench/cluster.py)
    python -m bench palette [--classes 10] [--json]    # class colours apart: normal, deutan, protan vs the old
    python -m bench writers [MODEL] [--style strokes|pen8|image|both] [--pendigits PATH [--browser N]] [--ceiling]
                                                # per digit, on writers never seen

Each of the last three is also `python -m bench.draw`, `bench.boundary`, `bench.eval_strokes`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SCRIPTS = {
    "draw": ("bench.draw", "the Draw page: inference and stroke-to-prediction latency in Chromium"),
    "boundary": ("bench.boundary", "live decision boundaries: a frame's cost and size, the slowdown"),
    "strokes": ("bench.eval_strokes", "a digit model's accuracy on drawn strokes"),
    "writers": ("bench.writers", "a digit model's accuracy per digit on writers it never saw (optdigits; "
                "UCI pendigits from a local copy), drawn through the canvas pipeline"),
    "race": ("bench.race", "a race of four optimizers against the four trainings one after another"),
    "memory": ("bench.memory", "server memory per extra session, idle and after one training (20 sessions)"),
    "queue": ("bench.queue", "the training queue's estimated wait against the actual wait"),
    "warm": ("bench.warm", "a first training from a fresh process against a plain model.fit's"),
    "finetune": ("bench.finetune", "fine-tuning on one writer's examples: their other digits and MNIST, before "
                                   "and after"),
    "first-click": ("bench.first_click", "a fresh server's first, second and third Train, click to Done, in Chromium"),
    "palette": ("bench.palette", "the class colours' closest pair, normal and simulated deutan and protan vision, vs the old"),
    "sessions": ("bench.sessions", "N real Chromium sessions press Train at once: waits, failures, memory"),
    "cluster": ("bench.cluster", "PostgreSQL, N replicas and HAProxy on this machine (up, down, restart), "
                "and a class on them with a replica killed and the database restarted (measure)"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["cluster", "measure"]:  # the class bench (bench/classroom.py) on a cluster of bench/cluster.py
        return importlib.import_module("bench.classroom").main(argv[2:]) or 0
    if argv and argv[0] in SCRIPTS:
        module = importlib.import_module(SCRIPTS[argv[0]][0])
        return module.main(argv[1:]) or 0
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="speed and memory, each beside a baseline from the same run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="other benchmarks (each with its own -h):\n" + "\n".join(
            f"  python -m bench {name:<9} {text}" for name, (_, text) in SCRIPTS.items()))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the training measured (default 10)")
    parser.add_argument("--repeats", type=int, default=5, help="trainings per figure; medians are shown (default 5)")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the figures that start the app in Chromium (cold start, page open)")
    args = parser.parse_args(argv)
    from .report import main as report

    return report(as_json=args.json, repeats=args.repeats, epochs=args.epochs, browser=not args.no_browser)


if __name__ == "__main__":
    sys.exit(main())
