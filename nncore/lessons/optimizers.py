"""Adam vs gradient descent, part 1: race optimizers on one network from identical weights.

    entrants = parse_entrants("gd,adam", "0.001,0.001")   # names as the learner gives them
    race = make_race(spec, entrants)                      # jobs, not started
    race.start(); race.join()
    runs = race.runs()                                    # one RaceRun per optimizer

Every job of a race starts from the same weights (built once from the spec's seed, shown by
a short checksum), trains on the same batches in the same order (the job's shuffle is a
stateless function of the seed and the epoch) and records the loss on the whole training set
before the first step and after each epoch: only the optimizer differs. The jobs are ordinary
TrainingJobs, so the process-wide cap of running trainings applies (the rest wait their turn).

The contour lesson (part 2) lives in nncore.lessons.optimizer_paths.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

import numpy as np

from ..data import load_dataset
from ..model import build_model, macs_per_example
from ..registry import OPTIMIZERS
from ..spec import LIMITS, ExperimentSpec, SpecError
from ..training.group import JobGroup
from ..training.job import TrainingJob
from ..training.snapshot import Status

# Every optimizer of the registry races, under its race name ("gd" for plain gradient descent, Keras'
# SGD; Optimizer.racer) or its registry name. The lecture's four race by default, in the course's order.
DEFAULT_ENTRANTS = ("gd", "momentum", "rmsprop", "adam")
_BY_RACER = {o.racer: o.name for o in OPTIMIZERS.values()}
RACERS = DEFAULT_ENTRANTS + tuple(r for r in _BY_RACER if r not in DEFAULT_ENTRANTS)  # what the page offers
RACE_NAMES = {**{r: _BY_RACER[r] for r in RACERS}, **{n: n for n in OPTIMIZERS if n not in _BY_RACER}}
DEFAULT_LEARNING_RATE = 0.001  # the practice lab's
MIN_ENTRANTS, MAX_ENTRANTS = 2, 4
# All the race's networks train at once: together at most this many multiply-adds per example
# (the practice lab's network needs 20,175, so four of them 80,700; a Conv2D network ~4 million).
MAX_RACE_MACS = 2_000_000


class RaceError(SpecError):
    """A race setting a learner got wrong (names the setting, like SpecError)."""


@dataclass(frozen=True)
class Entrant:
    """One runner: the optimizer's name as given (e.g. "gd"), its registry name, its learning rate."""

    name: str
    optimizer: str
    learning_rate: float

    @property
    def label(self) -> str:
        return f"{self.name} α={self.learning_rate:g}"


def describe(name: str) -> str:
    """The optimizer's label for the page: gd -> Gradient descent (SGD)."""
    return OPTIMIZERS.label(RACE_NAMES[name]) if name in RACE_NAMES else name


def parse_entrants(names: str | list[str], rates: str | list | None = None) -> tuple[Entrant, ...]:
    """Entrants from names (a comma list or a list) and learning rates (one each, or none: 0.001
    for all). Raises RaceError naming the first bad name or value."""
    names = [n.strip() for n in names.split(",")] if isinstance(names, str) else [str(n).strip() for n in names]
    if rates is None or (isinstance(rates, str) and not rates.strip()):
        rates = [DEFAULT_LEARNING_RATE] * len(names)
    elif isinstance(rates, str):
        rates = [r.strip() for r in rates.split(",")]
    if len(rates) != len(names):
        raise RaceError("learning rates", f"give one per optimizer: {len(names)} optimizers "
                        f"({', '.join(names)}) but {len(rates)} learning rates")
    entrants = []
    for i, (name, rate) in enumerate(zip(names, rates)):
        if name.lower() not in RACE_NAMES:
            raise RaceError("optimizers", f"unknown optimizer {name!r}; allowed: {', '.join(RACE_NAMES)}")
        entrants.append(Entrant(name, RACE_NAMES[name.lower()], parse_rate(name, i, rate)))
    problems = check_entrants(entrants)
    if problems:
        raise problems[0]
    return tuple(entrants)


def parse_rate(name: str, i: int, value) -> float:
    field = f"learning rate of {name} (optimizer {i + 1})"
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise RaceError(field, f"must be a number, got {value!r}") from None
    if not rate > 0:  # also NaN
        raise RaceError(field, f"must be greater than 0 (a step of {rate:g} times the gradient "
                        f"{'goes nowhere' if rate == 0 else 'climbs uphill'}), got {rate:g}")
    if rate > LIMITS["learning_rate"].high:
        raise RaceError(field, f"{rate:g} is absurd: at most {LIMITS['learning_rate'].high:g} (even 10 makes most networks diverge; "
                        "the course uses 0.001 to 0.1)")
    return rate


def check_entrants(entrants) -> list[RaceError]:
    """What is wrong with a field of runners: too few or many, the same one twice."""
    errors = []
    if len(entrants) < MIN_ENTRANTS:
        errors.append(RaceError("optimizers", f"a race needs {MIN_ENTRANTS} to {MAX_ENTRANTS} optimizers, "
                                f"got {len(entrants)}: add one to race against"))
    if len(entrants) > MAX_ENTRANTS:
        errors.append(RaceError("optimizers", f"at most {MAX_ENTRANTS} optimizers in a race, got {len(entrants)}"))
    seen: dict[tuple[str, float], str] = {}
    for e in entrants:
        key = (e.optimizer, e.learning_rate)
        if key in seen:
            errors.append(RaceError("optimizers", f"{e.name} twice at the same learning rate {e.learning_rate:g} "
                                    f"({seen[key]} and {e.name}): the two runs would be identical. Give them "
                                    "different learning rates (a learning-rate race) or pick another optimizer"))
        seen[key] = e.name
    return errors


def check_size(spec: ExperimentSpec, entrants) -> RaceError | None:
    """Too big to race this many at once? (The networks train together on a small machine.)"""
    macs = macs_per_example(spec)
    if macs * len(entrants) > MAX_RACE_MACS:
        fits = MAX_RACE_MACS // macs
        return RaceError("network", f"too big to race {len(entrants)} at once: each run needs {macs:,} "
                         f"multiply-adds per example, {macs * len(entrants):,} together; the limit is "
                         f"{MAX_RACE_MACS:,} ({'no race fits' if fits < 2 else f'race at most {fits}'}; "
                         "or pick a smaller network, e.g. the practice lab: 20,175 each)")
    return None


# ---- a race in a page's address -----------------------------------------------------------------
# The Optimizers page keeps its race in its query string, as the Train page keeps its spec: the
# fields that differ from the default race, each a value with the CLI's grammar
# (?network=xor-demo&optimizers=gd,adam&rates=0.1,0.001&epochs=20). A link is a race.

TRAIN_NETWORK = "train"  # the network field's name for the Train page's network (of the session)
DEFAULT_NETWORK = "practice-lab"
DEFAULT_EPOCHS, MAX_EPOCHS = 10, 200
RACE_FIELDS = ("network", "optimizers", "rates", "epochs")


@dataclass(frozen=True)
class RaceSettings:
    """What a race is, as a link carries it: the network (a preset's name, or TRAIN_NETWORK), the
    optimizers by their race names, one learning rate each, and the epochs each trains."""

    network: str = DEFAULT_NETWORK
    optimizers: tuple[str, ...] = DEFAULT_ENTRANTS
    rates: tuple[float, ...] = (DEFAULT_LEARNING_RATE,) * len(DEFAULT_ENTRANTS)
    epochs: int = DEFAULT_EPOCHS


def race_to_query(race: RaceSettings) -> dict[str, str]:
    """The fields of `race` that differ from the default race, as query parameters."""
    default, query = RaceSettings(), {}
    if race.network != default.network:
        query["network"] = race.network
    if race.optimizers != default.optimizers:
        query["optimizers"] = ",".join(race.optimizers)
    if any(rate != DEFAULT_LEARNING_RATE for rate in race.rates):
        query["rates"] = ",".join(repr(float(rate)) for rate in race.rates)
    if race.epochs != default.epochs:
        query["epochs"] = str(race.epochs)
    return query


def race_from_query(params: dict, networks) -> tuple[RaceSettings, list[RaceError]]:
    """A race from a page's query parameters, and one error per bad parameter (naming it and its
    value); a bad parameter keeps the default race's value, the good ones are used. `networks`:
    the names the page offers (presets, and TRAIN_NETWORK when the session has a Train network).
    Never raises."""
    from ..spec import MAX_QUERY_VALUE

    default, errors, values = RaceSettings(), [], {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        value = str(value).strip()
        shown = value if len(value) <= 40 else value[:40] + f"... ({len(value):,} characters)"
        if key not in RACE_FIELDS:
            errors.append(RaceError(str(key)[:40], f"unknown setting {shown!r}; allowed: {', '.join(RACE_FIELDS)}"))
        elif len(value) > MAX_QUERY_VALUE:
            errors.append(RaceError(key, f"value too long ({len(value):,} characters, at most {MAX_QUERY_VALUE}); "
                                    "the default is used"))
        else:
            values[key] = (value, shown)
    race = default
    if "network" in values:
        value, shown = values["network"]
        if value in networks:
            race = RaceSettings(network=value)
        elif value == TRAIN_NETWORK:
            errors.append(RaceError("network", "'train' is the Train page's network, and this session has not "
                                    f"built one yet (train one there first); {default.network} is used"))
        else:
            errors.append(RaceError("network", f"{shown!r} is not a network here; allowed: "
                                    f"{', '.join(networks)}; {default.network} is used"))
    names = list(default.optimizers)
    if "optimizers" in values:
        value, shown = values["optimizers"]
        given = [{"sgd": "gd"}.get(n.strip().lower(), n.strip().lower()) for n in value.split(",")]
        unknown = [n for n in given if n not in RACE_NAMES]
        if unknown:
            errors.append(RaceError("optimizers", f"unknown optimizer {unknown[0][:40]!r}; allowed: "
                                    f"{', '.join(RACE_NAMES)}; the default race's optimizers are used"))
        elif not MIN_ENTRANTS <= len(given) <= MAX_ENTRANTS:
            errors.append(RaceError("optimizers", f"a race has {MIN_ENTRANTS} to {MAX_ENTRANTS} optimizers, "
                                    f"{shown!r} names {len(given)}; the default race's optimizers are used"))
        else:
            names = given
    rates = [DEFAULT_LEARNING_RATE] * len(names)
    if "rates" in values:
        value, shown = values["rates"]
        given = [r.strip() for r in value.split(",")]
        try:
            if len(given) != len(names):
                raise RaceError("rates", f"give one per optimizer: {len(names)} optimizers ({', '.join(names)}) "
                                f"but {len(given)} learning rates")
            rates = [parse_rate(name, i, rate) for i, (name, rate) in enumerate(zip(names, given))]
        except RaceError as e:
            why = e.message if e.field == "rates" else f"{e.field}: {e.message}"
            errors.append(RaceError("rates", f"{shown!r} is not allowed ({why}); "
                                    f"{DEFAULT_LEARNING_RATE:g} each is used"))
    problems = check_entrants([Entrant(n, RACE_NAMES[n], r) for n, r in zip(names, rates)])
    if problems:  # e.g. gd twice at one rate: the optimizers and rates of the default race
        errors.append(RaceError("optimizers", f"{problems[0].message}; the default race's optimizers are used"))
        names, rates = list(default.optimizers), list(default.rates)
    epochs = default.epochs
    if "epochs" in values:
        value, shown = values["epochs"]
        if value.isdigit() and 1 <= int(value) <= MAX_EPOCHS:
            epochs = int(value)
        else:
            errors.append(RaceError("epochs", f"must be a whole number from 1 to {MAX_EPOCHS}, got {shown!r}; "
                                    f"{default.epochs} is used"))
    return RaceSettings(race.network, tuple(names), tuple(rates), epochs), errors


def initial_weights(spec: ExperimentSpec, shape=None) -> list[np.ndarray]:
    """The spec's network's starting weights for its seed (what every run of the race starts from)."""
    from .. import import_keras

    import_keras()
    return build_model(spec, shape, compile=False).get_weights()


def checksum(weights) -> str:
    """A short fingerprint of the weights' exact bytes: equal checksums, bitwise-equal weights."""
    h = hashlib.sha256()
    for w in weights:
        h.update(np.ascontiguousarray(w, np.float32).tobytes())
    return h.hexdigest()[:8]


def epochs_to(loss, target: float) -> int | None:
    """The first epoch after which the loss is at or below `target` (0: it started there)."""
    return next((k for k, value in enumerate(loss) if value <= target), None)


@dataclass(frozen=True)
class RaceRun:
    """One runner's curves as of its job's latest snapshot."""

    entrant: Entrant
    status: str
    message: str
    loss: tuple[float, ...]  # on the whole training set: [0] before any step, [k] after epoch k
    val_loss: tuple[float, ...]  # per epoch, from epoch 1
    accuracy: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    epoch: int
    epochs: int
    progress: float
    seconds: float

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def to_json(self) -> dict:
        return {"optimizer": self.entrant.name, "learning_rate": self.entrant.learning_rate,
                "loss": list(self.loss),
                "val_accuracy": self.val_accuracy[-1] if self.val_accuracy else None,
                "seconds": round(self.seconds, 3)}


class Race(JobGroup):
    """The jobs of one race (TrainingJobs, views off, full training loss on), and what they share."""

    def __init__(self, spec: ExperimentSpec, entrants, jobs, checksum: str):
        self.spec, self.entrants, self.jobs, self.checksum = spec, tuple(entrants), tuple(jobs), checksum

    def runs(self) -> list[RaceRun]:
        return [race_run(e, job) for e, job in zip(self.entrants, self.jobs)]


def race_run(entrant: Entrant, job) -> RaceRun:
    s = job.snapshot()
    h = s.history
    return RaceRun(entrant, str(s.status), s.message, tuple(h.get("train_loss_full", ())), tuple(h.get("val_loss", ())),
                   tuple(h.get("accuracy", ())), tuple(h.get("val_accuracy", ())), s.epoch, s.epochs, s.progress,
                   s.elapsed)


def make_race(spec: ExperimentSpec, entrants, epochs: int | None = None, data=None) -> Race:
    """The race's jobs (not started): one per entrant, all from the spec's seeded initial weights,
    on the same data (loaded once), with the spec's batch size, seed and `epochs`."""
    spec = spec.replace(epochs=epochs) if epochs is not None else spec
    problems = check_entrants(entrants)
    too_big = check_size(spec.validate(), entrants)
    if problems or too_big:
        raise (problems or [too_big])[0]
    data = data if data is not None else load_dataset(spec)
    weights = initial_weights(spec, data.shape)
    jobs = [TrainingJob(spec.replace(optimizer=e.optimizer, learning_rate=e.learning_rate), data=data,
                        views=False, initial_weights=weights, full_train_loss=True) for e in entrants]
    return Race(spec, entrants, jobs, checksum(weights))


def run_race(spec: ExperimentSpec, entrants, epochs: int | None = None) -> tuple[Race, list[RaceRun], float]:
    """A whole race here (headless): its jobs started together, waited for, given back.
    Returns the race, its runs and the wall-clock seconds from start to the last finish."""
    race = make_race(spec, entrants, epochs)
    t0 = time.perf_counter()
    race.start()
    race.join()
    seconds = time.perf_counter() - t0
    race.release()
    return race, race.runs(), seconds


# ---- what the page says about a race ------------------------------------------------------------

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
