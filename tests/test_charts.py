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
