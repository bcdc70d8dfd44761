"""The Derivatives and Backpropagation pages through AppTest: the lab's numbers on screen, bad input
named with the last good state kept, stepping, the quiz, tf.GradientTape and nudges, N + P vs N × P."""

from __future__ import annotations

import re

import pytest

from apptest import open_app


@pytest.fixture
def at():
    return open_app(timeout=180)


def errors(at) -> list[str]:
    """The error messages as a learner reads them (the page escapes Markdown's characters)."""
    return [e.value.replace("\\", "") for e in at.error]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_derivatives_page_shows_the_labs_numbers_and_follows_epsilon(at):
    at.switch_page("views/derivatives.py").run()
    assert not at.exception
    m = metrics(at)
    assert m["J(w)"] == "9" and m["J(w + ε)"] == "9.006001"
    assert m["k = (J(w + ε) − J(w)) / ε"] == "6.001" and m["exact dJ/dw (sympy)"] == "6"
    at.select_slider(key="d_eps").set_value(1e-9).run()
    assert metrics(at)["k = (J(w + ε) − J(w)) / ε"].startswith("6.000000496")
    at.pills(key="d_preset").set_value("1/w").run()
    at.number_input(key="d_w").set_value(2.0).run()
    assert metrics(at)["exact dJ/dw (sympy)"] == "-0.25"
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("text, named", [
    ("__import__('os')", "'__import__' at position 1"),
    ("w.__class__", "'.__class__'"),
    ("lambda: w", "'lambda'"),
    ("exec('1')", "'exec'"),
])
def test_derivatives_page_refuses_code_and_keeps_the_last_good_function(at, text, named):
    at.switch_page("views/derivatives.py").run()
    at.text_input(key="d_text").set_value("w**3").run()
    assert metrics(at)["exact dJ/dw (sympy)"] == "27"
    at.text_input(key="d_text").set_value(text).run()
    assert not at.exception
    assert any(named in e and "Still showing J(w) = w**3" in e for e in errors(at))
    assert metrics(at)["exact dJ/dw (sympy)"] == "27"


def test_derivatives_page_names_a_point_where_J_is_undefined(at):
    at.switch_page("views/derivatives.py").run()
    at.pills(key="d_preset").set_value("1/w").run()
    at.number_input(key="d_w").set_value(0.0).run()
    assert not at.exception
    assert any("division by zero" in e for e in errors(at))
    assert metrics(at)["J(w)"] == "0.3333333333"  # 1/w at the last good w = 3


def compare(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_backprop_page_steps_forward_then_backward_and_matches_tensorflow(at):
    at.switch_page("views/backprop.py").run()
    assert not at.exception
    assert "value = ?" in at.get("graphviz_chart")[0].proto.spec
    assert all(r["∂J/∂name by hand (chain rule)"] == "?" for r in compare(at))
    at.button(key="bp_fwd").click().run()
    assert any("c = w·x = −4" in i.value for i in at.info)
    at.button(key="bp_bwd").click().run()  # finishes the forward pass, then J
    at.button(key="bp_bwd").click().run()
    assert any("∂J/∂d = ∂(½d²)/∂d × ∂J/∂J = 3 × 1 = 3" in i.value for i in at.info)
    at.button(key="bp_all").click().run()
    rows = {r["name"]: r for r in compare(at)}
    assert rows["J"]["value"] == "4.5" and rows["w"]["∂J/∂name by hand (chain rule)"] == "6"
    assert all(r["agree"] == "yes" for r in rows.values())
    assert rows["w"]["tf.GradientTape"] == "6" and rows["x"]["tf.GradientTape"] == "−6"
    nudges = at.dataframe[1].value.to_dict("records")
    assert nudges[0]["parameter"] == "w" and nudges[0]["change / 0.001"] == "6.002"
    spec = at.get("graphviz_chart")[0].proto.spec
    assert "∂J/∂w = 6" in spec and "value = ?" not in spec
    at.button(key="bp_hide").click().run()
    assert all(r["tf.GradientTape"] == "?" for r in compare(at))


def test_backprop_page_lecture_network_with_a_relu_unit_off(at):
    at.switch_page("views/backprop.py").run()
    at.segmented_control(key="bp_graph").set_value("lecture-network").run()
    at.button(key="bp_all").click().run()
    rows = {r["name"]: r for r in compare(at)}
    assert rows["J"]["value"] == "2" and rows["w1"]["∂J/∂name by hand (chain rule)"] == "6"
    at.number_input(key="bp_lecture-network_b1").set_value(-5.0).run()
    rows = {r["name"]: r for r in compare(at)}
    assert rows["a1"]["value"] == "0" and rows["w1"]["tf.GradientTape"] == "0"
    assert rows["a1"]["∂J/∂name by hand (chain rule)"] == "−12"
    assert all(r["agree"] == "yes" for r in rows.values())


def test_backprop_quiz_checks_each_answer_and_explains_wrong_ones(at):
    at.switch_page("views/backprop.py").run()
    at.toggle(key="bp_quiz").set_value(True).run()
    at.text_input(key="bp_lab_quiz_w").set_value("2*3").run()
    at.text_input(key="bp_lab_quiz_x").set_value("6").run()
    at.text_input(key="bp_lab_quiz_b").set_value("__import__('os')").run()
    assert not at.exception
    assert any(s.value.startswith("Right: ∂J/∂w") for s in at.success)
    shown = errors(at)
    assert any(e.startswith("Not 6: it is −6.") and "∂c/∂x = w = −2" in e for e in shown)
    assert any(e.startswith("∂J/∂b: ") and "__import__('os')" in e and "is not a number" in e for e in shown)
    spec = at.get("graphviz_chart")[0].proto.spec
    assert "∂J/∂w = 6" in spec and "∂J/∂x = ?" in spec  # a right answer shows in the graph


def test_backprop_page_measures_n_plus_p_against_n_times_p(at):
    at.switch_page("views/backprop.py").run()
    m = metrics(at)
    assert m["N nodes"] == "91" and m["P parameters"] == "20,175"
    assert m["N + P"] == "20,266" and m["N × P"] == f"{91 * 20175:,}"
    assert any("extrapolated" in md.value and "Measured here" in md.value for md in at.markdown)
    # the chart in words: both times, in ms, and how many times as long nudging takes
    said = next(c.value for c in at.caption if c.value.startswith("All P derivatives"))
    backprop, nudging, times = re.search(r"pass\) ([\d.]+) ms; .* \(extrapolated\) ([\d,]+) ms, ([\d,]+) times", said).groups()
    assert abs(float(nudging.replace(",", "")) / float(backprop) - float(times.replace(",", ""))) <= 0.02 * float(times.replace(",", "")) + 1
