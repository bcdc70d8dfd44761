"""The points editor's figure: a clickable grid under the points, labelled axes in the file's units."""

import numpy as np

from app import charts
from nncore.training.probes import Boundary


def test_editor_has_a_clickable_grid_and_labelled_axes():
    x = np.array([[10.0, 0.1], [20.0, 0.3], [15.0, 0.2]])
    fig = charts.points_editor(x, np.array([0, 1, 1]), ("cat", "dog"), ("height", "weight"))
    grid, cat, dog = fig.data
    assert len(grid.x) == charts.EDITOR_GRID ** 2 and grid.marker.opacity == 0  # invisible, clickable
    assert len(cat.x) == 1 and len(dog.x) == 2 and cat.name == "class cat"
    assert fig.layout.xaxis.title.text == "height (your units)" and fig.layout.yaxis.title.text == "weight (your units)"
    assert fig.layout.dragmode is False and fig.layout.hovermode == "closest"
    (a0, a1), (b0, b1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert a0 < 10 and a1 > 20 and b0 < 0.1 and b1 > 0.3  # room to click beyond the points
    assert grid.x.min() == a0 and grid.y.max() == b1  # the grid covers the plane shown


def test_editor_on_an_empty_plane_and_with_many_points():
    fig = charts.points_editor(np.zeros((0, 2)), np.zeros(0, int), ())
    assert list(fig.layout.xaxis.range) == [-3, 3] and len(fig.data) == 1
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(10_000, 2)), rng.integers(0, 3, 10_000)
    fig = charts.points_editor(x, y, ("a", "b", "c"), max_points=500)
    assert sum(len(t.x) for t in fig.data[1:]) == 500 and "showing 500 of 10,000" in fig.layout.title.text


def test_boundary_in_other_units_is_not_squared():
    grid = np.linspace(0, 1, 10)
    b = Boundary(grid * 100, grid, np.zeros((10, 10), np.uint8), np.ones((10, 10), np.float32))
    x, y = np.array([[10.0, 0.5], [90.0, 0.2]]), np.array([0, 1])
    assert charts.boundary_figure(b, x, y, square=False).layout.yaxis.scaleanchor is False
    assert charts.boundary_figure(b, x, y).layout.yaxis.scaleanchor is None
    assert len(charts.CLASS_COLORS) >= 20 and len(set(charts.CLASS_COLORS)) == len(charts.CLASS_COLORS)
