"""The Step panel's figures (pure Plotly; every axis titled): each layer's gradient and weight
change per unit, the whole-set loss step after step, and the decision boundary before a step
drawn faintly over the regions after it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.charts import BLUE, ORANGE, TRAIN_COLOR
from app.charts.base import _figure


def layer_changes(layers) -> go.Figure:
    """A small chart per layer: each unit's gradient size |dJ/d(w, b)| (top) and how far its weights
    moved |Δ(w, b)| (bottom), its incoming weights and bias together."""
    n = len(layers)
    fig = make_subplots(rows=2, cols=n, shared_xaxes=False, vertical_spacing=0.3, horizontal_spacing=0.08 if n > 1 else 0.1,
                        subplot_titles=[f"{c.name}: |gradient| {c.gradient_size:.3g}" for c in layers]
                        + [f"{c.name}: |change| {c.change_size:.3g}" for c in layers])
    for i, c in enumerate(layers, start=1):
        units = np.arange(len(c.gradient))
        fig.add_trace(go.Bar(x=units, y=c.gradient, marker_color=BLUE, name="|dJ/d(w, b)| of a unit",
                             showlegend=i == 1, hovertemplate=f"{c.name} unit %{{x}}: |gradient| %{{y:.4g}}<extra></extra>"),
                      row=1, col=i)
        fig.add_trace(go.Bar(x=units, y=c.change, marker_color=ORANGE, name="|Δ(w, b)| of a unit",
                             showlegend=i == 1, hovertemplate=f"{c.name} unit %{{x}}: |change| %{{y:.4g}}<extra></extra>"),
                      row=2, col=i)
        for row, name in ((1, "|dJ/d(w, b)|"), (2, "|Δ(w, b)|")):
            fig.update_xaxes(title_text="unit", title_standoff=2, dtick=1 if len(units) <= 10 else None, row=row, col=i)
            fig.update_yaxes(title_text=name, title_standoff=2, row=row, col=i)
    fig.update_layout(height=500, margin=dict(l=60, r=20, t=70, b=50), bargap=0.15,
                      title=dict(text="Each layer in this step: the gradient at the weights before it, and the change",
                                 x=0.0, xanchor="left"),
                      legend=dict(orientation="h", yanchor="bottom", y=1.08, xanchor="right", x=1.0))
    return fig


def series_loss(history: dict) -> go.Figure:
    """The series of steps: the loss on the whole training set before step 1 and after each step,
    and the loss train_step reported for each step's batch."""
    full = np.asarray(history.get("train_loss_full", ()), np.float64)
    batch = np.asarray(history.get("step_loss", ()), np.float64)
    traces = [go.Scatter(x=np.arange(len(full)), y=full, mode="lines+markers", name="whole training set (after step)",
                         line=dict(color=TRAIN_COLOR)),
              go.Scatter(x=np.arange(1, len(batch) + 1), y=batch, mode="markers", name="the step's batch (before it)",
                         marker=dict(color=ORANGE, symbol="diamond"))]
    return _figure(traces, "Loss step by step", "steps taken", "loss", height=300,
                   xaxis=dict(rangemode="tozero", dtick=1 if len(full) <= 20 else None))


def with_boundary_before(fig: go.Figure, before, after=None) -> go.Figure:
    """Draw the decision boundary of `before` (a probes.Boundary) as faint dashed lines over a
    boundary figure (the regions after), and `after`'s as thin solid lines."""
    for boundary, name, style in ((before, "boundary before the step", dict(color="rgba(0,0,0,0.35)", width=2, dash="dash")),
                                  (after, "boundary after the step", dict(color="rgba(0,0,0,0.8)", width=1))):
        if boundary is None:
            continue
        fig.add_trace(go.Contour(x=boundary.x1, y=boundary.x2, z=boundary.predicted.astype(np.float32),
                                 contours=dict(coloring="none", start=0.5, end=float(boundary.predicted.max()) + 0.5 or 0.5,
                                               size=1.0),
                                 line=style, showscale=False, hoverinfo="skip", name=name, showlegend=True))
    return fig
