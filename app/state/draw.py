"""The Draw page's own state: the drawing (kept for the whole session: it is there again when the
learner comes back from another page, and the Layers page shows it), which input was answered last,
and the photo it read. The page's choices (output, default network) are widgets that keep their
values across pages themselves (persist_state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nncore.inference.preprocess import BRUSH, CANVAS  # noqa: F401  (the canvas and pen: one home, in nncore)

from app.state.slots import slot

CANVAS_KEY = "canvas"  # the canvas component's key (its own state in the session)


@dataclass
class DrawState:
    version: int = 0  # a new version is an empty canvas (Clear)
    objects: list[dict[str, Any]] = field(default_factory=list)  # the drawing's strokes (Fabric.js objects)
    initial: dict[str, Any] = field(default_factory=lambda: {"objects": [], "version": 0})  # what the canvas opens with
    source: str = "canvas"  # who is answered: the canvas, the uploaded photo or the camera's
    seen: dict[str, str | None] = field(default_factory=dict)  # source -> what it held last time
    photo: tuple[str, Any] | None = None  # (file id, its PhotoSteps or why it cannot be read)
    last_input: np.ndarray | None = None  # the 784 inputs of the latest drawing


def draw_state() -> DrawState:
    return slot(DrawState)


def canvas_opening(canvas_mounted: bool) -> dict[str, Any]:
    """The drawing the canvas opens with: the session's own when the canvas is new on the page (a
    first visit, or back from another page), else the same as last run (a change makes the canvas
    reload it, so it stays the same while the learner draws)."""
    s = draw_state()
    if not canvas_mounted:
        s.initial = {"objects": list(s.objects), "version": s.version}
    return s.initial


def remember(objects: list[dict[str, Any]], digit_input: np.ndarray | None) -> None:
    """The canvas's strokes now, and their 784 inputs (None: nothing drawn)."""
    s = draw_state()
    s.objects = list(objects)
    s.last_input = None if digit_input is None else np.asarray(digit_input, np.float32).reshape(-1)


def clear() -> None:
    s = draw_state()
    s.version += 1
    s.objects, s.last_input, s.source = [], None, "canvas"
    s.initial = {"objects": [], "version": s.version}


def last_input() -> np.ndarray | None:
    """The latest drawing as the network's 784 inputs (None before the first), for other pages."""
    return draw_state().last_input
