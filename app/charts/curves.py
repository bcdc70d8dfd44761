"""Curves over epochs: one training's loss and accuracy, and several runs overlaid (each run its
colour; training solid, validation dotted), on a log axis or with a runaway curve clipped."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nncore.address import FIELD_NAMES, differences, field_text

from .base import PALETTE, TRAIN_COLOR, VAL_COLOR, _figure, _series

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
    # before the first point (the Train page's empty chart): a loss axis from 0, not Plotly's -1 to 4
    yaxis = None if any(len(t.x) for t in traces) else dict(range=[0, 2.5])
    return _figure(traces, "Loss (cross-entropy)", "epoch", "loss", xaxis=xaxis, yaxis=yaxis)


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
