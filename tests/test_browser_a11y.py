"""Every learner (issue 27), in real headless Chromium: axe-core on every page in the light and the
dark theme, idle and after a training; the keyboard alone trains and stops; a phone trains, reads
a finger-drawn digit and reaches every page."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from axe import PAGES, describe, run_axe
from browser import PLOTLY_POINTS, close_page, no_exception, open_page, set_number, wait_drawn
from strokes import stroke_digits, to_canvas

pytestmark = pytest.mark.browser

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2)


def seven():
    return next(d for d in stroke_digits(n_per_digit=6, seed=11) if d.label == 7 and "normal" in d.style)


SETTLED = """(dark) => {
  const rgb = (c) => c.match(/\\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
  const app = getComputedStyle(document.querySelector('[data-testid=stApp]'));
  return (rgb(app.backgroundColor) < 300) === dark && (rgb(app.color) > 400) === dark;
}"""


def axe_both_themes(page, where: str) -> dict[str, list]:
    """axe in the light theme, then in the dark one (the page follows the browser's setting, switched
    live), then light again; the violations of each. In the dark theme only the rules about colours
    run (contrast, links told by colour): the themes differ in colours alone, so every other rule's
    answer is the light run's. Colour transitions are switched off first: axe must not read a colour
    half-way through the switch."""
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_function(SETTLED, arg=scheme == "dark")
        found[f"{scheme} {where}"] = run_axe(page, colours_only=scheme == "dark")
    page.emulate_media(color_scheme="light")
    return found


def tab_to(page, key: str, at_most: int) -> int:
    """Press Tab until the focus is inside the element with key `key`; how many presses it took."""
    for presses in range(1, at_most + 1):
        page.keyboard.press("Tab")
        if page.evaluate(INSIDE, key):
            return presses
    pytest.fail(f"{at_most} Tabs never reached {key}")


INSIDE = "(key) => !!document.activeElement && !!document.activeElement.closest('.st-key-' + key)"


# Each address a learner may share, and the title its page opens with ("/train" switches to "/").
TITLES = {"/": "Train a network", "/train": "Train a network", "/draw": "Draw a digit", "/boundaries": "Decision boundaries",
          "/runs": "Runs", "/class": "Class", "/activations": "Activation functions", "/softmax": "Softmax",
          "/losses": "Losses and labels", "/derivatives": "Derivatives", "/backprop": "Backpropagation",
          "/fit": "What fit does", "/optimizers": "Optimizers", "/layers": "Other layer types"}


def opens_as_itself(page, path: str) -> None:
    """The page at `path` has its own title, no "Page not found", no exception box, no JavaScript error."""
    assert page.get_by_text("Page not found").count() == 0, path
    assert page.locator("h1").first.inner_text().startswith(TITLES[path]), (path, page.locator("h1").first.inner_text())
    no_exception(page)


def test_every_page_passes_axe_light_and_dark_and_the_keyboard_alone_trains(browser, server):
    """One session: each page opens as itself (its title, no exception, no JavaScript error; the
    /train address too) and, idle, passes axe in both themes; then, on the Train page, Tab from the top to
    Train (its focus ring visible), Enter starts a training, Tab to Stop, Enter stops it after its first
    epoch; axe on what the training left (curves, confusion matrix, digits, plane); then the Draw page
    with a drawing answered and the Runs page with the run."""
    page = open_page(browser, height=1000)
    found, seconds = {}, {}
    assert set(TITLES) == {*PAGES, "/train"}
    for path in [*PAGES, "/train"]:
        start = time.perf_counter()
        page.goto(server.url + path)
        wait_drawn(page)  # charts and components drawn: their JavaScript errors, if any, are in
        opens_as_itself(page, path)
        if path in PAGES:  # "/train" is the "/" page
            found.update(axe_both_themes(page, path))
        seconds[path] = time.perf_counter() - start
    # the colour rules alone (all that runs in the dark theme) do catch a colour fault: #ccc on white
    page.evaluate("() => { const p = document.createElement('p'); p.id = 'faint'; p.textContent = 'faint text';"
                  " p.style.color = '#cccccc'; p.style.background = '#ffffff';"
                  " document.querySelector('[data-testid=stMainBlockContainer]').appendChild(p); p.scrollIntoView(); }")
    caught = run_axe(page, colours_only=True)
    assert any(v["rule"] == "color-contrast" and "#faint" in v["nodes"] for v in caught), caught
    page.evaluate("() => document.getElementById('faint').remove()")

    # the default network for 1,000 epochs (from the address): Tab to Stop and Enter come long before
    # its end (its 40 epochs ended first once, on a quiet machine, and there was nothing left to stop)
    page.goto(server.url + "/?epochs=1000")
    wait_drawn(page)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    presses = tab_to(page, "train", 200)
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                         " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus on Train: {ring}"
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-stop button").first).to_be_enabled(timeout=60_000)  # it trains
    page.wait_for_function(f"() => ({PLOTLY_POINTS})('loss_chart') >= 2", timeout=120_000)  # an epoch done
    # Train is disabled now, and a disabled button loses the focus; Tab goes on from where it was (the
    # browser keeps that place), else from the top of the page
    tab_to(page, "stop", 200)
    page.keyboard.press("Enter")
    page.get_by_text("Stopped ").first.wait_for(timeout=60_000)
    expect(page.locator(".st-key-train button").first).to_be_enabled(timeout=30_000)
    wait_drawn(page)
    assert page.locator(".st-key-loss_chart_text").inner_text().startswith("Loss chart: training loss")
    found.update(axe_both_themes(page, "/ after training"))

    page.goto(server.url + "/draw")
    wait_drawn(page)
    canvas = page.locator(".st-key-canvas canvas").last
    box = canvas.bounding_box()
    for stroke in to_canvas(seven(), box["width"], box["height"], 0.0):
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.up()
    expect(page.locator(".st-key-prediction")).to_contain_text("Prediction:", timeout=30_000)
    wait_drawn(page)
    found.update(axe_both_themes(page, "/draw after drawing"))
    page.goto(server.url + "/runs")
    wait_drawn(page)
    found.update(axe_both_themes(page, "/runs after training"))
    # the switch: the browser says light, the menu (top right) says Dark
    page.locator("[data-testid=stMainMenu]").click()
    page.locator("[data-testid=stMainMenuItem-theme-Dark]").click()
    page.wait_for_function(SETTLED, arg=True)
    no_exception(page)
    close_page(page)
    print(f"Train is {presses} Tabs from the top; seconds a page (load, axe light and dark): "
          + ", ".join(f"{p} {t:.1f}" for p, t in seconds.items()))
    bad = {where: describe(v) for where, v in found.items() if v}
    assert not bad, "\n".join(f"{where}:\n{text}" for where, text in bad.items())


def touch_stroke(cdp, points) -> None:
    """One finger stroke through `points` (page coordinates): touch events, not the mouse's."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
    for x, y in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def no_sideways_scrolling(page) -> None:
    """Neither the page nor Streamlit's own scrolling area (the main section) is wider than the screen."""
    wide = page.evaluate("() => [document.documentElement, document.querySelector('[data-testid=stMain]')]"
                         ".filter(Boolean).map(e => [e.scrollWidth, e.clientWidth])")
    assert all(w <= c + 1 for w, c in wide), f"the page scrolls sideways (content, screen width): {wide}"


def test_phone_trains_reads_a_finger_drawn_seven_and_reaches_every_page(browser, server):
    page = open_page(browser, server.url, **PHONE)
    page.set_viewport_size(PHONE["viewport"])
    wait_drawn(page)
    set_number(page, "epochs", 2)
    page.locator(".st-key-train button").locator("visible=true").first.tap()
    page.get_by_text("Done: 2 epochs").wait_for(timeout=180_000)
    page.wait_for_function(f"() => ({PLOTLY_POINTS})('loss_chart') >= 4", timeout=30_000)
    wait_drawn(page)
    no_sideways_scrolling(page)
    chart = page.locator(".st-key-loss_chart .js-plotly-plot").first
    assert chart.bounding_box()["width"] <= PHONE["viewport"]["width"]

    # the navigation, on a phone: behind the menu button at the top left, every page a link in it (the
    # last few behind "View more"); a finger on one opens it
    page.locator("[data-testid=stExpandSidebarButton]").tap()
    more = page.locator("[data-testid=stSidebarNavViewButton]")
    if more.count() and "more" in more.inner_text().lower():
        more.tap()
    nav = page.locator("[data-testid=stSidebarNav] a[href]").locator("visible=true")
    expect(nav.first).to_be_visible()
    reached = {"/" + href.split("/", 3)[-1].strip("/") for href in nav.evaluate_all("(as) => as.map(a => a.href)")}
    missing = [p for p in PAGES if p not in reached]
    assert not missing, f"pages not in the phone's navigation: {missing}"
    page.locator("[data-testid=stSidebarNav] a[href$='/draw']").tap()
    page.wait_for_url("**/draw")
    wait_drawn(page)
    collapse = page.get_by_role("button", name="Collapse sidebar")
    if collapse.is_visible():  # the menu stays over the page until closed
        collapse.tap()
        expect(collapse).to_be_hidden()
    no_sideways_scrolling(page)
    canvas = page.locator(".st-key-canvas canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cdp = page.context.new_cdp_session(page)
    for stroke in to_canvas(seven(), box["width"], box["height"], 0.0):
        touch_stroke(cdp, [(box["x"] + x, box["y"] + y) for x, y in stroke])
        page.wait_for_timeout(30)
    expect(page.locator(".st-key-prediction")).to_have_text("Prediction: 7", timeout=30_000)
    assert page.locator(".st-key-draw_probabilities_text").inner_text().startswith("The network is most sure it is a 7")
    no_exception(page)
    close_page(page)
