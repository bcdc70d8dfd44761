"""The stroke test set of handwritten digits (tests/strokes.py): quick, no TensorFlow."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from nncore.inference.preprocess import BRUSH, CANVAS
from strokes import (SIZE_CLASSES, TEMPLATES, StrokeDigit, mnist_strokes, render, replay,
                     stroke_digits, template_digit, to_canvas)


@pytest.fixture(scope="module")
def default_set() -> list[StrokeDigit]:
    return stroke_digits()


def _extent(d: StrokeDigit) -> float:
    x0, y0, x1, y1 = d.bbox()
    return max(x1 - x0, y1 - y0)


def test_every_digit_has_at_least_three_named_styles():
    assert sorted(TEMPLATES) == list(range(10))
    for label, styles in TEMPLATES.items():
        assert len(styles) >= 3
        for name, make in styles.items():
            assert name.startswith(f"{label}-")
            strokes = make()
            assert strokes and all(len(s) >= 2 for s in strokes)


def test_templates_are_taller_than_wide():
    for label, styles in TEMPLATES.items():
        for name in styles:
            x0, y0, x1, y1 = template_digit(label, name).bbox()
            assert (x1 - x0) / (y1 - y0) <= 0.8, name
            if label != 1:
                assert (x1 - x0) / (y1 - y0) >= 0.45, name


def test_default_set_is_balanced_over_digits_and_styles(default_set):
    assert len(default_set) == 300
    assert Counter(d.label for d in default_set) == {k: 30 for k in range(10)}
    styles = Counter(d.style.split("/")[0] for d in default_set)
    assert set(styles) == {name for s in TEMPLATES.values() for name in s}
    assert set(styles.values()) == {10}
    for d in default_set:
        template, size = d.style.split("/")
        assert template in TEMPLATES[d.label] and size in SIZE_CLASSES


def test_same_seed_same_digits_other_seed_other_digits():
    a, b, c = stroke_digits(4, seed=7), stroke_digits(4, seed=7), stroke_digits(4, seed=8)
    assert a == b
    assert [d.strokes for d in a] != [d.strokes for d in c]


def test_points_are_in_the_unit_box_and_dense(default_set):
    for d in default_set:
        for s in d.strokes:
            p = np.asarray(s)
            assert p.shape[1] == 2 and len(p) >= 2
            assert p.min() >= 0.0 and p.max() <= 1.0
            assert np.hypot(*np.diff(p, axis=0).T).max() <= 0.02


def test_size_classes_mix_and_extents(default_set):
    sizes = Counter(d.style.split("/")[1] for d in default_set)
    assert 0.12 <= sizes["tiny"] / 300 <= 0.18
    assert 0.12 <= sizes["huge"] / 300 <= 0.18
    for d in default_set:
        size = d.style.split("/")[1]
        lo, hi = SIZE_CLASSES[size][1]
        assert lo - 1e-6 <= _extent(d) <= hi + 1e-6, d.style
        if size == "huge":  # reaches both edges of its long side, within 5%
            x0, y0, x1, y1 = d.bbox()
            assert min(x0, y0) <= 0.05 and max(x1, y1) >= 0.95
    # tiny digits are placed anywhere, corners included: not all in the middle
    tiny_centres = [np.mean(np.asarray(d.bbox()).reshape(2, 2), axis=0)
                    for d in default_set if d.style.endswith("/tiny")]
    assert max(np.abs(c - 0.5).max() for c in tiny_centres) > 0.35


def test_rendered_ink_matches_the_size_class(default_set):
    brush = BRUSH / CANVAS
    for d in default_set[::7]:
        ink = render(d)
        assert ink.shape == (CANVAS, CANVAS) and ink.dtype == np.uint8
        ys, xs = np.nonzero(ink)
        extent = max(ys.max() - ys.min(), xs.max() - xs.min()) / CANVAS
        size = d.style.split("/")[1]
        if size == "tiny":
            assert extent <= 0.25 + brush + 0.01
        elif size == "huge":
            assert extent >= 0.95


def test_render_a_dot_is_a_disk_and_a_line_has_round_caps():
    dot = render(StrokeDigit(1, [[(0.5, 0.5)]], "dot"))  # the page's canvas and brush
    assert set(np.unique(dot)) == {0, 255}
    area = (dot == 255).sum()
    assert area == pytest.approx(math.pi * (BRUSH / 2) ** 2, rel=0.15)
    ys, xs = np.nonzero(dot)
    assert ys.max() - ys.min() == pytest.approx(BRUSH, abs=2)
    assert xs.max() - xs.min() == pytest.approx(BRUSH, abs=2)

    bar = render(StrokeDigit(1, [[(0.25, 0.5), (0.75, 0.5)]], "bar"), size=200, stroke_width=10)
    area = (bar == 255).sum()
    assert area == pytest.approx(100 * 10 + math.pi * 5 ** 2, rel=0.1)
    ys, xs = np.nonzero(bar)
    assert xs.min() == pytest.approx(50 - 5, abs=2) and xs.max() == pytest.approx(150 + 5, abs=2)


def test_to_canvas_maps_the_unit_box_inside_the_margin():
    d = StrokeDigit(7, [[(0.0, 0.0), (1.0, 1.0)], [(0.5, 0.25)]], "x")
    assert to_canvas(d, 200, 100) == [[(0.0, 0.0), (200.0, 100.0)], [(100.0, 25.0)]]
    assert to_canvas(d, 200, 100, margin=10) == [[(10.0, 10.0), (190.0, 90.0)], [(100.0, 30.0)]]


class _Mouse:
    def __init__(self, log):
        self.log = log

    def move(self, x, y, steps=1):
        self.log.append(("move", x, y, steps))

    def down(self):
        self.log.append(("down",))

    def up(self):
        self.log.append(("up",))


class _Page:
    def __init__(self):
        self.log = []
        self.mouse = _Mouse(self.log)

    def wait_for_timeout(self, ms):
        self.log.append(("wait", ms))


class _Canvas:
    def bounding_box(self):
        return {"x": 100.0, "y": 50.0, "width": float(CANVAS), "height": float(CANVAS)}


@pytest.mark.parametrize("speed", ["fast", "normal", "slow"])
def test_replay_draws_each_stroke_as_one_drag_inside_the_canvas(speed):
    d = stroke_digits(1, seed=3)[5]  # a five: one or two strokes
    page = _Page()
    replay(page, _Canvas(), d, speed=speed)
    kinds = [e[0] for e in page.log if e[0] != "wait"]
    assert kinds.count("down") == kinds.count("up") == len(d.strokes)
    assert kinds[0] == "move" and kinds[1] == "down" and kinds[-1] == "up"
    moves = [e for e in page.log if e[0] == "move"]
    assert all(100 <= x <= 100 + CANVAS and 50 <= y <= 50 + CANVAS for _, x, y, _ in moves)
    n_points = sum(len(s) for s in d.strokes)
    if speed == "fast":
        assert len(moves) < n_points / 2 and {m[3] for m in moves} == {1}
    elif speed == "normal":
        assert len(moves) == n_points and {m[3] for m in moves} == {1}
    else:
        assert sum(m[3] == 3 for m in moves) == n_points - len(d.strokes)
        assert any(e[0] == "wait" and e[1] < 30 for e in page.log)
    with pytest.raises(ValueError):
        replay(page, _Canvas(), d, speed="warp")


def test_mnist_strokes_traces_a_ring_and_a_bar():
    ring = render(template_digit(0, "0-oval"), size=28, stroke_width=2.6) / 255.0
    bar = render(template_digit(1, "1-bar"), size=28, stroke_width=2.6) / 255.0
    zero, one = mnist_strokes(np.stack([ring, bar]), [0, 1])
    assert (zero.label, one.label) == (0, 1)
    assert len(zero.strokes) == 1 and len(one.strokes) == 1
    loop = np.asarray(zero.strokes[0])
    assert np.hypot(*(loop[0] - loop[-1])) < 0.06  # closed
    assert np.hypot(*np.diff(loop, axis=0).T).max() <= 0.02
    # position and size are kept: the 28x28 frame is the unit box
    x0, y0, x1, y1 = zero.bbox()
    assert 0.05 < y0 < 0.2 and 0.8 < y1 < 0.95
    x0, y0, x1, y1 = one.bbox()
    assert x1 - x0 < 0.15 and y1 - y0 > 0.65


def test_mnist_strokes_of_a_blank_image_and_a_single_speck():
    images = np.zeros((2, 28, 28))
    images[1, 14, 14] = 1.0
    blank, speck = mnist_strokes(images, [0, 1])
    assert blank.strokes == [] and blank.style == "mnist/0"
    assert len(speck.strokes) == 1 and len(speck.strokes[0]) == 1  # a dot
    assert render(speck).sum() > 0
