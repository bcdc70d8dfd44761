"""Backpropagation: a computation graph, forward left to right, backward right to left, one
chain-rule product a step; a quiz; tf.GradientTape and nudges beside; N + P against N × P."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts
from app.state import lessons as lesson_state
from app.text import plain
from nncore.lessons import backprop as bp
from nncore.lessons.expr import ExprError, parse_number

st.title("Backpropagation")
st.caption("The forward pass computes J from left to right. The backward pass computes ∂J/∂node "
           "for every node from right to left: each is the local derivative times the derivative "
           "already found to its right (the chain rule).")

ss = st.session_state  # this page's widgets' values

name = st.segmented_control("Graph", list(bp.GRAPHS), default="lab", persist_state="session", key="bp_graph", required=True,
                            format_func=lambda n: {"lab": "The lab's graph",
                                                   "lecture-network": "The lecture's network"}[n])
graph = bp.GRAPHS[name]
st.markdown(f"**{graph.title}:** " + ", ".join(f"`{op.label}`" for op in graph.ops))


def key(what: str) -> str:
    return f"bp_{name}_{what}"


def reset_values() -> None:
    for leaf, value in graph.defaults.items():
        ss[key(leaf)] = value


for leaf, value in graph.defaults.items():
    ss.setdefault(key(leaf), value)
mine = lesson_state.backprop()  # this page's own state
mine.forward.setdefault(name, 0)
mine.backward.setdefault(name, 0)

with st.container(horizontal=True, vertical_alignment="bottom", key="bp_inputs"):
    changes = {leaf: st.number_input(f"{leaf} ({kind})", -bp.MAX_VALUE, bp.MAX_VALUE, step=1.0,
                                     format="%g", persist_state="session", key=key(leaf), width=120)
               for leaf, kind, _ in graph.leaves}
    st.button("Defaults", on_click=reset_values, key="bp_defaults", icon=":material/restart_alt:")

try:  # the last good graph stays on screen when a setting is bad
    result = bp.run(name, changes)
    mine.good[name] = changes
except bp.GraphError as e:
    st.error(plain(f"{e}. Still showing the last good settings."), icon=":material/error:")
    changes = mine.good.get(name, graph.defaults)
    result = bp.run(name, changes)


@st.cache_data(show_spinner="Asking tf.GradientTape...", max_entries=200)
def tape(graph_name: str, settings: tuple) -> dict:
    return bp.tf_gradients(graph_name, dict(settings))


tf_grads = tape(name, tuple(sorted(changes.items())))

# ---- stepping: how many forward and backward steps are shown ---------------------------------
n_fwd, n_bwd = len(graph.ops), len(result.steps)


def step(which: str) -> None:
    if which == "fwd":
        mine.forward[name] = min(mine.forward[name] + 1, n_fwd)
    elif which == "bwd":
        mine.forward[name] = n_fwd
        mine.backward[name] = min(mine.backward[name] + 1, n_bwd)
    elif which == "all":
        mine.forward[name], mine.backward[name] = n_fwd, n_bwd
    else:
        mine.forward[name], mine.backward[name] = 0, 0
        for s in result.steps:
            ss.pop(key(f"quiz_{s.name}"), None)


with st.container(horizontal=True, vertical_alignment="bottom", key="bp_steps"):
    st.button("Forward step", on_click=step, args=("fwd",), key="bp_fwd", icon=":material/arrow_forward:",
              disabled=mine.forward[name] >= n_fwd)
    st.button("Backward step", on_click=step, args=("bwd",), key="bp_bwd", icon=":material/arrow_back:",
              disabled=mine.backward[name] >= n_bwd)
    st.button("Reveal all", on_click=step, args=("all",), key="bp_all", icon=":material/visibility:")
    st.button("Hide all", on_click=step, args=("hide",), key="bp_hide", icon=":material/visibility_off:")
    quiz = st.toggle("Quiz mode: type each derivative first", persist_state="session", key="bp_quiz")

fwd, bwd = mine.forward[name], mine.backward[name]
leaves = {leaf for leaf, _, _ in graph.leaves}
shown_values = leaves | {op.name for op in graph.ops[:n_fwd if quiz else fwd]}  # the quiz starts after the forward pass
shown_grads = {s.name for s in result.steps[:bwd]}

# ---- quiz: the learner's answers, each checked --------------------------------------------------
answers: dict[str, tuple[str, str]] = {}  # name: ("right" | "wrong" | "bad", what was typed or why)
if quiz:
    for s in result.steps:
        typed = (ss.get(key(f"quiz_{s.name}")) or "").strip()
        if typed:
            try:
                right = abs(parse_number(typed, f"∂J/∂{s.name}") - s.grad) <= 1e-6 * max(1.0, abs(s.grad))
                answers[s.name] = ("right" if right else "wrong", typed)
                if right:
                    shown_grads.add(s.name)
            except ExprError as e:
                answers[s.name] = ("bad", str(e))

current = None
if fwd and not bwd and fwd <= n_fwd:
    current = graph.ops[fwd - 1].name
elif bwd:
    current = result.steps[bwd - 1].name
st.graphviz_chart(bp.to_dot(result, shown_values, shown_grads, current),
                  alt=f"Computation graph {name}, left to right, with values and derivatives")

if current is not None and bwd:
    s = result.steps[bwd - 1]
    st.info(f"**Backward step {bwd} of {n_bwd}:** {s.text}  \n{s.why}", icon=":material/arrow_back:")
elif current is not None:
    op = graph.ops[fwd - 1]
    st.info(f"**Forward step {fwd} of {n_fwd}:** {op.label} = {bp.fmt(result.values[op.name])}"
            + ("  \nThe forward pass is done: J is known. Now the backward pass." if fwd == n_fwd else ""),
            icon=":material/arrow_forward:")
elif quiz:
    st.info("Quiz: the forward pass is done, J is known. Type each ∂J/∂ below, from right to left.",
            icon=":material/quiz:")
else:
    st.info("Press **Forward step** to compute the first node, or **Reveal all**.", icon=":material/info:")

if quiz:
    st.subheader("Quiz: type ∂J/∂ of each, from right to left")
    st.caption("A number, or a product such as 2*3. Each answer is checked against the chain rule; a "
               "right answer shows in the graph.")
    for s in result.steps:
        left, right = st.columns([1, 4], vertical_alignment="bottom")
        left.text_input(f"∂J/∂{s.name} =", persist_state="session", key=key(f"quiz_{s.name}"), placeholder="?")
        with right:
            if s.name in answers:
                verdict, typed = answers[s.name]
                if verdict == "right":
                    st.success(f"Right: {s.text}", icon=":material/check:")
                elif verdict == "bad":
                    st.error(plain(typed), icon=":material/error:")
                else:
                    st.error(f"Not {plain(typed)}: it is {bp.fmt(s.grad)}. {s.text}. {s.why}.", icon=":material/close:")

# ---- the same derivatives two other ways ------------------------------------------------------
st.subheader("By hand, by tf.GradientTape, by nudging")
kinds = {leaf: kind for leaf, kind, _ in graph.leaves}
with st.container(key="bp_compare"):
    rows = []
    for s in result.steps:
        seen = s.name in shown_grads
        rows.append({"name": s.name, "kind": kinds.get(s.name, "node"),
                     "value": bp.fmt(result.values[s.name]) if s.name in shown_values else "?",
                     "∂J/∂name by hand (chain rule)": bp.fmt(s.grad) if seen else "?",
                     "tf.GradientTape": bp.fmt(tf_grads[s.name]) if seen else "?",
                     "agree": ("yes" if abs(s.grad - tf_grads[s.name]) < 1e-9 else "NO") if seen else "?"})
    st.dataframe(rows, hide_index=True, height="content")
    st.caption("TensorFlow builds the same graph from `tf.constant`s (float64) under `tf.GradientTape` "
               "and asks `tape.gradient(J, [every leaf and node])`.")
    nudges = []
    for n in bp.nudge_check(name, changes):
        seen = n.parameter in shown_grads
        nudges.append({"parameter": n.parameter, "J": bp.fmt(n.J),
                       "J(p + 0.001)": f"{n.J_nudged:.9g}",
                       "change in J": f"{n.change:.6g}" if seen else "?",
                       "∂J/∂p × 0.001": f"{n.predicted:.6g}" if seen else "?",
                       "change / 0.001": f"{n.ratio:.6g}" if seen else "?"})
    st.dataframe(nudges, hide_index=True)
    st.caption("Nudge each parameter by 0.001: J changes by about ∂J/∂p × 0.001, as the derivatives "
               "lesson shows. Hidden derivatives show as ?.")

# ---- N + P against N × P -------------------------------------------------------------------------
st.header("Why backprop: N + P steps, not N × P")
st.markdown("To get ∂J/∂p for each of P parameters by nudging, each nudge needs a new forward pass through "
            "all N nodes: about **N × P** steps. Backprop does one forward pass and one backward pass, "
            "touching each node and each parameter once: about **N + P** steps.")


@st.cache_data(show_spinner=False, max_entries=20)
def measure(spec_json: str, again: int):
    from nncore import ExperimentSpec
    from nncore.lessons.network_cost import network_cost

    return network_cost(ExperimentSpec.from_json(spec_json))


from app import state  # noqa: E402 (only here: the Train page's job, if this session has one)
from nncore import ExperimentSpec  # noqa: E402

job = state.current_job()
spec = job.spec if job is not None else ExperimentSpec()
st.caption(("Your network from the Train page" if job is not None else
            "The Train page's default network (train one there to measure yours)") + ".")
if st.button("Measure again", key="bp_measure", icon=":material/timer:"):
    mine.measured += 1
with st.spinner("Timing one backward pass against nudging parameters one at a time..."):
    cost = measure(spec.to_json(), mine.measured)
st.markdown(f"**{cost.network}**. N counts the numbers one example's forward pass computes: each "
            "unit's z, its a = g(z) when g is not linear, and J. P counts weights and biases.")
with st.container(horizontal=True, key="bp_cost"):
    st.metric("N nodes", f"{cost.nodes:,}", border=True)
    st.metric("P parameters", f"{cost.params:,}", border=True)
    st.metric("N + P", f"{cost.steps_backprop:,}", border=True)
    st.metric("N × P", f"{cost.steps_nudging:,}", border=True)
fig = go.Figure(go.Bar(
    x=["backprop: one forward + one backward pass", f"nudging all {cost.params:,} parameters (extrapolated)"],
    y=[cost.backward_seconds * 1000, cost.nudge_all_seconds * 1000],
    text=[f"{cost.backward_seconds * 1000:.2f} ms", f"{cost.nudge_all_seconds * 1000:,.0f} ms"],
    textposition="outside", marker_color=[charts.RIGHT_COLOR, charts.WRONG_COLOR]))
charts.layout(fig, f"All P derivatives, on a batch of {cost.batch} digits", "way", "time (ms, log scale)", 340)
low, high = cost.backward_seconds * 1000, cost.nudge_all_seconds * 1000
fig.update_yaxes(type="log", range=[np.log10(low) - 1, np.log10(high) + 0.6], exponentformat="power")
chart_ui.plot(fig, "bp_cost_chart", text=(
    f"All P derivatives, on a batch of {cost.batch} digits: backprop (one forward and one backward pass) "
    f"{low:.2f} ms; nudging all {cost.params:,} parameters one at a time (extrapolated) {high:,.0f} ms, "
    f"{high / low:,.0f} times as long."))
st.markdown(f"Measured here: one backward pass gives all {cost.params:,} derivatives in "
            f"**{cost.backward_seconds * 1000:.2f} ms**. One nudge (add 0.001 to one weight, compute J "
            f"again, take it off) takes **{cost.nudge_seconds * 1000:.2f} ms**; {cost.sampled} weights "
            f"were nudged and the time for all {cost.params:,} is *extrapolated*: about "
            f"**{cost.nudge_all_seconds:.1f} s**, {cost.ratio:,.0f} times as long. The nudged derivatives "
            f"agree with backprop's to within {cost.disagreement:.1e} (float32, ε = 0.001).")
