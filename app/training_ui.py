"""The parts every training page shares: the network in one line, Train/Stop, progress,
status and metrics. Pages that train (Train, Boundaries) call these with their scope."""

from __future__ import annotations

import streamlit as st

from app import chart_ui
from app import builder, charts, state
from app.state import learner
from app.text import plain
from nncore import ExperimentSpec, SpecError
from nncore.model import count_params, plan
from nncore.registry import LOSSES, OPTIMIZERS, is_plane
from nncore.training.job import TrainingJob
from nncore.training.snapshot import Snapshot, Status
from nncore.training.step import MODES as STEP_MODES, step_problem

STATUS_BOX = {Status.DONE: st.success, Status.STOPPED: st.warning, Status.DIVERGED: st.error,
              Status.FAILED: st.error, Status.QUEUED: st.info, Status.RUNNING: st.info}


def network_line(spec: ExperimentSpec | None, problems: list[SpecError]) -> None:
    """The network in one line of prose, or what is wrong with the settings."""
    if spec is not None and not problems:
        what = "(x1, x2)" if is_plane(spec.dataset) else "784 pixels"
        planned = [p.short() for p in plan(spec) if p.cls not in ("Reshape", "Flatten")]
        planned[-1] += " = logits" if spec.from_logits else " = probabilities"
        loss = LOSSES[spec.loss].code(spec.from_logits).removeprefix("keras.losses.")
        st.markdown(f"**{' → '.join([what, *planned])}**  \n`{loss}` · `{OPTIMIZERS.label(spec.optimizer)}"
                    f"(learning_rate={spec.learning_rate:g})` · batch {spec.batch_size} · "
                    f"{spec.epochs} epochs{' · augmented' if spec.augment else ''} · "
                    f"**{count_params(spec):,} parameters**")
    for problem in problems:
        st.error(f"**{problem.field}**: {problem.message}", icon=":material/error:")


def address_note(note: tuple[str, str] | None):
    """Say what the page's `?run=` is (state.follow_address's note); the stored run it opened, to
    show on the page (None: none)."""
    if note is None:
        return None
    kind, text = note
    if kind == "stored":
        return state.get_run(text)[0]
    if kind == "link":
        st.info(text, icon=":material/link:")
    else:
        st.warning(plain(text), icon=":material/link_off:")
    return None


def follow_elsewhere(run_id: str, every: float = 3.0) -> None:
    """A run the address opened that another server (replica) has "running": look at it again
    every few seconds and redraw the page when it has ended there, or was found cut off (its server
    known gone, or not saved for 15 s: state.get_run marks it interrupted)."""
    def look() -> None:
        run = state.get_run(run_id)[0]
        if run is not None and run.status != "running":
            st.rerun()

    look.__qualname__ = "follow_elsewhere"
    st.fragment(look, run_every=every)()


def train_buttons(spec: ExperimentSpec | None, problems: list[SpecError], scope: str, prepare=None) -> None:
    """Train and Stop. `prepare(spec) -> (spec, problems, data)`: the data Train trains on when the
    page holds it (a learner's own points), called at the click."""
    training = state.is_training(scope)
    valid = spec is not None and not problems
    suffix = "" if scope == state.DIGITS else f"_{scope}"
    with st.container(horizontal=True):
        st.button("Train", key=f"train{suffix}", type="primary", icon=":material/play_arrow:",
                  disabled=not valid or training, on_click=_train_clicked, args=(scope, prepare),
                  help="Fix the settings marked in red first." if problems else "Start a new training.")
        st.button("Stop", key=f"stop{suffix}", icon=":material/stop:", disabled=not training,
                  on_click=state.stop_training, args=(scope,),
                  help="Stop now and keep the weights trained so far.")
        cannot = step_problem(spec) if valid else None
        st.button("Step", key="step", icon=":material/skip_next:", disabled=not valid or training or bool(cannot),
                  on_click=_step_clicked, args=(scope, prepare),
                  help=cannot or "One step of gradient descent from the current weights (the last step's, a "
                                 "finished training's, or the initial ones), with Train's own training step; "
                                 "then Train goes on from the stepped weights.")
        st.segmented_control("Step size", list(STEP_MODES), format_func=STEP_MODES.get, default="batch",
                             key="step_size", persist_state="session", required=True, disabled=training,
                             label_visibility="collapsed", width="content")
    st.caption(state.ONE_AT_A_TIME + " One epoch of steps goes to the end of the current epoch.")
    membership = learner.current_class()
    if membership is not None and not membership.closed:
        st.caption(f"Every run you train counts for your class **{plain(membership.class_name)}** "
                   f"(as {plain(membership.name)}): see it on the [Class page](/class).")


def _train_clicked(scope: str, prepare) -> None:
    """Train with the builder's values at the click. The spec of the run that drew the button may be
    older: a learner who types 2 epochs and clicks Train at once (before the page has rerun with the
    2) trained the old 40. A spec made invalid by that last change starts nothing: the page shows
    what is wrong."""
    spec, problems = builder.current_spec(scope)
    data = None
    if spec is not None and not problems and prepare is not None:
        spec, problems, data = prepare(spec)
    if spec is not None and not problems:
        state.start_training(spec, scope, data=data)


def _step_clicked(scope: str, prepare) -> None:
    """Step with the builder's values at the click (as Train), and the step size chosen then."""
    spec, problems = builder.current_spec(scope)
    data = None
    if spec is not None and not problems and prepare is not None:
        spec, problems, data = prepare(spec)
    if spec is not None and not problems and not step_problem(spec):
        state.start_step(spec, scope, st.session_state.get("step_size") or "batch", data=data)


def origin_note(scope: str) -> None:
    """Where the page's training started from, when not from the seed's weights (after Step, or from
    hand-set weights): the run's own words."""
    live = state.current_live(scope)
    if live is not None and ("by hand" in live.changes or "hand-set" in live.changes):
        st.caption(f"This training started {plain(live.changes.split('; ')[-1])}.")


def progress(s: Snapshot) -> None:
    """The progress bar and the status line; while the training waits in the server's queue, its
    place and the estimated wait (the snapshot's message, updated live)."""
    if s.status == Status.QUEUED:
        st.progress(0.0, text="Waiting in line for a training slot (first come, first served)")
        st.info(s.message or "Waiting for a free training slot...", icon=":material/hourglass_empty:")
        return
    if s.finished:
        text = f"{s.epoch} of {s.epochs} epochs · {s.elapsed:.1f} s"
    elif s.steps_per_epoch == 0:  # not begun: the status line below says what it waits for
        text = f"Getting ready to train {s.epochs} epochs"
    else:
        left = f", about {s.seconds_left:.0f} s left" if s.seconds_left is not None else ""
        text = (f"Epoch {min(s.epoch + 1, s.epochs)} of {s.epochs} · batch {s.step} of "
                f"{s.steps_per_epoch} · {s.elapsed:.1f} s{left}")
    st.progress(s.progress, text=text)
    STATUS_BOX[s.status](s.message or s.status, icon=":material/monitoring:")


def metrics(s) -> None:
    """Training and validation loss and accuracy: the last of each in `s.history` (a Snapshot, or a
    stored run)."""
    for col, (label, key, fmt) in zip(st.columns(4), [("Training loss", "loss", "{:.4f}"),
                                                      ("Validation loss", "val_loss", "{:.4f}"),
                                                      ("Training accuracy", "accuracy", "{:.1%}"),
                                                      ("Validation accuracy", "val_accuracy", "{:.1%}")]):
        value = s.last(key)
        col.metric(label, "–" if value is None else fmt.format(value))


def curves(s: Snapshot, suffix: str = "") -> None:
    left, right = st.columns(2)
    chart_ui.plot(charts.loss_curve(s.history, s.batch_loss, s.epochs), f"loss_chart{suffix}", where=left,
                  text=charts.describe.loss_text(s.history, s.epochs))
    chart_ui.plot(charts.accuracy_curve(s.history, s.epochs), f"accuracy_chart{suffix}", where=right,
                  text=charts.describe.accuracy_text(s.history, s.epochs))


def live(view, scope: str, every: float = 0.5, name: str = "") -> None:
    """Run `view(job, snapshot)` in a fragment that redraws every `every` seconds while the
    job trains. A page may call this several times: cheap text often, heavy charts seldom
    (each Plotly redraw costs the browser real work, and on a small machine the browser and
    the training share the cores)."""
    def draw() -> None:
        job: TrainingJob | None = state.current_job(scope)
        view(job, job.snapshot() if job is not None else None)

    polling_fragment(draw, scope, name, every)


def polling_fragment(draw, scope: str, name: str, every: float, running=None) -> None:
    """The one live-polling fragment: `draw()` every `every` seconds while `running()` (its training
    goes on), then once more in full: a live view that sees its job end mid-run reruns the page,
    so the buttons, the runs table and every view drawn earlier in that run catch up (without it
    the Train button stayed disabled after a Stop when the job ended between two reads). `name`
    tells a page's several views apart: a later one must not undo an earlier one's polling."""
    running = running or (lambda: state.running(scope))  # nothing remembered: see state.is_training

    def fragment() -> None:
        draw()
        if state.was_polling(scope, name) and not running():
            state.caught_up(scope, name)
            st.rerun()

    polls = state.polls(scope, name, running())
    fragment.__qualname__ = f"live_{scope}_{name}"  # the fragment's identity in Streamlit
    st.fragment(fragment, run_every=every if polls else None)()


def lesson_buttons(name: str, label: str, key: str, make_jobs, where=None, help: str | None = None) -> None:
    """A lesson's Train button (key `key`) and its Stop (key `stop_NAME`): `make_jobs()` builds the
    jobs (not started) when Train is clicked, from the widgets' values then (none: nothing starts);
    they run beside the page. `where`: two containers
    for the buttons (two columns by default)."""
    training = state.lesson_training(name)
    left, right = where or st.columns([1, 3])
    left.button(label, key=key, type="primary", disabled=training, help=help,
                on_click=_lesson_clicked, args=(name, make_jobs))
    right.button("Stop", key=f"stop_{name}", icon=":material/stop:", disabled=not training,
                 on_click=state.stop_lesson, args=(name,))


def _lesson_clicked(name: str, make_jobs) -> None:
    jobs = tuple(make_jobs())  # made at the click, from the values the click saw
    if jobs:
        state.start_lesson(name, jobs)


def lesson_live(name: str, view, every: float = 0.5) -> None:
    """Run `view(jobs)` in a fragment that redraws every `every` seconds while the lesson's jobs
    train (each job's snapshot is read inside the view), then once more in full."""
    polling_fragment(lambda: view(state.lesson_jobs(name)), f"lesson_{name}", "", every)


def lesson_progress(jobs, label: str = "") -> None:
    """One progress bar for a lesson's jobs (their epochs together) and each one's status."""
    snaps = [job.snapshot() for job in jobs]
    done = sum(s.epoch for s in snaps)
    total = sum(s.epochs for s in snaps)
    running = [s for s in snaps if not s.finished]
    text = f"{label}epoch {done} of {total}" + (f" · {max(s.elapsed for s in snaps):.1f} s" if snaps else "")
    st.progress(sum(s.progress for s in snaps) / max(1, len(snaps)), text=text)
    for s in snaps:
        if s.status in (Status.QUEUED, Status.FAILED, Status.DIVERGED, Status.STOPPED) or (not running and s.message):
            STATUS_BOX[s.status](s.message or s.status, icon=":material/monitoring:")
