"""The 2-D plane: decision regions under the points, each unit's value over the plane, and the
editor a learner clicks their own points into."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from .base import PALETTE, SYMBOLS, _figure, layout

CLASS_COLORS = PALETTE  # class c is PALETTE[c]: twenty, for a learner's own points


def class_marker(c: int, open_: bool = False, size: int = 7) -> dict:
    """Class c's marker: its colour and its shape (filled, with a thin dark edge that keeps the
    yellow and the sky blue visible on a pale region; `open_`: the shape's outline only)."""
    color = CLASS_COLORS[c % len(CLASS_COLORS)]
    symbol = SYMBOLS[c % len(SYMBOLS)] + ("-open" if open_ else "")
    edge = dict(color=color, width=1.5) if open_ else dict(color="rgba(0,0,0,0.55)", width=0.8)
    return dict(color=color, symbol=symbol, size=size, line=edge)


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def region_image(predicted: np.ndarray, confidence: np.ndarray) -> str:
    """The plane coloured by predicted class, paler where the network is less sure: a small PNG
    (a few KB) instead of thousands of numbers, as a data URI."""
    palette = np.stack([_rgb(c) for c in CLASS_COLORS])
    k = len(np.unique(predicted)) or 1
    chance = 1.0 / max(k, 2)
    strength = np.clip((confidence - chance) / (1 - chance), 0, 1)[..., None] * 0.55 + 0.1
    rgb = palette[predicted % len(palette)] * strength + 255 * (1 - strength)
    buf = io.BytesIO()
    Image.fromarray(np.uint8(rgb)).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def boundary_figure(boundary, x_train, y_train, x_val=None, y_val=None, title: str | None = None,
                    class_names=None, axis_names=("x1", "x2"), hover_images=None, square: bool = True,
                    points_name: str = "training") -> go.Figure:
    """Decision regions (shaded by softmax confidence) with the training points on top (or the
    points `points_name` says they are: the Train page's plane shows validation digits). `square`:
    one unit as long on both axes (False: each axis fills the plot, for columns in different units).
    The legend stands right of the plot, one entry a line: above it, ten classes' entries ran into
    the title."""
    x1, x2 = boundary.x1, boundary.x2
    dx, dy = float(x1[1] - x1[0]), float(x2[1] - x2[0])
    fig = go.Figure(go.Image(source=region_image(boundary.predicted, boundary.confidence),
                             x0=float(x1[0]), dx=dx, y0=float(x2[0]), dy=dy, hoverinfo="skip"))
    names = class_names or [str(c) for c in range(int(max(y_train.max(), boundary.predicted.max())) + 1)]
    sets = [(points_name, x_train, y_train, False)]
    if x_val is not None:
        sets.append(("validation", x_val, y_val, True))  # the same shapes, outlined
    for label, x, y, hollow in sets:
        for c in np.unique(y):
            pick = y == c
            fig.add_trace(go.Scatter(
                x=np.round(x[pick, 0], 3), y=np.round(x[pick, 1], 3), mode="markers",
                name=f"{label}: class {names[c]}",
                marker=class_marker(int(c), hollow, 8 if hollow else 7),
                hovertemplate=f"{label}, class {names[c]}<br>({axis_names[0]} %{{x}}, {axis_names[1]} %{{y}})<extra></extra>"))
    fig.update_xaxes(range=[float(x1[0]), float(x1[-1])], showgrid=False, zeroline=False)
    fig.update_yaxes(range=[float(x2[0]), float(x2[-1])], autorange=False, showgrid=False, zeroline=False)
    if not square:
        fig.update_yaxes(scaleanchor=False)  # an image pins y to x's scale unless told not to
    layout(fig, title or f"Decision boundary after epoch {boundary.epoch}", axis_names[0], axis_names[1], height=460)
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02))
    return fig


def unit_views(units, x1, x2, columns: int = 4, step: int | None = None, axis_names=("x1", "x2")) -> go.Figure:
    """Each unit's value over the plane: a hidden unit's activation, an output unit's logit."""
    n = len(units)
    step = step or (2 if n <= 8 else 4)  # keep what goes to the browser small
    rows = max(1, int(np.ceil(n / columns)))
    titles = [f"{u.layer} unit {u.unit} ({u.kind})" for u in units]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.06,
                        vertical_spacing=min(0.3, 0.55 / rows) if rows > 1 else 0.1)
    for i, u in enumerate(units):
        r, c = divmod(i, columns)
        values = u.values[::step, ::step]
        fig.add_trace(go.Heatmap(
            x=np.round(x1[::step], 3), y=np.round(x2[::step], 3), z=np.round(values, 3),
            colorscale="RdBu_r" if u.kind == "logit" else "Viridis", showscale=False,
            zmid=0 if u.kind == "logit" else None,
            hovertemplate=f"{axis_names[0]} %{{x}}, {axis_names[1]} %{{y}}: %{{z}}<extra></extra>"),
            row=r + 1, col=c + 1)
        fig.update_xaxes(title_text=axis_names[0], row=r + 1, col=c + 1, title_standoff=2)
        fig.update_yaxes(title_text=axis_names[1], row=r + 1, col=c + 1, title_standoff=2)
    fig.update_layout(height=80 + 270 * rows, margin=dict(l=40, r=10, t=60, b=30),
                      title=dict(text="Every unit over the plane: activation of hidden units (0 = dark "
                                      "for ReLU: the unit is off there), logits of output units",
                                 x=0.0, xanchor="left"), uirevision="keep")
    for a in fig.layout.annotations:
        a.font.size = 11
    return fig


EDITOR_GRID = 60  # clickable points per side of the points editor


def editor_bounds(x: np.ndarray, margin: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
    """The editor's plane: around the points with room to click beyond them ([-3, 3] when empty)."""
    if len(x) == 0:
        return (-3.0, 3.0), (-3.0, 3.0)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.maximum(hi - lo, np.maximum(np.abs(hi), 1.0) * 0.5)
    lo, hi = (lo + hi) / 2 - span / 2, (lo + hi) / 2 + span / 2
    return tuple((float(a - d * margin), float(b + d * margin)) for a, b, d in zip(lo, hi, span))


def points_editor(x: np.ndarray, y: np.ndarray, class_names, columns=("x1", "x2"), bounds=None,
                  max_points: int = 4000, grid: int = EDITOR_GRID) -> go.Figure:
    """A learner's points by class, in their own units, over an invisible grid of clickable points
    (trace 0): a click anywhere on the plane selects the nearest grid point, where the page adds a
    point. Shows at most `max_points` points (an even sample)."""
    (a0, a1), (b0, b1) = bounds or editor_bounds(x)
    g1, g2 = np.meshgrid(np.linspace(a0, a1, grid), np.linspace(b0, b1, grid))
    traces = [go.Scatter(x=np.round(g1.ravel(), 4), y=np.round(g2.ravel(), 4), mode="markers", name="plane",
                         marker=dict(size=12, opacity=0), showlegend=False,
                         hovertemplate=f"click: add a point at ({columns[0]} %{{x}}, {columns[1]} %{{y}})<extra></extra>")]
    shown = np.arange(len(y))
    if len(shown) > max_points:
        shown = np.linspace(0, len(y) - 1, max_points).astype(int)
    for c, name in enumerate(class_names):
        pick = shown[y[shown] == c]
        traces.append(go.Scatter(
            x=np.round(x[pick, 0], 4), y=np.round(x[pick, 1], 4), mode="markers", name=f"class {name}",
            marker=class_marker(c, size=9),
            hovertemplate=f"class {name}<br>({columns[0]} %{{x}}, {columns[1]} %{{y}})<extra></extra>"))
    title = "Your points: click the plane to add one of the chosen class"
    if len(y) > len(shown):
        title += f" (showing {len(shown):,} of {len(y):,})"
    fig = _figure(traces, title, f"{columns[0]} (your units)", f"{columns[1]} (your units)", height=460,
                  xaxis=dict(range=[a0, a1], zeroline=False), yaxis=dict(range=[b0, b1], zeroline=False))
    fig.update_layout(dragmode=False, hovermode="closest", clickmode="event+select")
    return fig
