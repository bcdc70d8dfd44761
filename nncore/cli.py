"""`python -m nncore`: the backend without a browser.

    python -m nncore train --preset practice-lab --json
    python -m nncore train --config my.json --set learning_rate=0.01 --set hidden=32:relu
    python -m nncore code --preset practice-lab        # the Keras code of a spec
    python -m nncore presets                           # what presets there are
    python -m nncore assets                            # retrain the Draw page's default models
    python -m nncore graph lab --set w=3 --json        # a computation graph: values and dJ/dnode
    python -m nncore derivative 'w**2' --at 3 --json   # (J(w+e) - J(w)) / e beside sympy's exact
    python -m nncore race --preset practice-lab --optimizers gd,adam --epochs 5 --json
    python -m nncore layers --json                      # dense vs conv at 500, 1,000, 4,000 digits
    python -m nncore unroll --preset practice-lab --steps 20 --json   # fit vs a tf.GradientTape loop
    python -m nncore step --preset multiclass-lab --count 3 --json   # Step, three times
    python -m nncore finetune --examples mine.json --epochs 5 --save mine.keras --json   # your handwriting
    python -m nncore class create --name "Week 3" --preset practice-lab --target "val_accuracy>=0.95" --json
    python -m nncore class report --teacher SECRET --json   # or --csv: every run of the class

The benchmarks are not part of nncore: `python -m bench` (the repository's bench/).

`class` reads and writes the run store the server uses (NNCORE_RUNS_DB, or NNCORE_DATABASE_URL
for PostgreSQL). `class create` prints the join code and two page addresses: the join link for
the learners and the teacher link (its secret is shown this once; the store keeps its hash).

A bad spec, name or target, or a wrong teacher secret, exits with status 2 and one line on
stderr; a run store that cannot be used, with status 3.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .registry import PRESETS
from .cli_draw import add_draw_commands
from .spec import ExperimentSpec, SpecError


def _spec_from_args(args: argparse.Namespace) -> ExperimentSpec:
    spec = ExperimentSpec.from_preset(args.preset) if args.preset else ExperimentSpec()
    if args.config:
        try:
            text = Path(args.config).read_text()
        except OSError as e:
            raise SpecError("config", f"cannot read {args.config}: {e.strerror}") from None
        spec = ExperimentSpec.from_json(text, base=spec)
    return spec.with_settings(args.set or []).validate()


def _add_spec_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", help=f"start from a preset: {PRESETS.allowed()}")
    p.add_argument("--config", metavar="FILE.json", help="a JSON file of spec fields")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="change one field, e.g. learning_rate=0.01 or hidden=25:relu,15:relu")


def cmd_train(args: argparse.Namespace) -> int:
    from .model import count_params
    from .training.job import DONE, TrainingJob

    spec = _spec_from_args(args)
    job = TrainingJob(spec)
    data = job.data  # loaded before the clock starts
    if not args.json:
        print(f"Training {spec.hidden_text or 'no hidden layers'} -> {spec.output} on "
              f"{len(data.x_train)} digits for {spec.epochs} epochs...", file=sys.stderr)
    s = job.run()
    result = {
        "status": s.status,
        "message": s.message,
        "train_loss": s.last("loss"),
        "train_accuracy": s.last("accuracy"),
        "val_loss": s.last("val_loss"),
        "val_accuracy": s.last("val_accuracy"),
        "epochs": s.epoch,
        "seconds": round(job.seconds, 3),
        "train_samples": len(data.x_train),
        "val_samples": len(data.x_val),
        "params": count_params(spec, data.shape),
        "spec": spec.to_dict(),
    }
    if args.save and s.status == DONE:
        from .inference.predictor import save_model

        save_model(job.keras_model(), spec, args.save, metrics=result)
        result["saved"] = args.save
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("status", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                    "epochs", "seconds", "params"):
            print(f"{key:>15}: {result[key]}")
        print(s.message)
    return 0 if s.status == DONE else 1


def cmd_code(args: argparse.Namespace) -> int:
    from .export import keras_code

    print(keras_code(_spec_from_args(args)), end="")
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from .lessons.backprop import GraphError, run, tf_gradients

    try:
        result = run(args.name, args.set or [])
    except GraphError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = result.to_json(tf_gradients(args.name, args.set or []))
    if not args.json:
        for i, step in enumerate(result.steps, 1):
            print(f"{i:>3}. {step.text}")
    print(json.dumps(out) if args.json else f"J = {out['J']:g}; tf.GradientTape: {out['tf_grads']}")
    return 0


def cmd_derivative(args: argparse.Namespace) -> int:
    from .lessons.derivatives import ExprError, derivative

    try:
        d = derivative(args.expression, args.at, args.epsilon)
    except ExprError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not args.json:
        print(f"J(w) = {d.expression}, dJ/dw = {d.derivative}\nJ({d.w:g}) = {d.J:.12g}, "
              f"J({d.w:g} + {d.epsilon:g}) = {d.J_nudged:.12g}\n(J(w + e) - J(w)) / e = {d.numeric:.12g}, "
              f"exact {d.exact:.12g}")
    else:
        print(json.dumps(d.to_json()))
    return 0


def cmd_race(args: argparse.Namespace) -> int:
    from .lessons.optimizers import parse_entrants, race_report, run_race

    spec = _spec_from_args(args).replace(epochs=args.epochs)  # checks the epochs too
    _, runs, _ = run_race(spec.validate(), parse_entrants(args.optimizers, args.learning_rates))
    print(race_report(runs, args.json))
    return 0


def cmd_unroll(args: argparse.Namespace) -> int:
    from .lessons.fit import check_alpha, check_steps, unroll

    spec, steps, alpha = _spec_from_args(args), check_steps(args.steps), check_alpha(args.learning_rate)
    if not args.json:
        print(f"fit and a tf.GradientTape loop, {steps} steps of SGD(learning_rate={alpha:g}) on the whole "
              "training set each, from the same initial weights...", file=sys.stderr)
    result = unroll(spec, steps, alpha)
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(f"largest weight difference: {result.max_abs_difference:.3g}\n"
              f"cost after fit: {result.fit_loss:.6f}, after the loop: {result.tape_loss:.6f} "
              f"(before: {result.initial_loss:.6f})\n"
              f"one epoch at batch size {result.batch_size}: {result.iterations_per_epoch} steps = "
              f"ceil({result.examples} / {result.batch_size})")
    return 0


def cmd_step(args: argparse.Namespace) -> int:
    from .training.step import MODES, StepJob, StepStart

    spec = _spec_from_args(args)
    if args.mode not in MODES:
        raise SpecError("mode", f"must be one of {', '.join(MODES)}, got {args.mode!r}")
    count = int(args.count)
    if not 1 <= count <= 1000:
        raise SpecError("count", f"must be from 1 to 1000, got {count}")
    job, steps = None, []
    for _ in range(count):
        job = StepJob(spec, StepStart.after(job, spec) if job is not None else None, args.mode, data=job and job.data)
        s = job.run()
        if s.result is None:
            print(f"error: {s.message}", file=sys.stderr)
            return 1
        r = s.result
        steps.append({"step": r.steps_taken, "where": r.where(), "loss_before": r.batch_loss_before,
                      "loss_after": r.batch_loss_after, "train_loss_before": r.train_loss_before,
                      "train_loss_after": r.train_loss_after,
                      "layers": {c.name: {"gradient": c.gradient_size, "change": c.change_size} for c in r.layers}})
        if not args.json:
            print(s.message)
    if args.json:
        print(json.dumps({"steps": steps}))
    return 0


def cmd_layers(args: argparse.Namespace) -> int:
    from .lessons.layers_experiment import check_epochs, parse_sizes, report, run_experiment

    sizes, epochs = parse_sizes(args.sizes), check_epochs(args.epochs)  # bad values: exit 2 before training
    if not args.json:
        print(f"Dense vs convolutional at {', '.join(f'{n:,}' for n in sizes)} training digits, "
              f"{epochs} epochs each, one after another...", file=sys.stderr)
    experiment, seconds = run_experiment(sizes, epochs, args.seed)
    print(report(experiment, seconds, args.json))
    return 0 if all(r.status == "done" for r in experiment.rows()) else 1


def _class_store():
    from .runs import StoreError
    from .stores import open_store

    store = open_store()
    if store.problem:
        raise StoreError(store.problem)
    return store


def cmd_class_create(args: argparse.Namespace) -> int:
    from urllib.parse import quote

    from .people import create_class

    spec = _spec_from_args(args)
    try:
        klass, secret = create_class(_class_store(), args.name, spec, args.target)
    except ValueError as e:  # the name or the target (NameRefused, TargetError), said in words
        print(f"error: {e}", file=sys.stderr)
        return 2
    base = args.url.rstrip("/")
    out = {"code": klass.code, "join": f"{base}/class?join={quote(klass.code)}",
           "teacher": f"{base}/class?teacher={quote(secret)}"}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"Class {klass.name!r}: {klass.target.describe()}\n"
              f"  join code:    {out['code']}\n  join link:    {out['join']}   (for the learners)\n"
              f"  teacher link: {out['teacher']}   (yours only: it is shown this once)")
    return 0


def cmd_class_report(args: argparse.Namespace) -> int:
    from .people import WRONG_TEACHER, class_for_teacher, class_report, report_csv

    store = _class_store()
    teacher = class_for_teacher(store, args.teacher)
    if teacher is None:
        print(f"error: {WRONG_TEACHER}", file=sys.stderr)
        return 2
    report = class_report(store, teacher)
    if args.csv:
        print(report_csv(report), end="")
    elif args.json:
        print(json.dumps(report.to_json()))
    else:
        print(f"{report.klass.name} ({'closed' if report.klass.closed else 'open'}): {report.klass.target.describe()}")
        for row in report.learners:
            best = "-" if row.best is None else f"{row.best:.4g}"
            print(f"  {row.name:<40} {row.runs:>4} runs  best {best}{'  met' if row.met else ''}")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    for name, choice in PRESETS.items():
        print(f"{name:<24} {choice.help}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nncore", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train a spec and print its metrics")
    _add_spec_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.add_argument("--save", metavar="FILE.keras", help="save the trained model (with its spec) there")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("code", help="print the Keras code of a spec")
    _add_spec_args(p)
    p.set_defaults(func=cmd_code)
    add_draw_commands(sub)
    p = sub.add_parser("presets", help="list the presets")
    p.set_defaults(func=cmd_presets)
    p = sub.add_parser("graph", help="a computation graph's forward and backward pass (lab, lecture-network)")
    p.add_argument("name", help="lab or lecture-network")
    p.add_argument("--set", action="append", metavar="VAR=VALUE", help="an input or parameter, e.g. w=3")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.set_defaults(func=cmd_graph)
    p = sub.add_parser("derivative", help="J(w)'s derivative at a point: nudged by epsilon and exact")
    p.add_argument("expression", help="a formula in w, e.g. 'w**2' or '1/w' (write a leading minus as '(-w)')")
    p.add_argument("--at", required=True, metavar="W", help="the point w")
    p.add_argument("--epsilon", default="0.001", metavar="E", help="the nudge (default 0.001)")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.set_defaults(func=cmd_derivative)
    from .lessons import optimizers as race

    p = sub.add_parser("race", help="race optimizers on one network from identical initial weights")
    _add_spec_args(p)
    p.add_argument("--optimizers", default=",".join(race.DEFAULT_ENTRANTS),
                   help=f"{race.MIN_ENTRANTS} to {race.MAX_ENTRANTS} of {', '.join(race.RACERS)}")
    p.add_argument("--learning-rates", help=f"one per optimizer, e.g. 0.001,0.01 (default {race.DEFAULT_LEARNING_RATE:g} each)")
    p.add_argument("--epochs", default="10", help="epochs of each run (default 10)")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.set_defaults(func=cmd_race)
    from .lessons import fit as fit_lesson

    p = sub.add_parser("unroll", help="what fit does: compile/fit and a tf.GradientTape loop from the same "
                       "initial weights (plain SGD, batch = the whole set); their largest weight difference")
    _add_spec_args(p)
    p.add_argument("--steps", default=str(fit_lesson.DEFAULT_STEPS), help=f"steps of each (default {fit_lesson.DEFAULT_STEPS})")
    p.add_argument("--learning-rate", default=str(fit_lesson.DEFAULT_ALPHA),
                   help=f"alpha of the plain SGD (default {fit_lesson.DEFAULT_ALPHA:g})")
    p.add_argument("--json", action="store_true", help='print {"steps", "max_abs_difference", "fit_loss", "tape_loss"}')
    p.set_defaults(func=cmd_unroll)
    p = sub.add_parser("step", help="Step: one batch (or one epoch) of Train's own step at a time, measured")
    _add_spec_args(p)
    p.add_argument("--mode", default="batch", help="batch or epoch (default batch)")
    p.add_argument("--count", default="1", help="how many steps, one after another (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.set_defaults(func=cmd_step)
    p = sub.add_parser("layers", help="dense vs convolutional at several training-set sizes: parameters, "
                       "validation accuracy, overfitting, seconds per epoch")
    p.add_argument("--sizes", default="500,1000,4000", help="training digits of each pair of runs (default 500,1000,4000)")
    p.add_argument("--epochs", default="20", help="epochs of each run (default 20)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    p.set_defaults(func=cmd_layers)
    p = sub.add_parser("class", help="a class: create one, or report on it (the run store the server uses)")
    verbs = p.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("create", help="a new class: prints its join code, join link and teacher link")
    p.add_argument("--name", required=True, help="the class's name (1-80 characters)")
    _add_spec_args(p)
    p.add_argument("--target", help='what "best" means, e.g. "val_accuracy>=0.95", "val_loss<=0.1", '
                   '"min val_loss@10" (default: "max val_accuracy")')
    p.add_argument("--url", default="http://localhost:8501", metavar="BASE",
                   help="the app's address, for the two links (default http://localhost:8501)")
    p.add_argument("--json", action="store_true", help='print {"code", "join", "teacher"}')
    p.set_defaults(func=cmd_class_create)
    p = verbs.add_parser("report", help="every learner of a class: runs and best value of the target")
    p.add_argument("--teacher", required=True, metavar="SECRET", help="the class's teacher secret")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help='print {"class", "learners": [{"name", "runs", "best"}]}')
    out.add_argument("--csv", action="store_true", help="print every run of the class as CSV")
    p.set_defaults(func=cmd_class_report)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SpecError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # e.g. DatasetUnavailable: one clear line, no traceback
        from .data import DatasetUnavailable
        from .runs import StoreError

        if isinstance(e, (DatasetUnavailable, StoreError)):
            print(f"error: {e}", file=sys.stderr)
            return 3
        raise
