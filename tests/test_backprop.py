"""Computation graphs: the backprop lab's and the lecture's numbers, every hand derivative against
tf.GradientTape at random settings (ReLU units on and off), nudges, the CLI, N + P vs N × P."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.cli import main
from nncore.lessons import backprop as bp
from nncore.lessons.network_cost import count_nodes, network_cost


def test_the_backprop_labs_graph_at_its_defaults():
    r = bp.run("lab")
    assert {k: r.values[k] for k in ("x", "w", "b", "y")} == {"x": 2.0, "w": -2.0, "b": 8.0, "y": 1.0}
    assert (r.values["c"], r.values["a"], r.values["d"], r.J) == (-4.0, 4.0, 3.0, 4.5)
    assert r.grads["w"] == 6.0
    assert r.grads == {"J": 1.0, "d": 3.0, "a": 3.0, "c": 3.0, "b": 3.0, "y": -3.0, "x": -6.0, "w": 6.0}
    texts = {s.name: s.text for s in r.steps}
    assert texts["w"] == "∂J/∂w = ∂c/∂w × ∂J/∂c = 2 × 3 = 6"
    assert texts["a"] == "∂J/∂a = ∂d/∂a × ∂J/∂d = 1 × 3 = 3"
    assert [s.name for s in r.steps][0] == "J"  # right to left


def test_the_lectures_network_at_its_defaults():
    r = bp.run("lecture-network")
    v = r.values
    assert [v[n] for n in ("t1", "z1", "a1", "t2", "z2", "a2", "d", "J")] == [2, 2, 2, 6, 7, 7, 2, 2]
    g = r.grads
    assert (g["w1"], g["b1"], g["w2"], g["b2"]) == (6.0, 6.0, 4.0, 2.0)
    assert (g["a2"], g["z2"], g["a1"], g["z1"]) == (2.0, 2.0, 6.0, 6.0)


def test_backward_order_puts_every_name_after_the_nodes_that_use_it():
    for graph in bp.GRAPHS.values():
        order = graph.backward_order()
        assert sorted(order) == sorted([n for n, _, _ in graph.leaves] + list(graph.nodes))
        for op in graph.ops:
            for arg in op.args:
                assert order.index(arg) > order.index(op.name)


@pytest.mark.parametrize("name", list(bp.GRAPHS))
def test_hand_derivatives_match_gradient_tape_at_random_settings(name):
    rng = np.random.default_rng(13)
    graph = bp.GRAPHS[name]
    relu_off = 0
    for _ in range(12):
        changes = {leaf: float(rng.uniform(-4, 4)) for leaf, _, _ in graph.leaves}
        hand = bp.run(name, changes)
        tape = bp.tf_gradients(name, changes)
        assert set(tape) == set(hand.grads)
        for node in hand.grads:
            assert hand.grads[node] == pytest.approx(tape[node], abs=1e-9), (node, changes)
        relu_off += sum(hand.values[z] <= 0 for z in ("z1", "z2") if z in hand.values)
    if name == "lecture-network":
        assert relu_off > 0  # the random settings include units that are off


def test_a_relu_unit_that_is_off_passes_no_gradient_back():
    changes = {"b1": -5.0}  # z1 = 2 - 5 = -3: the first unit is off
    r = bp.run("lecture-network", changes)
    tape = bp.tf_gradients("lecture-network", changes)
    assert r.values["a1"] == 0.0
    assert r.grads["w1"] == r.grads["b1"] == r.grads["w2"] == 0.0
    assert r.grads["a1"] == -12.0 and r.grads["b2"] == -4.0
    assert {p: tape[p] for p in ("w1", "b1", "w2", "b2")} == {"w1": 0.0, "b1": 0.0, "w2": 0.0, "b2": -4.0}
    step = next(s for s in r.steps if s.name == "z1")
    assert "off" in step.why and step.text.endswith("= 0")


@pytest.mark.parametrize("name", list(bp.GRAPHS))
def test_nudging_each_parameter_agrees_with_its_derivative(name):
    for row in bp.nudge_check(name, epsilon=0.001):
        assert row.change == pytest.approx(row.predicted, abs=2e-5)
    w = next(r for r in bp.nudge_check("lab") if r.parameter == "w")
    assert w.J_nudged == pytest.approx(4.506002) and w.predicted == pytest.approx(0.006)


def test_settings_are_checked_and_named():
    graph = bp.get_graph("lab")
    assert bp.settings(graph, ["w=3", "x = -1.5"]) == {"x": -1.5, "w": 3.0, "b": 8.0, "y": 1.0}
    for bad, named in ((["z=1"], "unknown variable 'z'"), (["w=abc"], "'abc' is not a number"),
                       (["w"], "VAR=VALUE"), (["w=inf"], "finite"), (["w=1e9"], "finite")):
        with pytest.raises(bp.GraphError, match=named):
            bp.settings(graph, bad)
    with pytest.raises(bp.GraphError, match="unknown graph"):
        bp.get_graph("mlp")


def test_dot_shows_only_what_is_revealed():
    r = bp.run("lab")
    full = bp.to_dot(r)
    assert full.startswith("digraph") and '"c" -> "a"' in full and "∂J/∂w = 6" in full
    hidden = bp.to_dot(r, shown_values={"x", "w", "b", "y"}, shown_grads=set(), current="c")
    assert "∂J/∂w = ?" in hidden and "value = ?" in hidden and "#fff3b0" in hidden


def test_cli_graph_json(capsys):
    assert main(["graph", "lab", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(out) == {"graph", "J", "values", "grads", "tf_grads"}
    assert out["graph"] == "lab" and out["J"] == 4.5 and out["grads"]["w"] == 6.0
    assert set(out["grads"]) == {"x", "w", "b", "y", "c", "a", "d", "J"}
    assert out["tf_grads"] == {"w": 6.0, "b": 3.0}
    assert main(["graph", "lecture-network", "--set", "x=2", "--set", "w2=-1", "--set", "b2=8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # by hand: z1 = 4, a1 = 4, z2 = -4 + 8 = 4, a2 = 4, d = -1, J = 0.5
    assert out["values"]["a2"] == 4.0 and out["J"] == 0.5
    # backward: ∂J/∂d = -1, ∂J/∂w2 = a1·(-1) = -4, ∂J/∂a1 = w2·(-1) = 1, ∂J/∂w1 = x·1 = 2
    assert out["tf_grads"] == {"w1": pytest.approx(2.0), "b1": pytest.approx(1.0),
                               "w2": pytest.approx(-4.0), "b2": pytest.approx(-1.0)}
    assert {p: out["grads"][p] for p in out["tf_grads"]} == out["tf_grads"]


@pytest.mark.parametrize("argv, named", [
    (["graph", "mlp", "--json"], "unknown graph 'mlp'"),
    (["graph", "lab", "--set", "q=1", "--json"], "unknown variable 'q'"),
    (["graph", "lab", "--set", "w=two", "--json"], "'two' is not a number"),
    (["graph", "lab", "--set", "w=__import__('os')", "--json"], "is not a number"),
])
def test_cli_graph_bad_input_exits_2_with_one_line(capsys, argv, named):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err


def test_n_plus_p_against_n_times_p_on_the_default_train_network():
    spec = ExperimentSpec()
    assert count_nodes(spec) == 25 * 2 + 15 * 2 + 10 + 1  # z and a per ReLU unit, 10 logits, J
    cost = network_cost(spec, sample=20, repeats=3)
    assert cost.params == 784 * 25 + 25 + 25 * 15 + 15 + 15 * 10 + 10
    assert cost.steps_backprop == cost.nodes + cost.params and cost.steps_nudging == cost.nodes * cost.params
    assert cost.sampled == 20 and cost.backward_seconds > 0 and cost.nudge_seconds > 0
    assert cost.disagreement < 5e-3  # nudged (float32, ε = 1e-3) and backprop derivatives agree
    assert cost.network.startswith("784 → Dense(25, relu)")
