"""The hand-set network as a diagram (pure Plotly; axes titled): units as circles (a unit's bias
beside it), connections as lines coloured by sign and as thick as the weight is large; a marker in
the middle of each connection and each unit is what a click selects (its customdata: the
parameter's key, nncore.lessons.hand.Param.key)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.charts import BLUE, ORANGE, RED
from app.charts.base import _figure


def network_diagram(params, weights, chosen: str | None = None) -> go.Figure:
    """`params`: nncore.lessons.hand.parameters(spec); `weights`: the arrays; `chosen`: a key to ring."""
    layers = ["input"] + sorted({p.layer for p in params}, key=lambda name: int(name[1:]))
    sizes = {"input": 2}
    for p in params:
        sizes[p.layer] = max(sizes.get(p.layer, 0), p.unit + 1)

    def where(layer: str, unit: int) -> tuple[float, float]:
        n = sizes[layer]
        return float(layers.index(layer)), (n - 1) / 2 - unit

    def source_place(p) -> tuple[float, float]:
        if p.source in ("x1", "x2"):
            return where("input", int(p.source[1]) - 1)
        layer, _, unit = p.source.split(" ")
        return where(layer, int(unit))

    traces, mid_x, mid_y, mid_key, mid_text, mid_color = [], [], [], [], [], []
    biggest = max([abs(float(np.ravel(w).max(initial=0))) for w in weights] +
                  [abs(float(np.ravel(w).min(initial=0))) for w in weights] + [1e-9])
    for p in params:
        value = float(weights[p.array][p.index])
        if p.source is None:
            continue
        (x0, y0), (x1, y1) = source_place(p), where(p.layer, p.unit)
        color = BLUE if value >= 0 else RED
        traces.append(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color=color, width=0.5 + 6 * abs(value) / biggest)))
        t = 0.35 + 0.3 * ((p.unit + (0 if p.source in ("x1", "x2") else int(p.source.split(" ")[-1]))) % 3) / 2
        mid_x.append(x0 + t * (x1 - x0)), mid_y.append(y0 + t * (y1 - y0))
        mid_key.append(p.key), mid_text.append(f"{p.label} = {value:.3g}"), mid_color.append(color)
    traces.append(go.Scatter(x=mid_x, y=mid_y, mode="markers", customdata=mid_key, text=mid_text, name="a connection's weight",
                             hovertemplate="%{text}<br>click to set it<extra></extra>",
                             marker=dict(size=11, color=mid_color, symbol="diamond", line=dict(color="white", width=1))))
    ux, uy, ukey, utext, ulabel = [], [], [], [], []
    for p in params:
        if p.source is None:
            x, y = where(p.layer, p.unit)
            value = float(weights[p.array][p.index])
            ux.append(x), uy.append(y), ukey.append(p.key), utext.append(f"{p.label} = {value:.3g}")
            ulabel.append(f"b={value:.2g}")
    traces.append(go.Scatter(x=ux, y=uy, mode="markers+text", customdata=ukey, text=ulabel, textposition="bottom center",
                             name="a unit (its bias)", hovertext=utext, hovertemplate="%{hovertext}<br>click to set it<extra></extra>",
                             marker=dict(size=26, color="white", line=dict(color="#444", width=2))))
    inputs = [where("input", i) for i in range(2)]
    traces.append(go.Scatter(x=[p[0] for p in inputs], y=[p[1] for p in inputs], mode="markers+text", text=["x1", "x2"],
                             textposition="middle left", name="inputs", hoverinfo="skip",
                             marker=dict(size=22, color="#ddd", line=dict(color="#444", width=1))))
    if chosen is not None:
        keyed = {k: (x, y) for k, x, y in zip(mid_key + ukey, mid_x + ux, mid_y + uy)}
        if chosen in keyed:
            x, y = keyed[chosen]
            traces.append(go.Scatter(x=[x], y=[y], mode="markers", name="chosen", hoverinfo="skip",
                                     marker=dict(size=34, color="rgba(0,0,0,0)", line=dict(color=ORANGE, width=3))))
    top = max(sizes.values())
    fig = _figure(traces, "Your network: click a connection (its weight) or a unit (its bias)", "layer", "unit",
                  height=120 + 70 * top,
                  xaxis=dict(tickvals=list(range(len(layers))), ticktext=layers, range=[-0.5, len(layers) - 0.5]),
                  yaxis=dict(showticklabels=False, range=[-top / 2 - 0.2, top / 2 + 0.2], zeroline=False, showgrid=False))
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig
