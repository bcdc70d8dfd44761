"""Derivatives: nudge w by ε and J changes by about k·ε; k against sympy's exact derivative."""

import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts
from app.state import lessons as lesson_state
from app.text import plain
from nncore.lessons.derivatives import EPSILONS, PRESETS, ExprError, derivative, epsilon_sweep, tangent

st.title("Derivatives")
st.caption("If w goes up by a tiny amount ε and J(w) goes up by k × ε, then k is the derivative "
           "dJ/dw. Pick or type J, a point w and an ε, and compare k with the exact derivative.")

ss = st.session_state  # this page's widgets' values
mine = lesson_state.derivatives()  # this page's own state

ss.setdefault("d_text", "w**2")
ss.setdefault("d_preset", "w**2")
ss.setdefault("d_w", 3.0)
ss.setdefault("d_eps", 1e-3)


def pick_preset() -> None:
    if ss.get("d_preset"):
        ss["d_text"] = ss["d_preset"]


def typed() -> None:
    ss["d_preset"] = ss["d_text"] if ss["d_text"] in PRESETS else None


left, mid, right = st.columns([3, 1, 2], vertical_alignment="bottom")
with left:
    st.pills("Pick a function", PRESETS, persist_state="session", key="d_preset", on_change=pick_preset)
    text = st.text_input("J(w) =", persist_state="session", key="d_text", max_chars=200, on_change=typed,
                         help="Numbers, w, + − * / ** ^ (both mean power), parentheses and exp, log (ln), "
                              "sqrt, sin, cos, tan, tanh, pi, e. 2w means 2*w. Nothing else is read.")
w = mid.number_input("at w =", step=0.5, format="%g", persist_state="session", key="d_w")
eps = right.select_slider("ε (the nudge)", options=list(EPSILONS), persist_state="session", key="d_eps",
                          format_func=lambda e: f"{e:.0e}".replace("e-0", "e-"))

# The last good state stays on screen when the new input is bad.
try:
    d = derivative(text, w, eps)
    mine.good = (text, w, eps)
except ExprError as e:
    good = mine.good
    st.error(plain(f"{e}. Still showing J(w) = {good[0]} at w = {good[1]:g}."), icon=":material/error:")
    text, w, eps = good
    d = derivative(text, w, eps)

st.latex(rf"J(w) = {d.latex} \qquad \frac{{dJ}}{{dw}} = {d.derivative_latex}")
with st.container(key="d_numbers", horizontal=True):
    st.metric("J(w)", f"{d.J:.10g}", border=True)
    st.metric("J(w + ε)", f"{d.J_nudged:.10g}", border=True)
    st.metric("k = (J(w + ε) − J(w)) / ε", f"{d.numeric:.10g}", border=True)
    st.metric("exact dJ/dw (sympy)", f"{d.exact:.10g}", border=True)
    st.metric("|k − exact|", f"{d.error:.2e}", border=True)
st.code(f"w = {d.w:g}\nepsilon = {d.epsilon:g}\nJ = {d.expression}  # {d.J:.6f}\n"
        f"J_epsilon = {d.expression.replace('w', '(w + epsilon)')}  # {d.J_nudged:.6f}\n"
        f"k = (J_epsilon - J) / epsilon  # {d.numeric:.6f}, exact dJ/dw = {d.derivative} = {d.exact:.6f}",
        language="python")

left, right = st.columns(2)
with left:
    t = tangent(text, w, d.exact)
    fig = go.Figure([
        go.Scatter(x=t["x"], y=t["J"], mode="lines", name="J(w)", line=dict(color=charts.TRAIN_COLOR)),
        go.Scatter(x=t["x"], y=t["tangent"], mode="lines", name=f"tangent, slope {d.exact:.4g}",
                   line=dict(color=charts.VAL_COLOR, dash="dash")),
        go.Scatter(x=[d.w, d.w + d.epsilon], y=[d.J, d.J_nudged], mode="markers", name="w and w + ε",
                   marker=dict(color=charts.WRONG_COLOR, size=9)),
    ])
    chart_ui.plot(charts.layout(fig, f"J(w) = {d.expression} and its tangent at w = {d.w:g}", "w", "J(w)",
                                  height=360), "d_tangent")
with right:
    s = epsilon_sweep(text, w, d.exact)
    fig = go.Figure([
        go.Scatter(x=s["epsilon"], y=s["error"], mode="lines+markers", name="|k − exact|",
                   line=dict(color=charts.TRAIN_COLOR)),
        go.Scatter(x=[d.epsilon], y=[max(d.error, 1e-17)], mode="markers", name="your ε",
                   marker=dict(color=charts.WRONG_COLOR, size=12, symbol="diamond")),
    ])
    charts.layout(fig, "How far k is from the exact derivative", "ε (log scale)", "|k − exact| (log scale)",
                  height=360)
    fig.update_xaxes(type="log", autorange="reversed", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    chart_ui.plot(fig, "d_sweep")

st.markdown(
    f"Going right, ε shrinks and k closes in on the exact {d.exact:.6g}: J(w + ε) − J(w) is a "
    f"secant whose slope becomes the tangent's. Below ε ≈ {s['best_epsilon']:.0e} the error grows "
    "again: a float64 keeps about 16 significant digits, and J(w + ε) − J(w) cancels most of them, "
    "so what is left is round-off divided by a tiny ε. That is why the lab's ε = 1e-9 gives "
    "6.000000496 for w² at 3, not 6.")
with st.expander("All the ε values"):
    st.dataframe({"ε": [f"{e:.1e}" for e in s["epsilon"]], "k": s["ratio"], "|k − exact|": s["error"]},
                 hide_index=True)
