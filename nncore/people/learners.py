"""A learner: an identity the browser keeps in a cookie, no password.

    learner, token = new_learner(store)        # the token goes into the cookie, only there
    learner = learner_for_token(store, token)  # a later visit, tab, or server: the same learner
    runs_of(store, learner)                    # their own runs, and nobody else's
    forget(store, learner)                     # their runs, weights, classes and identity: gone

The store keeps only the token's SHA-256 and finds a learner by it, so no comparison runs over
the token itself; the token never goes into a link. A learner's `id` is public (runs carry it).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..runs import Run, RunStore, valid_run_id
from .names import clean_name

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32): 256 random bits


def digest(text: str) -> str:
    """SHA-256 of a secret, as stored and looked up."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Learner:
    id: str  # public: runs and memberships carry it
    name: str = ""  # their display name ("" until they give one)
    created: float = 0.0
    last_seen: float = 0.0


def new_learner(store: RunStore, now: float | None = None) -> tuple[Learner, str]:
    """A new learner and the token their browser keeps (shown nowhere else, stored only hashed)."""
    now = now or time.time()
    learner, token = Learner(secrets.token_hex(8), "", now, now), secrets.token_urlsafe(32)
    store.transaction(lambda sql: sql.change(
        "INSERT INTO learners (id, token_hash, name, created, last_seen) VALUES (?, ?, ?, ?, ?)",
        learner.id, digest(token), "", now, now), write=True)
    return learner, token


def learner_for_token(store: RunStore, token: object) -> Learner | None:
    """The learner whose browser keeps `token`; None for any other value (malformed, unknown, forgotten)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    row = store.transaction(lambda sql: sql.one(
        "SELECT id, name, created, last_seen FROM learners WHERE token_hash = ?", digest(token)))
    return Learner(*row) if row else None


def learner_by_id(store: RunStore, learner_id: str) -> Learner | None:
    row = store.transaction(lambda sql: sql.one(
        "SELECT id, name, created, last_seen FROM learners WHERE id = ?", learner_id))
    return Learner(*row) if row else None


def touch(store: RunStore, learner: Learner, now: float | None = None) -> None:
    """The learner was here now (their `last_seen`)."""
    store.transaction(lambda sql: sql.change("UPDATE learners SET last_seen = ? WHERE id = ?",
                                             now or time.time(), learner.id), write=True)


def set_name(store: RunStore, learner: Learner, name: str) -> Learner:
    """The learner with their display name set; NameRefused (a ValueError) says what is wrong with it."""
    name = clean_name(name)
    store.transaction(lambda sql: sql.change("UPDATE learners SET name = ? WHERE id = ?", name, learner.id),
                      write=True)
    return Learner(learner.id, name, learner.created, learner.last_seen)


def runs_of(store: RunStore, learner: Learner, keep: Callable[[Run], bool] | None = None,
            limit: int = 100) -> list[Run]:
    """The learner's own runs, newest first, from any tab, session or server (`keep`: a page's own
    choice among them, e.g. its datasets). Nothing lists another learner's runs, nor a run of nobody."""
    runs = store.transaction(lambda sql: store.runs_where(sql, "r.learner = ?", (learner.id,), limit))
    return [r for r in runs if keep is None or keep(r)]


def open_run(store: RunStore, run_id: str) -> Run | None:
    """A run by its address: a capability, so whoever has the id opens that one run read-only."""
    return store.get(run_id) if valid_run_id(run_id) else None


def forget(store: RunStore, learner: Learner) -> int:
    """Delete the learner's runs (a spotlight on one goes out), their weights, the learner's classes
    (memberships) and the learner. Returns how many runs went. A training of theirs still running
    saves nothing more (the store no longer knows them)."""
    def work(sql):
        mine = "SELECT id FROM runs WHERE learner = ?"
        sql.change(f"UPDATE classes SET spotlight = NULL WHERE spotlight IN ({mine})", learner.id)
        sql.change(f"DELETE FROM weights WHERE run_id IN ({mine})", learner.id)
        count = sql.change("DELETE FROM runs WHERE learner = ?", learner.id)
        sql.change("DELETE FROM memberships WHERE learner = ?", learner.id)
        sql.change("DELETE FROM learners WHERE id = ?", learner.id)
        return count

    return store.transaction(work, write=True)
