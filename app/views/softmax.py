"""Softmax: from logits to probabilities, and why the loss should see the logits."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts
from nncore.lessons import softmax as lessons

st.title("Softmax and its numerics")
st.caption("Softmax turns N numbers z (logits) into N probabilities: a_j = e^z_j / Σ e^z_k. "
           "Move the logits and watch the probabilities compete.")

defaults = (1.0, 2.0, 3.0, 4.0)
cols = st.columns(4)
z = np.array([col.slider(f"z{j}", 0.1, 10.0, defaults[j], 0.1, persist_state="session", key=f"z{j}") for j, col in enumerate(cols)])
mine, theirs = lessons.my_softmax(z), lessons.tf_softmax(z)
left, right = st.columns(2)
chart_ui.plot(charts.layout(go.Figure(go.Bar(x=[f"z{j}" for j in range(4)], y=z, marker_color=charts.TRAIN_COLOR)),
                                "Logits z", "output unit", "z", height=300), "softmax_z", where=left)
chart_ui.plot(charts.layout(go.Figure(go.Bar(x=[f"a{j}" for j in range(4)], y=mine, marker_color=charts.VAL_COLOR,
                                                  text=[f"{v:.4f}" for v in mine], textposition="outside")),
                                 "Probabilities a = softmax(z)", "output unit", "a", height=300), "softmax_a", where=right)
with st.container(key="softmax_values"):
    st.dataframe({"z": z, "my_softmax (NumPy)": np.round(mine, 6), "tf.nn.softmax": np.round(theirs, 6)},
                 hide_index=True)
    st.markdown(f"Largest difference between the two: **{np.abs(mine - theirs).max():.1e}**; "
                f"the probabilities sum to **{mine.sum():.6f}**.")
st.code("def my_softmax(z):\n    ez = np.exp(z)\n    return ez / np.sum(ez)", language="python")

st.header("Numerical round-off")
r = lessons.roundoff_example()
st.markdown(f"On paper, 2/10000 and (1 + 1/10000) − (1 − 1/10000) are the same number. On a computer:  \n"
            f"`x1 = 2.0 / 10000` → `{r['x1_printed']}`  \n"
            f"`x2 = 1 + 1/10000 - (1 - 1/10000)` → `{r['x2_printed']}`  \n"
            f"difference {r['difference']:.3e}. A roundabout computation loses digits; the loss from "
            "probabilities is such a roundabout way, the loss from logits is the direct one.")

st.subheader("Large logits: naive softmax overflows")
z_big = st.slider("Logit size z (the logits are [z, 0, −z])", 1.0, 1000.0, 50.0, 1.0, persist_state="session", key="z_big")
o = lessons.softmax_overflow(z_big)
with st.container(key="overflow"):
    st.dataframe({"logit": o["logits"], "e^z (float32)": [f"{v:.4g}" for v in o["exp"]],
                  "naive e^z / Σe^z": [f"{v:.4g}" for v in o["naive"]],
                  "stable (subtract max first)": [f"{v:.4g}" for v in o["stable"]]}, hide_index=True)
    if o["naive_has_nan"] or o["naive_has_inf"]:
        st.error(f"e^{z_big:g} is beyond float32's largest number (e^{o['overflow_above']:.1f}): it became "
                 "inf, and inf / inf is NaN. The stable form subtracts the largest logit first, so no "
                 "exponent is above 0.", icon=":material/warning:")
    else:
        st.success(f"Below e^{o['overflow_above']:.1f} float32 still copes; push z above "
                   f"{o['overflow_above']:.0f}.")

st.header("The loss and its gradient, three ways")
c1, c2 = st.columns(2)
second = c1.slider("Logit of class 1 (class 0 has logit 0)", 0.0, 200.0, 100.0, 1.0, persist_state="session", key="loss_logit")
label = c2.segmented_control("True class", [0, 1], default=0, persist_state="session", key="loss_label", required=True)
ways = lessons.loss_three_ways([0.0, second], int(label))
with st.container(key="loss_ways"):
    st.dataframe([{"way": w.name, "loss": f"{w.loss:.4f}",
                   "d loss / d logits": "[" + ", ".join(f"{g:+.4f}" for g in w.grad) + "]",
                   "loss worked from the logits": "yes" if w.logits_recovered else "no"} for w in ways],
                 hide_index=True)
    for w in ways:
        st.markdown(f"**{w.name}**: {w.why}")
        st.code(w.code, language="python")
cap = lessons.clipping()
st.caption(f"Keras clips probabilities to [{cap['epsilon']:g}, 1 − {cap['epsilon']:g}] before the log, "
           f"so a loss from probabilities can never exceed −log({cap['epsilon']:g}) = {cap['loss_cap']:.3f}.")
