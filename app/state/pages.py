"""The Runs and Class pages' own remembered values (their widgets keep theirs): what a "Train again"
or "Put the exercise in the builder" click left for the next run of the page, whether "Forget me"
is waiting for its confirmation, and the class a teacher has just made."""

from __future__ import annotations

from dataclasses import dataclass

from app.state.slots import slot


@dataclass
class AgainState:
    """The Runs page's "Train again": read once by the run after the click."""

    error: str | None = None  # why the changed spec could not be trained
    started: str | None = None  # the scope the new training started in: the page goes there


@dataclass
class YouState:
    """The You panel (app/people_ui.py): "Forget me" asks before it deletes."""

    forget_asked: bool = False


@dataclass
class ClassState:
    """The Class page: the class just made (shown with its links until another is made), and a learner's
    click that put the exercise in the builder (the page then goes to the training page)."""

    made: tuple[str, str, str] | None = None  # (class name, join code, teacher secret)
    exercise_loaded: bool = False


def again() -> AgainState:
    return slot(AgainState)


def take_again_error() -> str | None:
    """Why the last "Train again" could not start, once (None: nothing to say)."""
    s = again()
    error, s.error = s.error, None
    return error


def take_again_started() -> str | None:
    """The scope the last "Train again" started in, once (None: no new training)."""
    s = again()
    started, s.started = s.started, None
    return started


def you() -> YouState:
    return slot(YouState)


def classroom() -> ClassState:
    return slot(ClassState)


def take_exercise_loaded() -> bool:
    """Whether the exercise was just put in the builder, once."""
    s = classroom()
    loaded, s.exercise_loaded = s.exercise_loaded, False
    return loaded
