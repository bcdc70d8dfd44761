"""The Optimizers page's race figures (pure Plotly; every axis titled).

Both charts draw a run the same way: in its optimizer's colour (the registry's, as on the surface
below them; by place in the race where an optimizer runs twice), training solid and validation dotted (charts.TRAINING_DASH, VALIDATION_DASH), one legend entry per run and two grey
ones that say which line style is which.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.charts import PALETTE, TRAINING_DASH, VALIDATION_DASH, layout, line_style_key, log_axis
from nncore.lessons.optimizers import RACE_NAMES
from nncore.registry import OPTIMIZERS

COLORS = {name: OPTIMIZERS[optimizer].color for name, optimizer in RACE_NAMES.items()}  # by race name


def run_colors(runs) -> list[str]:
    """Each run's colour: its optimizer's; by place in the race when an optimizer runs twice (a
    learning-rate race), so that its runs are told apart."""
    colors = [OPTIMIZERS[r.entrant.optimizer].color for r in runs]
    return colors if len(set(colors)) == len(colors) else [PALETTE[i % len(PALETTE)] for i in range(len(runs))]


def legend_below(fig: go.Figure, height: int) -> go.Figure:
    """The legend under the axis title (a legend on top of many traces runs into the chart's title)."""
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=50, b=130),
                      legend=dict(orientation="h", yanchor="top", y=-60 / (height - 180), xanchor="left", x=0))
    return fig


def _run_lines(runs, training, validation, first_x: dict[str, int]) -> list[go.Scatter]:
    """Each run's training curve (solid, with markers) and validation curve (dotted): one legend
    entry per run. `training` and `validation` pick a run's values; `first_x` the epoch of each's first."""
    traces = []
    for r, color in zip(runs, run_colors(runs)):
        label = r.entrant.label
        for values, what, dash in ((training(r), "training", TRAINING_DASH),
                                   (validation(r), "validation", VALIDATION_DASH)):
            if values:
                x = np.arange(first_x[what], first_x[what] + len(values))
                traces.append(go.Scatter(
                    x=x, y=np.asarray(values, dtype=np.float64), mode="lines+markers" if what == "training" else "lines",
                    name=label, legendgroup=label, showlegend=not any(t.legendgroup == label for t in traces),
                    line=dict(color=color, dash=dash), marker=dict(size=5),
                    hovertemplate=f"{label}, {what}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>"))
    return traces


def race_loss(runs, target: float) -> go.Figure:
    """The loss of each run on a log scale: on the whole training set from epoch 0 (the shared
    start), on the validation set from epoch 1; the target as a dashed line; a diverged run's last
    value crossed out."""
    traces = _run_lines(runs, lambda r: r.loss, lambda r: r.val_loss, {"training": 0, "validation": 1})
    values = [v for r in runs for v in (*r.loss, *r.val_loss)]
    for r, color in zip(runs, run_colors(runs)):
        if r.diverged and r.loss:
            traces.append(go.Scatter(x=[len(r.loss) - 1], y=[r.loss[-1]], mode="markers+text", showlegend=False,
                                     legendgroup=r.entrant.label, marker=dict(symbol="x", size=16, color=color),
                                     text=["diverged"], textposition="top right", hovertext=[r.message], hoverinfo="text"))
    if target > 0:
        last = max([r.epochs for r in runs] + [1])
        traces.append(go.Scatter(x=[0, last], y=[target, target], mode="lines", name=f"target {target:g}",
                                 line=dict(color="grey", dash="dash", width=1), hoverinfo="skip"))
        values.append(target)
    fig = go.Figure(traces + line_style_key())
    fig.update_yaxes(log_axis(values))
    return legend_below(layout(fig, "Loss: training (solid, whole training set) and validation (dotted)",
                               "epoch (0: the shared start)", "loss (log scale)"), 460)


def race_accuracy(runs) -> go.Figure:
    """The accuracy of each run per epoch: training (during the epoch) solid, validation dotted."""
    traces = _run_lines(runs, lambda r: r.accuracy, lambda r: r.val_accuracy, {"training": 1, "validation": 1})
    fig = go.Figure(traces + line_style_key())
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return legend_below(layout(fig, "Accuracy: training (solid) and validation (dotted)", "epoch", "accuracy"), 460)
