"""What fit does (issue 26, part 3): the three steps in numbers, fit unrolled into a tf.GradientTape
loop (the same weights after 20 steps, through the CLI for the practice lab and on the page for the
multiclass lab), and the seed code's ten sigmoids beside a softmax."""

from __future__ import annotations

import json

import numpy as np
import pytest

from apptest import open_app, wait_for_lesson
from helpers import nncore_here
from nncore.lessons import fit


def test_the_three_steps_lower_the_cost_and_the_gradient_is_the_derivative():
    logistic, network = fit.three_steps()
    for m in (logistic, network):
        assert m.cost_after < m.cost and 0 < m.f_first < 1 and m.loss_first == pytest.approx(-np.log(1 - m.f_first))
    # logistic regression's dJ/dw against (J(w + e) - J(w - e)) / 2e
    w, b, e = logistic.params["w"], logistic.params["b"][0], 1e-6
    J = lambda w_: np.mean(fit.bce(fit.sigmoid(fit.TOY_X @ w_ + b), fit.TOY_Y))  # noqa: E731
    numeric = [(J(w + e * d) - J(w - e * d)) / (2 * e) for d in np.eye(2)]
    assert logistic.gradient["w"] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)
    assert fit.steps_per_epoch(4000, 32) == 125 and fit.steps_per_epoch(80, 80) == 1


def test_unroll_on_the_practice_lab_from_the_cli(capsys):
    out = nncore_here(capsys, "unroll", "--preset", "practice-lab", "--steps", "20", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert list(result) == ["steps", "max_abs_difference", "fit_loss", "tape_loss"]
    assert result["steps"] == 20 and result["max_abs_difference"] <= 1e-5
    assert result["fit_loss"] == pytest.approx(result["tape_loss"], abs=1e-5) and result["fit_loss"] < 2.3
    bad = nncore_here(capsys, "unroll", "--preset", "practice-lab", "--steps", "zero")
    assert bad.returncode == 2 and "steps: must be a whole number" in bad.stderr


def test_the_page_unrolls_the_multiclass_lab_and_runs_the_seed_code():
    at = open_app("views/fit.py")
    assert not at.exception
    assert sum("J = " in m.value or "J 0." in m.value for m in at.markdown) >= 4  # both models' cost, before and after
    at.selectbox(key="unroll_preset").set_value("multiclass-lab").run()
    at.button(key="run_unroll").click().run()
    (s,) = wait_for_lesson(at, "unroll", seconds=120)
    assert not at.exception and s.result.max_abs_difference <= 1e-5 and s.result.steps == 20
    assert s.result.iterations_per_epoch == 3  # ceil(80 / 32), measured through fit
    assert any("fit` is the loop" in a.value for a in at.success)
    at.number_input(key="seed_epochs").set_value(2).run()
    at.button(key="train_seed").click().run()
    wait_for_lesson(at, "seed", seconds=120)
    assert not at.exception
    sums = at.dataframe[-1].value
    sigmoid_sums = sums["sum of the ten sigmoid outputs"].to_numpy()
    np.testing.assert_allclose(sums["sum of the ten softmax outputs"].to_numpy(), 1.0, atol=1e-3)
    assert np.abs(sigmoid_sums - 1).max() > 0.05  # ten independent yes/no units need not sum to 1
