"""Losses and labels: integers or one-hot, binary classification, multi-class vs multi-label."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts
from app import training_ui as ui
from nncore.lessons import losses as lessons

st.title("Losses and labels")
st.caption("The same cross-entropy comes in two Keras losses, one per label format. And a yes/no "
           "question, or several at once, takes sigmoid outputs and BinaryCrossentropy.")

# ---- label formats -------------------------------------------------------------------------
st.header("Integers or one-hot")
y = np.array([3, 0, 7])
formats = lessons.label_formats(y, 10)
c1, c2 = st.columns(2)
c1.markdown("**Integer labels** for `SparseCategoricalCrossentropy`")
c1.code(f"y = {formats['integers'].tolist()}", language="python")
c2.markdown("**One-hot labels** for `CategoricalCrossentropy`")
c2.code("y = [\n" + "\n".join(f"  {row.astype(int).tolist()}," for row in formats["one_hot"]) + "\n]", language="python")
logits = np.random.default_rng(0).normal(0, 2, (3, 10)).astype(np.float32)
sparse, categorical = lessons.same_loss_both_ways(logits, y)
st.markdown(f"On the same three examples (random logits): SparseCategoricalCrossentropy = **{sparse:.6f}**, "
            f"CategoricalCrossentropy = **{categorical:.6f}**: the same loss.")

st.subheader("Give a loss the wrong format")
kind = st.segmented_control("Mistake", list(lessons.MISMATCHES), default=lessons.MISMATCHES[0],
                            persist_state="session", key="mismatch", required=True)
m = lessons.mismatch(kind)
with st.container(key="mismatch_result"):
    st.code(m.code, language="python")
    if m.raised:
        st.error(f"Keras raised {m.error_type}: {m.message}", icon=":material/error:")
    else:
        st.warning(f"Keras returned {m.loss:.4f} without an error.", icon=":material/warning:")
    st.markdown(f"**In plain words:** {m.explanation}")

# ---- binary classification -------------------------------------------------------------------
st.header("Binary classification: is it a 0 or a 1?")
st.markdown("The course's first network: Dense(25, sigmoid) → Dense(15, sigmoid) → Dense(1, sigmoid), "
            "`BinaryCrossentropy`, Adam(0.001), on the digits 0 and 1 only.")
st.number_input("Epochs", 1, 100, 20, persist_state="session", key="binary_epochs")  # read at the click
ui.lesson_buttons("binary", "Train the 0-or-1 network", "train_binary",
                  lambda: (lessons.zero_or_one_job(epochs=int(st.session_state["binary_epochs"])),))


def binary_view(jobs) -> None:
    if not jobs:
        return
    ui.lesson_progress(jobs, "Training on the 0s and 1s: ")
    s = jobs[0].snapshot()
    h = s.history
    if not h.get("loss"):
        return
    epochs_ = list(range(1, len(h["loss"]) + 1))
    fig = go.Figure([go.Scatter(x=epochs_, y=h["loss"], mode="lines+markers", name="training"),
                     go.Scatter(x=epochs_, y=h["val_loss"], mode="lines+markers", name="validation")])
    chart_ui.plot(charts.layout(fig, "BinaryCrossentropy", "epoch", "loss", height=300), "binary_loss")
    if s.finished and s.val_probabilities is not None:
        result = lessons.binary_result(jobs[0])
        st.success(f"Held-out 0s and 1s: {result.val_accuracy:.1%} right after {len(h['loss'])} epochs "
                   f"({result.seconds:.1f} s). The output is P(y = 1): above 0.5 it says 1.")


ui.lesson_live("binary", binary_view)

# ---- multi-label vs multi-class -------------------------------------------------------------
st.header("Multi-class or multi-label?")
st.markdown("The lecture's street scenes: is there a car, a bus, a pedestrian? Several can be there at "
            "once, so each question gets its own sigmoid (multi-label, BinaryCrossentropy). A softmax "
            "network (multi-class) must share one probability among the three.")
ui.lesson_buttons("scenes", "Train both networks", "train_scenes", lessons.scene_jobs)


def scenes_view(jobs) -> None:
    if not jobs:
        return
    ui.lesson_progress(jobs, "A 3-sigmoid and a 3-softmax network on 1,500 scenes: ")
    if not all(job.snapshot().status == "done" for job in jobs):
        return
    scenes = lessons.compare_scenes(*jobs)
    rows = []
    for i in range(len(scenes.x)):
        present = ", ".join(l for l, t in zip(scenes.labels, scenes.truth[i]) if t) or "nothing"
        rows.append({"scene": i + 1, "really there": present,
                     **{f"sigmoid: {l}": round(float(v), 3) for l, v in zip(scenes.labels, scenes.sigmoid[i])},
                     "sigmoid sum": round(float(scenes.sigmoid[i].sum()), 3),
                     **{f"softmax: {l}": round(float(v), 3) for l, v in zip(scenes.labels, scenes.softmax[i])},
                     "softmax sum": round(float(scenes.softmax[i].sum()), 3)})
    with st.container(key="scenes_table"):
        st.dataframe(rows, hide_index=True)
    acc = ", ".join(f"{k} {v:.0%}" for k, v in scenes.multilabel_accuracy.items())
    st.caption(f"Held-out scenes. Multi-label accuracy per question: {acc}; all three right: "
               f"{scenes.exact_match:.0%}. The softmax network's single answer is right for "
               f"{scenes.multiclass_accuracy:.0%} (it can only ever name one object).")


ui.lesson_live("scenes", scenes_view)
