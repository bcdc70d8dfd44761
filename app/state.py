"""The one place that owns session state: the training job and the runs so far.

Pages ask here for the current job and start or stop trainings; nothing else writes
these keys.
"""

from __future__ import annotations

import time
from typing import Callable

import streamlit as st

from nncore import ExperimentSpec
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


def start_training(spec: ExperimentSpec, scope: str = DIGITS) -> TrainingJob:
    """Stop any running job of this session's page, then start one for `spec`. The old job's
    network goes back to nncore's pool for the next training to reuse."""
    old = current_job(scope)
    if old is not None:
        old.stop()
        old.release()
    job = TrainingJob(spec, alive=_session_alive()).start()
    st.session_state[_key(JOB_KEY, scope)] = job
    return job


def stop_training(scope: str = DIGITS) -> None:
    job = current_job(scope)
    if job is not None:
        job.stop()


def runs(scope: str = DIGITS) -> list[dict]:
    """One row per finished training of this session's page, newest first."""
    job = current_job(scope)
    rows = st.session_state.setdefault(_key(RUNS_KEY, scope), [])
    recorded = st.session_state.setdefault(_key("_recorded_jobs", scope), set())
    if job is not None and job.snapshot().finished and job.id not in recorded:
        recorded.add(job.id)
        s, spec = job.snapshot(), job.spec
        rows.insert(0, {
            "run": len(rows) + 1,
            "hidden layers": spec.hidden_text or "none",
            "output": spec.output,
            "optimizer": f"{spec.optimizer} {spec.learning_rate:g}",
            "batch": spec.batch_size,
            "epochs": s.epoch,
            "status": s.status,
            "train loss": s.last("loss"),
            "val loss": s.last("val_loss"),
            "val accuracy": s.last("val_accuracy"),
            "seconds": round(s.elapsed, 1),
        })
    return rows


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


__all__ = ["current_job", "is_training", "start_training", "stop_training", "runs", "lesson_jobs",
           "lesson_training", "start_lesson", "stop_lesson"]
