"""Each chart in words (app/charts/describe.py): what a screen reader hears beside each chart."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from app import charts
from app.charts import describe as d

ROOT = Path(__file__).resolve().parent.parent


def test_loss_says_where_it_started_and_ended_and_the_validation_loss():
    history = {"loss": list(np.linspace(2.30, 0.05, 40)), "val_loss": [0.3] * 30 + [0.12] * 10}
    assert d.loss_text(history, 40) == ("Loss chart: training loss fell from 2.30 to 0.05 in 40 epochs; "
                                        "validation loss 0.12.")
    assert d.loss_text({"loss": [2.3, 2.5]}, 10) == "Loss chart: training loss rose from 2.30 to 2.50 in 2 of 10 epochs."
    assert "lowest 0.10 after epoch 2" in d.loss_text({"loss": [1, 0.5, 0.4], "val_loss": [1, 0.1, 0.2]})
    assert d.loss_text({}) == "Loss chart: no epoch finished yet."
    assert "not a number" in d.loss_text({"loss": [2.3, float("nan")]})


def test_accuracy_says_the_validation_accuracy_now():
    history = {"accuracy": [0.5, 0.97], "val_accuracy": [0.4, 0.931]}
    assert d.accuracy_text(history, 40) == "Accuracy chart: validation accuracy 93 % after 2 of 40 epochs (training 97 %)."


def test_confusion_names_the_largest_confusions():
    cm = np.diag([100] * 10)
    cm[4, 9], cm[7, 1], cm[3, 5], cm[2, 8] = 12, 8, 6, 1
    text = d.confusion_text(cm, range(10))
    assert text.startswith("Confusion matrix: 1,000 of 1,027 digits right (97 %).")
    assert text.endswith("Most confused: digit 4 read as 9 (12 times), 7 as 1 (8), 3 as 5 (6).")
    assert d.confusion_text(np.diag([5, 5]), ["a", "b"], "class").endswith("No confusions.")


def test_probabilities_say_what_the_network_is_most_sure_of():
    p = np.full(10, 0.01)
    p[7], p[1] = 0.91, 0.0
    assert d.probabilities_text(p).startswith("The network is most sure it is a 7 (91 %); next 0 (1 %).")
    assert d.probabilities_text([0.2, 0.8], true_label=0).endswith("The true digit is 0: wrong.")


def test_grid_boundary_raw_and_questions():
    assert d.grid_text([1, 2, 3], [1, 2, 5]) == "3 validation digits with their predictions, 1 wrong: a 3 read as 5."
    assert d.grid_text([8, 7], [3, 2]).endswith("2 wrong: an 8 read as 3, a 7 read as 2.")
    text = d.boundary_text(np.array([[0, 1], [1, 1]]), np.array([[0.95, 0.5], [0.99, 0.6]]), ["cat", "dog"], 3)
    assert text == ("Decision regions after epoch 3: the plane is shared by class dog 75 %, class cat 25 %; "
                    "the network is over 90 % sure on 50 % of it.")
    assert d.raw_output_text([-2.0, 3.0, 0.5], True) == "Raw output, logits: highest 3.00 for digit 1, lowest -2.00 for digit 0."
    assert d.questions_text(["is even"], [0.93]) == "Multi-label answers: is even: yes (93 %)."


def test_runs_compared_best_first():
    series = [("sgd", {"val_loss": [1.0, 0.3]}), ("adam", {"val_loss": [1.0, 0.2]})]
    assert d.compare_text(series) == ("Loss of 2 runs, best first: adam: validation 0.20 after 2 epochs; "
                                      "sgd: validation 0.30 after 2 epochs.")
    accuracy = [("sgd", {"val_accuracy": [0.9]}), ("adam", {"val_accuracy": [0.8]})]
    assert d.compare_text(accuracy, "accuracy", percent_=True).startswith("Accuracy of 2 runs, best first: sgd: validation 90 %")


def test_any_figure_from_its_own_traces():
    fig = charts.layout(go.Figure([go.Scatter(x=[1, 2, 3], y=[3.0, 2.0, 1.0], name="cost"),
                                   go.Bar(x=["a", "b"], y=[0.2, 0.8], name="share")]), "A lesson", "x", "y")
    assert d.figure(fig) == "A lesson. cost: from 3.00 to 1.00; share: highest 0.80 at b."
    bars = charts.layout(go.Figure(go.Bar(x=["z0", "z1"], y=[1.0, 4.0])), "Logits z", "unit", "z")
    assert d.figure(bars) == "Logits z. highest 4.00 at z1."


def test_every_chart_on_every_page_goes_through_chart_ui_with_its_words():
    """No page draws a Plotly chart without a caption beside it: chart_ui.plot is the only way."""
    direct = [f"{p.relative_to(ROOT)}:{i}" for p in (ROOT / "app").rglob("*.py") if p.name != "chart_ui.py"
              for i, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"\.plotly_chart\(", line)]
    assert direct == []


def _ekg():
    """The lecture's EKG network's windows (nncore.lessons.layers), without Keras' parameter count."""
    from types import SimpleNamespace

    from nncore.lessons.layers import windows

    layer = lambda n, window, stride: SimpleNamespace(windows=windows(n, window, stride), window=window, stride=stride)  # noqa: E731
    return SimpleNamespace(layers=(layer(100, 20, 10), layer(9, 5, 2)))


def test_the_ekg_diagram_says_who_reads_what_not_its_lines_y_values():
    text = d.ekg_text(_ekg(), highlight=3)
    assert "layer 1: 9 units, each reading 20 with a stride of 10 (a1 reads x1-x20, a2 reads x11-x30, ..., a9 reads x81-x100)" in text
    assert "layer 2: 3 units, each reading 5 with a stride of 2 (b1 reads a1-a5, b2 reads a3-a7, b3 reads a5-a9)" in text
    assert text.endswith("one sigmoid output reading b1-b3. Highlighted: a4's window, x31-x50.")
    assert "from 1.00 to 0.00" not in text  # what the generic words said of its lines


def test_the_signal_says_its_range_and_which_windows_hold_its_peak():
    signal = np.zeros(100)
    signal[44] = 2.5  # sample 45: inside x31-x50 (a4) and x41-x60 (a5)
    signal[90] = -1.0
    text = d.signal_text(signal, _ekg(), "Layer 1's windows over GunPoint series 0")
    assert text == ("Layer 1's windows over GunPoint series 0. The signal's 100 samples lie between -1.00 and 2.50; "
                    "its highest, at sample 45, is inside the windows of a4 and a5.")
    signal[44], signal[4] = 0, 3.0  # sample 5: a1's window alone
    assert d.signal_text(signal, _ekg(), "T").endswith("at sample 5, is inside the window of a1.")


def test_the_optimizers_paths_say_where_each_one_is_closest_first_and_which_diverged():
    text = d.paths_text("Contours of J(w, b) and each optimizer's path, steps 0 to 150", ("w", "b"), (0.0, 0.0),
                        (1.52, 4.98), 0.41, [("gd α=0.003", (1.8, 0.4), 3.2, False),
                                            ("adam α=0.5", (1.49, 5.02), 0.43, False),
                                            ("momentum α=0.1", (1e6, -3e5), float("inf"), True)])
    assert text.startswith("Contours of J(w, b) and each optimizer's path, steps 0 to 150: from the start "
                           "(w = 0.00, b = 0.00) towards the minimum (w = 1.52, b = 4.98, J = 0.41). ")
    assert text.index("adam α=0.5 is at w = 1.49, b = 5.02, J = 0.43") < text.index("gd α=0.003 is at w = 1.80")
    assert "momentum α=0.1 diverged at w = 1,000,000, b = -300,000, J = infinite" in text
    assert text.index("gd α=0.003") < text.index("momentum")  # a diverged one last
    assert d.paths_text("T", ("w1", "w2"), (0, 0), (0, 0), 0.0, []).endswith("No optimizer chosen.")


def test_a_line_that_peaks_inside_says_where_not_only_its_equal_ends():
    z = np.linspace(-5, 5, 401)
    sigmoid = 1 / (1 + np.exp(-z))
    fig = charts.layout(go.Figure([go.Scatter(x=z, y=sigmoid * (1 - sigmoid), name="sigmoid"),
                                   go.Scatter(x=z, y=(z > 0).astype(float), name="relu"),
                                   go.Scatter(x=z, y=-np.cos(z / 2), name="a trough")]), "g'(z): its slope", "z", "g'(z)")
    text = d.figure(fig)
    assert "sigmoid: from 0.0066 to 0.0066 (highest 0.25 at z = 0)" in text
    assert "relu: from 0.00 to 1.00;" in text  # a step: its ends are its highest and lowest
    assert "a trough: from 0.80 to 0.80 (lowest -1.00 at z = 0)" in text


def test_the_weights_diagram_says_each_layers_weights_and_biases_and_the_chosen_one():
    from nncore import ExperimentSpec
    from nncore.lessons import hand

    spec = ExperimentSpec.from_preset("multiclass-lab")  # (x1, x2) -> Dense(2, relu) -> Dense(4, linear)
    params = hand.parameters(spec)
    weights = hand.zeros(spec)
    weights[0][1, 0] = -0.59  # L1 unit 0: weight from x2
    weights[2][1, 3] = 1.5  # L2 unit 3: weight from L1 unit 1
    weights[3][:] = [0.1, 0.2, 0.3, 0.4]
    chosen = next(p for p in params if p.label == "L1 unit 0: weight from x2").key
    assert d.weights_text(params, weights, chosen) == (
        "Your network's 18 weights and biases. L1, 2 units: its 4 weights from -0.59 to 0.00, its 2 biases all 0.00; "
        "L2, 4 units: its 8 weights from 0.00 to 1.50, its 4 biases from 0.10 to 0.40. "
        "Chosen: L1 unit 0: weight from x2 = -0.59.")
    assert d.weights_text(params, weights).endswith("from 0.10 to 0.40.")


def test_a_flat_line_with_rounding_noise_is_said_flat_and_steps_are_whole_numbers():
    steps = np.arange(1, 151)
    gd = np.full(150, 0.003) + np.random.default_rng(0).normal(0, 1e-12, 150)
    adam = 0.01 + 0.5 * np.exp(-((steps - 71) / 5.0) ** 2)
    fig = charts.layout(go.Figure([go.Scatter(x=steps, y=gd, name="gd w"), go.Scatter(x=steps, y=adam, name="adam w")]),
                        "Effective learning rate", "step", "rate (log scale)")
    text = d.figure(fig)
    assert "gd w: from 0.003 to 0.003;" in text
    assert "adam w: from 0.01 to 0.01 (highest 0.51 at step = 71)" in text
