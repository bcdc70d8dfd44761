"""The Step panel of Train and Boundaries: what one step of gradient descent changed (a StepJob's
snapshot, nncore.training.step): where it was, the loss before and after on its batch and on the
whole training set, each layer's gradient and weight change, and the series of steps so far."""

from __future__ import annotations

import streamlit as st

from app import chart_ui
from app import step_charts
from app import training_ui as ui
from nncore.training.snapshot import Snapshot, Status
from nncore.training.step import MODES, StepJob


def is_step(job) -> bool:
    return isinstance(job, StepJob)


def counter(s: Snapshot) -> str:
    """Where the next step starts, as Train's progress says it: "epoch 1 · batch 3 of 125 done"."""
    if s.step:
        return f"Epoch {s.epoch + 1} · batch {s.step} of {s.steps_per_epoch} done"
    return f"Epoch {s.epoch} · batch {s.steps_per_epoch} of {s.steps_per_epoch} done" if s.epoch else "No batch done yet"


def panel(job: StepJob, s: Snapshot) -> None:
    """The step's numbers (the boundary, on Boundaries, is drawn by the page)."""
    r = s.result
    if r is None or s.status != Status.DONE:
        ui.progress(s)
        return
    with st.container(key="step_counter"):
        st.markdown(f"**Step {r.steps_taken}** ({MODES[r.mode]}: {r.where()}, {r.examples:,} examples, "
                    f"learning rate {r.learning_rate:g}) · **{counter(s)}**")
    left, middle, right, last = st.columns(4)
    with left.container(key="step_loss"):
        st.metric("Loss on the step's batch", f"{r.batch_loss_after:.4f}", f"{r.batch_loss_after - r.batch_loss_before:+.4f}",
                  delta_color="inverse", help="The same examples, at the weights before the step and after it.")
        st.caption(f"before {r.batch_loss_before:.4f} → after {r.batch_loss_after:.4f}")
    with middle.container(key="step_full_loss"):
        st.metric("Loss on the whole training set", f"{r.train_loss_after:.4f}",
                  f"{r.train_loss_after - r.train_loss_before:+.4f}", delta_color="inverse")
        st.caption(f"before {r.train_loss_before:.4f} → after {r.train_loss_after:.4f}")
    right.metric("Validation loss", "–" if r.val_loss is None else f"{r.val_loss:.4f}")
    last.metric("Validation accuracy", "–" if r.val_accuracy is None else f"{r.val_accuracy:.1%}")
    st.caption(f"Keras' train_step reported {r.keras_loss:.4f} for this step: the loss it computed on the batch"
               f"{'es' if r.batches > 1 else ''} on the way to the gradient, at the weights before "
               f"{'each batch' if r.batches > 1 else 'the step'}. Press **Train** to go on from here.")
    chart_ui.plot(step_charts.layer_changes(r.layers), "step_layers_chart")
    rows = [{"layer": c.name, "|dJ/d(w, b)|": round(c.gradient_size, 6), "|Δ(w, b)|": round(c.change_size, 6),
             "|(w, b)| before": round(float((c.weights ** 2).sum() ** 0.5), 6),
             "change / size": round(c.change_size / max(float((c.weights ** 2).sum() ** 0.5), 1e-12), 6)}
            for c in r.layers]
    st.dataframe(rows, hide_index=True, key="step_layers_table")
    if r.steps_taken > 1:
        chart_ui.plot(step_charts.series_loss(s.history), "step_series_chart")
