"""Boundaries: train on 2-D point sets and watch the decision boundary bend as it learns."""

import numpy as np
import streamlit as st

from app import builder, charts, runs_ui, state
from app import training_ui as ui
from nncore.training.probes import equivalent_linear_layer
from nncore.export import keras_code

SCOPE = state.POINTS
training = state.is_training(SCOPE)
spec, problems = builder.spec_sidebar(disabled=training, scope=SCOPE)
valid = spec is not None and not problems

st.title("Decision boundaries")
st.caption("Train a network on points in a plane and watch how it splits the plane into "
           "classes: each colour is the class it predicts there, paler where it is less sure.")
ui.network_line(spec, problems)
ui.train_buttons(spec, problems, SCOPE)
show_val = st.toggle("Show validation points", key="show_val_points")


def live_view(job, s) -> None:
    if job is None:
        st.info("Press **Train**: the decision boundary and every unit's view of the plane are "
                "redrawn while the network learns.", icon=":material/info:")
        return
    ui.progress(s)
    ui.metrics(s)
    data = job.data
    if s.boundary is not None:
        st.plotly_chart(charts.boundary_figure(
            s.boundary, data.x_train, data.y_train,
            data.x_val if show_val else None, data.y_val if show_val else None,
            class_names=list(data.class_names)), key="boundary_chart")
        st.plotly_chart(charts.unit_views(s.boundary.units, s.boundary.x1, s.boundary.x2),
                        key="units_chart")
    ui.curves(s, suffix="_points")

    spec_ = job.spec
    if spec_.hidden and all(layer.activation == "linear" for layer in spec_.hidden) and s.weights is not None:
        w, b = equivalent_linear_layer(list(s.weights))
        st.subheader("All-linear layers are one linear layer")
        st.markdown(
            f"Every hidden layer here is linear, so the {len(spec_.hidden) + 1} layers compose into "
            "a single one: with Keras' `x @ W + b`, two layers give `(x W1 + b1) W2 + b2 = x (W1 W2) "
            "+ (b1 W2 + b2)` (in the course's notation W = W2·W1, b = W2·b1 + b2). Its logits are "
            "linear in (x1, x2), so every boundary between two classes is a straight line, however "
            "deep the network. From the trained weights:")
        c1, c2 = st.columns(2)
        c1.dataframe({f"W[:, {j}]": np.round(w[:, j], 4) for j in range(w.shape[1])}, hide_index=False)
        c2.dataframe({"b": np.round(b, 4)})
        x = data.x_val[:5]
        gap = float(np.abs(job.outputs(x) - (x @ w + b)).max()) if spec_.from_logits else None
        if gap is not None:
            st.caption(f"Check on 5 validation points: the network's logits and x·W + b differ by at "
                       f"most {gap:.2e}.")


ui.live(live_view, SCOPE, every=1.0)
runs_ui.take_home(SCOPE)

with st.expander("Keras code for this network"):
    if valid:
        st.code(keras_code(spec), language="python")
