"""Each chart in words: what it shows now, for a screen reader (and anyone) to read beside it.

Pure functions from the same numbers the charts are drawn from to one or two sentences; the pages
show them in a caption under each chart (app/chart_ui.py), redrawn with the chart. `figure()` says
what any chart shows from its own traces: the fallback for a lesson's charts that have no words of
their own here.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def number(v: float) -> str:
    """A loss or a value as a learner reads it: 2.30, 0.048, 1.2e-05, 400,000."""
    v = float(v)
    if not np.isfinite(v):
        return "not a number" if np.isnan(v) else ("infinite" if v > 0 else "minus infinite")
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 0.1 or v == 0:
        return f"{v:.2f}"
    return f"{v:.2g}"


def percent(v: float) -> str:
    return f"{100 * float(v):.0f} %"


def _series(history: dict, key: str) -> np.ndarray:
    return np.asarray(history.get(key, ()), dtype=np.float64)


def _trend(values: np.ndarray) -> str:
    first, last = values[0], values[-1]
    if not np.isfinite(last):
        return f"went from {number(first)} to {number(last)}"
    word = "fell" if last < first else "rose" if last > first else "stayed"
    return f"{word} from {number(first)} to {number(last)}" if word != "stayed" else f"stayed at {number(last)}"


def _epochs(n: int, total: int | None) -> str:
    if total and total != n:
        return f"{n} of {total} epochs"
    return f"{n} epoch{'s' if n != 1 else ''}"


def loss_text(history: dict, epochs: int | None = None) -> str:
    """"Loss chart: training loss fell from 2.30 to 0.05 in 40 epochs; validation loss 0.12 (lowest
    0.10 after epoch 31)." """
    loss, val = _series(history, "loss"), _series(history, "val_loss")
    if not len(loss):
        return "Loss chart: no epoch finished yet."
    text = f"Loss chart: training loss {_trend(loss)} in {_epochs(len(loss), epochs)}"
    if len(val):
        text += f"; validation loss {number(val[-1])}"
        finite = np.where(np.isfinite(val), val, np.nan)
        if np.isfinite(finite).any():
            best = int(np.nanargmin(finite))
            if not np.isfinite(val[-1]) or val[best] < val[-1]:  # it was lower before: say when
                text += f" (lowest {number(val[best])} after epoch {best + 1})"
    return text + "."


def accuracy_text(history: dict, epochs: int | None = None) -> str:
    """"Accuracy chart: validation accuracy 93 % after 40 epochs (training 97 %)." """
    acc, val = _series(history, "accuracy"), _series(history, "val_accuracy")
    if not len(acc) and not len(val):
        return "Accuracy chart: no epoch finished yet."
    n = max(len(acc), len(val))
    parts = []
    if len(val):
        parts.append(f"validation accuracy {percent(val[-1])}")
    if len(acc):
        parts.append(f"training {percent(acc[-1])}" if parts else f"training accuracy {percent(acc[-1])}")
    first, *rest = parts
    return f"Accuracy chart: {first} after {_epochs(n, epochs)}" + (f" ({rest[0]})" if rest else "") + "."


def confusion_text(cm, class_names, noun: str = "digit", top: int = 3) -> str:
    """"Confusion matrix: 930 of 1,000 validation digits right (93 %). Most confused: 4 read as 9
    (12 times), 7 as 1 (8), 3 as 5 (6)." """
    cm = np.asarray(cm)
    names = [str(c) for c in class_names]
    total, right = int(cm.sum()), int(np.trace(cm))
    text = f"Confusion matrix: {right:,} of {total:,} {noun}s right ({percent(right / max(total, 1))})."
    off = cm.copy()
    np.fill_diagonal(off, 0)
    pairs = [(int(off[t, p]), t, p) for t, p in zip(*np.nonzero(off))]
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    if not pairs:
        return text + " No confusions."
    words = [f"{noun} {names[t]} read as {names[p]} ({n} time{'s' if n != 1 else ''})" if i == 0
             else f"{names[t]} as {names[p]} ({n})" for i, (n, t, p) in enumerate(pairs[:top])]
    return text + " Most confused: " + ", ".join(words) + "."


def probabilities_text(probabilities, class_names=None, true_label: int | None = None, noun: str = "digit") -> str:
    """"The network is most sure it is a 7 (91 %); next 1 (5 %). It is a 7." """
    p = np.asarray(probabilities, dtype=float)
    names = [str(c) for c in (class_names if class_names is not None else range(len(p)))]
    order = np.argsort(-p, kind="stable")
    best = int(order[0])
    text = f"The network is most sure it is a {names[best]} ({percent(p[best])})"
    if len(p) > 1:
        text += f"; next {names[int(order[1])]} ({percent(p[order[1]])})"
    text += "."
    if true_label is not None:
        verdict = "right" if best == int(true_label) else "wrong"
        text += f" The true {noun} is {names[int(true_label)]}: {verdict}."
    return text


def grid_text(labels, predictions, noun: str = "digit", at_most: int = 5) -> str:
    """"32 validation digits, 3 wrong: a 4 read as 9, a 7 read as 1, a 3 read as 5." """
    wrong = [(int(t), int(p)) for t, p in zip(labels, predictions) if int(t) != int(p)]
    text = f"{len(labels)} validation {noun}s with their predictions, {len(wrong)} wrong"
    if wrong:
        shown = ", ".join(f"{'an' if str(t).startswith('8') else 'a'} {t} read as {p}" for t, p in wrong[:at_most])
        text += f": {shown}" + (f" and {len(wrong) - at_most} more" if len(wrong) > at_most else "")
    return text + "."


def boundary_text(predicted, confidence, class_names=None, epoch: int | None = None) -> str:
    """"Decision regions after epoch 12: class 0 takes 31 % of the plane, 1 25 %, ...; the network
    is over 90 % sure on 70 % of it." """
    predicted = np.asarray(predicted).ravel()
    confidence = np.asarray(confidence, dtype=float).ravel()
    k = int(predicted.max()) + 1 if len(predicted) else 0
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    shares = np.bincount(predicted, minlength=len(names)) / max(len(predicted), 1)
    order = [int(c) for c in np.argsort(-shares, kind="stable") if shares[c] > 0]
    when = f" after epoch {epoch}" if epoch else ""
    parts = [f"class {names[c]} {percent(shares[c])}" for c in order[:6]]
    more = f" and {len(order) - 6} more classes" if len(order) > 6 else ""
    sure = float(np.mean(confidence > 0.9)) if len(confidence) else 0.0
    return (f"Decision regions{when}: the plane is shared by {', '.join(parts)}{more}; "
            f"the network is over 90 % sure on {percent(sure)} of it.")


def raw_output_text(values, from_logits: bool) -> str:
    v = np.asarray(values, dtype=float)
    kind = "logits" if from_logits else "probabilities"
    hi, lo = int(v.argmax()), int(v.argmin())
    return f"Raw output, {kind}: highest {number(v[hi])} for digit {hi}, lowest {number(v[lo])} for digit {lo}."


def questions_text(questions, answers) -> str:
    a = np.asarray(answers, dtype=float)
    return "Multi-label answers: " + "; ".join(f"{q}: {'yes' if v > 0.5 else 'no'} ({percent(v)})"
                                               for q, v in zip(questions, a)) + "."


def compare_text(series: list[tuple[str, dict]], name: str = "loss", percent_: bool = False) -> str:
    """Several runs' curves: each run's last validation (else training) value, best first."""
    rows = []
    for label, history in series:
        values = _series(history, f"val_{name}")
        kind = "validation"
        if not len(values):
            values, kind = _series(history, name), "training"
        if len(values):
            rows.append((float(values[-1]), label, kind, len(values)))
    if not rows:
        return f"{name.capitalize()} of each run: no epochs yet."
    rows.sort(key=lambda r: (-r[0] if percent_ else r[0]) if np.isfinite(r[0]) else np.inf)
    fmt = percent if percent_ else number
    return (f"{name.capitalize()} of {len(rows)} run{'s' if len(rows) != 1 else ''}, best first: "
            + "; ".join(f"{label}: {kind} {fmt(v)} after {n} epochs" for v, label, kind, n in rows) + ".")


def _windows(layer, unit: str, source: str) -> str:
    w = layer.windows
    listed = [f"{unit}{j + 1} reads {source}{a}-{source}{b}" for j, (a, b) in enumerate(w)]
    shown = listed if len(listed) <= 3 else [listed[0], listed[1], "...", listed[-1]]
    return f"{len(w)} units, each reading {layer.window} with a stride of {layer.stride} ({', '.join(shown)})"


def ekg_text(ekg, highlight: int, inputs: int = 100) -> str:
    """The lecture's EKG network as drawn (app/layers_charts.ekg_network): who reads what."""
    l1, l2 = ekg.layers[:2]
    a, b = l1.windows[highlight]
    return (f"The lecture's EKG network, drawn from the bottom up: {inputs} inputs x1-x{inputs} (the signal "
            f"under them); layer 1: {_windows(l1, 'a', 'x')}; layer 2: {_windows(l2, 'b', 'a')}; one sigmoid "
            f"output reading b1-b{len(l2.windows)}. Highlighted: a{highlight + 1}'s window, x{a}-x{b}.")


def signal_text(signal, ekg, title: str) -> str:
    """A 1-D signal with layer 1's windows over it (app/layers_charts.signal_windows)."""
    s = np.asarray(signal, dtype=float)
    peak = int(np.argmax(s)) + 1
    inside = [f"a{j + 1}" for j, (a, b) in enumerate(ekg.layers[0].windows) if a <= peak <= b]
    return (f"{title}. The signal's {len(s)} samples lie between {number(s.min())} and {number(s.max())}; its "
            f"highest, at sample {peak}, is inside the window{'s' if len(inside) != 1 else ''} of "
            f"{' and '.join(inside)}.")


def paths_text(title: str, params: tuple[str, str], start, minimum, j_minimum: float,
               ends: list[tuple[str, tuple[float, float], float, bool]]) -> str:
    """Optimizers' paths on a loss surface (the Optimizers page's contours): where each one is at the
    step shown, closest to the minimum's J first. `ends`: (label, (p, q), J there, diverged)."""
    p, q = params
    at = lambda point: f"{p} = {number(point[0])}, {q} = {number(point[1])}"  # noqa: E731
    rows = sorted(ends, key=lambda e: (e[3], abs(e[2] - j_minimum) if np.isfinite(e[2]) else np.inf))
    said = [f"{label} {'diverged at' if diverged else 'is at'} {at(point)}, J = {number(j)}"
            for label, point, j, diverged in rows]
    return (f"{title}: from the start ({at(start)}) towards the minimum ({at(minimum)}, J = {number(j_minimum)}). "
            + ("; ".join(said) + ", closest to the minimum's J first." if said else "No optimizer chosen."))


def weights_text(params, weights, chosen: str | None = None) -> str:
    """A small network's weights and biases by layer (the Boundaries page's diagram): their ranges,
    and the one chosen to type (its key, nncore.lessons.hand.Param.key) with its value."""
    def value(p) -> float:
        return float(np.asarray(weights[p.array])[p.index])

    layers: dict[str, dict[str, list[float]]] = {}
    units: dict[str, set[int]] = {}
    for p in params:
        kind = "weights" if p.source else "biases"
        layers.setdefault(p.layer, {"weights": [], "biases": []})[kind].append(value(p))
        units.setdefault(p.layer, set()).add(p.unit)

    def spread(values: list[float], noun: str) -> str:
        if len(set(values)) == 1:
            return f"its {len(values)} {noun} all {number(values[0])}"
        return f"its {len(values)} {noun} from {number(min(values))} to {number(max(values))}"

    said = [f"{layer}, {len(units[layer])} units: {spread(v['weights'], 'weights')}, {spread(v['biases'], 'biases')}"
            for layer, v in layers.items()]
    text = f"Your network's {len(params)} weights and biases. " + "; ".join(said) + "."
    picked = next((p for p in params if p.key == chosen), None)
    return text + (f" Chosen: {picked.label} = {number(value(picked))}." if picked is not None else "")


def _turns(trace, values: np.ndarray, x_name: str) -> str:
    """A line's highest and lowest points where they are inside it, not at its ends (a slope that
    peaks at z = 0 has the same value at both ends: its ends alone say nothing of it)."""
    y = np.asarray(trace.y, dtype=object).ravel()
    if trace.x is None or len(trace.x) != len(y) or any(v is None for v in y) or not np.isfinite(values).all():
        return ""
    x = list(trace.x)
    said = []
    span = float(values.max() - values.min())
    flat = span <= 1e-3 * float(np.abs(values).max())  # a constant up to rounding (gradient descent's α)
    for i, word in ((int(np.argmax(values)), "highest"), (int(np.argmin(values)), "lowest")):
        inside = 0 < i < len(values) - 1
        stands_out = not flat and min(abs(values[i] - values[0]), abs(values[i] - values[-1])) > 0.05 * span
        if inside and stands_out:
            at = x[i]
            if isinstance(at, (int, float, np.number)):
                at = str(int(at)) if float(at).is_integer() else number(at)
            said.append(f"{word} {number(values[i])} at {x_name} = {at}")
    return f" ({', '.join(said)})" if said else ""


def _title(fig: go.Figure) -> str:
    t = fig.layout.title.text if fig.layout.title and fig.layout.title.text else "Chart"
    return t.replace("<b>", "").replace("</b>", "").replace("<br>", " ")


def figure(fig: go.Figure, at_most: int = 4) -> str:
    """Any chart from its own traces: its title, then each named line's or bar set's range (a line:
    from its first to its last value; bars: the highest). Images and heatmaps: their title only."""
    parts = []
    x_title = fig.layout.xaxis.title.text if fig.layout.xaxis and fig.layout.xaxis.title else None
    x_name = x_title.split(" (")[0] if x_title else "x"
    for trace in fig.data:
        y = getattr(trace, "y", None)
        if y is None or trace.type not in ("scatter", "bar") or trace.showlegend is False and not trace.name:
            continue
        values = np.asarray([v for v in np.asarray(y, dtype=object).ravel() if v is not None], dtype=float)
        if not len(values) or not np.isfinite(values).any():
            continue
        name = f"{trace.name}: " if trace.name else ""
        if trace.type == "bar":
            x = list(trace.x) if trace.x is not None else list(range(len(values)))
            i = int(np.nanargmax(values))
            parts.append(f"{name}highest {number(values[i])} at {x[i]}")
        elif len(values) == 1:
            parts.append(f"{name}{number(values[0])}")
        else:
            parts.append(f"{name}from {number(values[0])} to {number(values[-1])}" + _turns(trace, values, x_name))
    text = _title(fig) + "."
    if parts:
        text += " " + "; ".join(parts[:at_most]) + (f"; {len(parts) - at_most} more" if len(parts) > at_most else "") + "."
    return text
