"""The Draw page's photo uploader in real headless Chromium: photos and bad files through the file
input (set_input_files), the answer in the prediction's place, the canvas still answering after."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import close_page, no_exception, open_page
from photos import animated, blank_page, bomb_png, png16, truncated
from photos import photo as make_photo
from strokes import replay, stroke_digits

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(browser, server):
    page = open_page(browser, server.url + "/draw", height=1800)
    yield page
    close_page(page)


def upload(page, name: str, data: bytes, mime: str = "image/png") -> None:
    page.locator(".st-key-upload_digit input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_the_way_without_a_pointer_that_the_page_names_is_there(page):
    """The note before the canvas names the uploader's button (a keyboard's and a screen reader's way
    in): a button of that name is in the uploader and takes the focus. It named "Browse files", the
    label of an older Streamlit, while the page showed "Upload"."""
    named = page.locator(".st-key-pointer_note strong").first.inner_text()
    button = page.locator(".st-key-upload_digit").get_by_role("button", name=named, exact=True)
    expect(button).to_be_visible()
    button.focus()
    assert page.evaluate("() => !!document.activeElement.closest('.st-key-upload_digit')")


def test_photos_are_read(page):
    digits = [d for d in stroke_digits(2, seed=31) if "tiny" not in d.style]
    chosen = [next(d for d in digits if d.label == k) for k in (2, 7, 9)]
    for i, digit in enumerate(chosen):
        upload(page, f"digit-{i}.jpg", make_photo(digit, seed=40 + i, dark_ink=i != 1), "image/jpeg")
        expect(page.locator(".st-key-prediction")).to_have_text(f"Prediction: {digit.label}", timeout=30_000)
        expect(page.get_by_text("From your photo to the network's input")).to_be_visible()
    expect(page.get_by_text("Lighting evened out")).to_be_visible()
    no_exception(page)


BAD = [("notes.png", b"<html><body>not a picture</body></html>", "not an image"),
       ("cut.jpg", None, "truncated or corrupt"),
       ("moving.png", animated("PNG"), "animated"),
       ("deep.png", png16(), "16 bits"),
       ("bomb.png", bomb_png(30000), "decompression bomb")]


def test_bad_files_are_named_and_the_canvas_still_works(page):
    for name, data, words in BAD:
        if data is None:
            data = truncated(make_photo(stroke_digits(1, seed=1)[2], seed=1))
        upload(page, name, data)
        alert = page.locator("[data-testid=stAlertContentError]", has_text=words)
        expect(alert).to_be_visible(timeout=30_000)
        expect(alert).to_contain_text("The canvas still works")
        assert page.locator(".st-key-prediction").count() == 0
    for data, words in ((blank_page(2), "blank page"),
                        (make_photo(stroke_digits(1, seed=4)[3:9:5], seed=1, size=(900, 480)), "2 digits")):
        upload(page, "odd.jpg", data, "image/jpeg")
        expect(page.get_by_text(words)).to_be_visible(timeout=30_000)
    one = next(d for d in stroke_digits(3, seed=11) if d.label == 3 and "normal" in d.style)
    replay(page, page.locator(".st-key-canvas canvas").last, one)
    expect(page.locator(".st-key-prediction")).to_have_text("Prediction: 3", timeout=30_000)
    expect(page.get_by_text("From your drawing to the network's input")).to_be_visible()
    no_exception(page)
