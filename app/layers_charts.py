"""The Other layer types page's figures (pure Plotly; every axis titled)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.charts import BLUE, GREEN, PURPLE, RED, layout

FIELD = RED
COLORS = {"dense": BLUE, "conv": RED}
LABELS = {"dense": "dense (practice lab)", "conv": "convolutional (lecture-cnn)"}


def legend_below(fig: go.Figure, rows: int = 1) -> go.Figure:
    """The legend under the x-axis title (on top it runs into the chart's title)."""
    height = fig.layout.height or 380
    fig.update_layout(margin=dict(l=60, r=20, t=50, b=80 + 22 * rows),
                      legend=dict(orientation="h", yanchor="top", y=-(55 / (height - 130)), xanchor="left", x=0))
    return fig


def _image_axes(fig: go.Figure, h: int, w: int) -> go.Figure:
    fig.update_yaxes(autorange="reversed", scaleanchor="x", range=[h - 0.5, -0.5], constrain="domain")
    fig.update_xaxes(range=[-0.5, w - 0.5], constrain="domain")
    return fig


def digit_with_field(x: np.ndarray, field, title: str) -> go.Figure:
    """The digit (28x28, ink dark) with the unit's window drawn over it."""
    h, w = field.image
    fig = go.Figure(go.Heatmap(z=np.asarray(x).reshape(h, w), colorscale="Greys", zmin=0, zmax=1, showscale=False,
                               hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>"))
    fig.add_shape(type="rect", x0=field.left - 0.5, x1=field.right + 0.5, y0=field.top - 0.5, y1=field.bottom + 0.5,
                  line=dict(color=FIELD, width=3), fillcolor="rgba(214,39,40,0.18)")
    fig = layout(fig, title, "pixel column", "pixel row", height=360)
    return _image_axes(fig, h, w)


def filter_image(weights: np.ndarray, title: str, max_channels: int = 8, x: str = "window column",
                 y: str = "window row") -> go.Figure:
    """A Conv2D filter's weights (k, k, channels in), one panel per input channel (at most
    `max_channels`); or a Dense unit's 28x28 weights. Red positive, blue negative."""
    weights = np.asarray(weights)
    if weights.ndim == 2:
        panels = [weights]
    else:
        panels = [weights[:, :, c] for c in range(min(weights.shape[2], max_channels))]
    limit = float(max(np.abs(weights).max(), 1e-6))
    fig = make_subplots(rows=1, cols=len(panels), horizontal_spacing=0.03,
                        subplot_titles=[f"in {c + 1}" for c in range(len(panels))] if len(panels) > 1 else None)
    for i, panel in enumerate(panels, 1):
        fig.add_trace(go.Heatmap(z=panel, colorscale="RdBu_r", zmid=0, zmin=-limit, zmax=limit, showscale=i == 1,
                                 colorbar=dict(title="weight", len=0.8),
                                 hovertemplate="row %{y}, column %{x}: weight %{z:.3f}<extra></extra>"), 1, i)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i,
                         showticklabels=i == 1, dtick=1 if panel.shape[0] <= 9 else None)
        fig.update_xaxes(dtick=1 if panel.shape[1] <= 9 else None, row=1, col=i)
    return layout(fig, title, x, y, height=360)


def feature_map(values: np.ndarray, row: int, col: int, title: str) -> go.Figure:
    """One filter's output over the whole digit, the chosen unit marked."""
    h, w = values.shape
    fig = go.Figure(go.Heatmap(z=values, colorscale="Viridis", colorbar=dict(title="activation", len=0.8),
                               hovertemplate="unit (%{y}, %{x}): %{z:.3f}<extra></extra>"))
    fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5, line=dict(color=FIELD, width=3))
    fig = layout(fig, title, "feature-map column", "feature-map row", height=360)
    return _image_axes(fig, h, w)


def ekg_network(ekg, highlight: int, signal: np.ndarray | None = None) -> go.Figure:
    """The lecture's network drawn: 100 inputs along the bottom (the signal over them), 9 units each
    joined to its 20 inputs, 3 units each joined to 5 of those, one sigmoid output on top."""
    l1, l2 = ekg.layers
    x_in = np.arange(1, 101)
    pos1 = np.array([(a + b) / 2 for a, b in l1.windows])
    pos2 = np.array([(pos1[a - 1] + pos1[b - 1]) / 2 for a, b in l2.windows])
    fig = go.Figure()
    lines_x, lines_y, hx, hy = [], [], [], []
    for j, (a, b) in enumerate(l1.windows):
        for i in range(a, b + 1):
            xs, ys = (hx, hy) if j == highlight else (lines_x, lines_y)
            xs += [pos1[j], i, None]
            ys += [1, 0, None]
    for j, (a, b) in enumerate(l2.windows):
        for i in range(a, b + 1):
            lines_x += [pos2[j], pos1[i - 1], None]
            lines_y += [2, 1, None]
        lines_x += [pos2[j], 50.5, None]
        lines_y += [2, 3, None]
    fig.add_trace(go.Scatter(x=lines_x, y=lines_y, mode="lines", line=dict(color="rgba(120,120,120,0.35)", width=1),
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=hx, y=hy, mode="lines", line=dict(color=FIELD, width=1.5), hoverinfo="skip",
                             name=f"a{highlight + 1}'s window: x{l1.windows[highlight][0]}-x{l1.windows[highlight][1]}"))
    if signal is not None:
        s = np.asarray(signal, float)
        s = (s - s.min()) / max(float(np.ptp(s)), 1e-9) * 0.6 - 0.75
        fig.add_trace(go.Scatter(x=x_in, y=s, mode="lines", line=dict(color="#444", width=1.5), name="the signal"))
    fig.add_trace(go.Scatter(x=x_in, y=np.zeros(100), mode="markers", marker=dict(size=4, color="#555"),
                             name="100 inputs x1-x100", hovertemplate="x%{x}<extra></extra>"))
    fig.add_trace(go.Scatter(x=pos1, y=np.ones(9), mode="markers+text", text=[f"a{j + 1}" for j in range(9)],
                             textposition="top center", marker=dict(size=14, color=BLUE),
                             name="layer 1: 9 units, windows of 20, stride 10",
                             hovertext=[f"a{j + 1} reads x{a}-x{b}" for j, (a, b) in enumerate(l1.windows)],
                             hoverinfo="text"))
    fig.add_trace(go.Scatter(x=pos2, y=np.full(3, 2), mode="markers+text", text=["b1", "b2", "b3"],
                             textposition="top center", marker=dict(size=16, color=GREEN),
                             name="layer 2: 3 units, windows of 5, stride 2",
                             hovertext=[f"b{j + 1} reads a{a}-a{b}" for j, (a, b) in enumerate(l2.windows)],
                             hoverinfo="text"))
    fig.add_trace(go.Scatter(x=[50.5], y=[3], mode="markers+text", text=["sigmoid output"], textposition="top center",
                             marker=dict(size=18, color=PURPLE), name="output: Dense(1, sigmoid)"))
    fig.update_yaxes(tickvals=[-0.45, 0, 1, 2, 3], ticktext=["signal", "inputs", "layer 1", "layer 2", "output"],
                     range=[-0.9, 3.5])
    return legend_below(layout(fig, "The lecture's EKG network: every unit reads a window of the layer below",
                               "input sample (x1 ... x100)", "layer", height=520), rows=2)


def signal_windows(signal: np.ndarray, ekg, title: str) -> go.Figure:
    """A 1-D signal of 100 samples with layer 1's 9 windows as bands, on alternating rows."""
    s = np.asarray(signal, float)
    fig = go.Figure(go.Scatter(x=np.arange(1, 101), y=s, mode="lines", line=dict(color="#222"), name="signal"))
    lo, hi = float(s.min()), float(s.max())
    span = hi - lo or 1.0
    for j, (a, b) in enumerate(ekg.layers[0].windows):
        band = lo - span * (0.12 + 0.1 * (j % 2))
        fig.add_shape(type="rect", x0=a - 0.5, x1=b + 0.5, y0=lo - span * 0.05, y1=hi + span * 0.05,
                      fillcolor="rgba(31,119,180,0.07)", line=dict(width=0))
        fig.add_trace(go.Scatter(x=[a, b], y=[band, band], mode="lines+text", line=dict(color=BLUE, width=4),
                                 text=[f"a{j + 1}", ""], textposition="middle left", showlegend=False,
                                 hovertemplate=f"a{j + 1}: x{a}-x{b}<extra></extra>"))
    fig.update_layout(showlegend=False)
    return layout(fig, title, "sample (resampled to the lecture's 100 inputs)", "signal value", height=340)


def experiment_figures(rows) -> tuple[go.Figure, go.Figure, go.Figure]:
    """Validation accuracy, training-minus-validation gap and seconds per epoch against the
    number of training digits, one line per network."""
    figs = [go.Figure(), go.Figure(), go.Figure()]
    for arm in ("dense", "conv"):
        mine = sorted((r for r in rows if r.arm == arm and r.epoch), key=lambda r: r.train_size)
        if not mine:
            continue
        x = [r.train_size for r in mine]
        style = dict(mode="lines+markers", name=LABELS[arm], line=dict(color=COLORS[arm]))
        figs[0].add_trace(go.Scatter(x=x, y=[r.val_accuracy for r in mine], **style))
        figs[1].add_trace(go.Scatter(x=x, y=[r.gap for r in mine], **style))
        figs[2].add_trace(go.Bar(x=[str(n) for n in x], y=[r.seconds_per_epoch for r in mine], name=LABELS[arm],
                                 marker_color=COLORS[arm]))
    for fig in figs[:2]:
        fig.update_xaxes(type="log", tickvals=[250, 500, 1000, 2000, 4000])
        fig.update_yaxes(tickformat=".0%")
    figs[2].update_layout(barmode="group")
    figs[2].update_xaxes(type="category")
    titles = [("Validation accuracy (same validation digits)", "training digits (log scale)", "validation accuracy"),
              ("Overfitting: training minus validation acc.", "training digits (log scale)", "accuracy gap"),
              ("Time per epoch on this machine", "training digits", "seconds per epoch")]
    return tuple(legend_below(layout(f, *t, height=400)) for f, t in zip(figs, titles))
