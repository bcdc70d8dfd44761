"""The one place that owns session state: the training job and the runs so far.

Pages ask here for the current job and start or stop trainings; nothing else writes
these keys. Every finished training is a run, saved to the run store (nncore.runs) by a small
watcher thread (so it is kept even if the tab has gone) or by the page that sees it finish,
whichever comes first.
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import streamlit as st

from nncore import ExperimentSpec
from nncore.data import Dataset
from nncore.registry import DATASETS
from nncore.runs import DB_SETTING, Run, RunStore, StoreError, describe_changes, new_run_id, open_store, valid_run_id
from nncore.training.job import TrainingJob

JOB_KEY = "_job"
RUNS_KEY = "_runs"
# A job goes on through a short disconnect (a reload, a flaky network) but not forever.
GONE_AFTER_SECONDS = 30.0


# Each page that trains has its own job: "digits" (Train, and Draw reads it) and "points"
# (Boundaries), so a session can keep a digit model while it plays with point sets.
DIGITS, POINTS = "digits", "points"


def _key(base: str, scope: str) -> str:
    return base if scope == DIGITS else f"{base}_{scope}"


def current_job(scope: str = DIGITS) -> TrainingJob | None:
    return st.session_state.get(_key(JOB_KEY, scope))


def is_training(scope: str = DIGITS) -> bool:
    job = current_job(scope)
    return job is not None and not job.snapshot().finished


def start_training(spec: ExperimentSpec, scope: str = DIGITS, initial_weights: list[np.ndarray] | None = None,
                   parent: Run | None = None, data: Dataset | None = None) -> TrainingJob:
    """Stop any running job of this session's page, then start one for `spec`. The old job's
    network goes back to nncore's pool for the next training to reuse. `initial_weights` and
    `parent`: train again from a stored run's initial weights. `data`: the data the page holds
    (a learner's own points), instead of loading the spec's."""
    old = current_job(scope)
    if old is not None:
        old.stop()
        old.release()
    job = TrainingJob(spec, data=data, alive=_session_alive(), initial_weights=initial_weights)
    before = parent.spec if parent is not None else st.session_state.get(_key("_last_spec", scope))
    changes = describe_changes(before, spec) + (" (same initial weights)" if initial_weights is not None else "")
    pending = _Pending(job, new_run_id(), session_id(), changes, parent.id if parent else None, store())
    st.session_state[_key(JOB_KEY, scope)] = job
    st.session_state[_key("_pending", scope)] = pending
    st.session_state[_key("_last_spec", scope)] = spec
    job.start()
    threading.Thread(target=_save_when_done, args=(pending,), name="nncore-run-saver", daemon=True).start()
    return job


def stop_training(scope: str = DIGITS) -> None:
    job = current_job(scope)
    if job is not None:
        job.stop()


# ---- runs: every training, kept in the run store -----------------------------------------

@functools.lru_cache(maxsize=4)
def _store_at(setting: str) -> RunStore:
    return open_store(setting or None)


def store() -> RunStore:
    """The process's run store (the place is the NNCORE_RUNS_DB setting, read when first asked)."""
    return _store_at(os.environ.get(DB_SETTING, ""))


def session_id() -> str:
    """This browser session's name in the run store (weights are bounded per session)."""
    return st.session_state.setdefault("_session_id", secrets.token_hex(8))


@dataclass
class _Pending:
    """A training on its way to becoming a stored run."""

    job: TrainingJob
    run_id: str
    session: str
    changes: str
    parent: str | None
    store: RunStore
    run: Run | None = None  # once finished
    error: str | None = None  # why it could not be saved
    lock: threading.Lock = field(default_factory=threading.Lock)


def _as_run(p: _Pending) -> Run:
    s, spec = p.job.snapshot(), p.job.spec
    matrix, names = None, ()
    if s.val_probabilities is not None and DATASETS[spec.dataset].labels == "classes":
        from nncore.metrics import confusion

        data = p.job.data
        matrix = tuple(tuple(int(v) for v in row) for row in confusion(data.y_val, s.val_probabilities, data.n_classes))
        names = tuple(str(c) for c in data.class_names)
    return Run(p.run_id, spec, p.session, time.time(), str(s.status), s.message, s.epoch, round(s.elapsed, 2),
               dict(s.history), matrix, names, p.parent, p.changes, s.weights is not None)


def _save(p: _Pending) -> Run:
    """Save a finished training once (the watcher and the page may both ask)."""
    with p.lock:
        if p.run is None:
            run = _as_run(p)
            weights = p.job.snapshot().weights
            try:
                p.store.save(run, list(weights) if weights is not None else None)
            except StoreError as e:
                p.error = str(e)
            except Exception as e:  # never let a save take the page down
                p.error = f"{type(e).__name__}: {e}"
            p.run = run
        return p.run


def _save_when_done(p: _Pending) -> None:
    p.job.join()
    if p.job.snapshot().finished:
        _save(p)


def scope_of(spec: ExperimentSpec) -> str:
    return DIGITS if DATASETS[spec.dataset].page == "train" else POINTS


def runs(scope: str = DIGITS) -> list[Run]:
    """This session's finished trainings of this page, newest first: from the run store, or kept
    in the session while the store cannot save."""
    ss = st.session_state
    kept: dict[str, Run] = ss.setdefault(_key(RUNS_KEY, scope), {})
    pending: _Pending | None = ss.get(_key("_pending", scope))
    if pending is not None and pending.job.snapshot().finished and pending.run_id not in kept:
        kept[pending.run_id] = _save(pending)
    stored: list[Run] = []
    if store().problem is None:
        try:
            stored = [r for r in store().list(session_id()) if scope_of(r.spec) == scope]
        except StoreError as e:
            ss["_save_error"] = str(e)
    seen = {r.id for r in stored}
    return sorted(stored + [r for r in kept.values() if r.id not in seen], key=lambda r: -r.created)


def recent_runs(limit: int = 20) -> list[Run]:
    """The newest runs anyone trained on this server (empty when the store cannot be read)."""
    try:
        return store().list(limit=limit) if store().problem is None else []
    except StoreError:
        return []


def saving_problem() -> str | None:
    """Why runs are not being saved now (None: they are): the store's own problem, or why the
    latest training of a page could not be saved."""
    if store().problem:
        return store().problem
    for scope in (DIGITS, POINTS):
        pending: _Pending | None = st.session_state.get(_key("_pending", scope))
        if pending is not None and pending.job.snapshot().finished:
            _save(pending)
            if pending.error:
                return pending.error
    return st.session_state.get("_save_error")


def get_run(run_id: str) -> tuple[Run | None, str | None]:
    """A run by the id a link carries, or None and a message saying why not."""
    if not valid_run_id(run_id):
        return None, (f"{str(run_id)[:40]!r} is not a run id: a run id is 12 letters and digits "
                      "(0-9, a-f), as in a link the app gave.")
    for scope in (DIGITS, POINTS):
        run = st.session_state.get(_key(RUNS_KEY, scope), {}).get(run_id)
        if run is not None:
            return run, None
    try:
        run = store().get(run_id)
    except StoreError as e:
        return None, f"Runs cannot be read now: {e}"
    return (run, None) if run else (None, f"There is no run {run_id} on this server (it may have been "
                                          "trained on another server, or its database was reset).")


def run_weights(run_id: str) -> list[np.ndarray] | None:
    """A stored run's trained weights (None: not kept, or the store cannot be read)."""
    try:
        return store().weights(run_id)
    except StoreError:
        return None


def current_run_id(scope: str = DIGITS) -> str | None:
    """The run id of this page's latest training (its link works once it has finished)."""
    pending = st.session_state.get(_key("_pending", scope))
    return pending.run_id if pending is not None else None


def load_into_builder(spec: ExperimentSpec) -> str:
    """Ask the builder of the spec's page to show `spec` on its next run; returns that scope."""
    scope = scope_of(spec)
    st.session_state[_key("_load_spec", scope)] = spec
    return scope


def take_spec_to_load(scope: str) -> ExperimentSpec | None:
    return st.session_state.pop(_key("_load_spec", scope), None)


# ---- lessons' trainings: a page may run several jobs at once (e.g. two networks side by side) ----

def lesson_jobs(name: str) -> tuple[TrainingJob, ...]:
    """The jobs the lesson `name` started last in this session (empty before the first)."""
    return st.session_state.get(f"_lesson_{name}", ())


def lesson_training(name: str) -> bool:
    return any(not job.snapshot().finished for job in lesson_jobs(name))


def start_lesson(name: str, jobs: tuple[TrainingJob, ...]) -> None:
    """Stop and give back the lesson's previous jobs, then start these beside the page."""
    for old in lesson_jobs(name):
        old.stop()
        old.release()
    alive = _session_alive()
    for job in jobs:
        job.set_alive(alive)
        job.start()
    st.session_state[f"_lesson_{name}"] = tuple(jobs)


def stop_lesson(name: str) -> None:
    for job in lesson_jobs(name):
        job.stop()


def _session_alive() -> Callable[[], bool]:
    """A check the worker thread can call: is the browser session that started me still here?"""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():  # AppTest and plain scripts: no sessions to lose
        return lambda: True
    rt, session_id = runtime.get_instance(), ctx.session_id
    last_seen = [time.monotonic()]

    def alive() -> bool:
        if rt.is_active_session(session_id):
            last_seen[0] = time.monotonic()
            return True
        return time.monotonic() - last_seen[0] < GONE_AFTER_SECONDS

    return alive


__all__ = ["current_job", "is_training", "start_training", "stop_training", "runs", "store", "saving_problem",
           "get_run", "run_weights", "current_run_id", "load_into_builder", "take_spec_to_load", "lesson_jobs",
           "lesson_training", "start_lesson", "stop_lesson"]
