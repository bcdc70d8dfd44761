"""Computation graphs: the forward pass computes J left to right, the backward pass every ∂J/∂node
right to left, each step one chain-rule product (local derivative × the derivative from the right).

    lab               c = w·x, a = c + b, d = a − y, J = ½d²           (x=2, w=−2, b=8, y=1: J = 4.5, ∂J/∂w = 6)
    lecture-network   t1 = w1·x, z1 = t1 + b1, a1 = ReLU(z1), t2 = w2·a1, z2 = t2 + b2, a2 = ReLU(z2),
                      d = a2 − y, J = ½d²                              (x=1, y=5, w1=2, b1=0, w2=3, b2=1: J = 2)

The hand derivatives here are checked against tf.GradientTape (`tf_gradients`) and against nudging
each parameter (`nudge_check`). N + P against N × P on a Train network: `network_cost.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .expr import ExprError, parse_number

MAX_VALUE = 1e6  # |value| of an input or parameter a learner may set


class GraphError(ValueError):
    """A bad graph name or setting; the message names it."""


@dataclass(frozen=True)
class Op:
    """One node of a graph: name = kind(args). Kinds: mul, add, sub, relu, half_square."""

    name: str
    kind: str
    args: tuple[str, ...]
    label: str  # how the lecture writes it, e.g. "c = w·x"


@dataclass(frozen=True)
class Graph:
    name: str
    title: str
    leaves: tuple[tuple[str, str, float], ...]  # (name, "input" or "parameter", default)
    ops: tuple[Op, ...]  # in forward order; the last one is J

    @property
    def defaults(self) -> dict[str, float]:
        return {name: value for name, _, value in self.leaves}

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(name for name, kind, _ in self.leaves if kind == "parameter")

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(op.name for op in self.ops)

    def forward_order(self) -> list[str]:
        """Every name left to right: each leaf just before the first node that uses it."""
        order: list[str] = []
        for op in self.ops:
            order += [a for a in op.args if a not in order]
            order.append(op.name)
        return order

    def backward_order(self) -> list[str]:
        """Right to left: every name after all the nodes that use it."""
        return self.forward_order()[::-1]


GRAPHS = {
    "lab": Graph("lab", "The backprop lab: one linear unit, squared error", (
        ("x", "input", 2.0), ("w", "parameter", -2.0), ("b", "parameter", 8.0), ("y", "input", 1.0)), (
        Op("c", "mul", ("w", "x"), "c = w·x"),
        Op("a", "add", ("c", "b"), "a = c + b"),
        Op("d", "sub", ("a", "y"), "d = a − y"),
        Op("J", "half_square", ("d",), "J = ½d²"))),
    "lecture-network": Graph("lecture-network", "The lecture's network: two ReLU units, squared error", (
        ("x", "input", 1.0), ("y", "input", 5.0), ("w1", "parameter", 2.0), ("b1", "parameter", 0.0),
        ("w2", "parameter", 3.0), ("b2", "parameter", 1.0)), (
        Op("t1", "mul", ("w1", "x"), "t1 = w1·x"),
        Op("z1", "add", ("t1", "b1"), "z1 = t1 + b1"),
        Op("a1", "relu", ("z1",), "a1 = ReLU(z1)"),
        Op("t2", "mul", ("w2", "a1"), "t2 = w2·a1"),
        Op("z2", "add", ("t2", "b2"), "z2 = t2 + b2"),
        Op("a2", "relu", ("z2",), "a2 = ReLU(z2)"),
        Op("d", "sub", ("a2", "y"), "d = a2 − y"),
        Op("J", "half_square", ("d",), "J = ½d²"))),
}


def get_graph(name: str) -> Graph:
    if name not in GRAPHS:
        raise GraphError(f"unknown graph {name!r}; allowed: {', '.join(GRAPHS)}")
    return GRAPHS[name]


def settings(graph: Graph, changes: dict[str, object] | list[str] | None = None) -> dict[str, float]:
    """The graph's defaults with `changes` ({name: value} or ["name=value", ...]) applied and checked."""
    values = graph.defaults
    if isinstance(changes, (list, tuple)):
        pairs = {}
        for item in changes:
            if "=" not in item:
                raise GraphError(f"--set: expected VAR=VALUE, got {item!r}")
            key, _, value = item.partition("=")
            pairs[key.strip()] = value.strip()
        changes = pairs
    for key, value in (changes or {}).items():
        if key not in values:
            raise GraphError(f"unknown variable {key!r} for graph {graph.name}; allowed: {', '.join(values)}")
        try:
            number = parse_number(value, key) if isinstance(value, str) else float(value)
        except ExprError as e:
            raise GraphError(str(e)) from None
        except (TypeError, ValueError):
            raise GraphError(f"{key}: {value!r} is not a number") from None
        if not (math.isfinite(number) and abs(number) <= MAX_VALUE):
            raise GraphError(f"{key}: must be a finite number from {-MAX_VALUE:g} to {MAX_VALUE:g}, got {value!r}")
        values[key] = number
    return values


# ---- forward and backward by hand -------------------------------------------------------------

def _apply(op: Op, v: dict[str, float]) -> float:
    a = [v[name] for name in op.args]
    return {"mul": lambda: a[0] * a[1], "add": lambda: a[0] + a[1], "sub": lambda: a[0] - a[1],
            "relu": lambda: max(a[0], 0.0), "half_square": lambda: 0.5 * a[0] ** 2}[op.kind]()


def _local(op: Op, arg: str, v: dict[str, float]) -> tuple[float, str]:
    """∂op/∂arg at these values, and why, in words."""
    i = op.args.index(arg)
    if op.kind == "mul":
        other = op.args[1 - i]
        return v[other], f"{op.label}, so ∂{op.name}/∂{arg} = {other} = {fmt(v[other])}"
    if op.kind == "add":
        return 1.0, f"{op.label}, so ∂{op.name}/∂{arg} = 1"
    if op.kind == "sub":
        return (1.0, f"{op.label}, so ∂{op.name}/∂{arg} = 1") if i == 0 else \
            (-1.0, f"{op.label}, so ∂{op.name}/∂{arg} = −1")
    if op.kind == "relu":
        on = v[arg] > 0
        return (1.0 if on else 0.0), (f"{op.label} and {arg} = {fmt(v[arg])} "
                                      + ("> 0: the unit is on, ∂/∂" + arg + " = 1" if on
                                         else "≤ 0: the unit is off, ∂/∂" + arg + " = 0"))
    return v[arg], f"{op.label}, so ∂{op.name}/∂{arg} = {arg} = {fmt(v[arg])}"  # half_square


def _partial(graph: Graph, node: str, arg: str) -> str:
    """∂node/∂arg as the steps write it; ∂(½d²)/∂d for J, so that it does not read ∂J/∂d × ∂J/∂J."""
    if node == "J":
        return "∂(" + graph.ops[-1].label.split(" = ")[1] + f")/∂{arg}"
    return f"∂{node}/∂{arg}"


def fmt(x: float) -> str:
    """A number as the page and the steps print it: up to 6 significant digits, −0 as 0."""
    return f"{x:.6g}".replace("-", "−") if x != 0 else "0"


@dataclass(frozen=True)
class Step:
    """One backward step: ∂J/∂name = Σ ∂consumer/∂name × ∂J/∂consumer."""

    name: str
    grad: float
    terms: tuple[tuple[str, float, float], ...]  # (consumer, local derivative, ∂J/∂consumer)
    text: str  # the chain-rule product with its numbers
    why: str  # the local derivatives in words


@dataclass(frozen=True)
class GraphResult:
    graph: Graph
    values: dict[str, float]  # every leaf and node
    grads: dict[str, float]  # ∂J/∂name for every leaf and node
    steps: tuple[Step, ...]  # the backward pass, J first

    @property
    def J(self) -> float:
        return self.values["J"]

    def to_json(self, tf_grads: dict[str, float]) -> dict:
        """What `python -m nncore graph NAME --json` prints."""
        return {"graph": self.graph.name, "J": self.J, "values": self.values,
                "grads": {n: self.grads[n] for n in self.graph.forward_order()},
                "tf_grads": {p: tf_grads[p] for p in self.graph.parameters}}


def forward(graph: Graph, values: dict[str, float]) -> dict[str, float]:
    v = dict(values)
    for op in graph.ops:
        v[op.name] = _apply(op, v)
        if not math.isfinite(v[op.name]):
            raise GraphError(f"{op.name} overflows at these settings")
    return v


def backward(graph: Graph, v: dict[str, float]) -> tuple[dict[str, float], tuple[Step, ...]]:
    """Right to left; each name's derivative once every node that uses it has its own."""
    users = {name: [op for op in graph.ops if name in op.args] for name in graph.forward_order()}
    grads: dict[str, float] = {}
    steps = []
    for name in graph.backward_order():
        if name == "J":
            grads[name] = 1.0
            steps.append(Step("J", 1.0, (), "∂J/∂J = 1", "the backward pass starts at J: J changes one for one with itself"))
            continue
        terms, whys = [], []
        for op in users[name]:
            local, why = _local(op, name, v)
            terms.append((op.name, local, grads[op.name]))
            whys.append(why)
        grad = sum(local * g for _, local, g in terms)
        grads[name] = grad
        symbols = " + ".join(f"{_partial(graph, c, name)} × ∂J/∂{c}" for c, _, _ in terms)
        numbers = " + ".join(f"{fmt(local)} × {fmt(g)}" for _, local, g in terms)
        steps.append(Step(name, grad, tuple(terms), f"∂J/∂{name} = {symbols} = {numbers} = {fmt(grad)}",
                          "; ".join(whys)))
    return grads, tuple(steps)


def run(name: str, changes: dict | list | None = None) -> GraphResult:
    """Forward and backward pass of a named graph at its defaults with `changes` applied."""
    graph = get_graph(name)
    v = forward(graph, settings(graph, changes))
    grads, steps = backward(graph, v)
    return GraphResult(graph, v, grads, steps)


# ---- the same two other ways: TensorFlow, and nudging ------------------------------------------

def tf_gradients(name: str, changes: dict | list | None = None) -> dict[str, float]:
    """∂J/∂name for every leaf and node of the graph from tf.GradientTape (float64)."""
    from .. import import_keras

    import_keras()
    import tensorflow as tf

    graph = get_graph(name)
    values = settings(graph, changes)
    ops = {"mul": lambda a, b: a * b, "add": lambda a, b: a + b, "sub": lambda a, b: a - b,
           "relu": tf.nn.relu, "half_square": lambda d: 0.5 * tf.square(d)}
    with tf.GradientTape(persistent=True) as tape:
        t = {n: tf.constant(values[n], tf.float64) for n in values}
        for leaf in t.values():
            tape.watch(leaf)
        for op in graph.ops:
            t[op.name] = ops[op.kind](*(t[a] for a in op.args))
    names = graph.forward_order()
    grads = tape.gradient(t["J"], [t[n] for n in names])
    del tape
    return {n: 0.0 if g is None else float(g) + 0.0 for n, g in zip(names, grads)}  # + 0.0: no −0.0


@dataclass(frozen=True)
class Nudge:
    parameter: str
    epsilon: float
    J: float
    J_nudged: float  # J with the parameter + ε
    change: float  # J_nudged - J
    predicted: float  # ∂J/∂parameter × ε

    @property
    def ratio(self) -> float:
        return self.change / self.epsilon


def nudge_check(name: str, changes: dict | list | None = None, epsilon: float = 0.001) -> list[Nudge]:
    """For each parameter: J(p + ε) − J(p) against ∂J/∂p × ε (the derivatives lab's idea)."""
    graph = get_graph(name)
    base = settings(graph, changes)
    result = run(name, base)
    rows = []
    for p in graph.parameters:
        J2 = forward(graph, {**base, p: base[p] + epsilon})["J"]
        rows.append(Nudge(p, epsilon, result.J, J2, J2 - result.J, result.grads[p] * epsilon))
    return rows


# ---- drawing: graphviz DOT text (st.graphviz_chart draws it without extra packages) -------------

def to_dot(result: GraphResult, shown_values: set[str] | None = None, shown_grads: set[str] | None = None,
           current: str | None = None) -> str:
    """The graph left to right: boxes with value and ∂J/∂name (inputs and parameters dashed, parameters
    blue, J red), edges as arrows.

    Only the names in `shown_values` / `shown_grads` show their numbers (all when None); `current`
    is drawn highlighted (the step just taken).
    """
    g = result.graph
    vals = set(result.values) if shown_values is None else shown_values
    grads = set(result.grads) if shown_grads is None else shown_grads
    labels = {op.name: op.label for op in g.ops}
    kinds = {name: kind for name, kind, _ in g.leaves}
    lines = ["digraph G {", '  rankdir=LR; bgcolor="transparent"; nodesep=0.25; ranksep=0.45;',
             '  node [fontname="Helvetica", fontsize=14, margin="0.12,0.05"]; edge [color="#555555"];']
    for name in g.forward_order():
        title = labels.get(name, f"{name} ({kinds.get(name, '')})")
        value = fmt(result.values[name]) if name in vals else "?"
        grad = fmt(result.grads[name]) if name in grads else "?"
        shape = "box"
        style = "rounded,filled" if name in labels else "rounded,filled,dashed"
        fill = "#fff3b0" if name == current else ("#e8f1fb" if kinds.get(name) == "parameter" else "#ffffff")
        if name == "J":
            fill = "#fde2e1" if name != current else fill
        label = f"{title}\\nvalue = {value}\\n∂J/∂{name} = {grad}"
        lines.append(f'  "{name}" [shape={shape}, style="{style}", fillcolor="{fill}", label="{label}"];')
    for op in g.ops:
        for a in op.args:
            lines.append(f'  "{a}" -> "{op.name}";')
    lines.append("}")
    return "\n".join(lines)
