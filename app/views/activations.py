"""Activation functions: what each one does, its slope, when to use it; and the ReLU lab."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts
from app import training_ui as ui
from nncore.lessons import activations as lessons

st.title("Activation functions")
st.caption("g(z) turns a unit's weighted sum z = w·x + b into its output a. Its slope g'(z) is "
           "what backpropagation multiplies by: where it is flat, learning stalls.")


@st.cache_data(show_spinner="Computing with Keras...")
def curves(names: tuple[str, ...]) -> dict:
    return lessons.activation_curves(names, np.linspace(-5, 5, 401))


names = st.pills("Activations", list(lessons.ACTIVATION_FUNCTIONS), selection_mode="multi",
                 default=["sigmoid", "relu", "linear", "tanh"], persist_state="session", key="activations")
if not names:
    st.info("Pick at least one activation to plot.")
else:
    data = curves(tuple(names))
    x = np.linspace(-5, 5, 401)
    left, right = st.columns(2)
    for col, what, title, ylabel in ((left, "y", "g(z): the activation", "g(z)"),
                                     (right, "dy", "g'(z): its slope (from tf.GradientTape)", "g'(z)")):
        fig = go.Figure([go.Scatter(x=x, y=data[n][what], mode="lines", name=n) for n in names])
        chart_ui.plot(charts.layout(fig, title, "z", ylabel, height=340), f"act_{what}", where=col)
    st.caption("Both curves are Keras' own: `keras.activations.get(name)` and its gradient taken by "
               "TensorFlow, so what you see is exactly what a Dense layer computes.")

st.subheader("Which one, where (the lecture's advice)")
st.dataframe([{"layer": g.layer, "when": g.when, "use": g.choice, "why": g.why}
              for g in lessons.ACTIVATION_GUIDANCE], hide_index=True)

# ---- the ReLU lab ---------------------------------------------------------------------------
st.header("The ReLU lab: build a curve from hinges")
st.markdown("Target: on x in [0, 3] a line with slope −2, then 1, then 3. Three ReLU units feed one "
            "linear output (weights 1, bias 0). Unit 0 is given: w0 = −2, b0 = 2. Set units 1 and 2 "
            "so the sum matches the target. Each ReLU is off (0) on one side of where z = 0.")

for key, value in lessons.RELU_LAB_ANSWER.items():
    st.session_state.setdefault(f"relu_{key}", 0.0)


def show_answer() -> None:
    for key, value in lessons.RELU_LAB_ANSWER.items():
        st.session_state[f"relu_{key}"] = value


cols = st.columns(4)
params = {}
for col, key in zip(cols, ("w1", "b1", "w2", "b2")):
    params[key] = col.slider(key, -4.0, 4.0, step=0.1, persist_state="session", key=f"relu_{key}")
x = np.linspace(0, 3, 301)
units = lessons.relu_lab_units(x, **params)
error = lessons.relu_lab_error(**params)
target = lessons.relu_lab_target(x)

c1, c2 = st.columns([3, 2])
fig = go.Figure()
for i in range(3):
    fig.add_trace(go.Scatter(x=x, y=units["z"][i], mode="lines", name=f"z{i} = w{i}·x + b{i}",
                             line=dict(dash="dot", color=charts.CLASS_COLORS[i])))
    fig.add_trace(go.Scatter(x=x, y=units["a"][i], mode="lines", name=f"a{i} = ReLU(z{i})",
                             line=dict(color=charts.CLASS_COLORS[i])))
chart_ui.plot(charts.layout(fig, "Each unit: z and ReLU(z)", "x", "value", height=360), "relu_units", where=c1)
fig = go.Figure([go.Scatter(x=x, y=target, mode="lines", name="target", line=dict(color="black", width=4)),
                 go.Scatter(x=x, y=units["output"], mode="lines", name="a0 + a1 + a2",
                            line=dict(color=charts.VAL_COLOR, width=2))])
chart_ui.plot(charts.layout(fig, "Output against the target", "x", "y", height=360), "relu_output", where=c2)
with st.container(key="relu_error"):
    if error["max_abs_error"] < 1e-9:
        st.success(f"Exact match: the largest error is {error['max_abs_error']:.1e}.")
    else:
        st.warning(f"Largest error {error['max_abs_error']:.3f}, mean squared error {error['mse']:.4f}.")

b1, b2, b3 = st.columns(3)
b1.button("Show the lab's answer", key="relu_answer", on_click=show_answer)
ui.lesson_buttons("relu", "Fit it for me with Keras", "fit_relu", lambda: (lessons.relu_lab_job(seed=0),),
                  where=(b2, b3),
                  help="Trains Dense(3, relu) → Dense(1, linear) with Adam on the 300 points, beside the page.")


def relu_fit_view(jobs) -> None:
    if not jobs:
        return
    ui.lesson_progress(jobs, "Dense(3, relu) → Dense(1, linear), Adam(0.02), MSE: ")
    s = jobs[0].snapshot()
    if s.weights is None:
        return
    fit = lessons.relu_lab_result(s)
    where = "so far" if not s.finished else f"in {fit.seconds:.1f} s"
    st.markdown(f"Keras found, {where}, a mean squared error of **{fit.loss:.5f}**:")
    st.dataframe([{"unit": i, "w": round(float(fit.weights[i]), 3), "b": round(float(fit.biases[i]), 3),
                   "bends at x = -b/w": round(float(fit.bends[i]), 3),
                   "output weight": round(float(fit.output_weights[i]), 3)} for i in range(3)],
                 hide_index=True)
    c1, c2 = st.columns([3, 2])
    fig = go.Figure([go.Scatter(x=fit.x, y=fit.target, mode="lines", name="target",
                                line=dict(color="black", width=4)),
                     go.Scatter(x=fit.x, y=fit.output, mode="lines", name="Keras' fit",
                                line=dict(color=charts.TRAIN_COLOR))])
    chart_ui.plot(charts.layout(fig, "What Keras learned", "x", "y", height=320), "relu_fit_chart", where=c1)
    if fit.history:
        fig = go.Figure(go.Scatter(x=list(range(1, len(fit.history) + 1)), y=fit.history, mode="lines"))
        fig.update_yaxes(type="log")
        chart_ui.plot(charts.layout(fig, "Mean squared error per epoch", "epoch", "MSE (log scale)",
                                      height=320), "relu_fit_loss", where=c2)


ui.lesson_live("relu", relu_fit_view)
