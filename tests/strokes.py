"""A reproducible test set of handwritten digits as pen/mouse strokes.

Each :class:`StrokeDigit` is a digit as a person would draw it with a mouse: a list of
strokes (one mouse-down ... mouse-up gesture each), every stroke a dense polyline in unit-box
coordinates (x right, y down, both in [0, 1]).

* ``TEMPLATES`` -- hand-authored styles for every digit 0-9 (at least three a digit), built
  from simple geometric primitives (ellipse arcs, line segments, smooth splines).
* :func:`stroke_digits` -- seeded, varied samples of those templates: rotation, slant, aspect,
  low-frequency wobble, overshoot/undershoot at stroke ends, and sizes from tiny-in-a-corner
  to edge-touching huge.
* :func:`mnist_strokes` -- real MNIST images turned into strokes (threshold, Zhang-Suen
  thinning, tracing of the 8-connected skeleton).
* :func:`to_canvas`, :func:`render` and :func:`replay` map strokes onto a canvas, rasterise
  them like a freehand canvas with a round brush, or draw them with Playwright's mouse.

Only numpy, PIL and (for :func:`mnist_strokes`) scipy are needed; Playwright is not imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nncore.inference.preprocess import BRUSH, CANVAS  # the Draw page's canvas and brush

Point = tuple[float, float]
Stroke = list[Point]

#: Largest distance between successive points of a generated stroke, in unit-box coordinates.
POINT_SPACING = 0.01


@dataclass
class StrokeDigit:
    """A digit drawn as strokes; points are in unit-box coordinates (x right, y down)."""

    label: int
    strokes: list[list[tuple[float, float]]]
    style: str = field(default="")

    @property
    def points(self) -> np.ndarray:
        """All points of all strokes as one (n, 2) array."""
        return np.array([p for s in self.strokes for p in s], dtype=float).reshape(-1, 2)

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the stroke points (not counting the brush width)."""
        p = self.points
        (x0, y0), (x1, y1) = p.min(axis=0), p.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


# --------------------------------------------------------------------------------------------
# Geometric primitives. They return (n, 2) float arrays of densely sampled points, in the
# authoring frame: a box about 0.65 wide and 1 tall, x right, y down.

_FINE = 0.004  # sampling step of the primitives, in authoring units


def _n(length: float) -> int:
    return max(2, int(np.ceil(length / _FINE)) + 1)


def line(p0: Point, p1: Point) -> np.ndarray:
    """Straight segment from p0 to p1."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    t = np.linspace(0.0, 1.0, _n(float(np.hypot(*(p1 - p0)))))[:, None]
    return p0 + t * (p1 - p0)


def arc(cx: float, cy: float, rx: float, ry: float, t0: float, t1: float,
        tilt: float = 0.0) -> np.ndarray:
    """Elliptic arc from angle t0 to t1 (degrees; y is down, so increasing angles run
    clockwise on screen: 0 = right, 90 = bottom, 180 = left, 270 / -90 = top)."""
    length = abs(np.radians(t1 - t0)) * (rx + ry) / 2
    t = np.radians(np.linspace(t0, t1, _n(length)))
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def bezier(*ctrl: Point) -> np.ndarray:
    """Bezier curve of any degree through its control points (de Casteljau)."""
    c = np.asarray(ctrl, float)
    approx = float(np.sum(np.hypot(*np.diff(c, axis=0).T)))
    t = np.linspace(0.0, 1.0, _n(approx))[:, None, None]
    pts = np.broadcast_to(c, (len(t),) + c.shape).copy()
    while pts.shape[1] > 1:
        pts = (1 - t) * pts[:, :-1] + t * pts[:, 1:]
    return pts[:, 0]


def spline(*pts: Point, closed: bool = False) -> np.ndarray:
    """Smooth curve through the given points (centripetal Catmull-Rom)."""
    p = np.asarray(pts, float)
    if closed:
        p = np.vstack([p, p[:1]])
        ext = np.vstack([p[-2], p, p[1]])
    else:
        ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = [p[:1]]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        d01 = max(np.hypot(*(p1 - p0)) ** 0.5, 1e-6)
        d12 = max(np.hypot(*(p2 - p1)) ** 0.5, 1e-6)
        d23 = max(np.hypot(*(p3 - p2)) ** 0.5, 1e-6)
        t0, t1, t2, t3 = 0.0, d01, d01 + d12, d01 + d12 + d23
        t = np.linspace(t1, t2, _n(float(np.hypot(*(p2 - p1)))))[1:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        out.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
    return np.vstack(out)


def chain(*parts: np.ndarray) -> np.ndarray:
    """Join pieces into one stroke (each piece continues where the previous one ended)."""
    out = [parts[0]]
    for p in parts[1:]:
        if np.hypot(*(out[-1][-1] - p[0])) < 1e-9:
            p = p[1:]
        else:  # bridge a small gap with a straight segment
            p = np.vstack([line(out[-1][-1], p[0])[1:-1], p])
        out.append(p)
    return np.vstack(out)


# --------------------------------------------------------------------------------------------
# Hand-authored templates: each returns a list of strokes in the authoring frame
# (x about 0..0.65, y 0..1), in the order and direction a person would draw them.

def _zero_oval():
    return [arc(0.33, 0.5, 0.3, 0.48, -85, -85 - 372)]


def _zero_clockwise():
    return [arc(0.33, 0.5, 0.26, 0.48, -100, 275, tilt=8)]


def _zero_egg():
    return [spline((0.40, 0.03), (0.20, 0.10), (0.06, 0.42), (0.12, 0.82), (0.33, 0.98),
                   (0.56, 0.84), (0.62, 0.48), (0.52, 0.14), (0.34, 0.02), (0.26, 0.06))]


def _one_bar():
    return [line((0.36, 0.0), (0.31, 1.0))]


def _one_flag():
    return [chain(line((0.19, 0.19), (0.40, 0.0)), line((0.40, 0.0), (0.40, 1.0)))]


def _one_flag_base():
    return [chain(line((0.17, 0.19), (0.36, 0.0)), line((0.36, 0.0), (0.36, 0.97))),
            line((0.10, 1.0), (0.62, 0.99))]


def _two_curve():
    top = arc(0.32, 0.28, 0.28, 0.26, 195, 370)
    return [chain(top, bezier(top[-1], (0.52, 0.55), (0.20, 0.78), (0.02, 0.99)),
                  line((0.02, 0.99), (0.65, 0.98)))]


def _two_loop():
    top = arc(0.32, 0.27, 0.28, 0.25, 195, 370)
    body = spline(top[-1], (0.44, 0.56), (0.26, 0.76), (0.13, 0.90), (0.05, 0.95),
                  (0.03, 0.86), (0.09, 0.79), (0.16, 0.85), (0.22, 0.95), (0.36, 0.99),
                  (0.65, 0.98))
    return [chain(top, body)]


def _two_angular():
    top = arc(0.30, 0.25, 0.27, 0.23, 200, 355)
    return [chain(top, line(top[-1], (0.03, 1.0)), line((0.03, 1.0), (0.64, 0.99)))]


def _three_round():
    upper = arc(0.30, 0.26, 0.26, 0.24, 205, 440)
    lower = arc(0.30, 0.74, 0.30, 0.26, 268, 505)
    return [chain(upper, line(upper[-1], (0.22, 0.50)), line((0.22, 0.50), lower[0]), lower)]


def _three_flat_top():
    lower = arc(0.32, 0.70, 0.31, 0.29, 250, 505)
    return [chain(line((0.05, 0.02), (0.60, 0.01)), line((0.60, 0.01), (0.25, 0.42)),
                  line((0.25, 0.42), lower[0]), lower)]


def _three_two_strokes():
    return [arc(0.31, 0.25, 0.25, 0.24, 200, 445),
            arc(0.31, 0.74, 0.30, 0.26, 250, 500)]


def _four_open():
    return [chain(line((0.10, 0.0), (0.05, 0.62)), line((0.05, 0.62), (0.65, 0.60))),
            line((0.49, 0.08), (0.49, 1.0))]


def _four_closed():
    return [chain(line((0.44, 0.0), (0.02, 0.68)), line((0.02, 0.68), (0.65, 0.68))),
            line((0.46, 0.02), (0.47, 1.0))]


def _four_one_stroke():
    return [chain(line((0.08, 0.0), (0.05, 0.58)), line((0.05, 0.58), (0.50, 0.58)),
                  line((0.50, 0.58), (0.53, 0.04)), line((0.53, 0.04), (0.50, 1.0)))]


def _five_two_strokes():
    belly = arc(0.30, 0.70, 0.30, 0.27, 205, 510)
    return [chain(line((0.12, 0.02), (0.08, 0.46)), line((0.08, 0.46), belly[0]), belly),
            line((0.12, 0.02), (0.60, 0.0))]


def _five_one_stroke():
    belly = arc(0.30, 0.70, 0.31, 0.28, 210, 505)
    return [chain(line((0.60, 0.02), (0.14, 0.0)), line((0.14, 0.0), (0.09, 0.45)),
                  line((0.09, 0.45), belly[0]), belly)]


def _five_flat_belly():
    belly = spline((0.09, 0.44), (0.32, 0.40), (0.56, 0.52), (0.58, 0.78), (0.38, 0.98),
                   (0.02, 0.92))
    return [chain(line((0.12, 0.04), (0.09, 0.44)), belly),
            line((0.18, 0.03), (0.64, 0.01))]


def _six_curved():
    return [spline((0.56, 0.02), (0.30, 0.10), (0.12, 0.32), (0.04, 0.62), (0.12, 0.88),
                   (0.33, 0.98), (0.56, 0.88), (0.60, 0.68), (0.42, 0.52), (0.20, 0.55),
                   (0.06, 0.68))]


def _six_straight():
    return [spline((0.50, 0.0), (0.28, 0.32), (0.10, 0.64), (0.12, 0.88), (0.32, 0.98),
                   (0.54, 0.88), (0.56, 0.70), (0.38, 0.58), (0.16, 0.64), (0.10, 0.72))]


def _six_big_loop():
    return [spline((0.58, 0.08), (0.42, 0.0), (0.22, 0.06), (0.06, 0.32), (0.02, 0.62),
                   (0.14, 0.90), (0.36, 0.99), (0.58, 0.86), (0.62, 0.60), (0.44, 0.40),
                   (0.20, 0.44), (0.06, 0.60))]


def _seven_plain():
    return [chain(line((0.02, 0.03), (0.64, 0.02)), line((0.64, 0.02), (0.24, 1.0)))]


def _seven_crossbar():
    return [chain(line((0.02, 0.03), (0.64, 0.02)), line((0.64, 0.02), (0.26, 1.0))),
            line((0.18, 0.52), (0.60, 0.49))]


def _seven_hook():
    return [chain(line((0.03, 0.17), (0.05, 0.04)), line((0.05, 0.04), (0.63, 0.02)),
                  bezier((0.63, 0.02), (0.45, 0.35), (0.34, 0.65), (0.32, 1.0)))]


def _eight_figure():
    return [spline((0.56, 0.13), (0.34, 0.02), (0.12, 0.10), (0.12, 0.30), (0.33, 0.46),
                   (0.56, 0.60), (0.60, 0.84), (0.34, 0.99), (0.08, 0.86), (0.12, 0.62),
                   (0.33, 0.47), (0.52, 0.32), (0.56, 0.15), (0.50, 0.06))]


def _eight_two_circles():
    return [arc(0.33, 0.25, 0.22, 0.24, -80, -80 - 370),
            arc(0.33, 0.73, 0.30, 0.26, -90, 275)]


def _eight_s_and_back():
    s = spline((0.58, 0.12), (0.36, 0.01), (0.10, 0.12), (0.16, 0.34), (0.46, 0.56),
               (0.60, 0.80), (0.40, 0.99), (0.10, 0.94), (0.05, 0.78))
    back = spline((0.06, 0.80), (0.20, 0.58), (0.44, 0.40), (0.58, 0.20), (0.58, 0.10))
    return [s, back]


def _nine_straight():
    loop = arc(0.32, 0.25, 0.28, 0.24, 5, 5 - 365)
    return [chain(loop, line(loop[-1], (0.58, 1.0)))]


def _nine_curved():
    loop = arc(0.33, 0.26, 0.28, 0.24, 0, -360)
    return [chain(loop, spline(loop[-1], (0.60, 0.50), (0.54, 0.78), (0.40, 0.95),
                               (0.20, 0.99), (0.08, 0.90)))]


def _nine_two_strokes():
    return [arc(0.30, 0.27, 0.28, 0.25, -20, -20 - 370),
            line((0.60, 0.08), (0.55, 1.0))]


#: digit -> {style name -> function returning the template strokes (authoring frame)}.
TEMPLATES: dict[int, dict[str, Callable[[], list[np.ndarray]]]] = {
    0: {"0-oval": _zero_oval, "0-clockwise": _zero_clockwise, "0-egg": _zero_egg},
    1: {"1-bar": _one_bar, "1-flag": _one_flag, "1-flag-base": _one_flag_base},
    2: {"2-curve": _two_curve, "2-loop": _two_loop, "2-angular": _two_angular},
    3: {"3-round": _three_round, "3-flat-top": _three_flat_top,
        "3-two-strokes": _three_two_strokes},
    4: {"4-open": _four_open, "4-closed": _four_closed, "4-one-stroke": _four_one_stroke},
    5: {"5-two-strokes": _five_two_strokes, "5-one-stroke": _five_one_stroke,
        "5-flat-belly": _five_flat_belly},
    6: {"6-curved": _six_curved, "6-straight": _six_straight, "6-big-loop": _six_big_loop},
    7: {"7-plain": _seven_plain, "7-crossbar": _seven_crossbar, "7-hook": _seven_hook},
    8: {"8-figure": _eight_figure, "8-two-circles": _eight_two_circles,
        "8-s-and-back": _eight_s_and_back},
    9: {"9-straight": _nine_straight, "9-curved": _nine_curved,
        "9-two-strokes": _nine_two_strokes},
}

#: Size classes of stroke_digits(): name -> (probability, range of the digit's extent).
SIZE_CLASSES: dict[str, tuple[float, tuple[float, float]]] = {
    "tiny": (0.15, (0.15, 0.25)),
    "normal": (0.70, (0.40, 0.85)),
    "huge": (0.15, (0.95, 1.0)),
}


# --------------------------------------------------------------------------------------------
# Variation

def _arclength(p: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))])


def resample(p: np.ndarray, spacing: float) -> np.ndarray:
    """Points evenly spaced along the polyline, at most `spacing` apart (ends kept)."""
    p = np.asarray(p, float).reshape(-1, 2)
    s = _arclength(p)
    if len(p) < 2 or s[-1] < 1e-12:
        return p[:1].copy()
    keep = np.concatenate([[True], np.diff(s) > 1e-12])
    p, s = p[keep], s[keep]
    n = max(2, int(np.ceil(s[-1] / spacing)) + 1)
    t = np.linspace(0.0, s[-1], n)
    return np.stack([np.interp(t, s, p[:, 0]), np.interp(t, s, p[:, 1])], axis=1)


def _smooth_field(rng: np.random.Generator, amp: float, n_waves: int = 3):
    """A random low-frequency 2-D displacement field d(points) -> (n, 2)."""
    freq = rng.uniform(2.0, 6.0, size=(2, n_waves)) * rng.choice([-1, 1], size=(2, n_waves))
    dirs = rng.uniform(0, np.pi, size=(2, n_waves))
    phase = rng.uniform(0, 2 * np.pi, size=(2, n_waves))
    weights = rng.uniform(0.5, 1.0, size=(2, n_waves))
    weights *= amp / weights.sum(axis=1, keepdims=True)

    def field(p: np.ndarray) -> np.ndarray:
        out = np.zeros_like(p)
        for a in range(2):
            for k in range(n_waves):
                u = p[:, 0] * np.cos(dirs[a, k]) + p[:, 1] * np.sin(dirs[a, k])
                out[:, a] += weights[a, k] * np.sin(freq[a, k] * u + phase[a, k])
        return out

    return field


def _along_wobble(p: np.ndarray, rng: np.random.Generator, amp: float) -> np.ndarray:
    """Small smooth sideways wobble along a stroke (a hand that is not perfectly steady)."""
    if len(p) < 3:
        return p
    s = _arclength(p)
    tang = np.gradient(p, axis=0)
    norm = np.hypot(*tang.T)[:, None]
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1) / np.maximum(norm, 1e-12)
    off = np.zeros(len(p))
    for _ in range(2):
        off += rng.uniform(0.3, 1.0) * np.sin(rng.uniform(6, 14) * s + rng.uniform(0, 2 * np.pi))
    return p + normal * (amp * off / 2)[:, None]


def _trim_or_extend(p: np.ndarray, start: float, end: float) -> np.ndarray:
    """Lengthen (positive) or shorten (negative) both ends of a stroke by the given lengths."""
    s = _arclength(p)
    total = s[-1]
    if total < 1e-9:
        return p
    lo, hi = max(0.0, -start), total - max(0.0, -end)
    if hi - lo < 0.3 * total:  # never cut a stroke below 30% of its length
        lo, hi = 0.0, total
    keep = (s >= lo) & (s <= hi)
    q = p[keep]
    if lo > 0:
        q = np.vstack([[np.interp(lo, s, p[:, 0]), np.interp(lo, s, p[:, 1])], q])
    if hi < total:
        q = np.vstack([q, [np.interp(hi, s, p[:, 0]), np.interp(hi, s, p[:, 1])]])
    if start > 0:
        d = q[0] - q[min(len(q) - 1, 5)]
        d /= max(np.hypot(*d), 1e-12)
        q = np.vstack([line(q[0] + d * start, q[0])[:-1], q])
    if end > 0:
        d = q[-1] - q[max(0, len(q) - 6)]
        d /= max(np.hypot(*d), 1e-12)
        q = np.vstack([q, line(q[-1], q[-1] + d * end)[1:]])
    return q


def _vary(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Random writer variation in the authoring frame (before sizing and placement)."""
    strokes = [resample(s, _FINE) for s in strokes]
    # overshoot / undershoot at the stroke ends
    strokes = [_trim_or_extend(s, rng.uniform(-0.04, 0.05), rng.uniform(-0.04, 0.05))
               for s in strokes]
    # low-frequency wobble: one smooth field for the whole digit, plus a little per stroke
    field = _smooth_field(rng, amp=rng.uniform(0.01, 0.03))
    strokes = [s + field(s) for s in strokes]
    strokes = [_along_wobble(s, rng, amp=rng.uniform(0.002, 0.008)) for s in strokes]
    # aspect, slant (shear) and rotation around the centre
    allp = np.vstack(strokes)
    centre = (allp.min(axis=0) + allp.max(axis=0)) / 2
    aspect = rng.uniform(0.8, 1.2)
    shear = float(np.clip(rng.normal(0.05, 0.15), -0.3, 0.3))  # positive leans right
    angle = np.radians(float(np.clip(rng.normal(0.0, 7.0), -15.0, 15.0)))
    c, s_ = np.cos(angle), np.sin(angle)
    out = []
    for s in strokes:
        q = s - centre
        q = q * np.array([aspect, 1.0])
        q = np.stack([q[:, 0] - shear * q[:, 1], q[:, 1]], axis=1)
        q = np.stack([c * q[:, 0] - s_ * q[:, 1], s_ * q[:, 0] + c * q[:, 1]], axis=1)
        out.append(q)
    return out


def _size_classes(n: int, rng: np.random.Generator) -> list[str]:
    """n size classes in the proportions of SIZE_CLASSES (largest-remainder quotas, the last
    few drawn at random)."""
    names = list(SIZE_CLASSES)
    probs = np.array([SIZE_CLASSES[k][0] for k in names])
    probs = probs / probs.sum()
    counts = np.floor(probs * n).astype(int)
    extra = rng.choice(len(names), size=n - int(counts.sum()), replace=False,
                       p=probs) if n > counts.sum() else []
    for k in extra:
        counts[k] += 1
    return [name for name, c in zip(names, counts) for _ in range(c)]


def _place(strokes: list[np.ndarray], size_class: str,
           rng: np.random.Generator) -> list[np.ndarray]:
    """Scale and position the digit inside the unit box."""
    lo, hi = SIZE_CLASSES[size_class][1]
    allp = np.vstack(strokes)
    mn, mx = allp.min(axis=0), allp.max(axis=0)
    extent = float(max(mx - mn))
    scale = rng.uniform(lo, hi) / extent
    size = (mx - mn) * scale
    room = np.maximum(1.0 - size, 0.0)
    offset = rng.uniform(0.0, 1.0, size=2) * room
    if size_class == "tiny" and rng.random() < 0.4:  # tucked into a corner (or nearly)
        inset = rng.uniform(0.0, 0.04, size=2)
        offset = np.where(rng.integers(0, 2, size=2) == 1, room - inset, inset)
    elif size_class == "huge" and rng.random() < 0.6:  # pushed against a side as well
        axis = int(np.argmin(room))
        offset[1 - axis] = rng.integers(0, 2) * room[1 - axis]
    placed = [(s - mn) * scale + offset for s in strokes]
    # resample to the final spacing; that cuts sharp corners a little, so stretch the
    # result back onto the planned box (a fraction of a percent)
    lo_t, hi_t = offset, offset + size
    dense = [resample(s, POINT_SPACING * 0.95) for s in placed]
    allp = np.vstack(dense)
    mn2, mx2 = allp.min(axis=0), allp.max(axis=0)
    k = np.where(mx2 - mn2 > 1e-9, (hi_t - lo_t) / np.maximum(mx2 - mn2, 1e-9), 1.0)
    return [np.clip((s - mn2) * k + lo_t, 0.0, 1.0) for s in dense]


def _to_digit(label: int, strokes: list[np.ndarray], style: str,
              spacing: float | None = POINT_SPACING) -> StrokeDigit:
    out = []
    for s in strokes:
        q = np.clip(resample(s, spacing) if spacing else s, 0.0, 1.0)
        out.append([(float(x), float(y)) for x, y in q])
    return StrokeDigit(int(label), out, style)


def stroke_digits(n_per_digit: int = 30, seed: int = 0) -> list[StrokeDigit]:
    """`n_per_digit` varied samples of every digit 0-9 (ordered by digit), reproducible from
    `seed`. Styles are used in turn (each template equally often, +-1); size classes come in
    fixed quotas a digit, shuffled: ~15% tiny (15-25% of the box, often in or near a corner),
    ~70% normal (40-85%), ~15% huge (95-100%, touching edges). The extent is the larger of
    the digit's width and height, in stroke coordinates (the brush adds to it when rendered).
    ``style`` is "<template>/<size class>", e.g. "7-crossbar/tiny"."""
    rng = np.random.default_rng(seed)
    digits = []
    for label in range(10):
        names = list(TEMPLATES[label])
        order = rng.permutation(len(names))
        # styles in turn over the samples grouped by size class, so every style comes in
        # every size about equally often; then the samples are shuffled
        sizes = sorted(_size_classes(n_per_digit, rng), key=list(SIZE_CLASSES).index)
        plan = [(names[order[i % len(names)]], size) for i, size in enumerate(sizes)]
        for k in rng.permutation(n_per_digit):
            name, size = plan[k]
            strokes = _place(_vary(TEMPLATES[label][name](), rng), size, rng)
            digits.append(_to_digit(label, strokes, f"{name}/{size}", spacing=None))
    return digits


def template_digit(label: int, style: str) -> StrokeDigit:
    """The plain template (no variation), centred at 80% of the box height."""
    strokes = [resample(s, _FINE) for s in TEMPLATES[label][style]()]
    allp = np.vstack(strokes)
    mn, mx = allp.min(axis=0), allp.max(axis=0)
    scale = 0.8 / float(max(mx - mn))
    offset = (1.0 - (mx - mn) * scale) / 2
    return _to_digit(label, [(s - mn) * scale + offset for s in strokes], f"{style}/template")


# --------------------------------------------------------------------------------------------
# Canvas mapping, rasterising and mouse replay

def to_canvas(digit: StrokeDigit, width: int, height: int,
              margin: float = 0) -> list[list[tuple[float, float]]]:
    """The strokes in canvas pixel coordinates: the unit box maps onto
    [margin, width - margin] x [margin, height - margin] (margin in pixels)."""
    sx, sy = width - 2 * margin, height - 2 * margin
    return [[(margin + x * sx, margin + y * sy) for x, y in s] for s in digit.strokes]


def render(digit: StrokeDigit, size: int = CANVAS, stroke_width: float = BRUSH) -> np.ndarray:
    """The digit as a freehand canvas with a round brush shows it: (size, size) uint8,
    ink 255 on background 0. A one-point stroke is a disk of diameter `stroke_width`."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    r = stroke_width / 2
    for s in to_canvas(digit, size, size):
        if len(s) > 1:
            draw.line(s, fill=255, width=max(1, int(round(stroke_width))), joint="curve")
        for x, y in (s if len(s) <= 2 else s[:: max(1, len(s) // 64)] + [s[-1]]):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img, dtype=np.uint8)


def replay(page, canvas_locator, digit: StrokeDigit, speed: str = "normal",
           margin: float = 0.0) -> None:
    """Draw the digit on a canvas with Playwright's (sync API) mouse.

    `canvas_locator` is a Locator (or ElementHandle) of the canvas; `margin` is in CSS pixels
    inside its bounding box. speed: "fast" (every third point, one mouse event a segment),
    "normal" (every point, one event a segment) or "slow" (three events a segment, short pauses).
    """
    if speed not in ("fast", "normal", "slow"):
        raise ValueError(f"speed must be 'fast', 'normal' or 'slow', not {speed!r}")
    box = canvas_locator.bounding_box()
    if box is None:
        raise RuntimeError("the canvas is not visible (no bounding box)")
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    skip, steps = {"fast": (3, 1), "normal": (1, 1), "slow": (1, 3)}[speed]

    def clamp(x: float, y: float) -> tuple[float, float]:  # stay on the element itself
        return (min(max(x0 + x, x0 + 0.5), x0 + w - 0.5),
                min(max(y0 + y, y0 + 0.5), y0 + h - 0.5))

    for stroke in to_canvas(digit, w, h, margin):
        pts = stroke[::skip]
        if len(stroke) > 1 and pts[-1] != stroke[-1]:
            pts.append(stroke[-1])
        page.mouse.move(*clamp(*pts[0]))
        page.mouse.down()
        for i, p in enumerate(pts[1:]):
            page.mouse.move(*clamp(*p), steps=steps)
            if speed == "slow" and i % 15 == 14:
                page.wait_for_timeout(8)
        page.mouse.up()
        page.wait_for_timeout(30)


# --------------------------------------------------------------------------------------------
# Real handwriting: MNIST images to strokes

from nncore.inference.trace import image_strokes  # noqa: E402  (moved there; used here and by the bench)


def mnist_strokes(images: np.ndarray, labels, seed: int = 0) -> list[StrokeDigit]:
    """Real handwritten digits (n, 28, 28) (or (n, 784)), ink high, as strokes: thresholded,
    thinned (Zhang-Suen), the skeleton traced into polylines. The 28x28 frame maps onto the
    unit box, so a digit keeps its size and position. Strokes are ordered top first; `seed`
    only breaks exact ties, so the result is deterministic for given inputs. A blank image
    gives a StrokeDigit without strokes."""
    imgs = np.asarray(images, float)
    if imgs.ndim == 2:
        imgs = imgs.reshape(len(imgs), 28, 28)
    rng = np.random.default_rng(seed)
    out = []
    for i, (img, label) in enumerate(zip(imgs, np.asarray(labels).ravel())):
        strokes = image_strokes(img)
        # a writer draws the top-left strokes first; break exact ties randomly
        keys = [(float(s[:, 1].min()) + 1e-6 * rng.random(), float(s[:, 0].min()))
                for s in strokes]
        strokes = [s for _, s in sorted(zip(keys, strokes), key=lambda t: t[0])]
        out.append(_to_digit(int(label), strokes, f"mnist/{i}"))
    return out


# --------------------------------------------------------------------------------------------
# Writers' habits the templates above lack (issue 16): nines with a long curved tail, sevens with
# a crossbar and a hooked top, a crossbar wider than the top, a continental 1 with a long flag.
# Kept apart from TEMPLATES so that stroke_digits() draws the same samples as before.

def _nine_long_tail():
    loop = arc(0.34, 0.22, 0.26, 0.20, 0, -360)
    return [chain(loop, spline(loop[-1], (0.60, 0.45), (0.58, 0.75), (0.45, 0.95),
                               (0.22, 1.0), (0.02, 0.90)))]


def _nine_hook_tail():
    loop = arc(0.36, 0.20, 0.24, 0.19, 10, -350)
    return [chain(loop, line(loop[-1], (0.58, 0.78)),
                  spline((0.58, 0.78), (0.52, 0.95), (0.34, 1.0), (0.16, 0.92)))]


def _seven_crossbar_hook():
    return [chain(line((0.02, 0.16), (0.04, 0.03)), line((0.04, 0.03), (0.64, 0.02)),
                  line((0.64, 0.02), (0.28, 1.0))),
            line((0.22, 0.54), (0.62, 0.50))]


def _seven_wide_crossbar():
    return [chain(line((0.06, 0.03), (0.62, 0.02)),
                  bezier((0.62, 0.02), (0.46, 0.35), (0.38, 0.65), (0.34, 1.0))),
            line((0.10, 0.50), (0.72, 0.47))]


def _one_long_flag():
    return [chain(line((0.02, 0.42), (0.42, 0.0)), line((0.42, 0.0), (0.42, 1.0)))]


def _one_flag_short_stem():
    """Issue 25's continental 1: a long flag, steeply down-left, on a stem barely longer than it."""
    return [chain(line((0.0, 0.50), (0.42, 0.0)), line((0.42, 0.0), (0.44, 0.85)))]


def _zero_slashed():
    """A slashed zero (as engineers write it): the oval, then a line through it and out past it."""
    return [arc(0.33, 0.5, 0.28, 0.48, -85, -85 - 365), line((0.06, 1.02), (0.62, -0.02))]


HABITS: dict[int, dict[str, Callable[[], list[np.ndarray]]]] = {
    0: {"0-slashed": _zero_slashed},
    1: {"1-long-flag": _one_long_flag, "1-flag-short-stem": _one_flag_short_stem},
    7: {"7-crossbar-hook": _seven_crossbar_hook, "7-wide-crossbar": _seven_wide_crossbar},
    9: {"9-long-tail": _nine_long_tail, "9-hook-tail": _nine_hook_tail},
}


def habit_digits(n_per_style: int = 20, seed: int = 0) -> list[StrokeDigit]:
    """Seeded, varied samples (ordinary sizes) of the HABITS styles, as stroke_digits() varies."""
    rng = np.random.default_rng(seed)
    out = []
    for label, styles in HABITS.items():
        for name, make in styles.items():
            for _ in range(n_per_style):
                strokes = _place(_vary(make(), rng), "normal", rng)
                out.append(_to_digit(label, strokes, f"{name}/normal", spacing=None))
    return out
