"""Photo-like pictures of handwritten digits for the tests and the bench, made here, seeded.

A digit (strokes from tests/strokes.py) is written with a pen of random width onto paper lit
unevenly (a gradient, a vignette, a soft shadow), in dark ink on light paper or chalk-light ink on
a dark board, then turned a little in perspective, given sensor noise and a colour cast, and saved
as a JPEG (or PNG/WebP). Also the bad files the Draw page's uploader must refuse, each by name.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

if TYPE_CHECKING:  # tests/strokes.py, imported as `strokes` by the tests and `tests.strokes` by the bench
    from strokes import StrokeDigit


def _ink(digits: "list[StrokeDigit]", size: tuple[int, int], rng: np.random.Generator,
         pen: float) -> np.ndarray:
    """Ink (0..1) of one or more digits side by side, each about half the picture's height."""
    w, h = size
    image = Image.new("L", (w * 2, h * 2), 0)  # drawn at twice the size, then smoothed down
    draw = ImageDraw.Draw(image)
    n = len(digits)
    for i, digit in enumerate(digits):
        height = h * 2 * rng.uniform(0.42, 0.62)
        cx = w * 2 * (i + 0.5) / n + rng.uniform(-0.05, 0.05) * w * 2 / n
        cy = h * 2 * rng.uniform(0.45, 0.55)
        x0, y0, x1, y1 = digit.bbox()
        k = height / max(y1 - y0, (x1 - x0) * 1.2, 1e-6)
        r = pen * h / 2
        for stroke in digit.strokes:
            pts = [(cx + (x - (x0 + x1) / 2) * k, cy + (y - (y0 + y1) / 2) * k) for x, y in stroke]
            if len(pts) > 1:
                draw.line(pts, fill=255, width=max(1, round(2 * r)), joint="curve")
            for x, y in pts[:: max(1, len(pts) // 40)] + [pts[-1]]:
                draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    image = image.filter(ImageFilter.GaussianBlur(1.2)).resize(size, Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.float32) / 255.0


def _lighting(size: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """A smooth light field around 1.0: a gradient, a vignette and a soft shadow."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / h - 0.5, xx / w - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    light = 1.0 + strength * (np.cos(angle) * xx + np.sin(angle) * yy)
    light -= 0.5 * strength * (xx ** 2 + yy ** 2)
    sx, sy, sr = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.15, 0.35)
    light -= 0.6 * strength * np.exp(-((xx - sx) ** 2 + (yy - sy) ** 2) / (2 * sr ** 2))
    return light


def photo(digits: "StrokeDigit | list[StrokeDigit]", seed: int = 0, dark_ink: bool = True,
          size: tuple[int, int] = (640, 480), fmt: str = "JPEG", lighting: float = 0.5,
          noise: float = 0.03, tilt: float = 8.0, quality: int = 75) -> bytes:
    """A photo-like picture of `digits` (one, or several side by side) as file bytes."""
    rng = np.random.default_rng(seed)
    digits = digits if isinstance(digits, list) else [digits]
    pen = rng.uniform(0.018, 0.05)  # a fine pen to a marker, as a fraction of the height
    ink = _ink(digits, size, rng, pen)
    light = _lighting(size, rng, lighting)
    if dark_ink:
        paper = rng.uniform(0.78, 0.95)
        gray = paper * light * (1 - rng.uniform(0.6, 0.85) * ink)
    else:  # chalk on a board
        board = rng.uniform(0.12, 0.25)
        gray = board * light + rng.uniform(0.45, 0.65) * ink * light
    gray = gray + rng.normal(0, noise, gray.shape)
    tint = rng.uniform(0.9, 1.05, 3)
    rgb = np.clip(gray[..., None] * tint, 0, 1)
    image = Image.fromarray(np.uint8(rgb * 255), "RGB")
    image = _perspective(image, rng, tilt)
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": quality} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def _perspective(image: Image.Image, rng: np.random.Generator, tilt: float) -> Image.Image:
    """A small rotation and a keystone, as a hand-held camera gives."""
    w, h = image.size
    fill = tuple(int(v) for v in np.asarray(image)[0, 0])  # the corner's colour
    image = image.rotate(rng.uniform(-tilt, tilt), Image.Resampling.BICUBIC, fillcolor=fill)
    d = tilt / 100
    # PIL's QUAD: the source's upper left, lower left, lower right and upper right corners
    src = [(rng.uniform(0, d) * w, rng.uniform(0, d) * h), (rng.uniform(0, d) * w, h - rng.uniform(0, d) * h),
           (w - rng.uniform(0, d) * w, h - rng.uniform(0, d) * h), (w - rng.uniform(0, d) * w, rng.uniform(0, d) * h)]
    return image.transform((w, h), Image.Transform.QUAD, [c for p in src for c in p],
                           Image.Resampling.BICUBIC, fillcolor=fill)


def blank_page(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    gray = 0.88 * _lighting((640, 480), rng, 0.5) + rng.normal(0, 0.02, (480, 640))
    out = io.BytesIO()
    Image.fromarray(np.uint8(np.clip(gray, 0, 1) * 255)).save(out, "JPEG", quality=80)
    return out.getvalue()


# ---- bad files ------------------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 30000) -> bytes:
    """A blank white side x side PNG (1 bit a pixel): a few kB on disk, side**2 pixels decoded."""
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    body = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def png16() -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((64, 64), 40000, np.uint16)).save(out, "PNG")
    return out.getvalue()


def animated(fmt: str = "PNG") -> bytes:
    frames = [Image.new("RGB", (64, 64), (v, v, v)) for v in (255, 128, 0)]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]
