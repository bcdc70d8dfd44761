"""A race in a page's address. The Optimizers page keeps its race in its query string, as the Train
page keeps its spec: the fields that differ from the default race, each a value with the CLI's
grammar (?network=xor-demo&optimizers=gd,adam&rates=0.1,0.001&epochs=20). A link is a race."""

from __future__ import annotations

from dataclasses import dataclass

from .entrants import (DEFAULT_ENTRANTS, DEFAULT_LEARNING_RATE, MAX_ENTRANTS, MIN_ENTRANTS, RACE_NAMES, Entrant,
                       RaceError, check_entrants, parse_rate)

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
    from ...address import MAX_QUERY_VALUE

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
