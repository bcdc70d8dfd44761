"""The class palette: ten digit classes stay apart for normal vision and simulated deuteranopia and
protanopia (colorspacious, CAM02-UCS), and every class has its marker shape as well as its colour."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from app import charts
from bench.palette import OLD_PALETTE, VISIONS, closest_pair
from nncore.training.probes import Boundary

MIN_DISTANCE = 12.0  # CAM02-UCS units between the closest two of the ten digit classes' colours


@pytest.mark.parametrize("vision", list(VISIONS))
def test_the_ten_class_colours_stay_apart(vision):
    distance, a, b = closest_pair(list(charts.PALETTE[:10]), vision)
    assert distance >= MIN_DISTANCE, f"{a} and {b} are {distance:.1f} apart for {vision} vision"


def test_the_old_palette_was_the_baseline_that_failed():
    assert closest_pair(list(OLD_PALETTE), "protan")[0] < MIN_DISTANCE  # why it was replaced


def test_twenty_classes_twenty_colours_twenty_shapes():
    assert len(set(charts.PALETTE)) == len(charts.PALETTE) == 20
    assert len(set(charts.SYMBOLS)) == len(charts.SYMBOLS) == 20
    for symbol in charts.SYMBOLS:  # Plotly refuses a shape it does not know
        go.Scatter(marker=dict(symbol=symbol))
        go.Scatter(marker=dict(symbol=symbol + "-open"))


def test_the_plane_tells_classes_apart_by_shape_as_well_as_colour():
    grid = np.linspace(-1, 1, 5)
    boundary = Boundary(x1=grid, x2=grid, predicted=np.zeros((5, 5), dtype=np.uint8),
                        confidence=np.full((5, 5), 0.9), epoch=1)
    x = np.random.default_rng(0).normal(size=(40, 2))
    y = np.arange(40) % 4
    fig = charts.boundary_figure(boundary, x, y, x, y)
    points = [t for t in fig.data if isinstance(t, go.Scatter)]
    train = [t for t in points if t.name.startswith("training")]
    val = [t for t in points if t.name.startswith("validation")]
    assert [t.marker.symbol for t in train] == list(charts.SYMBOLS[:4])
    assert [t.marker.symbol for t in val] == [s + "-open" for s in charts.SYMBOLS[:4]]
    assert [t.marker.color for t in train] == list(charts.PALETTE[:4])
