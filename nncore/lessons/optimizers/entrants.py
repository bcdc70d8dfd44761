"""A race's field: the optimizers that race (by their race names), one learning rate each, and the
checks a learner's choice must pass (how many, not the same twice, not too big to race at once)."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import macs_per_example
from ...registry import OPTIMIZERS
from ...spec import LIMITS, ExperimentSpec, SpecError

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
