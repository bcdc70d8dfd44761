"""Figure builders: pure functions, every chart with labelled axes."""

import numpy as np

from app import charts


def axis_titles(fig):
    return fig.layout.xaxis.title.text, fig.layout.yaxis.title.text


def test_loss_and_accuracy_curves_have_labelled_axes_and_all_points():
    history = {"loss": (2.0, 1.0, 0.5), "val_loss": (2.1, 1.2, 0.8),
               "accuracy": (0.3, 0.6, 0.9), "val_accuracy": (0.3, 0.5, 0.8)}
    fig = charts.loss_curve(history, batch_loss=[(0.5, 2.2), (1.0, 2.0)], epochs=10)
    assert axis_titles(fig) == ("epoch", "loss")
    assert [len(t.x) for t in fig.data] == [2, 3, 3]
    fig = charts.accuracy_curve(history)
    assert axis_titles(fig) == ("epoch", "accuracy")
    assert list(fig.data[1].y) == [0.3, 0.5, 0.8]


def test_confusion_matrix_and_probability_bars():
    cm = np.diag([5, 6, 7])
    fig = charts.confusion_matrix(cm, ["0", "1", "2"])
    assert axis_titles(fig) == ("predicted digit", "true digit")
    fig = charts.confusion_matrix(cm, ["0", "1", "2"], noun="class")  # a point set's classes
    assert axis_titles(fig) == ("predicted class", "true class")
    assert np.array_equal(np.asarray(fig.data[0].z), cm)
    fig = charts.probability_bars([0.1, 0.7, 0.2], true_label=2)
    assert axis_titles(fig) == ("digit", "probability")
    assert fig.data[0].marker.color[1] == charts.WRONG_COLOR  # predicted 1, truth 2


def test_digit_grid_marks_the_wrong_ones():
    images = np.zeros((3, 28, 28))
    fig = charts.digit_grid(images, labels=[1, 2, 3], predictions=[1, 5, 3])
    assert "1 of 3 wrong" in fig.layout.title.text
    assert len(fig.layout.shapes) == 1
    labels = fig.data[1]
    assert list(labels.text) == ["<b>1</b>", "<b>5</b> (is 2)", "<b>3</b>"]
    assert list(labels.textfont.color) == [charts.RIGHT_COLOR, charts.WRONG_COLOR, charts.RIGHT_COLOR]


# ---- charts that must not hide the point (issue 29) -------------------------------------------------

GOOD = {"loss": (1.5, 0.7, 0.4), "val_loss": (1.0, 0.6, 0.5), "accuracy": (0.6, 0.8, 0.9),
        "val_accuracy": (0.7, 0.8, 0.85)}
DIVERGING = {"loss": (2.0, 3e3, 4e5), "val_loss": (5.0, 4e4, 4.3e5), "accuracy": (0.2, 0.1, 0.1),
             "val_accuracy": (0.2, 0.1, 0.1)}


def legend_names(fig):
    return [t.name for t in fig.data if t.showlegend is not False and t.name]


def test_a_diverging_run_is_clipped_with_markers_not_flattening_the_others():
    fig = charts.compare_curves([("adam", GOOD), ("sgd", DIVERGING)], "loss", "Loss of each run", "loss")
    assert axis_titles(fig) == ("epoch", "loss")
    low, high = fig.layout.yaxis.range
    assert low == 0 and 1.5 <= high < 2  # the good run fills the chart: its peak 1.5 near the top
    marks = [t for t in fig.data if t.mode == "markers" and t.x is not None and t.x[0] is not None]
    assert all(t.marker.symbol == "triangle-up" and t.legendgroup == "sgd" for t in marks)
    # every value above the chart is marked at the top edge, its true value in the hover
    assert sorted(v for t in marks for v in t.customdata) == [2.0, 5.0, 3e3, 4e4, 4e5, 4.3e5]
    assert all(0.95 * high < y < high for t in marks for y in t.y)  # at the top edge, inside the chart
    assert "off the chart (up to 430,000)" in legend_names(fig)


def test_the_log_scale_shows_every_run_with_readable_ticks():
    fig = charts.compare_curves([("adam", GOOD), ("sgd", DIVERGING)], "loss", "Loss of each run", "loss", log=True)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "loss (log scale)"
    assert fig.layout.yaxis.range is not None and 10 ** fig.layout.yaxis.range[1] >= 4.3e5
    assert 10 ** fig.layout.yaxis.range[0] <= 0.4
    assert len(fig.layout.yaxis.ticktext) >= 3 and "100,000" in fig.layout.yaxis.ticktext
    assert not any(t.marker.symbol == "triangle-up" for t in fig.data if t.mode == "markers")  # nothing clipped


def test_nothing_is_clipped_when_no_run_is_far_above_and_accuracy_never_is():
    other = {"loss": (2.3, 1.9, 1.2), "val_loss": (2.2, 1.8, 1.3)}
    assert charts.off_chart_level([np.array(v) for v in (*GOOD.values(), *other.values())]) is None
    fig = charts.compare_curves([("a", GOOD), ("b", other)], "loss", "Loss", "loss")
    assert fig.layout.yaxis.range is None and fig.layout.yaxis.type is None
    fig = charts.compare_curves([("a", GOOD), ("b", DIVERGING)], "accuracy", "Accuracy", "accuracy", percent=True)
    assert fig.layout.yaxis.range is None and fig.layout.yaxis.tickformat == ".0%"


def test_compared_runs_are_named_by_the_settings_that_differ():
    from nncore import ExperimentSpec

    base = ExperimentSpec()
    specs = [base, base.replace(optimizer="sgd", learning_rate=0.1), base.replace(epochs=3), base]
    labels = charts.compare_labels(specs, ["aaaa", "bbbb", "cccc", "dddd"])
    assert labels[1] == "optimizer=sgd, learning_rate=0.1, epochs=40"
    assert labels[2] == "optimizer=adam, learning_rate=0.001, epochs=3"
    assert labels[0].endswith("· run aaaa") and labels[3].endswith("· run dddd")  # the same settings twice
    fig = charts.compare_curves(list(zip(labels[:3], [GOOD, GOOD, GOOD])), "loss", "Loss", "loss")
    assert legend_names(fig)[:3] == labels[:3]
    assert legend_names(fig)[-2:] == ["training (solid)", "validation (dotted)"]
    solid = {t.line.dash for t in fig.data if t.mode == "lines" and t.x[0] is not None and t.name in labels}
    assert solid == {charts.TRAINING_DASH, charts.VALIDATION_DASH}


def test_log_ticks_label_a_short_range_at_least_three_times():
    assert charts.log_ticks(0.15, 2.3) == [0.2, 0.5, 1.0, 2.0]  # decades alone would label only 1
    assert charts.log_ticks(0.03, 0.09)[:3] == [0.03, 0.04, 0.05]
    assert len(charts.log_ticks(2.30, 2.31)) == 3
    assert charts.log_ticks(1e-3, 1e3) == [0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
    assert [charts.tick_text(v) for v in (0.05, 2.0, 400000.0)] == ["0.05", "2", "400,000"]


def plane_figure(points_name="validation"):
    from types import SimpleNamespace

    x1 = x2 = np.linspace(-3, 3, 20)
    predicted = np.tile(np.arange(20) // 2, (20, 1))
    boundary = SimpleNamespace(x1=x1, x2=x2, predicted=predicted, confidence=np.ones((20, 20)), epoch=3)
    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(200, 2)), np.arange(200) % 10
    return charts.boundary_figure(boundary, points, labels, class_names=[str(i) for i in range(10)],
                                  axis_names=("principal component 1", "principal component 2"),
                                  points_name=points_name, title="Validation digits by PCA, and the network's regions")


def test_the_digits_plane_legend_stands_clear_of_the_title_and_says_validation():
    fig = plane_figure()
    assert axis_titles(fig) == ("principal component 1", "principal component 2")
    legend = fig.layout.legend
    # right of the plot, hanging from its top: nowhere near the title above the plot
    assert legend.orientation == "v" and legend.xanchor == "left" and legend.x >= 1.0
    assert legend.yanchor == "top" and legend.y <= 1.0
    names = [t.name for t in fig.data if t.name]
    assert len(names) == 10 and all(n.startswith("validation: class ") for n in names)
    assert not any("training" in (t.hovertemplate or "") for t in fig.data)
    assert [t.name for t in plane_figure("training").data if t.name][0] == "training: class 0"  # the default


def race_runs():
    from nncore.lessons import optimizers as race_lib

    entrants = race_lib.parse_entrants("gd,adam")
    return [race_lib.RaceRun(entrants[0], "done", "", (2.3, 2.2, 2.1), (2.25, 2.1), (0.2, 0.3), (0.25, 0.33), 2, 2, 1.0, 1.0),
            race_lib.RaceRun(entrants[1], "done", "", (2.3, 0.5, 0.15), (0.6, 0.27), (0.8, 0.9), (0.85, 0.91), 2, 2, 1.0, 1.0)]


def test_the_race_charts_draw_training_and_validation_the_same_way():
    from app import optimizer_charts

    runs = race_runs()
    loss, accuracy = optimizer_charts.race_loss(runs, 0.3), optimizer_charts.race_accuracy(runs)

    def dashes(fig):
        return {(t.legendgroup, t.hovertemplate.split("<br>")[0].split(", ")[1]): t.line.dash
                for t in fig.data if t.legendgroup and t.legendgroup != "_styles" and t.mode.startswith("lines")}

    assert dashes(loss) == dashes(accuracy) == {
        ("gd α=0.001", "training"): "solid", ("gd α=0.001", "validation"): "dot",
        ("adam α=0.001", "training"): "solid", ("adam α=0.001", "validation"): "dot"}
    for fig in (loss, accuracy):
        assert all(fig.layout[a].title.text for a in ("xaxis", "yaxis"))
        assert "training (solid" in fig.layout.title.text and "validation (dotted)" in fig.layout.title.text
        assert legend_names(fig)[-2:] == ["training (solid)", "validation (dotted)"]
        assert legend_names(fig)[:2] == ["gd α=0.001", "adam α=0.001"]  # one entry per run


def test_race_runs_take_their_optimizers_colour_and_a_learning_rate_race_colours_by_place():
    from app import optimizer_charts
    from nncore.lessons import optimizers as race_lib
    from nncore.registry import OPTIMIZERS

    assert optimizer_charts.run_colors(race_runs()) == [OPTIMIZERS["sgd"].color, OPTIMIZERS["adam"].color]
    twice = race_lib.parse_entrants("adam,adam", "0.001,0.01")
    runs = [race_lib.RaceRun(e, "done", "", (2.3, 1.0), (1.1,), (0.5,), (0.5,), 1, 1, 1.0, 1.0) for e in twice]
    assert optimizer_charts.run_colors(runs) == list(charts.PALETTE[:2])


def test_the_race_loss_axis_is_log_with_readable_ticks_and_the_target():
    from app import optimizer_charts

    fig = optimizer_charts.race_loss(race_runs(), 0.3)
    axis = fig.layout.yaxis
    assert axis.type == "log" and len(axis.ticktext) >= 3 and list(axis.ticktext)[:2] == ["0.2", "0.5"]
    low, high = (10 ** v for v in axis.range)
    assert low <= 0.15 and high >= 2.3
    target = next(t for t in fig.data if t.name == "target 0.3")
    assert list(target.y) == [0.3, 0.3]


def test_the_confusion_matrix_names_digits_for_digits_and_classes_otherwise():
    from nncore import ExperimentSpec

    assert charts.label_noun(ExperimentSpec()) == "digit"  # the digits
    assert charts.label_noun(ExperimentSpec.from_preset("multiclass-lab")) == "class"  # the blobs
    assert charts.label_noun(ExperimentSpec.from_preset("multiclass-lab").replace(dataset="spiral")) == "class"


RACE = """
import importlib.abc, sys, threading, time

class SlowSeries(importlib.abc.MetaPathFinder):  # pandas half-imported for 2 s, in another thread
    def find_spec(self, name, path, target=None):
        if name == "pandas.core.series" and threading.current_thread() is not threading.main_thread():
            time.sleep(2)
        return None

sys.meta_path.insert(0, SlowSeries())
threading.Thread(target=lambda: __import__("pandas")).start()
while "pandas" not in sys.modules:
    time.sleep(0.005)
from app import charts
print(len(charts.loss_curve({"loss": (1.0, 0.5), "val_loss": (1.1, 0.6)}, (), 2).data))
"""


def test_a_chart_built_while_another_thread_is_importing_pandas_waits_for_it():
    """Plotly looks at pandas with sys.modules.get, without importing it: a chart built while a second
    session's thread is importing pandas met a half-made module and failed (a busy server's first
    pages, CI). Here another thread is inside pandas's import when the charts are built."""
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["2"]
