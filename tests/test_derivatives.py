"""The derivatives lesson: the lab's numbers, sympy's exact derivatives, and a parser that never runs code."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers import nncore
from nncore.cli import main
from nncore.lessons import expr
from nncore.lessons.derivatives import PRESETS, ExprError, derivative, epsilon_sweep, tangent


# ---- the lab's numbers ----------------------------------------------------------------------

def test_the_labs_numbers_for_w_squared_at_3():
    d = derivative("w**2", 3, 0.001)
    assert d.J == 9.0
    assert d.J_nudged == pytest.approx(9.006001, abs=1e-12)
    assert d.numeric == pytest.approx(6.001, abs=1e-9)
    assert d.exact == 6.0 and d.derivative == "2*w"
    tiny = derivative("w**2", 3, 1e-9)
    assert tiny.numeric == pytest.approx(6.000000496, abs=1e-9)  # float64 round-off, as the lab shows
    assert tiny.numeric != 6.0


@pytest.mark.parametrize("text, w, formula, exact", [
    ("w**3", 2.0, "3*w**2", 12.0),
    ("2*w", 5.0, "2", 2.0),
    ("2w", 5.0, "2", 2.0),
    ("1/w", 2.0, "-1/w**2", -0.25),
    ("1/w**2", 2.0, "-2/w**3", -0.25),
    ("exp(w)", 1.0, "exp(w)", math.e),
    ("w^2 + 3w - 1", -1.5, "2*w + 3", 0.0),
    ("sqrt(w)", 4.0, "1/(2*sqrt(w))", 0.25),
    ("log(w)", 0.5, "1/w", 2.0),
    ("sin(w)", 0.0, "cos(w)", 1.0),
])
def test_exact_derivatives_from_sympy_and_the_nudge_agrees(text, w, formula, exact):
    d = derivative(text, w, 1e-6)
    assert d.derivative == formula
    assert d.exact == pytest.approx(exact, abs=1e-12)
    assert d.numeric == pytest.approx(exact, abs=1e-4)


def test_every_preset_parses_and_has_a_derivative_at_1():
    for text in PRESETS:
        d = derivative(text, 1.0)
        assert math.isfinite(d.exact) and abs(d.numeric - d.exact) < 0.01


def test_the_error_shrinks_with_epsilon_then_round_off_takes_over():
    sweep = epsilon_sweep("w**2", 3.0, 6.0)
    eps, err = sweep["epsilon"], sweep["error"]
    assert eps[0] == pytest.approx(0.1) and eps[-1] == pytest.approx(1e-15)
    assert err[0] == pytest.approx(0.1)  # (w + ε)² gives 6 + ε exactly in the math
    assert 1e-10 < sweep["best_epsilon"] < 1e-5  # best somewhere in the middle...
    assert np.nanmax(err[eps < 1e-12]) > np.nanmin(err)  # ...then float64 round-off grows it again


def test_tangent_line_touches_J_at_w():
    t = tangent("w**2", 3.0, 6.0)
    i = int(np.argmin(np.abs(t["x"] - 3.0)))
    assert t["J"][i] == pytest.approx(t["tangent"][i])
    assert np.all(t["J"][np.isfinite(t["J"])] >= t["tangent"][np.isfinite(t["J"])] - 1e-9)  # convex


# ---- bad input is named, never run -----------------------------------------------------------

@pytest.mark.parametrize("text, named", [
    ("__import__('os')", "'__import__' at position 1"),
    ("__import__('os').system('touch /tmp/pwned')", "'__import__'"),
    ("w.__class__", "'.__class__' at position 2"),
    ("lambda: 1", "'lambda'"),
    ("exec('print(1)')", "'exec'"),
    ("eval('w')", "'eval'"),
    ("w; import os", "';' at position 2"),
    ("w + x", "'x' at position 5"),
    ("[w]", "'['"),
    ("'w'", "\"'\""),
    ("w ** 2 +", "found the end"),
    ("sin w", "'(' after sin"),
    ("9**9**9", "too large"),
    ("w**(10**6)", "too large"),
    ("((((((((((((((((((((((((((((((((w))))))))))))))))))))))))))))))))", "nested"),
    ("w" + "+w" * 150, "at most 200"),
    ("", "empty"),
])
def test_code_and_unknown_names_are_refused_naming_the_first_bad_token(text, named):
    with pytest.raises(ExprError) as e:
        expr.parse(text)
    assert named in str(e.value)


def test_refused_text_never_reaches_eval_or_sympify(monkeypatch, tmp_path):
    import builtins

    import sympy

    def boom(*a, **k):
        raise AssertionError("eval was called")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    monkeypatch.setattr(sympy, "sympify", boom)
    marker = tmp_path / "pwned"
    for text in (f"__import__('os').system('touch {marker}')", "w**2", "exp(w) / (1 + w^2)"):
        try:
            expr.parse(text)
        except ExprError:
            pass
    assert not marker.exists()


@pytest.mark.parametrize("text, w, eps, named", [
    ("1/w", 0.0, 0.001, "division by zero"),
    ("log(w)", -1.0, 0.001, "undefined"),
    ("sqrt(w)", -4.0, 0.001, "undefined"),
    ("w**(1/2)", -4.0, 0.001, "not a real number"),
    ("w**2", 3.0, 0.0, "epsilon"),
    ("w**2", 3.0, -1e-3, "epsilon"),
    ("sqrt(w)", 0.0, 0.001, "dJ/dw"),
    ("exp(w)", 1000.0, 0.001, "too large"),
])
def test_points_where_J_or_its_derivative_is_undefined_and_bad_epsilons(text, w, eps, named):
    with pytest.raises(ExprError, match=named):
        derivative(text, w, eps)


# ---- the command line -----------------------------------------------------------------------

def test_cli_prints_exactly_the_issues_fields(capsys):
    assert main(["derivative", "w**2", "--at", "3", "--epsilon", "0.001", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(out) == {"expression", "derivative", "exact", "numeric", "epsilon"}
    assert out["derivative"] == "2*w" and out["exact"] == 6.0 and out["epsilon"] == 0.001
    assert out["numeric"] == pytest.approx(6.001)
    assert main(["derivative", "1/w**2", "--at", "-0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["exact"] == pytest.approx(16.0)  # -2 / w³ at -0.5
    assert out["numeric"] == pytest.approx(16.0, rel=1e-2)


@pytest.mark.parametrize("argv, named", [
    (["derivative", "__import__('os')", "--at", "1", "--json"], "__import__"),
    (["derivative", "w**2", "--at", "abc", "--json"], "'abc' is not a number"),
    (["derivative", "1/w", "--at", "0", "--json"], "division by zero"),
    (["derivative", "w**2", "--at", "3", "--epsilon", "0", "--json"], "epsilon"),
    (["derivative", "w**2", "--at", "3", "--epsilon", "-1", "--json"], "epsilon"),
])
def test_cli_bad_input_exits_2_with_one_line(capsys, argv, named):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err


def test_cli_in_a_real_process_runs_nothing_from_the_text(tmp_path):
    marker = tmp_path / "pwned"
    code = f"__import__('os').system('touch {marker}')"
    r = nncore("derivative", code, "--at", "1", "--json", timeout=120)
    assert r.returncode == 2 and not marker.exists()
    assert r.stderr.strip().splitlines()[-1].startswith("error: unknown name '__import__'")
