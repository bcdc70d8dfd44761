"""Who this browser is: the learner (nncore.people), kept by the browser in a cookie (app/cookie.py).

The first page of a first visit makes a new learner in the run store and has the browser keep its
token; every later session of that browser (a reload, a new tab, after a server restart) finds the
learner again by the token its connection carries. A session that cannot reach the store has no
learner: its runs stay in the tab, as before.

Everything a page asks about people goes through here to nncore.people, the one place that
decides what a learner may list or see.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from nncore import people
from nncore.people import ClassPage, Learner, Membership
from nncore.runs import Run, StoreError

from app import cookie
from app.state.slots import slot
from app.state.store import store

TOUCH_EVERY = 60.0  # seconds between two writes of a learner's last_seen


@dataclass
class LearnerState:
    learner: Learner | None = None
    token: str | None = None  # what the browser is asked to keep
    touched: float = 0.0
    problem: str | None = None  # why there is no learner (the store cannot be used)


def _state() -> LearnerState:
    return slot(LearnerState)


def me() -> Learner | None:
    """This browser's learner (made on its first visit); None when the run store cannot be used."""
    s = _state()
    if s.learner is not None:
        return s.learner
    if store().problem:
        s.problem = store().problem
        return None
    try:
        token = cookie.read()
        learner = people.learner_for_token(store(), token) if token else None
        if learner is None:
            learner, token = people.new_learner(store())
        s.learner, s.token = learner, token
        s.touched = time.time()
    except StoreError as e:
        s.problem = str(e)
    return s.learner


def keep_in_browser() -> None:
    """Draw the hidden element that has the browser keep the learner's token: once per script run,
    on every page (app/main.py)."""
    me()
    s = _state()
    if s.token is not None:
        cookie.keep(s.token)
    if s.learner is not None and time.time() - s.touched > TOUCH_EVERY:
        s.touched = time.time()
        try:
            people.touch(store(), s.learner)
        except StoreError:
            pass


def problem() -> str | None:
    """Why this session has no learner (None: it has one)."""
    me()
    return _state().problem


def name() -> str:
    learner = me()
    return learner.name if learner is not None else ""


def set_name(text: str) -> str | None:
    """Set the learner's display name; the message saying why not, or None."""
    learner = me()
    if learner is None:
        return f"Names cannot be saved now: {_state().problem}"
    try:
        _state().learner = people.set_name(store(), learner, text)
    except people.NameRefused as e:
        return str(e)
    except StoreError as e:
        return f"Names cannot be saved now: {e}"
    return None


def tags() -> tuple[str | None, str | None]:
    """(learner id, class id) a training started now belongs to (the class only while it is open)."""
    learner = me()
    if learner is None:
        return None, None
    try:
        return people.tags_for(store(), learner)
    except StoreError:
        return learner.id, None


def own_runs(keep=None) -> list[Run]:
    """The learner's own runs, newest first (`keep`: a page's choice among them)."""
    learner = me()
    if learner is None:
        return []
    return people.runs_of(store(), learner, keep)


def forget_me() -> int:
    """Delete this learner's runs, weights, classes and identity from the store. Returns how many
    runs went. The browser is a newcomer from then on: the next call of me() makes a new learner,
    whose token replaces the old one in the cookie (the old one opens nothing any more)."""
    s = _state()
    learner = me()
    count = people.forget(store(), learner) if learner is not None else 0
    s.learner, s.token = None, None
    return count


# ---- classes ------------------------------------------------------------------------------

def current_class() -> Membership | None:
    learner = me()
    if learner is None:
        return None
    try:
        return people.current_class(store(), learner)
    except StoreError:
        return None


def class_page(class_id: str) -> ClassPage | None:
    learner = me()
    return people.class_page_for(store(), learner, class_id) if learner is not None else None


def join(code: str, name_in_class: str) -> tuple[Membership | None, str | None]:
    """Join the class of `code` under `name_in_class`: (the membership, None) or (None, why not)."""
    learner = me()
    if learner is None:
        return None, f"Classes cannot be joined now: {_state().problem}"
    try:
        membership = people.join(store(), learner, code, name_in_class, people.JOIN_LIMITER, key=learner.id)
    except (people.Refused, people.NameRefused) as e:
        return None, str(e)
    except StoreError as e:
        return None, f"Classes cannot be joined now: {e}"
    if not learner.name:
        _state().learner = people.learner_by_id(store(), learner.id) or learner
    return membership, None


def leave() -> None:
    learner = me()
    if learner is not None:
        people.leave(store(), learner)
