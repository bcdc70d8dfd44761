"""What the page and the CLI say about a race: its progress, who won, why one α for all handicaps
gradient descent, and the CLI's table."""

from __future__ import annotations

import json

from ...spec import ExperimentSpec
from ...training.snapshot import Status
from .race import RaceRun

# Learning rates that suit each optimizer on a preset's network, measured with `python -m nncore
# race` (10 epochs, the preset's seed and batch size). The practice lab: gd at 0.1 ends at training
# loss 0.100 (at Adam's 0.001 it ends at 2.10), momentum at 0.01 at 0.110, RMSprop at 0.001 at 0.186,
# Adam at 0.001 at 0.150; gd at 1 learns almost nothing (1.43).
SUITED_RATES = {"practice-lab": {"gd": 0.1, "momentum": 0.01, "rmsprop": 0.001, "adam": 0.001}}
_SAME_NETWORK = ("optimizer", "learning_rate", "epochs")  # what a race changes of its network's spec


def race_status(runs: list[RaceRun]) -> str:
    """The race's progress in words: each optimizer runs its own epochs, so "10 epochs each,
    4 optimizers", not the sum of them."""
    n, epochs = len(runs), max(r.epochs for r in runs)
    done = [r.epoch for r in runs]
    if not all(Status(r.status).finished for r in runs):
        lo, hi = min(done), max(done)
        at = f"epoch {hi}" if lo == hi else f"epochs {lo} to {hi}"
        waiting = sum(r.status == Status.QUEUED for r in runs)
        return (f"Racing: {at} of {epochs} each, {n} optimizers"
                + (f" ({waiting} waiting for a training slot)" if waiting else ""))
    if all(d == epochs for d in done):
        return f"Done: {epochs} epochs each, {n} optimizers"
    ended = [f"{r.entrant.label} {r.status} " + (f"after epoch {r.epoch}" if r.status == Status.STOPPED
                                                 else f"in epoch {r.epoch + 1}") for r in runs if r.epoch < epochs]
    return f"Finished: {epochs} epochs each, {n} optimizers ({'; '.join(ended)})"


def _ranking(runs: list[RaceRun], value, text, best_low: bool) -> tuple[list[RaceRun], str]:
    """The runs that share the best value (as shown), and the others' values after it in words."""
    ranked = sorted(runs, key=value, reverse=not best_low)
    best = [r for r in ranked if text(value(r)) == text(value(ranked[0]))]
    rest = ", ".join(f"{r.entrant.label} {text(value(r))}" for r in ranked[len(best):])
    return best, rest


def race_verdict(runs: list[RaceRun]) -> list[str]:
    """Who won, once every run has finished: by training loss (on the whole training set) and by
    validation accuracy, in words (Markdown). Judged after the last epoch every run finished (all of
    them, unless the race was stopped). A run that diverged or failed is out of the race. Empty
    while the race goes on, and when no run finished an epoch."""
    if not runs or not all(Status(r.status).finished for r in runs):
        return []
    out = [r for r in runs if r.status in (Status.DIVERGED, Status.FAILED)]
    finishers = [r for r in runs if r not in out]
    at = min((min(r.epoch, len(r.loss) - 1, len(r.val_accuracy)) for r in finishers), default=0)
    lines = []
    if at > 0:
        when = "" if all(r.epoch == at for r in finishers) else f" after epoch {at}, the last every run finished"
        for what, value, text, best_low in (
                (f"{'training loss' if when else 'final training loss'}{when}", lambda r: r.loss[at],
                 lambda v: f"{v:.3g}", True),
                (f"validation accuracy{when}", lambda r: r.val_accuracy[at - 1], lambda v: f"{v:.1%}", False)):
            best, rest = _ranking(finishers, value, text, best_low)
            names = " and ".join(f"**{r.entrant.label}**" for r in best)
            verb = "tie" if len(best) > 1 else "wins"
            lines.append(f"By {what}, {names} {verb} ({text(value(best[0]))}"
                         + (f"; then {rest}" if rest else "") + ").")
    if out:
        lines.append("Out of the race: " + ", ".join(f"{r.entrant.label} ({r.status} in epoch {r.epoch + 1})"
                                                   for r in out) + ".")
    return lines


def suited_rates(spec: ExperimentSpec) -> dict[str, float] | None:
    """The learning rates that suit each optimizer on this spec's network, if measured (SUITED_RATES)."""
    keep = {name: getattr(spec, name) for name in _SAME_NETWORK}
    for preset, rates in SUITED_RATES.items():
        if ExperimentSpec.from_preset(preset).replace(**keep) == spec:
            return rates
    return None


def one_alpha_note(spec: ExperimentSpec, entrants, surfaces: dict[str, dict[str, float]] | None = None) -> str | None:
    """Why one α for every optimizer handicaps gradient descent, with the α's that suit each: on this
    network if measured (suited_rates), and on the surfaces given (name -> rates, as the contour
    lesson's). None unless gradient descent (plain or with momentum) races at the others' α."""
    rates = {e.learning_rate for e in entrants}
    if len(entrants) < 2 or len(rates) != 1 or not any(e.optimizer in ("sgd", "momentum") for e in entrants):
        return None
    alpha = rates.pop()
    text = (f"**One α for all handicaps gradient descent.** All {len(entrants)} optimizers ran with α = {alpha:g}. "
            "Adam and RMSprop step about α in each parameter whatever the gradient's size; gradient descent "
            "steps α × the gradient, so it needs an α of its own.")
    known = suited_rates(spec)
    if known:
        text += (" On this network the α's that suit each are about "
                 + ", ".join(f"{name} {rate:g}" for name, rate in known.items()) + ": race them again with those.")
    if surfaces:
        text += " On part 2's surfaces: " + "; ".join(
            f"{name} " + ", ".join(f"{n} {rate:g}" for n, rate in rates.items()) for name, rates in surfaces.items()) + "."
    return text


def race_report(runs: list[RaceRun], as_json: bool = False) -> str:
    """The CLI's output: {"runs": [...]} as one JSON line, or a table (a diverged run's reason after it)."""
    if as_json:
        return json.dumps({"runs": [r.to_json() for r in runs]})
    lines = [f"{'optimizer':<10} {'α':>8} {'loss before':>12} {'loss after':>11} {'val acc':>8} {'seconds':>8}"]
    for r in runs:
        acc = f"{r.val_accuracy[-1]:.3f}" if r.val_accuracy else "–"
        first, last = (f"{r.loss[0]:>12.4f}", f"{r.loss[-1]:>11.4f}") if r.loss else ("–", "–")
        lines.append(f"{r.entrant.name:<10} {r.entrant.learning_rate:>8g} {first:>12} {last:>11} {acc:>8} "
                     f"{r.seconds:>8.2f}" + (f"  {r.message}" if r.status != "done" else ""))
    return "\n".join(lines)
