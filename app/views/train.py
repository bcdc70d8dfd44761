"""Train: build a network in the sidebar, press Train, watch it learn."""

import numpy as np
import streamlit as st

from app import builder, charts, state
from nncore.metrics import confusion
from nncore.model import count_params, keras_code, plan, summary_rows
from nncore.registry import LOSSES, OPTIMIZERS
from nncore.train import DIVERGED, DONE, FAILED, QUEUED, RUNNING, STOPPED

training = state.is_training()
spec, problems = builder.spec_sidebar(disabled=training)
valid = spec is not None and not problems

st.title("Train a network on handwritten digits")
st.caption("Choose layers, activations, the output, the loss and the optimizer in the sidebar, "
           "then press Train and watch the network learn.")

# ---- the network in one line, and what is wrong with it --------------------------------
if valid:
    planned = [p.short() for p in plan(spec) if p.cls not in ("Reshape", "Flatten")]
    planned[-1] += " = logits" if spec.from_logits else " = probabilities"
    layers = " → ".join(["784 pixels", *planned])
    loss = f"{LOSSES[spec.loss].keras['class']}(from_logits={spec.from_logits})"
    st.markdown(f"**{layers}**  \n`{loss}` · `{OPTIMIZERS.label(spec.optimizer)}"
                f"(learning_rate={spec.learning_rate:g})` · batch {spec.batch_size} · "
                f"{spec.epochs} epochs{' · augmented' if spec.augment else ''} · "
                f"**{count_params(spec):,} parameters**")
for problem in problems:
    st.error(f"**{problem.field}**: {problem.message}", icon=":material/error:")

with st.container(horizontal=True):
    st.button("Train", key="train", type="primary", icon=":material/play_arrow:",
              disabled=not valid or training,
              on_click=state.start_training, args=(spec,),
              help="Fix the settings marked in red first." if problems else "Start a new training.")
    st.button("Stop", key="stop", icon=":material/stop:", disabled=not training,
              on_click=state.stop_training, help="Stop now and keep the weights trained so far.")

# ---- live view: redrawn from the job's snapshot while it trains ---------------------------
STATUS_BOX = {DONE: st.success, STOPPED: st.warning, DIVERGED: st.error, FAILED: st.error,
              QUEUED: st.info, RUNNING: st.info}


def live_view() -> None:
    job = state.current_job()
    if job is None:
        st.info("Press **Train** to start. The loss curve, accuracy, confusion matrix and "
                "predictions appear here while the network learns.", icon=":material/info:")
        return
    s = job.snapshot()
    if s.finished:
        text = f"{s.epoch} of {s.epochs} epochs · {s.elapsed:.1f} s"
    else:
        left = f", about {s.seconds_left:.0f} s left" if s.seconds_left is not None else ""
        text = (f"Epoch {min(s.epoch + 1, s.epochs)} of {s.epochs} · batch {s.step} of "
                f"{s.steps_per_epoch} · {s.elapsed:.1f} s{left}")
    st.progress(s.progress, text=text)
    STATUS_BOX[s.status](s.message or s.status, icon=":material/monitoring:")

    c = st.columns(4)
    for col, (label, key, fmt) in zip(c, [("Training loss", "loss", "{:.4f}"),
                                          ("Validation loss", "val_loss", "{:.4f}"),
                                          ("Training accuracy", "accuracy", "{:.1%}"),
                                          ("Validation accuracy", "val_accuracy", "{:.1%}")]):
        value = s.last(key)
        col.metric(label, "–" if value is None else fmt.format(value))

    left_col, right_col = st.columns(2)
    left_col.plotly_chart(charts.loss_curve(s.history, s.batch_loss, s.epochs), key="loss_chart")
    right_col.plotly_chart(charts.accuracy_curve(s.history, s.epochs), key="accuracy_chart")

    if s.val_probabilities is not None:
        data = job.data
        probs = s.val_probabilities
        predicted = probs.argmax(-1)
        left_col, right_col = st.columns([2, 3])
        left_col.plotly_chart(charts.confusion_matrix(
            confusion(data.y_val, probs, data.n_classes), data.class_names), key="confusion_chart")
        with right_col:
            only_errors = st.toggle("Show only mistakes", key="only_errors")
            chosen = np.flatnonzero(predicted != data.y_val) if only_errors else np.arange(len(predicted))
            chosen = chosen[:32]
            if len(chosen):
                images = data.x_val[chosen].reshape(-1, *data.image_shape)
                st.plotly_chart(charts.digit_grid(images, data.y_val[chosen], predicted[chosen]),
                                key="grid_chart")
            else:
                st.success("No mistakes on the validation digits.")

        st.subheader("One digit, ten probabilities")
        c1, c2 = st.columns([1, 3], vertical_alignment="center")
        with c1:
            i = st.number_input("Validation digit number", min_value=0, max_value=len(probs) - 1,
                                step=1, key="digit_index")
            st.image(data.x_val[i].reshape(data.image_shape), width=140, clamp=True,
                     caption=f"true label {data.y_val[i]}")
        how = ("softmax applied to the logits" if job.spec.from_logits else "the softmax layer's output")
        c2.plotly_chart(charts.probability_bars(
            probs[i], int(data.y_val[i]), title=f"Probabilities for digit #{i} ({how})"),
            key="probability_chart")

    if s.finished and st.session_state.get("_polling"):
        st.session_state["_polling"] = False
        st.rerun()  # once more in full, so the buttons and the runs table catch up


st.session_state["_polling"] = training
st.fragment(live_view, run_every=0.5 if training else None)()

# ---- the model and its code --------------------------------------------------------------
summary_tab, code_tab, runs_tab = st.tabs(["Model summary", "Keras code", "Your runs"])
with summary_tab:
    if valid:
        st.dataframe(summary_rows(spec), hide_index=True)
        st.caption(f"Total parameters: {count_params(spec):,} (the course's network, on 400 "
                   "inputs of 20x20 pixels, has 10,575; ours reads 784 = 28x28 pixels).")
with code_tab:
    if valid:
        st.code(keras_code(spec), language="python")
with runs_tab:
    rows = state.runs()
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.caption("Each finished training is listed here, so you can compare settings.")
