"""A photo of a handwritten digit: the photo pipeline on photo-like pictures made here (uneven
light, noise, perspective, dark-on-light and light-on-dark, JPEG), and every bad file refused by
name; then the Draw page's uploader through AppTest."""

import io

import numpy as np
import pytest
from PIL import Image

from apptest import open_app
from nncore.inference import photo as P
from nncore.inference.predictor import ASSETS, DEFAULT_MODELS, load_predictor
from photos import animated, blank_page, bomb_png, png16, truncated
from photos import photo as make_photo
from strokes import stroke_digits

BAD = {  # file -> words its message must contain
    "not an image": (b"label,x,y\n1,2,3\n", "not an image"),
    "truncated": (None, "truncated or corrupt"),
    "animated PNG": (animated("PNG"), "animated"),
    "animated WebP": (animated("WEBP"), "animated"),
    "16-bit PNG": (png16(), "16 bits"),
    "bomb": (bomb_png(30000), "decompression bomb"),
    "GIF": (animated("GIF"), "GIF"),
    "empty": (b"", "empty"),
}


def sample_photos(n_per_digit=2, seed=7):
    """Photos of stroke digits of every kind but the tiny ones (a photo is framed on its digit),
    in turn dark ink on paper and chalk on a board, as JPEG, PNG and WebP."""
    digits = [d for d in stroke_digits(n_per_digit + 1, seed=seed) if "tiny" not in d.style]
    out = []
    for i, d in enumerate(digits):
        fmt = ("JPEG", "JPEG", "PNG", "WEBP")[i % 4]
        out.append((d.label, make_photo(d, seed=100 + i, dark_ink=i % 3 != 2, fmt=fmt), i % 3 != 2))
    return out


@pytest.fixture(scope="module")
def model():
    return load_predictor(ASSETS / DEFAULT_MODELS["logits"])


def test_photos_of_digits_are_read(model):
    photos = sample_photos()
    right, wrong = 0, []
    for label, data, dark in photos:
        steps = P.read(data)
        assert steps.problem is None and steps.dark_ink == dark
        assert steps.input.shape == (1, 784) and steps.gray.ndim == 2 and max(steps.gray.shape) <= P.WORK
        predicted = int(model.probabilities(steps.input).argmax())
        right += predicted == label
        if predicted != label:
            wrong.append((label, predicted, dark))
    assert len(photos) >= 20 and {lab for lab, _, _ in photos} == set(range(10))
    assert right / len(photos) >= 0.95, wrong


def test_uneven_light_is_evened_out():
    digit = stroke_digits(1, seed=3)[4]
    steps = P.read(make_photo(digit, seed=5, lighting=0.9))
    from scipy import ndimage

    # paper: away from the ink's edges and from the picture's rim (the desk shows there)
    paper = ~ndimage.binary_dilation(steps.found > 0, iterations=8)
    h, w = paper.shape
    paper[: h // 8], paper[-h // 8:], paper[:, : w // 8], paper[:, -w // 8:] = False, False, False, False
    spread = lambda a: np.ptp(np.percentile(a[paper], [5, 95]))  # noqa: E731
    assert spread(steps.gray) > 0.15  # the light changes a lot across the paper...
    assert spread(steps.evened) < spread(steps.gray) / 3  # ...and much less once evened out
    assert steps.evened[steps.found == 1].mean() > 0.3


def test_the_digit_is_centred_like_a_drawing():
    steps = P.read(make_photo(stroke_digits(1, seed=3)[0], seed=2))
    x = steps.steps.centered
    rows, cols = np.flatnonzero(x.max(1) > 0.1), np.flatnonzero(x.max(0) > 0.1)
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) in (19, 20, 21)
    from scipy import ndimage

    cy, cx = ndimage.center_of_mass(x)
    assert abs(cy - 13.5) <= 0.6 and abs(cx - 13.5) <= 0.6


def test_blank_pages_have_no_digit():
    for seed in range(3):
        steps = P.read(blank_page(seed))
        assert steps.steps is None and "blank page" in steps.problem


def test_two_digits_are_named():
    digits = stroke_digits(1, seed=4)
    for pair, seed in (([digits[3], digits[8]], 1), ([digits[1], digits[7]], 2)):
        steps = P.read(make_photo(pair, seed=seed, size=(900, 480)))
        assert steps.steps is None and "2 digits" in steps.problem


@pytest.mark.parametrize("name", list(BAD))
def test_bad_files_are_refused_by_name(name):
    data, words = BAD[name]
    if data is None:
        data = truncated(make_photo(stroke_digits(1, seed=1)[2], seed=1))
    with pytest.raises(P.PhotoError, match=words):
        P.read(data)


def test_pixel_count_is_checked_before_decoding():
    # 8000 x 8000 is under PIL's own bomb limit but over ours: refused from the header alone
    out = io.BytesIO()
    Image.new("1", (8000, 8000), 1).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(P.PhotoError, match="8,000 x 8,000"):
        P.open_photo(out.getvalue())
    assert Image.MAX_IMAGE_PIXELS is not None  # PIL's limits stay on


# ---- the Draw page ----------------------------------------------------------------------------

def prediction(at):
    texts = [m.value for m in at.markdown if m.value.startswith("## Prediction:")]
    return texts[0].removeprefix("## ") if texts else None


def upload(at, name, data, mime="image/jpeg"):
    at.file_uploader(key="upload_digit").set_value((name, data, mime))
    return at.run()


@pytest.fixture(scope="module")
def at():
    return open_app("views/draw.py")


def test_page_reads_a_photo_with_its_steps(at):
    label, data, _ = sample_photos(1, seed=12)[7]
    upload(at, "digit.jpg", data)
    assert not at.exception
    assert prediction(at) == f"Prediction: {label}"
    assert len(at.get("image")) == 7  # the taught habits under the canvas; grey, evened, ink found, cropped, 20x20, 28x28


@pytest.mark.parametrize("name", list(BAD))
def test_page_names_each_bad_file_and_the_canvas_still_works(at, name):
    data, words = BAD[name]
    if data is None:
        data = truncated(make_photo(stroke_digits(1, seed=1)[2], seed=1))
    upload(at, f"bad-{name}.png", data, "image/png")
    assert not at.exception
    assert prediction(at) is None
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert any("The canvas still works" in e.value for e in at.error)
    # a drawing is still answered with the bad file still in the uploader
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [
        {"type": "path", "path": [["M", 140, 40], ["L", 141, 140], ["L", 142, 240 + len(name)]]}]},
        "data": None}, "backgroundFit": None}
    at.run()
    assert prediction(at) == "Prediction: 1" and not at.error


def test_page_blank_and_two_digit_photos(at):
    upload(at, "blank.jpg", blank_page(4))
    assert prediction(at) is None and any("blank page" in w.value for w in at.warning)
    digits = stroke_digits(1, seed=4)
    upload(at, "two.jpg", make_photo([digits[3], digits[8]], seed=1, size=(900, 480)))
    assert prediction(at) is None and any("2 digits" in w.value for w in at.warning)
    assert len(at.get("image")) == 4  # the taught habits; the steps up to the ink found show why
