"""From a drawing to the 28x28 input a digit model reads, the way MNIST itself was made.

MNIST's digits were cropped to their bounding box, scaled to fit a 20x20 box keeping their
aspect ratio (with anti-aliasing, hence the grey edges), and placed in a 28x28 field so that
their centre of mass sits at the centre. A drawing must go through the same steps, or a
small or off-centre digit looks nothing like what the network learned.

One step is ours: strokes drawn with a fixed brush are thin on a big digit and fat on a
small one, while MNIST's pen is about the same fraction of the digit's size whatever its
size. So the strokes are redrawn, cropped, with a pen of MNIST's relative width before the
scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

FIELD = 28  # MNIST's image size
BOX = 20  # the box MNIST's digits were scaled to fit
# Pen width as a fraction of the digit's longer side, matched to MNIST's digits: 2 x ink area / outline
# length over the longer side has median 0.147 on the offline digits (tests/test_preprocess.py).
PEN = 0.14
_HIRES = 160  # the longer side, in pixels, at which cropped strokes are redrawn
# The Draw page's canvas (its width and height in pixels) and brush (the pen's width in pixels): the
# page draws with them, and everything that replays drawings as the page receives them (the new
# writings of training digits, the bench, the tests) reads them here. A digit is scaled to MNIST's
# 20x20 box whatever the canvas's size.
CANVAS, BRUSH = 280, 18

Stroke = list[tuple[float, float]]


@dataclass(frozen=True)
class Steps:
    """Each stage of the way from the canvas to the model's input (ink 1.0 on 0.0)."""

    raw: np.ndarray  # the canvas as drawn
    cropped: np.ndarray  # the digit inside its bounding box, redrawn with an MNIST-like pen
    scaled: np.ndarray  # fitted into 20x20, aspect kept, anti-aliased
    centered: np.ndarray  # in 28x28 with the centre of mass at the centre
    empty: bool = False

    @property
    def input(self) -> np.ndarray:
        """The model's input: 784 floats in [0, 1], a flattened 28x28 image."""
        return self.centered.reshape(1, FIELD * FIELD).astype(np.float32)


def strokes_from_fabric(json_data: dict | None) -> list[Stroke]:
    """Polylines from a Fabric.js canvas's JSON (freehand `path` objects; curves flattened)."""
    strokes: list[Stroke] = []
    for obj in (json_data or {}).get("objects", []):
        if obj.get("type", "").lower() != "path":
            continue
        points: Stroke = []
        for cmd in obj.get("path", []):
            op, coords = cmd[0].upper(), cmd[1:]
            if op in ("M", "L") and len(coords) >= 2:
                points.append((float(coords[0]), float(coords[1])))
            elif op == "Q" and len(coords) >= 4:
                (x0, y0) = points[-1] if points else (coords[0], coords[1])
                cx, cy, x1, y1 = map(float, coords[:4])
                for t in (0.25, 0.5, 0.75, 1.0):  # flatten the quadratic curve
                    points.append(((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
                                   (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1))
            elif op == "C" and len(coords) >= 6:
                points.append((float(coords[4]), float(coords[5])))
        if points:
            strokes.append(points)
    return strokes


def draw_strokes(strokes: list[Stroke], size: tuple[int, int], width: float,
                 offset: tuple[float, float] = (0.0, 0.0), scale: float = 1.0) -> np.ndarray:
    """Strokes drawn as a round pen would (a lone point is a dot), ink 1.0 on 0.0."""
    w, h = size
    image = Image.new("L", (w, h), 0)
    pen = ImageDraw.Draw(image)
    r = width / 2
    for stroke in strokes:
        pts = [((x - offset[0]) * scale, (y - offset[1]) * scale) for x, y in stroke]
        if len(pts) > 1:
            pen.line(pts, fill=255, width=max(1, round(width)))
        for x, y in pts:  # a round pen: round ends and joints, and a lone point is a dot
            pen.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return np.asarray(image, dtype=np.float32) / 255.0


def _fit_box(ink: np.ndarray) -> np.ndarray:
    """Scale to fit BOX x BOX keeping the aspect ratio, with anti-aliasing (PIL's area filter)."""
    h, w = ink.shape
    k = BOX / max(h, w)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    image = Image.fromarray(np.uint8(np.clip(ink, 0, 1) * 255))
    return np.asarray(image.resize(size, Image.Resampling.LANCZOS), dtype=np.float32) / 255.0


def _center_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place `digit` in a 28x28 field so that its centre of mass is at the field's centre."""
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    h, w = digit.shape
    top, left = (FIELD - h) // 2, (FIELD - w) // 2
    field[top:top + h, left:left + w] = digit
    if field.sum() <= 0:
        return field
    cy, cx = ndimage.center_of_mass(field)
    center = (FIELD - 1) / 2
    shifted = ndimage.shift(field, (round(center - cy), round(center - cx)), order=0, mode="constant")
    return np.clip(shifted, 0, 1).astype(np.float32)


def steps_of(raw: np.ndarray, cropped: np.ndarray) -> Steps:
    """MNIST's last two steps (fit 20x20, centre of mass) for a digit already cropped (ink 1.0)."""
    scaled = _fit_box(cropped)
    return Steps(raw=raw, cropped=cropped, scaled=scaled, centered=_center_by_mass(scaled))


_steps = steps_of


def _empty(raw: np.ndarray) -> Steps:
    blank = np.zeros((FIELD, FIELD), np.float32)
    return Steps(raw=raw, cropped=blank, scaled=blank[:BOX, :BOX], centered=blank, empty=True)


def from_strokes(strokes: list[Stroke], canvas_size: tuple[int, int] = (CANVAS, CANVAS),
                 stroke_width: float = BRUSH) -> Steps:
    """The MNIST steps for strokes drawn on a canvas of `canvas_size` with a `stroke_width` brush
    (by default the Draw page's canvas and brush)."""
    raw = draw_strokes(strokes, canvas_size, stroke_width)
    points = np.array([p for s in strokes for p in s], dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return _empty(raw)
    # Redraw the strokes' centre lines so that the ink's longer side is _HIRES pixels and the
    # pen is PEN of it, whatever size the digit was drawn at.
    low = points.min(axis=0)
    span = float(max(points.max(axis=0) - low))
    pen = PEN * _HIRES
    scale = (_HIRES - pen) / span if span > 0 else 1.0
    size = np.ceil((points.max(axis=0) - low) * scale + pen + 2).astype(int)
    cropped = draw_strokes(strokes, (int(size[0]), int(size[1])), pen,
                           offset=tuple(low - (pen / 2 + 1) / scale), scale=scale)
    return _steps(raw, cropped)


def from_unit_strokes(strokes) -> Steps:
    """The MNIST steps for strokes in the unit box (the whole canvas is [0, 1] x [0, 1]), drawn on
    the Draw page's canvas with its brush."""
    return from_strokes([[(float(x) * CANVAS, float(y) * CANVAS) for x, y in s] for s in strokes])


def from_image(ink: np.ndarray, threshold: float = 0.05) -> Steps:
    """The MNIST steps for an ink image (1.0 = ink), e.g. a photo or the canvas's pixels."""
    raw = np.asarray(ink, dtype=np.float32)
    rows = np.flatnonzero((raw > threshold).any(axis=1))
    cols = np.flatnonzero((raw > threshold).any(axis=0))
    if len(rows) == 0:
        return _empty(raw)
    cropped = raw[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return _steps(raw, cropped)


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Ink from a canvas's RGBA pixels: dark strokes on a light or transparent background."""
    rgba = np.asarray(rgba, dtype=np.float32) / 255.0
    gray = rgba[..., :3].mean(axis=-1)
    alpha = rgba[..., 3] if rgba.shape[-1] == 4 else np.ones_like(gray)
    return np.clip((1.0 - gray) * alpha, 0, 1)
