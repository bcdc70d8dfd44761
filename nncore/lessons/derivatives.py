"""A derivative as the lab shows it: nudge w by ε and J changes by about k·ε.

    J = w**2 at w = 3, ε = 0.001:  J(w + ε) = 9.006001, k = (J(w + ε) - J(w)) / ε = 6.001
    the same with ε = 1e-9:                            k = 6.000000496 (float64 round-off)

J comes from a learner's text through the whitelist parser in `expr` (never `eval`), the exact
derivative from sympy, J(w) and J(w + ε) from plain float64 arithmetic as in the lab.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .expr import ExprError, Expression, parse, parse_number

__all__ = ["ExprError", "Derivative", "PRESETS", "EPSILONS", "derivative", "epsilon_sweep", "tangent"]

# The functions the page offers in one click (any other can be typed).
PRESETS = ("w**2", "w**3", "2*w", "1/w", "1/w**2", "exp(w)", "sqrt(w)", "log(w)", "sin(w)")
# The ε slider: 1e-1 down to 1e-12, one step a decade.
EPSILONS = tuple(10.0 ** -k for k in range(1, 13))


@dataclass(frozen=True)
class Derivative:
    """J and its derivative at one point, exactly (sympy) and by a nudge of ε (float64)."""

    expression: str  # J as sympy writes it, e.g. w**2
    derivative: str  # dJ/dw as sympy writes it, e.g. 2*w
    latex: str  # J in LaTeX
    derivative_latex: str
    w: float
    epsilon: float
    J: float  # J(w)
    J_nudged: float  # J(w + ε)
    numeric: float  # (J(w + ε) - J(w)) / ε, the lab's k
    exact: float  # dJ/dw at w, from sympy

    @property
    def error(self) -> float:
        return abs(self.numeric - self.exact)

    def to_json(self) -> dict:
        """What `python -m nncore derivative ... --json` prints: exactly these fields."""
        return {"expression": self.expression, "derivative": self.derivative, "exact": self.exact,
                "numeric": self.numeric, "epsilon": self.epsilon}


def _exact(sym_derivative, w: float) -> float:
    """The sympy derivative's value at w (w taken exactly as the float it is)."""
    import sympy as sp

    value = sp.N(sym_derivative.subs(sp.Symbol("w", real=True), sp.Rational(w)), 20)
    if value.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or not value.is_number:
        raise ExprError(f"dJ/dw = {sym_derivative} is undefined (infinite) at w = {w:g}")
    z = complex(value)
    if z.imag != 0 or not math.isfinite(z.real):
        raise ExprError(f"dJ/dw is not a real number at w = {w:g}")
    return z.real


def _check(w, epsilon) -> tuple[float, float]:
    w = parse_number(w, "w") if isinstance(w, str) else float(w)
    epsilon = parse_number(epsilon, "epsilon") if isinstance(epsilon, str) else float(epsilon)
    if not math.isfinite(w):
        raise ExprError(f"w must be a finite number, got {w}")
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise ExprError(f"epsilon must be a number above 0, got {epsilon:g}")
    return w, epsilon


def derivative(expression: str | Expression, w: float | str, epsilon: float | str = 0.001) -> Derivative:
    """J(w), J(w + ε), the lab's ratio and sympy's exact dJ/dw; ExprError names what is wrong
    (a bad token, ε ≤ 0, a point where J or its derivative is undefined)."""
    import sympy as sp

    expr = expression if isinstance(expression, Expression) else parse(expression)
    w, epsilon = _check(w, epsilon)
    J, J_nudged = expr(w), expr(w + epsilon)
    numeric = (J_nudged - J) / epsilon
    d = sp.diff(expr.sym, sp.Symbol("w", real=True))
    return Derivative(expr.formula, str(d), sp.latex(expr.sym), sp.latex(d), w, epsilon,
                      J, J_nudged, numeric, _exact(d, w))


def epsilon_sweep(expression: str | Expression, w: float, exact: float,
                  smallest: float = 1e-15, per_decade: int = 4) -> dict[str, np.ndarray]:
    """The lab's ratio for ε from 1e-1 down to `smallest`, and its error |ratio - exact|.

    The error first shrinks with ε (the ratio is a secant that tends to the tangent), then grows
    again: J(w + ε) - J(w) cancels all but a few of float64's ~16 digits. Points where J is
    undefined are NaN; an error of exactly 0 (no log) is NaN too.
    """
    expr = expression if isinstance(expression, Expression) else parse(expression)
    decades = -math.log10(smallest)
    eps = 10.0 ** -np.linspace(1.0, decades, int(round((decades - 1) * per_decade)) + 1)
    J = expr(w)
    ratios = np.full(len(eps), np.nan)
    for i, e in enumerate(eps):
        try:
            ratios[i] = (expr(w + float(e)) - J) / float(e)
        except ExprError:
            pass
    error = np.abs(ratios - exact)
    error[error == 0] = np.nan
    best = int(np.nanargmin(error)) if np.isfinite(error).any() else 0
    return {"epsilon": eps, "ratio": ratios, "error": error, "best_epsilon": float(eps[best])}


def tangent(expression: str | Expression, w: float, slope: float, span: float | None = None,
            points: int = 201) -> dict[str, np.ndarray]:
    """J on [w - span, w + span] and the tangent line J(w) + slope·(x - w) there.

    Values where J is undefined, or far outside the picture (near a pole of 1/w), are NaN.
    """
    expr = expression if isinstance(expression, Expression) else parse(expression)
    span = span or max(2.0, abs(w) * 0.5)
    x = np.linspace(w - span, w + span, points)
    J0 = expr(w)
    y = np.full(points, np.nan)
    for i, xi in enumerate(x):
        try:
            y[i] = expr(float(xi))
        except ExprError:
            pass
    line = J0 + slope * (x - w)
    limit = 10 * max(1.0, abs(J0), abs(slope) * span)
    y[np.abs(y - J0) > limit] = np.nan
    line[np.abs(line - J0) > limit] = np.nan
    return {"x": x, "J": y, "tangent": line, "w": w, "J_w": J0}
