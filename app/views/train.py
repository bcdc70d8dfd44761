"""Train: build a network in the sidebar, press Train, watch it learn."""

import streamlit as st

# The heading first, before the imports below (Plotly's takes ~0.1 s on a cold start): this is
# the page most people open first, and they see it while the rest is built.
st.title("Train a network on handwritten digits")
st.caption("Choose layers, activations, the output, the loss and the optimizer in the sidebar, "
           "then press Train and watch the network learn.")

import numpy as np  # noqa: E402

from app import chart_ui
from app.text import plain  # noqa: E402
from app import builder, charts, runs_ui, state, step_ui  # noqa: E402
from app import training_ui as ui  # noqa: E402
from nncore.metrics import confusion  # noqa: E402
from nncore.export import keras_code  # noqa: E402
from nncore.model import count_params, summary_rows  # noqa: E402
from nncore.address import differences  # noqa: E402
from nncore.training.snapshot import Snapshot  # noqa: E402

note = state.follow_address(state.DIGITS)  # ?run=<id>: a reload or another tab finds its training again
training = state.is_training()
spec, problems = builder.spec_sidebar(disabled=training)
valid = spec is not None and not problems
ui.network_line(spec, problems)
ui.train_buttons(spec, problems, state.DIGITS)
state.put_run_in_address(state.DIGITS)
stored = ui.address_note(note)  # a finished run the address opened (a reload, a restart): shown below
if stored is not None and stored.status == "running":  # training on another replica, or cut off there
    ui.follow_elsewhere(stored.id)


# ---- live views: redrawn from the job's snapshot while it trains --------------------------
# Progress, numbers and curves every second; the confusion matrix, the digits and the plane
# every five. Each Plotly redraw costs the browser ~0.15 s of CPU, and on a small machine the
# browser and the training share the cores (python -m bench measures it).
def live_view(job, s) -> None:
    if job is None and stored is not None:
        st.info(f"Run {stored.id} is not training on this server now: it is **{stored.status}**. Its results "
                "are below, and its settings in the sidebar; press **Train** to train them again.",
                icon=":material/history:")
        if stored.status == "interrupted":  # its server stopped or died mid-training (another replica's, too)
            st.warning(plain(stored.message), icon=":material/power_off:")
        runs_ui.show_run(stored, links=False)
        return
    if job is None:
        st.info("Press **Train** to start. The loss curve, accuracy, confusion matrix and "
                "predictions appear here while the network learns.", icon=":material/info:")
        # The two charts the training will draw in, empty, with their axes (its epochs along the
        # bottom): the learner sees where to look, and the browser has loaded and compiled its
        # chart library (~3.5 MB of JavaScript) while they read the page, not in the seconds after
        # their first Train (python -m bench first-click, Chromium on the server's cores: 1.18x, 1.17x
        # and 1.10x the third click, against 1.60x and 1.43x without; 5 rounds each).
        ui.curves(Snapshot(epochs=spec.epochs if valid else 0))
        return
    if valid and job.spec != spec:  # the learner changed the settings since: say whose results these are
        trained = "; ".join(f"{name} {new} (the sidebar says {old})" for name, old, new in differences(spec, job.spec))
        st.caption(f"These results are from your last training, with other settings: {plain(trained)}.")
    if step_ui.is_step(job):  # Step: what one step changed
        step_ui.panel(job, s)
        return
    ui.progress(s)
    ui.origin_note(state.DIGITS)
    ui.metrics(s)
    ui.curves(s)


def details_view(job, s) -> None:
    if job is None:
        return
    if s.val_probabilities is not None:
        data = job.data
        probs = s.val_probabilities
        predicted = probs.argmax(-1)
        left_col, right_col = st.columns([2, 3])
        cm, noun = confusion(data.y_val, probs, data.n_classes), charts.label_noun(job.spec)
        chart_ui.plot(charts.confusion_matrix(cm, data.class_names, noun=noun), "confusion_chart", where=left_col,
                      text=charts.describe.confusion_text(cm, data.class_names, noun))
        with right_col:
            only_errors = st.toggle("Show only mistakes", persist_state="session", key="only_errors")
            chosen = np.flatnonzero(predicted != data.y_val) if only_errors else np.arange(len(predicted))
            chosen = chosen[:32]
            if len(chosen):
                images = data.x_val[chosen].reshape(-1, *data.image_shape)
                chart_ui.plot(charts.digit_grid(images, data.y_val[chosen], predicted[chosen]), "grid_chart",
                              text=charts.describe.grid_text(data.y_val[chosen], predicted[chosen]))
            else:
                st.success("No mistakes on the validation digits.")

        st.subheader("One digit, ten probabilities")
        c1, c2 = st.columns([1, 3], vertical_alignment="center")
        with c1:
            i = st.number_input("Validation digit number", min_value=0, max_value=len(probs) - 1,
                                step=1, persist_state="session", key="digit_index")
            st.image(data.x_val[i].reshape(data.image_shape), width=140, clamp=True,
                     caption=f"true label {data.y_val[i]}", alt=f"Validation digit #{i}, a handwritten {data.y_val[i]}")
        how = ("softmax applied to the logits" if job.spec.from_logits else "the softmax layer's output")
        chart_ui.plot(charts.probability_bars(
            probs[i], int(data.y_val[i]), title=f"Probabilities for digit #{i} ({how})"), "probability_chart", where=c2,
            text=f"Validation digit #{i}: " + charts.describe.probabilities_text(probs[i], true_label=int(data.y_val[i])))

    if s.plane is not None:
        st.subheader("The digits in a plane")
        plane = s.plane
        chart_ui.plot(charts.boundary_figure(
            plane.boundary, plane.points, plane.labels, class_names=list(job.data.class_names),
            axis_names=("principal component 1", "principal component 2"), points_name="validation",
            title=f"Validation digits by PCA, and the network's regions there (epoch {plane.boundary.epoch}); "
                  f"the plane keeps {plane.explained:.0%} of the pixels' variance"), "plane_chart",
            text=charts.describe.boundary_text(plane.boundary.predicted, plane.boundary.confidence,
                                               list(job.data.class_names), plane.boundary.epoch))
        st.caption("Each point is a validation digit, placed by the first two principal components "
                   "of the pixels (scikit-learn's PCA); the colours are what the network answers for "
                   "the image each place in the plane stands for.")


ui.live(live_view, state.DIGITS, every=1.0, name="curves")
ui.live(details_view, state.DIGITS, every=5.0, name="details")
runs_ui.take_home(state.DIGITS)

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
    runs_ui.saving_notice()
    rows = state.runs()
    if rows:
        runs_ui.table(rows)
        st.page_link("views/runs.py", label="Compare runs: curves overlaid, confusion matrices side by side",
                     icon=":material/compare_arrows:")
    else:
        st.caption("Each finished training is listed here, so you can compare settings.")
