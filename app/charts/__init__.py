"""Plotly figure builders: pure functions from numbers to `go.Figure`.

No Streamlit here, so every chart can be tested without a browser. Every chart has
labelled axes.

    base.py      the one palette, and every chart's layout
    curves.py    loss and accuracy over epochs; several runs overlaid (log axis, runaway curves clipped)
    outputs.py   the confusion matrix, a grid of predicted digits, one input's output layer as bars
    plane.py     the 2-D plane: decision regions, each unit over the plane, the points editor
    describe.py  each chart in words, for a screen reader: what it shows now (app/chart_ui.py shows them)

A lesson's own charts are beside this folder: app/layers_charts.py, app/optimizer_charts.py.
"""

from . import describe
from .base import (BLUE, GREEN, ORANGE, PALETTE, PURPLE, RED, RIGHT_COLOR, SYMBOLS, TRAIN_COLOR, VAL_COLOR,
                   WRONG_COLOR, layout)
from .curves import (OFF_CHART, RUN_PALETTE, TRAINING_DASH, VALIDATION_DASH, accuracy_curve, compare_curves,
                     compare_labels, line_style_key, log_axis, log_ticks, loss_curve, off_chart_level, tick_text)
from .outputs import confusion_matrix, digit_grid, label_noun, probability_bars, question_bars, raw_output_bars
from .plane import CLASS_COLORS, EDITOR_GRID, boundary_figure, editor_bounds, points_editor, region_image, unit_views

__all__ = [
    "BLUE", "CLASS_COLORS", "EDITOR_GRID", "GREEN", "OFF_CHART", "ORANGE", "PALETTE", "PURPLE", "RED", "RIGHT_COLOR",
    "RUN_PALETTE", "SYMBOLS", "TRAINING_DASH", "TRAIN_COLOR", "VALIDATION_DASH", "VAL_COLOR", "WRONG_COLOR", "accuracy_curve",
    "boundary_figure", "compare_curves", "compare_labels", "confusion_matrix", "describe", "digit_grid", "editor_bounds",
    "label_noun", "layout", "line_style_key", "log_axis", "log_ticks", "loss_curve", "off_chart_level", "points_editor",
    "probability_bars", "question_bars", "raw_output_bars", "region_image", "tick_text", "unit_views",
]
