"""Your own points on the Boundaries page in real Chromium: files uploaded through the real file
input (good, bad, over the cap), points added with real mouse clicks on the plane and cleared,
then a training on them drawn in their own units."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import after_rerun, close_page, no_exception, open_page
from test_boundaries_page import animals_csv

EDITOR = '[class*="st-key-points_editor_"] .js-plotly-plot'
# Points in the editor's class traces (trace 0 is the invisible grid of clickable points).
EDITOR_POINTS = """() => {
  const el = document.querySelector('[class*="st-key-points_editor_"] .js-plotly-plot');
  const size = {f8: 8, f4: 4, i8: 8, i4: 4};
  const count = (x) => !x ? 0 : Array.isArray(x) ? x.length
      : x.bdata !== undefined ? atob(x.bdata).length / size[x.dtype] : (x.length || 0);
  return el && el.data ? el.data.slice(1).reduce((n, t) => n + count(t.x), 0) : -1;
}"""


def upload(page, name: str, raw: bytes, mime: str = "text/csv", folder: Path | None = None) -> None:
    """Choose a file in the points uploader: sent from memory, or, given a folder, written there and
    chosen by its path (Chromium reads the file itself: megabytes are not copied through Playwright)."""
    box = page.locator(".st-key-upload_points input[type=file]")
    if folder is None:
        box.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": raw}])
        return
    path = folder / name
    path.write_bytes(raw)
    box.set_input_files(path)


def wait_points(page, n: int) -> None:
    page.wait_for_function(f"() => ({EDITOR_POINTS})() === {n}", timeout=60_000)


def click_plane(page, fx: float, fy: float) -> None:
    """A real mouse click at a fraction of the editor's plot area (0, 0 = top left)."""
    box = page.locator(f"{EDITOR} .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


@pytest.mark.browser
def test_upload_click_clear_and_train_your_points(browser, server, tmp_path):
    page = open_page(browser, server.url + "/boundaries?dataset=your-points&hidden=8:relu&epochs=40"
                     "&learning_rate=0.05", height=2000)
    page.wait_for_selector(EDITOR, timeout=60_000)
    assert page.evaluate(EDITOR_POINTS) == 0
    assert page.locator(".st-key-train_points button").first.is_disabled()

    # bad files first: each named, nothing loaded, nothing crashes
    upload(page, "noise.bin", bytes(range(256)) * 8, "application/octet-stream")
    page.get_by_text("this is a binary file").wait_for(timeout=30_000)
    upload(page, "pets.csv", b"x,y,kind\n1,2,cat\n3,oops,dog\n")
    page.get_by_text("'oops' is not a number").wait_for(timeout=30_000)
    assert "row 3, column 2 (y)" in page.locator("[data-testid=stAlert]").first.inner_text()

    # a good file
    upload(page, "animals.csv", animals_csv())
    page.get_by_text("Loaded animals.csv: 120 points, 3 classes").wait_for(timeout=30_000)
    wait_points(page, 120)
    page.get_by_text("Standardised for training").wait_for(timeout=30_000)  # the scaling's table beside it
    page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=30_000)

    # a bad file after it: the message, and the 120 points kept
    upload(page, "page.html", b"<!DOCTYPE html><html><body>points</body></html>", "text/html")
    page.get_by_text("previous points are kept").wait_for(timeout=30_000)
    assert "web page (HTML)" in page.locator("[data-testid=stAlert]").first.inner_text()
    wait_points(page, 120)
    # over the cap (8 MB): named in the page, the points kept
    upload(page, "huge.csv", b"1,2,a\n" * (9 * 2**20 // 6), folder=tmp_path)
    page.get_by_text("the upload cap is 8 MB").wait_for(timeout=30_000)
    assert "huge.csv cannot be used: file: the file is 9.0 MB" in page.locator("[data-testid=stAlert]").first.inner_text()
    wait_points(page, 120)
    # over twice the cap the uploader refuses it itself, before sending (its own alert), the points kept
    upload(page, "huger.csv", b"1,2,a\n" * (17 * 2**20 // 6), folder=tmp_path)
    page.locator(".st-key-upload_points [role=alert]", has_text="16.0MB or smaller").wait_for(state="attached")
    wait_points(page, 120)

    # click three points of the class "fox" onto the plane, with the real mouse
    after_rerun(page, page.locator(".st-key-point_class button", has_text="fox").click)
    for i, (fx, fy) in enumerate([(0.1, 0.1), (0.9, 0.15), (0.5, 0.9)]):
        click_plane(page, fx, fy)
        wait_points(page, 121 + i)
    page.get_by_text("3 of them clicked").wait_for(timeout=30_000)
    # and clear them
    page.locator(".st-key-clear_clicked button").click()
    wait_points(page, 120)
    page.get_by_text("0 of them clicked").wait_for(timeout=30_000)

    # one more click of a new class, then train on 121 points of 4 classes
    after_rerun(page, page.locator(".st-key-point_class button", has_text="new").click)
    click_plane(page, 0.95, 0.95)
    wait_points(page, 121)
    page.locator(".st-key-train_points button").first.click()
    page.get_by_text("Done: 40 epochs").first.wait_for(timeout=120_000)
    page.wait_for_selector(".st-key-boundary_chart .js-plotly-plot", timeout=60_000)
    axis = page.evaluate("() => document.querySelector('.st-key-boundary_chart .js-plotly-plot').layout.xaxis.title.text")
    assert axis == "height_cm (your units)"
    assert "Dense(4, linear)" in page.locator("[data-testid=stMain]").inner_text()
    no_exception(page)
    close_page(page)
