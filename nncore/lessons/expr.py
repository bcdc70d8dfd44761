"""A learner's formula in w, read safely: a whitelist tokenizer and a small recursive-descent parser.

sympy's `sympify` and `parse_expr` run Python's `eval` on the text they are given, so typed text
never goes near them. This reads numbers, `w`, `+ - * / ** ^`, parentheses and a few named
functions (exp, log, ln, sqrt, sin, cos, tan, tanh) and the constants pi and e; anything else
is refused with an `ExprError` naming the first bad token. The parser builds two things at once
from the same tree: a sympy expression (for the exact derivative) and a plain float64 function
(for J(w) and J(w + ε) exactly as the lab computes them in Python).

    grammar    sum     := product (("+" | "-") product)*
               product := unary (("*" | "/") unary | implicit)*     2w, 3(w + 1), 2exp(w)
               unary   := ("-" | "+") unary | power
               power   := atom (("**" | "^") unary)?                right to left: 2^3^2 = 2^9
               atom    := NUMBER | "w" | "pi" | "e" | FUNC "(" sum ")" | "(" sum ")"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

MAX_LENGTH = 200  # characters of a typed expression
MAX_DEPTH = 30  # nested parentheses and powers
MAX_CONSTANT_EXPONENT = 1000  # 9**9**9 would make sympy build a number with 370 million digits
MAX_NUMBER = 1e15
MAX_DIGITS = 1000  # of an exact number sympy would work out, such as 10**4000

FUNCTIONS = ("exp", "log", "ln", "sqrt", "sin", "cos", "tan", "tanh")
CONSTANTS = ("pi", "e")
VARIABLE = "w"

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^()])
""", re.VERBOSE)


class ExprError(ValueError):
    """Text that is not an allowed formula in w; the message names the first bad token."""


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, op, end
    text: str
    pos: int  # 1-based column, as a learner counts


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, or ExprError at the first character or name that is not allowed."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    tokens, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            bad = re.match(r"[A-Za-z0-9_.]+|\S", text[i:]).group()
            raise ExprError(f"{bad!r} at position {i + 1} is not allowed: use numbers, w, + - * / ** ^, "
                            f"parentheses and {', '.join(FUNCTIONS)}")
        kind = m.lastgroup
        if kind == "name" and m.group() not in (VARIABLE, *FUNCTIONS, *CONSTANTS):
            raise ExprError(f"unknown name {m.group()!r} at position {i + 1}: the only variable is w, "
                            f"the functions are {', '.join(FUNCTIONS)}")
        if kind != "space":
            tokens.append(Token(kind, m.group(), i + 1))
        i = m.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# ---- the tree: each node is a (sympy expression, float function of w) pair ----------------

Fn = Callable[[float], float]


@dataclass(frozen=True)
class _Node:
    sym: object  # a sympy expression
    fn: Fn
    const: bool  # no w in it


def _sympy():
    import sympy

    return sympy


def _number(text: str) -> _Node:
    sp = _sympy()
    value = float(text)
    if value > MAX_NUMBER:
        raise ExprError(f"the number {text} is too large (at most {MAX_NUMBER:g})")
    exact = sp.Integer(int(text)) if re.fullmatch("[0-9]+", text) else sp.Rational(text)
    return _Node(exact, lambda w, v=value: v, True)


def _digits(x) -> float:
    """About how many decimal digits an exact sympy number has (0 for symbolic ones like pi)."""
    if x.is_Rational:
        return len(str(abs(x.p))) + len(str(x.q))
    return 0.0


def _func(name: str, arg: _Node) -> _Node:
    sp, f = _sympy(), arg.fn
    table = {"exp": (sp.exp, math.exp), "log": (sp.log, math.log), "ln": (sp.log, math.log),
             "sqrt": (sp.sqrt, math.sqrt), "sin": (sp.sin, math.sin), "cos": (sp.cos, math.cos),
             "tan": (sp.tan, math.tan), "tanh": (sp.tanh, math.tanh)}
    symbolic, numeric = table[name]
    return _Node(symbolic(arg.sym), lambda w: numeric(f(w)), arg.const)


def _binary(op: str, a: _Node, b: _Node) -> _Node:
    fa, fb, const = a.fn, b.fn, a.const and b.const
    if op == "+":
        return _Node(a.sym + b.sym, lambda w: fa(w) + fb(w), const)
    if op == "-":
        return _Node(a.sym - b.sym, lambda w: fa(w) - fb(w), const)
    if op == "*":
        return _Node(a.sym * b.sym, lambda w: fa(w) * fb(w), const)
    if op == "/":
        return _Node(a.sym / b.sym, lambda w: fa(w) / fb(w), const)
    # a power: a constant exponent must stay small, or sympy would work out a giant number
    if b.const:
        size = abs(float(b.sym.evalf(30))) if b.sym.is_number else math.inf
        if not size <= MAX_CONSTANT_EXPONENT:
            raise ExprError(f"the exponent {b.sym} is too large (at most {MAX_CONSTANT_EXPONENT})")
        if a.const and _digits(a.sym) * size > MAX_DIGITS:
            raise ExprError(f"the number {a.sym}**{b.sym} is too large (more than {MAX_DIGITS} digits)")
    return _Node(a.sym ** b.sym, lambda w: fa(w) ** fb(w), const)


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def bad(self, expected: str) -> ExprError:
        t = self.tok
        where = "the end" if t.kind == "end" else f"{t.text!r} at position {t.pos}"
        return ExprError(f"expected {expected}, found {where}")

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"nested more than {MAX_DEPTH} deep at position {self.tok.pos}")

    def parse(self) -> _Node:
        if self.tok.kind == "end":
            raise ExprError("the expression is empty: type a formula in w, e.g. w**2")
        node = self.sum()
        if self.tok.kind != "end":
            raise self.bad("an operator (+ - * / ** ^) or the end")
        return node

    def sum(self) -> _Node:
        node = self.product()
        while self.tok.text in ("+", "-") and self.tok.kind == "op":
            op = self.take().text
            node = _binary(op, node, self.product())
        return node

    def product(self) -> _Node:
        node = self.unary()
        while True:
            t = self.tok
            if t.kind == "op" and t.text in ("*", "/"):
                self.take()
                node = _binary(t.text, node, self.unary())
            elif (t.kind == "name" or t.text == "(") and self.tokens[self.i - 1].kind == "number":
                node = _binary("*", node, self.power())  # 2w, 3(w + 1): a number times what follows
            else:
                return node

    def unary(self) -> _Node:
        if self.tok.kind == "op" and self.tok.text in ("-", "+"):
            sign = self.take().text
            self.nest()
            node = self.unary()
            self.depth -= 1
            if sign == "+":
                return node
            f = node.fn
            return _Node(-node.sym, lambda w: -f(w), node.const)
        return self.power()

    def power(self) -> _Node:
        base = self.atom()
        if self.tok.kind == "op" and self.tok.text in ("**", "^"):
            self.take()
            self.nest()
            exponent = self.unary()
            self.depth -= 1
            return _binary("**", base, exponent)
        return base

    def atom(self) -> _Node:
        t = self.tok
        if t.kind == "number":
            self.take()
            return _number(t.text)
        if t.kind == "name":
            self.take()
            sp = _sympy()
            if t.text == VARIABLE:
                return _Node(sp.Symbol(VARIABLE, real=True), lambda w: w, False)
            if t.text == "pi":
                return _Node(sp.pi, lambda w: math.pi, True)
            if t.text == "e":
                return _Node(sp.E, lambda w: math.e, True)
            if self.tok.text != "(":
                raise self.bad(f"'(' after {t.text}")
            return _func(t.text, self.group())
        if t.text == "(":
            return self.group()
        raise self.bad("a number, w, a function or '('")

    def group(self) -> _Node:
        self.take()  # "("
        self.nest()
        node = self.sum()
        if self.tok.text != ")":
            raise self.bad("')'")
        self.take()
        self.depth -= 1
        return node


@dataclass(frozen=True)
class Expression:
    """A parsed formula J(w): its text, its sympy form, and J as a float64 function."""

    text: str
    sym: object  # sympy expression in the symbol w
    fn: Fn

    @property
    def formula(self) -> str:
        return str(self.sym)

    def __call__(self, w: float) -> float:
        """J(w) in float64, or ExprError when J is undefined there (1/w at 0, log of a negative...)."""
        try:
            value = self.fn(float(w))
        except ZeroDivisionError:
            raise ExprError(f"J({w:g}) is undefined: division by zero") from None
        except OverflowError:
            raise ExprError(f"J({w:g}) is too large for a float64") from None
        except ValueError:
            raise ExprError(f"J({w:g}) is undefined (outside the domain of {self.formula})") from None
        if isinstance(value, complex):
            raise ExprError(f"J({w:g}) is not a real number (a negative number to a fractional power)")
        if not math.isfinite(value):
            raise ExprError(f"J({w:g}) is not finite ({value})")
        return float(value)


def parse(text: str) -> Expression:
    """Read a learner's formula in w with the whitelist above; ExprError names the first bad token."""
    if not isinstance(text, str):
        raise ExprError("the expression must be text")
    node = _Parser(text).parse()
    return Expression(text.strip(), node.sym, node.fn)


def parse_number(text: str, what: str = "value") -> float:
    """A number typed by a learner: a plain number, or a constant formula such as 3*2 or -1/2."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        try:
            node = _Parser(str(text)).parse()
        except ExprError:
            raise ExprError(f"{what}: {text!r} is not a number") from None
        if not node.const:
            raise ExprError(f"{what}: {text!r} is not a number (a formula in w)") from None
        try:
            value = node.fn(0.0)
        except (ArithmeticError, ValueError):
            raise ExprError(f"{what}: {text!r} is not a number") from None
        if isinstance(value, complex):
            raise ExprError(f"{what}: {text!r} is not a real number")
    if not math.isfinite(value):
        raise ExprError(f"{what}: must be a finite number, got {text!r}")
    return value
