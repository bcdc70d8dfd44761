"""Runs: every training kept; open one by its link (?run=<id>), or put several side by side."""

import time

import numpy as np
import streamlit as st

from app import chart_ui
from app import charts, people_ui, runs_ui, state
from app.state import pages
from app.text import plain
from nncore import SpecError
from nncore.model import build_model
from nncore.runs import Run
from nncore.address import FIELD_NAMES

st.title("Runs")
runs_ui.saving_notice()

# Fields that keep the network's shape: changing one of them can start from the same initial weights.
SAME_SHAPE = [f for f in FIELD_NAMES if f not in ("dataset", "hidden", "points", "noise")]


def train_again(run: Run, field: str, value: str) -> None:
    """Rerun `run` with one field changed, from the run's own initial weights (the spec's seeded
    initialisation: the network is built again with the run's seed, before any training)."""
    try:
        spec = run.spec.with_settings([f"{field}={value}"]).validate()
    except SpecError as e:
        pages.again().error = str(e)
        return
    initial = build_model(run.spec, compile=False).get_weights()
    scope = state.load_into_builder(spec)
    state.start_training(spec, scope, initial_weights=initial, parent=run)
    pages.again().started = scope


def one_run(run: Run) -> None:
    runs_ui.show_run(run)

    with st.expander("Train again from the same initial weights, with one thing changed"):
        c1, c2 = st.columns(2)
        field = c1.selectbox("Change", SAME_SHAPE, persist_state="session", key="again_field")
        value = c2.text_input("to", persist_state="session", key="again_value", placeholder=f"now {getattr(run.spec, field)}")
        st.button("Train again", key="train_again", icon=":material/replay:", on_click=train_again,
                  args=(run, field, value), disabled=not value)
        error = pages.take_again_error()
        if error:
            st.error(plain(error), icon=":material/error:")
    if pages.take_again_started():
        st.switch_page("views/train.py" if state.scope_of(run.spec) == state.DIGITS else "views/boundaries.py")


def compare(runs: list[Run]) -> None:
    if not runs:
        st.info("No runs yet: train a network on the Train or Boundaries page and each training appears "
                "here, in every tab of this browser and after a reload. Nobody else sees them listed.",
                icon=":material/info:")
        return
    runs_ui.table(runs)
    labels = {r.id: f"{r.id} · {r.changes}"[:60] for r in runs}
    chosen = st.multiselect("Runs to compare", list(labels), default=list(labels)[:2], format_func=labels.get,
                            persist_state="session", key="compare_runs")
    picked = [r for r in runs if r.id in chosen]
    if len(picked) < 2:
        st.caption("Pick two or more runs to see their curves overlaid.")
        return
    # each run named by the settings in which the picked runs differ, not by its id
    series = list(zip(charts.compare_labels([r.spec for r in picked], [r.id for r in picked]),
                      [r.history for r in picked]))
    log = st.toggle("Loss on a log scale", key="compare_log",
                    help="Every factor of 10 the same height: a loss of 400,000 and one of 0.2 on one chart.")
    top = charts.off_chart_level([r.history.get(k, ()) for r in picked for k in ("loss", "val_loss")])
    if top is not None and not log:
        st.caption("A run's loss is far above the others: its curve leaves the chart at the top (▲ marks "
                   "each epoch up there, its value in the hover). The log scale shows all of it.")
    left, right = st.columns(2)
    chart_ui.plot(charts.compare_curves(series, "loss", "Loss of each run", "loss", log=log), "compare_loss", where=left,
                  text=charts.describe.compare_text(series, "loss"))
    chart_ui.plot(charts.compare_curves(series, "accuracy", "Accuracy of each run", "accuracy", percent=True),
                  "compare_accuracy", where=right, text=charts.describe.compare_text(series, "accuracy", percent_=True))
    with_matrix = [r for r in picked if r.confusion is not None]
    if with_matrix:
        for col, r in zip(st.columns(len(with_matrix[:4])), with_matrix[:4]):
            chart_ui.plot(charts.confusion_matrix(np.array(r.confusion), r.class_names, title=f"Run {r.id}",
                                                   noun=charts.label_noun(r.spec)), f"compare_confusion_{r.id}", where=col,
                          text=charts.describe.confusion_text(r.confusion, r.class_names, charts.label_noun(r.spec)))


run_id = st.query_params.get("run")
live = state.live_run(run_id) if run_id is not None else None
if live is not None and not live.job.snapshot().finished:
    runs_ui.live_run(live)  # training now on this server: its live progress, and Stop
    st.divider()
elif run_id is not None:
    if live is not None:
        live.save()  # just finished: stored once, before it is read back
    run, message = state.get_run(run_id)
    if run is None:
        st.error(plain(message), icon=":material/link_off:")
    else:
        if run.status == "interrupted":
            st.warning(plain(run.message), icon=":material/power_off:")
        elif run.status == "running":
            st.info(f"This run is training on another server of this app ({run.server}); below is what it "
                    f"had recorded {time.time() - run.updated:.0f} s ago.", icon=":material/dns:")
        st.caption("A run is read-only: anyone on this server can open its link, after a reload or a restart.")
        st.code(runs_ui.page_link_for_run(run.id), language=None)
        one_run(run)
    st.divider()

mine = sorted(state.runs(state.DIGITS) + state.runs(state.POINTS), key=lambda r: -r.created)
st.subheader("Your runs")
compare(mine)
people_ui.you_panel()
