"""The lesson pages' own remembered values (their widgets keep theirs with persist_state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.state.slots import slot


@dataclass
class BackpropState:
    forward: dict[str, int] = field(default_factory=dict)  # graph -> forward steps shown
    backward: dict[str, int] = field(default_factory=dict)  # graph -> backward steps shown
    good: dict[str, dict[str, float]] = field(default_factory=dict)  # graph -> its last good settings
    measured: int = 0  # "Measure again" presses: a new timing each


@dataclass
class DerivativesState:
    good: tuple[str, float, float] = ("w**2", 3.0, 1e-3)  # the last good (J, w, epsilon)


@dataclass
class RaceAddressState:
    """The Optimizers page's race in its address (nncore.lessons.optimizers.race_to_query)."""

    address: dict[str, str] | None = None  # the query it last wrote or read
    linked: dict[str, str] | None = None  # the race a link opened, as the page would write it
    link_errors: list = field(default_factory=list)  # what the link carried that could not be used


@dataclass
class RaceState:
    """The Optimizers page's race: the last one started (its jobs are the lesson group "race"), or why
    the last Race click could not start one (shown until a race starts)."""

    race: Any = None  # nncore.lessons.optimizers.Race
    error: str | None = None


def race() -> RaceState:
    return slot(RaceState)


def race_address() -> RaceAddressState:
    return slot(RaceAddressState)


def backprop() -> BackpropState:
    return slot(BackpropState)


def derivatives() -> DerivativesState:
    return slot(DerivativesState)
