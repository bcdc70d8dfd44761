"""What a network answers: the confusion matrix, a grid of digits with their predictions, and one
input's output layer as bars (softmax probabilities, yes/no sigmoids, raw logits)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .base import RIGHT_COLOR, WRONG_COLOR, _figure, layout

def label_noun(spec) -> str:
    """What a spec's labels are called on an axis: "digit" for the digit images, "class" for the
    rest (a point set's classes, a learner's own points, the scenes)."""
    return "digit" if spec.shape.image else "class"


def confusion_matrix(cm: np.ndarray, class_names, title: str = "Confusion matrix (validation)",
                     noun: str = "digit") -> go.Figure:
    """Counts of (true, predicted) pairs; the diagonal is what the network gets right. `noun`: what
    the labels are (label_noun: "digit", or "class" for a point set's)."""
    names = [str(c) for c in class_names]
    fig = go.Figure(go.Heatmap(
        z=cm, x=names, y=names, colorscale="Blues", showscale=False,
        text=cm, texttemplate="%{text}",
        hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom")
    return layout(fig, title, f"predicted {noun}", f"true {noun}", height=380)


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
