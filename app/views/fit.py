"""What fit does: the lecture's three steps side by side, fit unrolled into a tf.GradientTape loop,
and the week's seed code (ten sigmoid units) beside the softmax / from_logits version."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts
from app import training_ui as ui
from nncore.lessons import fit as lesson

st.title("What fit does")
st.caption("A network is trained in the same three steps as logistic regression: (1) say how the output is "
           "computed from the input, (2) say the loss of one example and the cost, (3) minimise the cost with "
           "gradient descent. `compile` says (2); `fit` does (3).")
ss = st.session_state

# ---- 1. the three steps, side by side ---------------------------------------------------------
st.header("Three steps, for logistic regression and for a network")
logistic, network = lesson.three_steps()
x1 = ", ".join(f"{v:g}" for v in lesson.TOY_X[0])
st.markdown(f"Both learn the same six points in the plane (three of class 0, three of class 1), from the "
            f"weights below, with α = {lesson.TOY_ALPHA:g}. The first example is x⁽¹⁾ = ({x1}), y⁽¹⁾ = 0.")


def params(values: dict) -> str:
    return "; ".join(f"{k} = {np.array2string(np.round(np.ravel(v), 3), separator=', ')}" for k, v in values.items())


TITLES = ("1. The model: the output from the input", "2. The loss of one example, and the cost",
          "3. Gradient descent: make the cost smaller")
for i, title in enumerate(TITLES):
    st.subheader(title)
    with st.container(key=f"three_steps_{i + 1}"):
        for column, m in zip(st.columns(2), (logistic, network)):
            with column:
                st.markdown(f"**{m.name}**")
                st.code(m.code[i], language="python", wrap_lines=True)
                if i == 0:
                    st.markdown(f"With {params(m.params)}: **f(x⁽¹⁾) = {m.f_first:.4f}**, the probability "
                                "that y = 1.")
                elif i == 1:
                    st.markdown(f"loss(f(x⁽¹⁾), y⁽¹⁾) = −log(1 − {m.f_first:.4f}) = **{m.loss_first:.4f}**; "
                                f"the cost, the mean loss over the six examples: **J = {m.cost:.4f}**.")
                else:
                    sizes = ", ".join(f"|dJ/d{k}| = {v:.4f}" for k, v in m.gradient.items())
                    st.markdown(f"{sizes}. One step: {params(m.params_after)}; "
                                f"**J {m.cost:.4f} → {m.cost_after:.4f}**.")
st.caption("The network's gradients come from backpropagation (the Backpropagation page); `fit` repeats step 3 "
           "for every batch of every epoch.")

# ---- 2. fit, unrolled ---------------------------------------------------------------------------
st.header("fit, unrolled")
st.markdown("The same network, from the same initial weights, trained twice: once by `compile` and `fit` with "
            "plain gradient descent on the whole training set at once, once by the loop written out. If `fit` is "
            "the three steps, the weights agree.")
left, right = st.columns(2)
left.code(lesson.FIT_CODE, language="python", wrap_lines=True)
right.code(lesson.TAPE_CODE, language="python", wrap_lines=True)
with st.container(horizontal=True, vertical_alignment="bottom"):
    st.selectbox("Network and data", lesson.UNROLL_PRESETS, key="unroll_preset", persist_state="session",
                 format_func=lambda p: {"practice-lab": "practice lab: 25 ReLU, 15 ReLU, 10 logits on 4,000 digits",
                                        "multiclass-lab": "multiclass lab: 2 ReLU, 4 logits on 80 blob points"}[p])
    st.number_input("Steps", 1, lesson.MAX_STEPS, lesson.DEFAULT_STEPS, key="unroll_steps", persist_state="session")
    st.number_input("Learning rate α", 0.0001, 10.0, lesson.DEFAULT_ALPHA, step=0.01, format="%g",
                    key="unroll_alpha", persist_state="session")


def unroll_jobs():
    from nncore import ExperimentSpec

    return (lesson.UnrollJob(ExperimentSpec.from_preset(ss["unroll_preset"]), int(ss["unroll_steps"]),
                             float(ss["unroll_alpha"])),)


ui.lesson_buttons("unroll", "Run fit and the loop", "run_unroll", unroll_jobs)


def unroll_view(jobs) -> None:
    if not jobs:
        return
    s = jobs[0].snapshot()
    if s.result is None:
        ui.progress(s)
        return
    r = s.result
    with st.container(key="unroll_result"):
        a, b, c = st.columns(3)
        a.metric("Largest weight difference", f"{r.max_abs_difference:.2e}")
        b.metric("Cost after fit", f"{r.fit_loss:.6f}")
        c.metric("Cost after the loop", f"{r.tape_loss:.6f}")
        agree = r.max_abs_difference <= lesson.TOLERANCE
        (st.success if agree else st.warning)(
            f"After {r.steps} steps of α = {r.learning_rate:g} on all {r.examples:,} examples each, every weight of "
            f"the two networks differs by at most {r.max_abs_difference:.2e}"
            + (f" (≤ {lesson.TOLERANCE:g}): `fit` is the loop." if agree else ": more than the lesson expects."),
            icon=":material/check_circle:" if agree else ":material/warning:")
    steps = np.arange(1, r.steps + 1)
    fig = go.Figure([go.Scatter(x=steps, y=r.fit_losses, mode="lines+markers", name="fit (its history)"),
                     go.Scatter(x=steps, y=r.tape_losses, mode="lines", name="the loop",
                                line=dict(dash="dash", width=3))])
    chart_ui.plot(charts.layout(fig, "The cost at each step, before its update", "step", "cost J"), "unroll_chart")
    st.dataframe([{"weights": name, "largest |fit − loop|": d} for name, d in r.layers], hide_index=True,
                 key="unroll_layers")
    st.subheader("Mini-batches: an epoch is one pass through the data")
    st.markdown(f"Above, one step saw all {r.examples:,} examples (batch = the whole set): one epoch, one step. "
                f"With mini-batches, `fit` takes a step after each batch: **steps per epoch = ceil(examples / batch "
                f"size)**. Measured: `fit(X, y, batch_size={r.batch_size}, epochs=1)` took "
                f"**{r.iterations_per_epoch} steps** (the optimizer's `iterations`) = ceil({r.examples} / {r.batch_size}).")
    sizes = sorted({1, 32, r.batch_size, 100, 1000, r.examples})
    st.dataframe([{"batch size": b, "steps per epoch": lesson.steps_per_epoch(r.examples, b)}
                  for b in sizes if b <= r.examples], hide_index=True, key="steps_per_epoch")


ui.lesson_live("unroll", unroll_view)

# ---- 3. the seed code ---------------------------------------------------------------------------
st.header("The week's seed code: ten sigmoid units")
st.markdown("The course's notes train the digits with ten sigmoid outputs and `BinaryCrossentropy`, which needs "
            "the labels one-hot. That is ten independent yes/no units: each output is its own probability, "
            "and the ten need not sum to 1. The recommended version has ten logits and one softmax.")
left, right = st.columns(2)
left.markdown("**As in the notes** (Keras' default optimizer, RMSprop 0.001)")
left.code(lesson.SEED_CODE, language="python", wrap_lines=True)
right.markdown("**As recommended**: logits and `from_logits=True`")
right.code(lesson.SOFTMAX_CODE, language="python")
st.number_input("Epochs", 1, 200, 100, key="seed_epochs", persist_state="session",
                help="100 as in the notes: about 10 s for both networks on 4,000 digits.")
ui.lesson_buttons("seed", "Train both", "train_seed", lambda: lesson.seed_code_jobs(int(ss["seed_epochs"])))


def seed_view(jobs) -> None:
    if not jobs:
        return
    ui.lesson_progress(jobs, "Both networks on 4,000 digits: ")
    if not all(job.snapshot().status == "done" for job in jobs):
        return
    sigmoid, softmax = lesson.compare_seed_code(*jobs)
    with st.container(key="seed_result"):
        st.dataframe([{"network": r.name, "validation accuracy": f"{r.accuracy:.1%}",
                       "validation loss": f"{r.loss:.4f} ({r.loss_name})"} for r in (sigmoid, softmax)],
                     hide_index=True)
        truth = jobs[1].data.y_val[:len(sigmoid.sums)]
        st.dataframe([{"validation digit": f"#{i} (a {int(t)})", "sum of the ten sigmoid outputs": round(float(a), 4),
                       "sum of the ten softmax outputs": round(float(b), 4)}
                      for i, (t, a, b) in enumerate(zip(truth, sigmoid.sums, softmax.sums))], hide_index=True)
    digits = np.arange(10)
    fig = go.Figure([go.Bar(x=digits, y=sigmoid.outputs[0], name="ten sigmoid units"),
                     go.Bar(x=digits, y=softmax.outputs[0], name="softmax")])
    chart_ui.plot(charts.layout(fig, f"The ten outputs for validation digit #0 (a {int(truth[0])})", "digit",
                                  "output (probability)"), "seed_outputs")
    st.caption("The losses are of different functions (ten binary cross-entropies averaged, or one categorical "
               "cross-entropy), so compare the accuracies, and the sums: the sigmoids' are anything from 0 to 10.")


ui.lesson_live("seed", seed_view)
