"""UCI's pen-based handwritten digits ("pendigits"), replayed on the Draw page's canvas.

The UNIPEN files `pendigits-orig.tes` (3,498 digits by 14 writers) and `pendigits-orig.tra`
(7,494 digits by 30 other writers) hold each digit's pen trajectory as the writers wrote it on a
tablet: pen-down strokes of (x, y) points, y upwards. No installable package ships them, so this
reads a copy you downloaded from the UCI archive (dataset 81), never fetched at run time:

    python -m bench writers --pendigits path/to/pendigits-orig.tes

Each digit is drawn on the page's canvas, SIZE px tall or wide as a mouse drawing would be, with
the page's brush (preprocess.CANVAS, BRUSH), and read through `preprocess.from_strokes`: the page's own path. The file is
data: only numbers and the UNIPEN keywords below are read, and its size is limited.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nncore.inference.preprocess import CANVAS

MAX_BYTES = 20 * 1024 * 1024  # the two UCI files are 1.7 and 3.6 MB
SIZE = 200  # pixels: the longer side of a digit on the canvas, as a mouse drawing would be


class PenDigitsError(ValueError):
    """A file that is not UCI's UNIPEN pendigits."""


def parse(text: str) -> list[dict]:
    """[{"label": int, "writer": int, "strokes": [array (n, 2)]}] from UNIPEN text."""
    digits: list[dict] = []
    current: dict | None = None
    stroke: list | None = None
    for number, line in enumerate(text.splitlines(), 1):
        cells = line.split()
        if not cells:
            continue
        key = cells[0]
        if key == ".SEGMENT":
            label = cells[-1].strip('"')
            if not (len(label) == 1 and label.isdigit()):
                raise PenDigitsError(f"line {number}: a segment's label must be one digit, not {cells[-1]!r}")
            current = {"label": int(label), "writer": -1, "strokes": []}
            digits.append(current)
            stroke = None
        elif key == ".COMMENT" and current is not None and len(cells) >= 3 and cells[2].isdigit():
            current["writer"] = int(cells[2])  # ".COMMENT digit writer sample"
        elif key == ".PEN_DOWN":
            if current is None:
                raise PenDigitsError(f"line {number}: a stroke before any .SEGMENT")
            stroke = []
            current["strokes"].append(stroke)
        elif key == ".PEN_UP":
            stroke = None
        elif not key.startswith(".") and stroke is not None:
            try:
                stroke.append((float(cells[0]), float(cells[1])))
            except (ValueError, IndexError):
                raise PenDigitsError(f"line {number}: a point must be two numbers, not {line.strip()[:40]!r}")
    digits = [d for d in digits if any(len(s) for s in d["strokes"])]
    for d in digits:
        d["strokes"] = [np.array(s, np.float64) for s in d["strokes"] if s]
    if not digits:
        raise PenDigitsError("no digits with pen strokes found: is this UCI's pendigits-orig.tes or .tra?")
    return digits


def parse_resampled(text: str) -> list[dict]:
    """[{"label", "writer": -1, "strokes": [array (8, 2)]}] from UCI's resampled form (pendigits.tra
    and .tes, or OpenML's pendigits.csv with its header): per line 16 integers 0-100, the x, y of 8
    points along the whole trajectory (pen-ups included, y up), then the label. These files do not
    say who wrote which digit."""
    digits = []
    for number, line in enumerate(text.splitlines(), 1):
        cells = [c.strip() for c in line.split(",")]
        if not line.strip() or (number == 1 and not cells[0].lstrip("-").isdigit()):
            continue  # a blank line, or a header row
        if len(cells) != 17 or not all(c.isdigit() for c in cells) or len(cells[16]) != 1:
            raise PenDigitsError(f"line {number}: 16 integers and a one-digit label expected, "
                                 f"not {line.strip()[:40]!r}")
        values = np.array(cells[:16], np.float64).reshape(8, 2)
        digits.append({"label": int(cells[16]), "writer": -1, "strokes": [values]})
    if not digits:
        raise PenDigitsError("no digits found: is this UCI's pendigits.tes or .tra?")
    return digits


def load(path: str | Path) -> list[dict]:
    """UNIPEN trajectories (pendigits-orig.*), or the 8-point resampled form (pendigits.tra/.tes)."""
    path = Path(path)
    if path.is_dir():
        path = path / "pendigits-orig.tes"
    if path.stat().st_size > MAX_BYTES:
        raise PenDigitsError(f"{path.name} is over {MAX_BYTES // 2**20} MB: not UCI's pendigits")
    text = path.read_text(encoding="ascii", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return parse(text) if first.lstrip().startswith(".") else parse_resampled(text)


def on_canvas(strokes: list[np.ndarray]) -> list[list[tuple[float, float]]]:
    """Tablet strokes (y up) as canvas strokes (y down), the digit's longer side SIZE px, centred."""
    points = np.vstack(strokes)
    low, span = points.min(0), max(float(np.ptp(points, axis=0).max()), 1.0)
    k = SIZE / span
    extent = np.ptp(points, axis=0) * k
    left, top = (CANVAS - extent[0]) / 2, (CANVAS - extent[1]) / 2
    return [[(float(left + (x - low[0]) * k), float(top + extent[1] - (y - low[1]) * k)) for x, y in s]
            for s in strokes]


def inputs(digits: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(784 inputs through the canvas's preprocessing, labels, writers) of parsed digits."""
    from nncore.inference import preprocess

    x = [preprocess.from_strokes(on_canvas(d["strokes"])).input[0] for d in digits]
    return (np.array(x, np.float32), np.array([d["label"] for d in digits]),
            np.array([d["writer"] for d in digits]))


def browser_replay(digits: list[dict]) -> list[int]:
    """Each digit drawn with Playwright's mouse on the Draw page's canvas in headless Chromium
    (stroke by stroke, every recorded point a mouse move): the page's `Prediction: N` for each
    (-1 where it shows none)."""
    import re

    from tests.strokes import StrokeDigit, replay

    from .serve import app_page

    read: list[int] = []
    with app_page("/draw") as page:
        canvas = page.locator(".st-key-canvas canvas").last
        answer = page.locator(".st-key-prediction")
        for d in digits:
            strokes = [[(x / CANVAS, y / CANVAS) for x, y in s] for s in on_canvas(d["strokes"])]
            replay(page, canvas, StrokeDigit(d["label"], strokes, "pendigits"))
            # the answer after the last stroke's mouse-up: wait until the page has settled
            page.wait_for_function("() => document.querySelector('.st-key-prediction')", timeout=30_000)
            page.wait_for_timeout(400)
            page.wait_for_function("() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
                                   " === 'notRunning'", timeout=30_000)
            found = re.search(r"Prediction: (\d)", answer.first.inner_text())
            read.append(int(found.group(1)) if found else -1)
            page.locator(".st-key-clear button").first.click()
            page.wait_for_function("() => !document.querySelector('.st-key-prediction')", timeout=30_000)
    return read
