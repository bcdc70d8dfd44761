"""A photo of a handwritten digit -> the 28x28 input, by the same steps as the canvas's drawings.

A photo is not a clean drawing: the paper is lit unevenly, the ink may be dark on light paper or
light on a dark board, there is noise, and there may be specks, lines or a second digit. So before
MNIST's own steps (crop, fit 20x20, centre of mass; nncore.inference.preprocess) the photo is:

1. opened safely: only PNG, JPEG or WebP, one frame, 8 bits a channel, at most MAX_PIXELS pixels
   counted from the header before anything is decoded (PIL's own bomb limits stay on too);
2. made grey and small (longer side WORK pixels; JPEGs are decoded at a reduced scale);
3. evened out: the paper's brightness is estimated with a grey closing (strokes narrower than the
   window vanish from it) and divided out, so shadows and gradients go; the ink's polarity is
   found from which side of the paper's brightness the darkest or lightest pixels lie;
4. its ink found: Otsu's threshold (with a floor, so a blank page stays blank) and connected
   components (scikit-image), specks dropped, pieces of one digit grouped, a second digit refused;
5. cropped to the digit and its strokes' centre lines (a skeleton) redrawn with MNIST's pen, as
   the canvas's strokes are, so a fine pencil and a fat marker give the same input.

scikit-image, not OpenCV: it works on the NumPy arrays the rest of the pipeline uses, is a small
pure-wheel install beside SciPy (OpenCV's headless wheel is ~50 MB with its own FFmpeg and Qt-free
GUI stubs), and has every step needed: threshold_otsu, label/regionprops, skeletonize.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from . import preprocess

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BYTES = 20 * 1024 * 1024  # a phone's photo is 2-8 MB
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; a 30000x30000 "bomb" does not
MIN_SIDE = 16
WORK = 640  # the longer side, in pixels, the photo is analysed at
MIN_CONTRAST = 0.2  # ink must differ from the paper by 20 % of the paper's brightness
SPECK = 0.04  # components under 4 % of the biggest one's area are specks (dust, noise)


class PhotoError(ValueError):
    """A file that cannot be read as one photo of a digit; the message says why, for the page."""


@dataclass(frozen=True)
class PhotoSteps:
    """Each stage from the photo to the model's input (ink 1.0 on 0.0 from `evened` on)."""

    gray: np.ndarray  # the photo in grey, longer side <= WORK
    evened: np.ndarray  # lighting evened out: ink's contrast against the paper, 0..1
    found: np.ndarray  # 1.0 the digit's ink, 0.35 other ink (specks, a second digit), 0 paper
    steps: preprocess.Steps | None  # crop (pen redrawn), 20x20, 28x28; None when there is no digit
    dark_ink: bool  # dark ink on light paper (else light on dark)
    problem: str | None = None  # why there is no answer (blank page, two digits)

    @property
    def input(self) -> np.ndarray:
        return self.steps.input


def open_photo(data: bytes) -> Image.Image:
    """The decoded image, or PhotoError naming what is wrong with the file."""
    if not data:
        raise PhotoError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise PhotoError(f"The file is {len(data) / 2**20:.0f} MB; photos up to {MAX_BYTES // 2**20} MB "
                         "are read.")
    bomb = ("The image claims {} pixels, more than the {:,} read here (a decompression bomb, or a huge "
            "scan): send a smaller photo.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS + ("GIF",))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(bomb.format("over 89 million", MAX_PIXELS)) from None
    except UnidentifiedImageError:
        raise PhotoError("This file is not an image that can be read here: upload a PNG, JPEG or WebP "
                         "photo.") from None
    except Exception as e:  # a header broken in a way PIL reports otherwise
        raise PhotoError(f"This image's header is damaged ({type(e).__name__}): it cannot be read.") from None
    w, h = image.size
    if w * h > MAX_PIXELS:  # from the header, before decoding a single pixel
        raise PhotoError(bomb.format(f"{w:,} x {h:,} = {w * h:,}", MAX_PIXELS))
    if image.format not in FORMATS:
        raise PhotoError(f"This is a {image.format} image: upload a PNG, JPEG or WebP photo.")
    if getattr(image, "n_frames", 1) > 1:
        raise PhotoError(f"This {image.format} is animated ({image.n_frames} frames): upload a still "
                         "photo of one digit.")
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F") or (
            image.format == "PNG" and len(data) > 24 and data[24] == 16):
        raise PhotoError("This image has 16 bits a channel (or high-dynamic-range values): save it as an "
                         "ordinary 8-bit PNG or JPEG.")
    if min(w, h) < MIN_SIDE:
        raise PhotoError(f"The image is only {w} x {h} pixels: a photo of a digit needs at least "
                         f"{MIN_SIDE} pixels a side.")
    try:
        image.draft("L", (WORK, WORK))  # JPEG: decode at 1/2, 1/4 or 1/8 scale when that is enough
        image.load()
    except Exception as e:  # truncated data, a broken chunk, a bad Huffman table...
        raise PhotoError(f"The image is truncated or corrupt ({str(e)[:80] or type(e).__name__}): "
                         "it cannot be decoded. Save or export it again.") from None
    return image


def grayscale(image: Image.Image) -> np.ndarray:
    """The photo upright (EXIF), transparency over white, grey, longer side at most WORK, 0..1."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    gray = image.convert("L")
    gray.thumbnail((WORK, WORK), Image.Resampling.LANCZOS)
    return np.asarray(gray, dtype=np.float32) / 255.0


def even_out(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """Ink's contrast against the paper (0..1) under uneven lighting, and whether the ink is dark."""
    lo, mid, hi = np.percentile(gray, [0.5, 50, 99.5])
    dark_ink = (mid - lo) >= (hi - mid)
    g = gray if dark_ink else 1.0 - gray  # from here on the ink is darker than the paper
    g = ndimage.gaussian_filter(g, 1.0)  # sensor noise and JPEG blocks, not strokes
    window = max(15, round(max(g.shape) / 10))  # wider than any stroke, narrow for shadows
    # the paper's brightness: a closing removes the dark strokes and keeps smooth light
    paper = ndimage.grey_closing(g, size=(window, window), mode="nearest")  # (reflecting makes a valley)
    paper = np.maximum(paper, g)
    contrast = (paper - g) / np.maximum(paper, 0.05)
    contrast -= np.median(contrast)  # the paper's own grain: the closing sits on its brightest specks
    return np.clip(contrast, 0.0, 1.0).astype(np.float32), bool(dark_ink)


def _groups(boxes: list[tuple[int, int, int, int]]) -> list[list[int]]:
    """Components grouped into digits: boxes (r0, c0, r1, c1) that overlap in columns and are close
    in rows belong to one digit (a 5's flag, a 4 drawn in two strokes, a dotted 7's bar)."""
    parent = list(range(len(boxes)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i):
            b = boxes[j]
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            gap = max(a[0], b[0]) - min(a[2], b[2])
            tall = max(a[2] - a[0], b[2] - b[0])
            if overlap > 0.25 * min(a[3] - a[1], b[3] - b[1]) and gap < 0.3 * tall:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def find_digit(ink: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, str | None]:
    """The digit's ink mask (or None), a picture of what was found, and a problem if any."""
    from skimage.filters import threshold_otsu
    from skimage.measure import label, regionprops

    found = np.zeros_like(ink)
    if float(np.percentile(ink, 99.9)) < MIN_CONTRAST:
        return None, found, ("No ink found: the photo looks like a blank page. Photograph a digit written "
                             "in dark ink on light paper (or light on dark), filling a good part of the picture.")
    threshold = max(MIN_CONTRAST, float(threshold_otsu(ink)))
    mask = ink > threshold
    labels = label(mask, connectivity=2)
    regions = regionprops(labels)
    # ink touching the picture's edge is mostly the desk, a shadow or the paper's edge: a digit
    # cut by the frame is read only when there is no ink inside
    h, w = ink.shape
    inside = [r for r in regions if r.bbox[0] > 0 and r.bbox[1] > 0 and r.bbox[2] < h and r.bbox[3] < w
              and r.area >= 12]
    regions = inside or regions
    biggest = max(r.area for r in regions)
    kept = [r for r in regions if r.area >= SPECK * biggest]
    found[mask] = 0.35
    groups = _groups([r.bbox for r in kept])
    areas = [sum(kept[i].area for i in g) for g in groups]
    heights = [max(kept[i].bbox[2] for i in g) - min(kept[i].bbox[0] for i in g) for g in groups]
    main = int(np.argmax(areas))
    digit = np.isin(labels, [kept[i].label for i in groups[main]])
    found[digit] = 1.0
    rivals = [k for k in range(len(groups)) if k != main
              and areas[k] >= 0.1 * areas[main] and heights[k] >= 0.5 * heights[main]]
    if rivals:
        return None, found, (f"This photo shows {len(rivals) + 1} digits (separate ink of a digit's size): "
                             "photograph or crop one digit at a time.")
    return digit, found, None


def redraw(digit: np.ndarray) -> np.ndarray:
    """The digit cropped, its strokes' centre lines redrawn with MNIST's pen (as the canvas's
    strokes are in preprocess.from_strokes), so pen and paper do not change the input."""
    from skimage.morphology import skeletonize

    rows, cols = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    crop = digit[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    hires, pen = preprocess._HIRES, preprocess.PEN * preprocess._HIRES
    # the ink scaled so that its longer side is what the strokes' span is on the canvas's path
    k = (hires - pen) / max(crop.shape)
    size = (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k)))
    big = Image.fromarray(np.uint8(crop) * 255).resize(size, Image.Resampling.BILINEAR)
    skeleton = skeletonize(np.asarray(big) > 127)
    if not skeleton.any():
        skeleton = np.asarray(big) > 127
    margin = int(np.ceil(pen / 2)) + 1
    field = ~np.pad(skeleton, margin)
    distance = ndimage.distance_transform_edt(field)
    return np.clip(pen / 2 + 0.5 - distance, 0.0, 1.0).astype(np.float32)


def from_photo(image: Image.Image) -> PhotoSteps:
    """Every step from an opened photo to the 28x28 input (or the problem that stops it)."""
    gray = grayscale(image)
    ink, dark = even_out(gray)
    digit, found, problem = find_digit(ink)
    if digit is None:
        return PhotoSteps(gray, ink, found, None, dark, problem)
    cropped = redraw(digit)
    return PhotoSteps(gray, ink, found, preprocess.steps_of(gray, cropped), dark)


def read(data: bytes) -> PhotoSteps:
    """open_photo then from_photo; PhotoError for a file that is not one readable photo."""
    return from_photo(open_photo(data))
