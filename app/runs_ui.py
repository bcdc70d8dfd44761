"""What the Train page and the Runs page share about runs: downloads, the table, the
saving notice. Streamlit calls only; the numbers come from nncore.runs records or a job."""

from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from app import chart_ui
from app import charts, models, state, step_charts
from app import training_ui as ui
from app.text import plain
from nncore import ExperimentSpec
from nncore.export import keras_code
from nncore.runs import INTERRUPTED, PROGRESS_EVERY, RUNNING, Run
from nncore.address import to_query
from nncore.training.live import SAVE_RETRY_S


def file_stem(spec: ExperimentSpec, run_id: str | None) -> str:
    return f"nn-playground-{run_id}" if run_id else "nn-playground"


def metrics_csv(history: dict) -> str:
    return Run("", ExperimentSpec(), history=history).metrics_csv()


def downloads(spec: ExperimentSpec, history: dict, weights: Callable[[], list[np.ndarray] | None],
              run_id: str | None = None) -> None:
    """The trained network (.keras), its Keras code (.py) and its metrics per epoch (.csv)."""
    stem = file_stem(spec, run_id)
    with st.container(horizontal=True):
        w = weights()
        if w is not None:
            st.download_button("Trained network (.keras)", data=lambda: models.keras_file(spec, w),
                               file_name=f"{stem}.keras", mime="application/octet-stream", key="download_model",
                               icon=":material/download:", on_click="ignore",
                               help="Keras' own format: keras.saving.load_model(path) loads it (safe_mode on).")
        st.download_button("Keras code (.py)", data=keras_code(spec), file_name=f"{stem}.py", mime="text/x-python",
                           key="download_code", icon=":material/code:", on_click="ignore",
                           help="A script that builds the same data split and trains this network with model.fit.")
        st.download_button("Metrics per epoch (.csv)", data=metrics_csv(history), file_name=f"{stem}-metrics.csv",
                           mime="text/csv", key="download_csv", icon=":material/table:", on_click="ignore")
    st.caption("Each chart's camera button (top right, on hover) saves it as a PNG.")


def saving_notice() -> None:
    problem = state.saving_problem()
    if problem:
        st.warning(f"Runs are not being saved: {problem}. Trainings still work; their results stay in "
                   f"this tab, and a training that ended meanwhile is saved when the database is back (tried "
                   f"every {PROGRESS_EVERY:.0f} s for {SAVE_RETRY_S / 60:.0f} minutes).", icon=":material/database:")


def table(runs: list[Run]) -> None:
    """One row per run, newest first, each with its link."""
    rows = [{
        "run": r.id,
        "changes": r.changes,
        "hidden layers": r.spec.hidden_text or "none",
        "optimizer": f"{r.spec.optimizer} {r.spec.learning_rate:g}",
        "epochs": r.epochs,
        "status": r.status,
        "train loss": r.last("loss"),
        "val loss": r.last("val_loss"),
        "val accuracy": r.last("val_accuracy"),
        "seconds": round(r.seconds, 1),
        "link": f"/runs?run={r.id}",
    } for r in runs]
    st.dataframe(rows, hide_index=True, column_config={
        "link": st.column_config.LinkColumn("link", display_text="open"),
        "val accuracy": st.column_config.NumberColumn(format="percent"),
    })


def spec_link(spec: ExperimentSpec) -> str:
    """The Train or Boundaries page with this spec in the address."""
    from urllib.parse import urlencode

    from app.builder import default_spec

    scope = state.scope_of(spec)
    page = "/" if scope == state.DIGITS else "/boundaries"
    query = to_query(spec, default_spec(scope))
    return page + ("?" + urlencode(query) if query else "")


def page_link_for_run(run_id: str) -> str:
    """The Runs page's full address for one run."""
    from urllib.parse import urlsplit

    url = urlsplit(st.context.url or "")
    origin = f"{url.scheme}://{url.netloc}" if url.netloc else ""
    return f"{origin}/runs?run={run_id}"


def take_home(scope: str) -> None:
    """After a training: its run's link and the downloads."""
    job = state.current_job(scope)
    if job is None or not job.snapshot().finished:
        return
    s, run_id = job.snapshot(), state.current_run_id(scope)
    st.subheader("Share it, take it home")
    saving_notice()
    if run_id and not state.saving_problem():
        st.markdown(f"This training is run **{run_id}**: its link opens its curves and numbers for anyone on "
                    "this server, after a reload or a restart.")
        st.code(page_link_for_run(run_id), language=None)
    downloads(job.spec, s.history, lambda: list(s.weights) if s.weights is not None else None, run_id)


def live_run(live) -> None:
    """A run training now on this server (nncore.training.live.LiveRun), opened by its address from
    any tab: its progress, numbers and curves redrawn every second, and a Stop that stops it."""
    job = live.job
    state.watch(live)
    # drawn as training now: if the job ends before the live view below first reads it (a Stop
    # clicked here reruns the page while the job is still finishing), that view's one catch-up
    # run still redraws the page as the stored run
    state.drawn_as_training("runs_page")
    st.subheader(f"Run {live.run_id} · training now")
    link = spec_link(job.spec)
    link += ("&" if "?" in link else "?") + f"run={live.run_id}"
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Stop", key="stop_live_run", icon=":material/stop:", on_click=job.stop,
                  help="Stop this training now (from any tab that shows it); it keeps the weights trained so far.")
        st.markdown(f"[Watch it on its page, with all its views]({link})")

    def draw() -> None:
        s = job.snapshot()
        ui.progress(s)
        ui.metrics(s)
        ui.curves(s, suffix="_live_run")

    # then once more in full: the stored run, with its downloads
    ui.polling_fragment(draw, "runs_page", live.run_id, 1.0, running=lambda: not job.snapshot().finished)


WITHOUT_WEIGHTS = {  # why a stored run has no weights to download or draw with, by its status
    RUNNING: "This run is still training: its weights are stored when it ends (reload this page then).",
    INTERRUPTED: "An interrupted run keeps its curves and numbers, not its weights.",
    None: "This run's trained weights are no longer kept (only the newest runs keep theirs).",
}


def show_run(run: Run, links: bool = True) -> None:
    """A stored run, read-only: its settings, numbers, curves, confusion matrix, links and downloads."""
    st.subheader(f"Run {run.id}")
    st.markdown(f"**{plain(run.spec.hidden_text or 'no hidden layers')}** · {run.spec.optimizer} "
                f"(learning_rate={run.spec.learning_rate:g}) · batch {run.spec.batch_size} · "
                f"{run.epochs} of {run.spec.epochs} epochs · **{run.status}** · {run.seconds:.1f} s  \n"
                f"Changed from the run before: {plain(run.changes or '–')}")
    ui.metrics(run)  # the same four numbers as a live training's
    if "step_loss" in run.history and not run.history.get("loss"):  # a series of steps (Step), not epochs
        chart_ui.plot(step_charts.series_loss(run.history), "run_loss_chart")
    else:
        left, right = st.columns(2)
        chart_ui.plot(charts.loss_curve(run.history, (), run.spec.epochs), "run_loss_chart", where=left,
                      text=charts.describe.loss_text(run.history, run.spec.epochs))
        chart_ui.plot(charts.accuracy_curve(run.history, run.spec.epochs), "run_accuracy_chart", where=right,
                      text=charts.describe.accuracy_text(run.history, run.spec.epochs))
    if run.confusion is not None:
        noun = charts.label_noun(run.spec)
        chart_ui.plot(charts.confusion_matrix(np.array(run.confusion), run.class_names, noun=noun), "run_confusion",
                      text=charts.describe.confusion_text(run.confusion, run.class_names, noun))
    shown = [f"[Open these settings to train]({spec_link(run.spec)})"] if links else []
    if run.has_weights and run.spec.shape.image == (28, 28):
        shown.append(f"[Draw a digit for this network](/draw?run={run.id})")
    if shown:
        st.markdown(" · ".join(shown))
    downloads(run.spec, run.history, lambda: state.run_weights(run.id) if run.has_weights else None, run.id)
    if not run.has_weights:
        st.caption(WITHOUT_WEIGHTS.get(run.status, WITHOUT_WEIGHTS[None]))
