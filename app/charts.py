"""Plotly figure builders: pure functions from numbers to `go.Figure`.

No Streamlit here, so every chart can be tested without a browser. Every chart has
labelled axes.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from nncore.spec import FIELD_NAMES, differences, field_text

# The one palette: whatever is drawn in a colour of its own (a class, a run, a layer kind) takes it
# from here. Plotly's (and D3's) ten category colours, then ten darker and lighter relatives for a
# learner's own points (up to 20 classes).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf",
           "#0b3d91", "#b35806", "#1b7837", "#8e0152", "#542788", "#e6ab02", "#66c2a5", "#000000", "#fb9a99",
           "#80b1d3")
BLUE, ORANGE, GREEN, RED, PURPLE = PALETTE[:5]
TRAIN_COLOR, VAL_COLOR = BLUE, ORANGE
WRONG_COLOR, RIGHT_COLOR = RED, GREEN


def _layout(title: str, x: str, y: str, height: int, xaxis=None, yaxis=None) -> dict:
    """Every chart's layout: a title, labelled axes, the legend on top."""
    return dict(
        title=dict(text=title, x=0.0, xanchor="left"), height=height,
        xaxis=dict(title=dict(text=x), **(xaxis or {})), yaxis=dict(title=dict(text=y), **(yaxis or {})),
        margin=dict(l=60, r=20, t=50, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        uirevision="keep",  # keep the learner's zoom while the chart redraws live
    )


def layout(fig: go.Figure, title: str, x: str, y: str, height: int = 320) -> go.Figure:
    fig.update_layout(_layout(title, x, y, height))
    return fig


def _figure(traces: list, title: str, x: str, y: str, height: int = 320, xaxis=None, yaxis=None) -> go.Figure:
    """What layout() gives, built in one go: five times faster (1 ms, not 7), which counts for
    the charts redrawn every second while a network trains."""
    return go.Figure(traces, layout=_layout(title, x, y, height, xaxis, yaxis))


def _series(history: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(epochs 1..n, values) as arrays: Plotly checks a list item by item (~50 ms for a long
    training's curves, on every live redraw), an array at once."""
    values = np.asarray(history.get(name, ()), dtype=np.float64)
    return np.arange(1, len(values) + 1), values


def loss_curve(history: dict, batch_loss=(), epochs: int | None = None) -> go.Figure:
    """Training loss (within epochs and per epoch) and validation loss against epochs."""
    traces = []
    if len(batch_loss):
        points = np.asarray(batch_loss, dtype=np.float64)
        traces.append(go.Scatter(x=points[:, 0], y=points[:, 1], mode="lines", name="training (running, within epoch)",
                                 line=dict(color=TRAIN_COLOR, width=1), opacity=0.45))
    for name, label, color in (("loss", "training", TRAIN_COLOR), ("val_loss", "validation", VAL_COLOR)):
        x, y = _series(history, name)
        traces.append(go.Scatter(x=x, y=y, mode="lines+markers", name=label, line=dict(color=color)))
    xaxis = dict(range=[0, max(epochs, 1) * 1.02]) if epochs else None
    return _figure(traces, "Loss (cross-entropy)", "epoch", "loss", xaxis=xaxis)


def accuracy_curve(history: dict, epochs: int | None = None) -> go.Figure:
    traces = []
    for name, label, color in (("accuracy", "training", TRAIN_COLOR), ("val_accuracy", "validation", VAL_COLOR)):
        x, y = _series(history, name)
        traces.append(go.Scatter(x=x, y=y, mode="lines+markers", name=label, line=dict(color=color)))
    xaxis = dict(range=[0, max(epochs, 1) * 1.02]) if epochs else None
    return _figure(traces, "Accuracy", "epoch", "accuracy", xaxis=xaxis, yaxis=dict(range=[0, 1.02], tickformat=".0%"))


# Wherever a chart overlays several runs' curves, each run has its colour and the two kinds of
# curve one line style each: training solid, validation dotted.
TRAINING_DASH, VALIDATION_DASH = "solid", "dot"
RUN_PALETTE = PALETTE[:8]
OFF_CHART = 20.0  # a curve peaking this many times above the next lower one would flatten it: clip it


def line_style_key() -> list[go.Scatter]:
    """Two grey legend entries (no data) that say which line style is which."""
    return [go.Scatter(x=[None], y=[None], mode="lines", name=f"{kind} ({word})",
                       line=dict(color="#555555", dash=dash), hoverinfo="skip")
            for kind, word, dash in (("training", "solid", TRAINING_DASH), ("validation", "dotted", VALIDATION_DASH))]


def tick_text(value: float) -> str:
    """A tick label a learner reads at a glance: 0.05, 2, 400,000."""
    if 1 <= value < 1e9 and float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:g}"


def log_ticks(low: float, high: float, at_least: int = 3, at_most: int = 9) -> list[float]:
    """Tick values for a log axis over [low, high]: whole decades when there are `at_least` of
    them, else 1-2-5 steps, else finer ones (a loss from 2.3 down to 0.15 spans barely one decade,
    where decades alone label one tick). Too many decades: every second or third."""
    low, high = sorted((float(low), float(high)))
    if not (low > 0 and np.isfinite(high)):
        return []
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks: list[float] = []
    for steps in ((1,), (1, 2, 5), (1, 2, 3, 5), (1, 1.5, 2, 3, 4, 5, 6, 7, 8), range(10, 100, 5),
                  range(10, 100)):
        scale = 1 if steps[0] == 1 else 10  # the finest steps: 10..99 tenths
        ticks = [float(f"{m / scale:g}e{d}") for d in decades for m in steps
                 if low <= float(f"{m / scale:g}e{d}") <= high]
        if len(ticks) >= at_least:
            break
    if len(ticks) > at_most:
        ticks = ticks[::int(np.ceil(len(ticks) / at_most))]
    if len(ticks) >= at_least:
        return ticks
    for digits in range(3, 10):  # too narrow for those steps: evenly spaced, the fewest digits that tell them apart
        ticks = [float(f"{v:.{digits}g}") for v in np.linspace(low, high, at_least)]
        if len(set(ticks)) == len(ticks):
            break
    return ticks


def log_axis(values, **extra) -> dict:
    """A y axis on a log scale over the values' range (a little beyond), with readable tick labels."""
    v = np.asarray([x for x in values if x is not None], dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return dict(type="log", **extra)
    low, high = np.log10(v.min()), np.log10(v.max())
    pad = max(0.04 * (high - low), 0.05)
    ticks = log_ticks(10 ** (low - pad), 10 ** (high + pad))
    return dict(type="log", range=[float(low - pad), float(high + pad)], tickvals=ticks,
                ticktext=[tick_text(t) for t in ticks], **extra)


def off_chart_level(curves) -> float | None:
    """Where a linear axis should end so that a curve far above the others (a diverging run's
    loss of 400,000 beside losses below 3) does not flatten them all; None when none is far above.
    The curves' peaks, sorted: the first jump of more than OFF_CHART times ends the axis there."""
    peaks = sorted(float(np.max(c[np.isfinite(c)])) for c in map(np.asarray, curves) if np.isfinite(c).any())
    for lower, upper in zip(peaks, peaks[1:]):
        if upper > OFF_CHART * max(lower, 1e-12):
            return lower
    return None


def compare_labels(specs, ids) -> list[str]:
    """A name for each run of a comparison: the settings in which the compared runs differ
    ("optimizer=sgd, learning_rate=0.1"), at most four of them; a run's id where the settings
    do not tell runs apart (the same settings twice)."""
    differ = {name for spec in specs[1:] for name, _, _ in differences(specs[0], spec)}
    fields = [name for name in FIELD_NAMES if name in differ]

    def text(spec, name):
        value = getattr(spec, name)
        return f"{value:g}" if isinstance(value, float) else field_text(spec, name)

    labels = []
    for spec in specs:
        parts = [f"{name}={text(spec, name)}" for name in fields]
        labels.append(", ".join(parts[:4]) + (f" (+{len(parts) - 4} more)" if len(parts) > 4 else ""))
    return [f"{label} · run {i}" if not label or labels.count(label) > 1 else label for label, i in zip(labels, ids)]


def compare_curves(series: list[tuple[str, dict]], name: str, title: str, y: str, percent: bool = False,
                   log: bool = False) -> go.Figure:
    """One metric of several runs overlaid: `series` is (label, history) per run; one colour per
    run, training solid and validation dotted. `log`: the y axis on a log scale. On a linear axis a
    curve far above the others (off_chart_level) runs off the top, and a triangle marks each of its
    points there, its value in the hover."""
    curves = [(label, kind, dash, *_series(history, key)) for label, history in series
              for key, kind, dash in ((name, "training", TRAINING_DASH), (f"val_{name}", "validation", VALIDATION_DASH))]
    colors = {label: RUN_PALETTE[i % len(RUN_PALETTE)] for i, (label, _) in enumerate(series)}
    top = None if log or percent else off_chart_level([values for *_, values in curves if len(values)])
    traces = []
    for label, kind, dash, x, values in curves:
        if not len(values):
            continue
        first = not any(t.legendgroup == label for t in traces)
        traces.append(go.Scatter(x=x, y=values, mode="lines", name=label, legendgroup=label, showlegend=first,
                                 line=dict(color=colors[label], dash=dash),
                                 hovertemplate=f"{label}<br>{kind} {y} after epoch %{{x}}: %{{y:.4g}}<extra></extra>"))
    yaxis = dict(tickformat=".0%") if percent else None
    if log:
        yaxis = log_axis(np.concatenate([values for *_, values in curves]))
    if top is not None:
        shown = np.concatenate([v[v <= top] for *_, v in curves])
        low = float(min(shown.min(), 0.0))
        yaxis = dict(range=[low, top * 1.1], autorange=False)
        highest = max(float(np.nanmax(v)) for *_, v in curves if len(v))
        for label, kind, dash, x, values in curves:
            above = values > top * 1.1
            if above.any():  # at the chart's top edge, inside it
                traces.append(go.Scatter(
                    x=x[above], y=np.full(above.sum(), top * 1.06), mode="markers", legendgroup=label,
                    showlegend=False, cliponaxis=False,
                    marker=dict(symbol="triangle-up", size=11, color=colors[label]),
                    customdata=values[above],
                    hovertemplate=f"{label}<br>{kind} {y} after epoch %{{x}}: %{{customdata:,.4g}}, "
                                  "off the chart<extra></extra>"))
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                 name=f"off the chart (up to {tick_text(float(f'{highest:.3g}'))})",
                                 marker=dict(symbol="triangle-up", size=11, color="#555555")))
    traces += line_style_key()
    fig = _figure(traces, title, "epoch", y + (" (log scale)" if log else ""), height=420, yaxis=yaxis)
    # one legend entry per run, then the line styles: below the chart, where it cannot cover the title
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0),
                      margin=dict(b=110))
    return fig


def confusion_matrix(cm: np.ndarray, class_names, title: str = "Confusion matrix (validation)") -> go.Figure:
    """Counts of (true, predicted) pairs; the diagonal is what the network gets right."""
    names = [str(c) for c in class_names]
    fig = go.Figure(go.Heatmap(
        z=cm, x=names, y=names, colorscale="Blues", showscale=False,
        text=cm, texttemplate="%{text}",
        hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom")
    return layout(fig, title, "predicted digit", "true digit", height=380)


def digit_grid(images: np.ndarray, labels, predictions, columns: int = 8) -> go.Figure:
    """Digits in a grid, each headed by its prediction; wrong ones framed in red."""
    n = len(images)
    rows = max(1, int(np.ceil(n / columns)))
    h, w = images.shape[1:3]
    pad, top = 3, 10  # pixels between digits, and above each for its label
    cell_h, cell_w = h + top, w + pad
    canvas = np.ones((rows * cell_h, columns * cell_w), dtype=np.float32)
    xs, ys, texts, colors, frames = [], [], [], [], []
    for i in range(n):
        r, c = divmod(i, columns)
        y0, x0 = r * cell_h + top, c * cell_w
        canvas[y0:y0 + h, x0:x0 + w] = 1.0 - images[i]
        wrong = int(predictions[i]) != int(labels[i])
        xs.append(x0 + w / 2)
        ys.append(y0 - 1)
        texts.append(f"<b>{predictions[i]}</b>" + (f" (is {labels[i]})" if wrong else ""))
        colors.append(WRONG_COLOR if wrong else RIGHT_COLOR)
        if wrong:
            frames.append(dict(type="rect", x0=x0 - 0.5, x1=x0 + w - 0.5, y0=y0 - 0.5, y1=y0 + h - 0.5,
                               line=dict(color=WRONG_COLOR, width=2)))
    # one heatmap for the digits and one text trace for the labels: building 32 annotations
    # one by one took Plotly 150 ms, this takes a few
    fig = go.Figure(go.Heatmap(z=canvas, colorscale="gray", showscale=False, zmin=0, zmax=1, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="text", text=texts, textposition="top center",
                             textfont=dict(color=colors, size=13), hoverinfo="skip", showlegend=False))
    fig.update_layout(shapes=frames)
    fig.update_yaxes(autorange="reversed", showticklabels=False, scaleanchor="x", showgrid=False,
                     zeroline=False, ticks="")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, constrain="domain", ticks="")
    errors = sum(int(p) != int(t) for p, t in zip(predictions, labels))
    layout(fig, f"Validation digits, predicted label above each: {errors} of {n} wrong (red)",
            "", "", height=110 + 92 * rows)
    fig.update_layout(margin=dict(l=10, r=10, t=60, b=10))
    return fig


def probability_bars(probabilities, true_label: int | None = None, title: str | None = None,
                     class_names=None) -> go.Figure:
    """The ten softmax probabilities of one digit; the predicted one stands out."""
    p = np.asarray(probabilities, dtype=float)
    names = [str(c) for c in (class_names if class_names is not None else range(len(p)))]
    best = int(p.argmax())
    colors = [RIGHT_COLOR if i == best and (true_label is None or best == true_label)
              else WRONG_COLOR if i == best else "#9ecae1" for i in range(len(p))]
    # built in one go (_figure): redrawn on every stroke on the Draw page
    return _figure([go.Bar(x=names, y=p, marker_color=colors, text=[f"{v:.2f}" for v in p],
                           textposition="outside", hovertemplate="digit %{x}: %{y:.4f}<extra></extra>")],
                   title or "Softmax probabilities", "digit", "probability", height=300,
                   xaxis=dict(type="category"), yaxis=dict(range=[0, 1.12]))


def question_bars(questions, answers, softmax_sum: float | None = None) -> go.Figure:
    """Multi-label answers: one sigmoid per yes/no question; they need not sum to 1."""
    a = np.asarray(answers, dtype=float)
    bars = go.Bar(x=list(questions), y=a, marker_color=["#6a51a3" if v > 0.5 else "#bcbddc" for v in a],
                  text=[f"{v:.2f}" for v in a], textposition="outside",
                  hovertemplate="%{x}: %{y:.4f}<extra></extra>")
    title = f"Multi-label: three sigmoid outputs, sum {a.sum():.2f}"
    if softmax_sum is not None:
        title += f" (the softmax's sum to {softmax_sum:.2f})"
    return _figure([bars], title, "question (sigmoid unit)", "probability of yes", height=300,
                   yaxis=dict(range=[0, 1.12]))


def raw_output_bars(values, from_logits: bool) -> go.Figure:
    """The output layer's ten numbers as they are: logits (any sign) or probabilities."""
    v = np.asarray(values, dtype=float)
    bars = go.Bar(x=[str(i) for i in range(len(v))], y=v,
                  marker_color=["#2171b5" if x >= 0 else "#cb181d" for x in v],
                  hovertemplate="digit %{x}: %{y:.4f}<extra></extra>")
    name = "logit z" if from_logits else "probability a"
    title = "Raw output: logits z (softmax turns them into probabilities)" if from_logits else \
        "Raw output: probabilities a (already softmax)"
    return _figure([bars], title, "digit", name, height=260, xaxis=dict(type="category"))


CLASS_COLORS = PALETTE  # class c is PALETTE[c]: twenty, for a learner's own points


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
    sets = [(points_name, x_train, y_train, "circle")]
    if x_val is not None:
        sets.append(("validation", x_val, y_val, "diamond-open"))
    for label, x, y, symbol in sets:
        for c in np.unique(y):
            pick = y == c
            fig.add_trace(go.Scatter(
                x=np.round(x[pick, 0], 3), y=np.round(x[pick, 1], 3), mode="markers",
                name=f"{label}: class {names[c]}",
                marker=dict(color=CLASS_COLORS[c % len(CLASS_COLORS)], symbol=symbol, size=6 if label == points_name else 8,
                            line=dict(color="white" if label == points_name else CLASS_COLORS[c % len(CLASS_COLORS)], width=1)),
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
            marker=dict(color=CLASS_COLORS[c % len(CLASS_COLORS)], size=8, line=dict(color="white", width=1)),
            hovertemplate=f"class {name}<br>({columns[0]} %{{x}}, {columns[1]} %{{y}})<extra></extra>"))
    title = "Your points: click the plane to add one of the chosen class"
    if len(y) > len(shown):
        title += f" (showing {len(shown):,} of {len(y):,})"
    fig = _figure(traces, title, f"{columns[0]} (your units)", f"{columns[1]} (your units)", height=460,
                  xaxis=dict(range=[a0, a1], zeroline=False), yaxis=dict(range=[b0, b1], zeroline=False))
    fig.update_layout(dragmode=False, hovermode="closest", clickmode="event+select")
    return fig
