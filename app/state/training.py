"""The session's trainings: each page's job, its latest run, and the lessons' jobs (its runs in
the store and the page address's ?run=: app/state/stored.py).

Pages ask here for the current job and start or stop trainings; the state lives in one
`Training` per page scope and one `Lessons` (app/state/slots.py), and nothing else writes it.
Every training is a run of the server (nncore.training.live), saved to the run store (nncore.runs)
as it starts, while it trains and when it ends, by a saver thread (so it is kept even if the tab
has gone); a reload or another tab finds it again by its run id (`reattach`). A session keeps
only small things: its jobs' latest snapshots and a few run records.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import numpy as np

from nncore import ExperimentSpec
from nncore.data import Dataset
from nncore.registry import DATASETS
from nncore.runs import Run, describe_changes, new_run_id, valid_run_id
from nncore.training.job import TrainingJob, start_together
from nncore.training.live import LIVE, LiveRun
from nncore.training.step import StepJob, StepStart, same_network

from app.state import learner as people_state
from app.state.store import store

from app.state.slots import slot
from app.streamlit_private import browser_session, sessions_alive

# Each page that trains has its own job: "digits" (Train, and Draw reads it) and "points"
# (Boundaries), so a session can keep a digit model while it plays with point sets. But a session
# holds one place in the server's training queue: a new training, on any page, replaces the one
# before it (stopped, keeping its weights; or, if it still waited, the new one takes its place).
DIGITS, POINTS = "digits", "points"
SCOPES = (DIGITS, POINTS)
ONE_AT_A_TIME = ("One training at a time per session: pressing Train again (here or on another page) "
                 "stops this one, keeping what it learned, and the new one takes its place.")


@dataclass
class Training:
    """One page scope's trainings in this session."""

    job: TrainingJob | None = None  # the page's latest job (running or finished)
    live: LiveRun | None = None  # the same training as a run of the server
    last_spec: ExperimentSpec | None = None  # the spec of the training before (a new run's "changes")
    kept: dict[str, Run] = field(default_factory=dict)  # finished runs, only while the store cannot save
    seen_training: bool = False  # a part of this run was drawn as training (see is_training)
    polling: dict[str, bool] = field(default_factory=dict)  # live view name -> it polls
    spec_to_load: ExperimentSpec | None = None  # the builder shows it on its next run
    group: tuple[TrainingJob, ...] = ()  # a lesson's jobs (scope "lesson_<name>"), started together


@dataclass
class Session:
    """Who this browser session is to the server, and what its page's address last said."""

    id: str = field(default_factory=lambda: secrets.token_hex(8))
    address_run: str | None = None  # the ?run= this session last followed
    address_note: tuple[str, str] | None = None  # what to say about it
    save_error: str | None = None  # why the store could not list runs, last time


def training(scope: str = DIGITS) -> Training:
    return slot(Training, scope)


def session() -> Session:
    return slot(Session)


def current_job(scope: str = DIGITS) -> TrainingJob | None:
    return training(scope).job


def running(scope: str = DIGITS) -> bool:
    """Whether the scope's training (or a lesson's group: scope "lesson_<name>") runs now; nothing
    remembered (see is_training)."""
    t = training(scope)
    jobs = t.group if scope.startswith("lesson_") else (t.job,) if t.job is not None else ()
    return any(not job.snapshot().finished for job in jobs)


def is_training(scope: str = DIGITS) -> bool:
    """Whether the page's training runs; True is remembered (`seen_training`) until the live view
    catches up: parts of the page drawn as training (a disabled Train button) before the job
    finished later in the same script run need one more run."""
    now = running(scope)
    if now:
        drawn_as_training(scope)
    return now


def drawn_as_training(scope: str) -> None:
    """This script run drew a part of `scope` as training (a page that read its job as running): the
    live view below gets its catch-up run even if the job ends before the view reads it (see polls)."""
    training(scope).seen_training = True


def polls(scope: str, name: str, running: bool) -> bool:
    """Whether the live view `name` of `scope` polls in this run. A job that finished during this
    script run, after a part above was drawn as training (the Train button disabled), still gets
    its one catch-up run: without it the button stayed disabled after a Stop when the job ended
    between the two reads. A lesson's scope is "lesson_<name>"."""
    t = training(scope)
    t.polling[name] = running or t.seen_training
    t.seen_training = False
    return running


def was_polling(scope: str, name: str) -> bool:
    return training(scope).polling.get(name, False)


def caught_up(scope: str, name: str) -> None:
    """The view `name` has seen its job end: it stops polling until the next training."""
    t = training(scope)
    t.polling[name] = False
    t.seen_training = False


def start_training(spec: ExperimentSpec, scope: str = DIGITS, initial_weights: list[np.ndarray] | None = None,
                   parent: Run | None = None, data: Dataset | None = None, origin: str = "") -> TrainingJob:
    """Start a training of `spec` as a run of the server (nncore.training.live): it waits in
    the queue in this session's place (replacing the session's earlier training), trains beside
    the page, and is saved to the run store as it goes. `initial_weights` and `parent`: train
    again from a stored run's initial weights. `data`: the data the page holds (a learner's own
    points), instead of loading the spec's. `origin`: where `initial_weights` come from, for the run's
    changes ("from hand-set weights"). Without initial weights, after a Step of the same network:
    from the stepped weights and optimizer state."""
    t = training(scope)
    optimizer_state, parent_id = None, parent.id if parent else None
    stepped = _stepped(t, spec) if initial_weights is None else None
    if stepped is not None:  # Train after Step: from the stepped weights
        s = stepped.snapshot()
        initial_weights, optimizer_state, parent_id = list(s.weights), s.optimizer_state, t.live.run_id
    job = TrainingJob(spec, data=data, initial_weights=initial_weights, owner=session_id(),
                      optimizer_state=optimizer_state)
    before = parent.spec if parent is not None else t.last_spec
    changes = describe_changes(before, spec)
    if stepped is not None:
        taken = stepped.snapshot().result.steps_taken
        changes = "; ".join(filter(None, [changes, f"from the weights after {taken} step{'s' * (taken > 1)} by hand"]))
    elif origin:  # e.g. hand-set weights
        changes = "; ".join(filter(None, [changes, origin]))
    elif initial_weights is not None:
        changes += " (same initial weights)"
    _go_live(t, job, spec, changes, parent_id)
    return job


def _stepped(t: Training, spec: ExperimentSpec) -> StepJob | None:
    """The page's last job when it is a finished Step of this same network (Train goes on from it)."""
    job = t.job
    if isinstance(job, StepJob) and job.snapshot().status == "done" and job.snapshot().result is not None \
            and same_network(job.spec, spec):
        return job
    return None


def _go_live(t: Training, job: TrainingJob, spec: ExperimentSpec, changes: str, parent: str | None,
             run_id: str | None = None) -> None:
    learner, class_id = people_state.tags()  # whose run, and the class it is for (while that is open)
    live = LiveRun(job, run_id or new_run_id(), learner or session_id(), changes, parent, store(),
                   learner=learner, class_id=class_id)
    watch(live)
    t.job, t.live, t.last_spec = job, live, spec
    LIVE.start(live)


def start_step(spec: ExperimentSpec, scope: str = DIGITS, mode: str = "batch", data: Dataset | None = None) -> StepJob:
    """Step: one batch (or the rest of an epoch) of Train's own training step, from the page's current
    weights: the last step's, a finished training's, or the seed's (nncore.training.step). A series
    of steps is one run of the store: each step saves it again under the same run id."""
    t = training(scope)
    previous = t.job if t.job is not None and t.job.snapshot().finished else None
    start = StepStart.after(previous, spec)
    job = StepJob(spec, start, mode, data=data, owner=session_id())
    if isinstance(previous, StepJob) and start.steps_taken and t.live is not None:  # the same series goes on
        _go_live(t, job, spec, t.live.changes, t.live.parent, t.live.run_id)
    else:
        parent = t.live.run_id if previous is not None and t.live is not None and start.weights is not None else None
        _go_live(t, job, spec, f"steps by hand, {start.note}", parent)
    return job


def stop_training(scope: str = DIGITS) -> None:
    job = current_job(scope)
    if job is not None:
        job.stop()


def reattach(run_id: str, scope: str = DIGITS) -> LiveRun | None:
    """Show the server's live run `run_id` in this session (a reload, or its address opened in
    another tab): its job becomes this page's job, with its live progress and its Stop. None when
    no training of that id is live on this server (it may be stored: see app.state.stored.get_run)."""
    live = live_run(run_id)
    if live is None or scope_of(live.job.spec) != scope:
        return None
    watch(live)
    t = training(scope)
    if t.live is not live:
        t.job, t.live, t.last_spec = live.job, live, live.job.spec
        load_into_builder(live.job.spec)  # the sidebar shows the run's own settings
    return live


def live_run(run_id: str) -> LiveRun | None:
    """A training of this server by its run id, while it is live (waiting, training, or just ended)."""
    return LIVE.get(run_id) if valid_run_id(run_id) else None


def watch(live: LiveRun) -> None:
    """This browser session shows `live`: while it waits for a slot it stays in line as long as
    one of its watchers is connected (Streamlit's own registry of sessions says so)."""
    me = browser_session()
    if me is None:  # AppTest and plain scripts: no sessions to lose
        return
    live.watchers.add(me)
    live.job.set_alive(sessions_alive(lambda: live.watchers))


# ---- who this session is, its latest run, and the builder's next spec ---------------------

def session_id() -> str:
    """This browser session's name in the run store (weights are bounded per session) and in the
    training queue (one place per session)."""
    return session().id


def scope_of(spec: ExperimentSpec) -> str:
    return DIGITS if DATASETS[spec.dataset].page == "train" else POINTS


def current_run_id(scope: str = DIGITS) -> str | None:
    """The run id of this page's latest training (its link works once it has finished)."""
    live = training(scope).live
    return live.run_id if live is not None else None


def current_live(scope: str = DIGITS) -> LiveRun | None:
    """This page's latest training as a run of the server (None before the first)."""
    return training(scope).live


def load_into_builder(spec: ExperimentSpec) -> str:
    """Ask the builder of the spec's page to show `spec` on its next run; returns that scope."""
    scope = scope_of(spec)
    training(scope).spec_to_load = spec
    return scope


def take_spec_to_load(scope: str) -> ExperimentSpec | None:
    t = training(scope)
    spec, t.spec_to_load = t.spec_to_load, None
    return spec


# ---- lessons' trainings: a page may run several jobs at once (e.g. two networks side by side) ----

def lesson_jobs(name: str) -> tuple[TrainingJob, ...]:
    """The jobs the lesson `name` started last in this session (empty before the first)."""
    return training(f"lesson_{name}").group


def lesson_training(name: str) -> bool:
    """Whether the lesson's jobs train; True is remembered as for `is_training`."""
    return is_training(f"lesson_{name}")


def start_lesson(name: str, jobs: tuple[TrainingJob, ...]) -> None:
    """Stop the lesson's previous jobs, then start these beside the page, together: one place in
    the queue for the group (this session's place: it replaces the session's earlier training)."""
    for old in lesson_jobs(name):
        old.stop()
    me = browser_session()
    if me is not None:
        for job in jobs:
            job.set_alive(sessions_alive(lambda: (me,)))
    start_together(jobs, session_id())
    training(f"lesson_{name}").group = tuple(jobs)


def stop_lesson(name: str) -> None:
    for job in lesson_jobs(name):
        job.stop()
