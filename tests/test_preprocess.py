"""From strokes to the 28x28 input: MNIST's own steps, checked on geometry and on MNIST itself."""

import numpy as np
import pytest
from scipy import ndimage

from nncore.inference import preprocess as P
from nncore.inference.preprocess import BRUSH, CANVAS


def ellipse(cx, cy, rx, ry, n=80):
    t = np.linspace(0, 2 * np.pi, n)
    return [[(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]]


def pen_ratio(image):
    """MNIST's pen width relative to the digit: 2 x ink area / outline length / longer side."""
    mask = image > 0.5
    outline = (mask & ~ndimage.binary_erosion(mask)).sum()
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    extent = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    return 2 * image.sum() / outline / extent


def test_empty_canvas_has_no_input():
    steps = P.from_strokes([], (CANVAS, CANVAS), BRUSH)
    assert steps.empty and steps.centered.sum() == 0


@pytest.mark.parametrize("where", [(140, 140, 60, 100), (30, 30, 12, 20), (250, 40, 25, 35),
                                   (140, 140, 135, 135)])
def test_any_size_and_place_becomes_a_centred_20_pixel_digit(where):
    steps = P.from_strokes(ellipse(*where), (CANVAS, CANVAS), BRUSH)
    x = steps.centered
    assert x.shape == (28, 28) and steps.input.shape == (1, 784)
    assert 0 <= x.min() and x.max() <= 1 and x.max() > 0.9
    rows, cols = np.flatnonzero(x.max(1) > 0.1), np.flatnonzero(x.max(0) > 0.1)
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) in (19, 20, 21)  # fits the 20x20 box
    cy, cx = ndimage.center_of_mass(x)
    assert abs(cy - 13.5) <= 0.6 and abs(cx - 13.5) <= 0.6  # centre of mass at the centre
    assert steps.scaled.shape[0] == 20 or steps.scaled.shape[1] == 20


def test_aspect_ratio_is_kept():
    tall = P.from_strokes([[(140, 40), (140, 240)]], (CANVAS, CANVAS), BRUSH)  # a "1"
    h, w = tall.scaled.shape
    assert h == 20 and w < 8


def test_pen_thickness_matches_mnist_whatever_the_drawing_size(digits):
    mnist = np.median([pen_ratio(im.reshape(28, 28)) for im in digits.x_val[:500]])
    for size in (20, 60, 130):  # tiny, medium, huge ellipses drawn with the same brush
        ours = pen_ratio(P.from_strokes(ellipse(140, 140, size * 0.6, size), (CANVAS, CANVAS), BRUSH).centered)
        assert abs(ours - mnist) < 0.03, (size, ours, mnist)


def test_a_dot_is_a_dot():
    steps = P.from_strokes([[(100.0, 100.0)]], (CANVAS, CANVAS), BRUSH)
    assert not steps.empty
    cy, cx = ndimage.center_of_mass(steps.centered)
    assert abs(cy - 13.5) <= 0.6 and abs(cx - 13.5) <= 0.6
    assert steps.raw[100, 100] == 1.0 and steps.raw[100, 125] == 0.0


def test_fabric_paths_become_strokes():
    json_data = {"objects": [
        {"type": "path", "path": [["M", 10, 10], ["Q", 20, 10, 30, 20], ["L", 40, 40]]},
        {"type": "rect"},
        {"type": "path", "path": [["M", 5, 5], ["L", 5, 5]]},
    ]}
    strokes = P.strokes_from_fabric(json_data)
    assert len(strokes) == 2
    assert strokes[0][0] == (10.0, 10.0) and strokes[0][-1] == (40.0, 40.0)
    assert strokes[0][4] == pytest.approx((30.0, 20.0))  # end of the quadratic curve
    assert P.strokes_from_fabric(None) == []


def test_from_image_matches_from_strokes_geometry():
    raw = P.draw_strokes(ellipse(100, 120, 40, 70)[0:1], (CANVAS, CANVAS), BRUSH)
    steps = P.from_image(raw)
    assert steps.centered.shape == (28, 28) and not steps.empty
    assert P.from_image(np.zeros((50, 50))).empty
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 3] = 255
    assert P.ink_from_rgba(rgba).min() == 1.0  # black on opaque = ink everywhere
