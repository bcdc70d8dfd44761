"""The Boundaries page: AppTest on the script, and Chromium watching the boundary move."""

from __future__ import annotations

import json

import pytest

from apptest import open_app, wait_until_finished, job_of, training_of
from browser import close_page, no_exception, open_page, run_id_in, set_number, wait_for_app


@pytest.fixture
def at():
    return open_app("views/boundaries.py")


def test_boundaries_page_trains_on_the_blobs(at):
    assert at.selectbox(key="p_preset").value == "multiclass-lab"
    assert at.selectbox(key="p_dataset").value == "blobs"
    assert "(x1, x2) → Dense(2, relu) → Dense(4, linear) = logits" in at.markdown[0].value
    at.number_input(key="p_epochs").set_value(30).run()
    at.button(key="train_points").click().run()
    job = job_of(at, "points")
    wait_until_finished(at, "points", seconds=120)
    assert not at.exception
    assert job.snapshot().boundary.epoch == 30
    charts = at.get("plotly_chart")
    specs = [json.loads(c.proto.spec) for c in charts]
    titles = [s["layout"].get("title", {}).get("text", "") for s in specs]
    assert any("Decision boundary after epoch 30" in t for t in titles)
    assert any(t.startswith("Every unit over the plane") for t in titles)
    boundary = specs[[i for i, t in enumerate(titles) if "Decision boundary" in t][0]]
    assert boundary["data"][0]["type"] == "image" and boundary["data"][0]["source"].startswith("data:image/png")
    assert boundary["layout"]["xaxis"]["title"]["text"] == "x1"
    # the digits' job is separate: the Train page has none
    assert job_of(at, "points") is job and job_of(at) is None


def test_the_default_address_is_clean_and_the_preset_stays_named(at):
    """The blobs' own noise (1.0) is the default: not written into the address, and the preset box
    keeps the preset's name over reruns (it said Custom once the sidebar had written noise=1.0)."""
    for _ in range(2):
        assert dict(at.query_params) == {}
        assert at.selectbox(key="p_preset").value == "multiclass-lab"
        at.run()
    at.number_input(key="p_noise").set_value(0.5).run()
    assert at.query_params["noise"] in ("0.5", ["0.5"]) and at.selectbox(key="p_preset").value == "custom"
    at.number_input(key="p_noise").set_value(1.0).run()
    assert "noise" not in at.query_params and at.selectbox(key="p_preset").value == "multiclass-lab"


def test_point_set_settings_are_checked(at):
    at.number_input(key="p_points").set_value(5).run()
    assert any("**points**" in e.value for e in at.error)
    assert at.button(key="train_points").disabled


def test_switching_the_set_resets_points_and_noise(at):
    at.selectbox(key="p_dataset").select("moons").run()
    assert at.number_input(key="p_points").value == 300
    assert at.number_input(key="p_noise").value == pytest.approx(0.15)
    assert "(x1, x2) → Dense(2, relu) → Dense(2, linear)" in at.markdown[0].value


def test_all_linear_network_shows_its_single_equivalent_layer(at):
    at.selectbox(key="p_preset").select("linear-moons").run()
    at.number_input(key="p_epochs").set_value(3).run()
    at.button(key="train_points").click().run()
    wait_until_finished(at, "points")
    assert any("All-linear layers are one linear layer" in s.value for s in at.subheader)
    assert any("differ by at most" in c.value for c in at.caption)


# ---- the page's address carries its latest run ---------------------------------------------

def titles_of(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def open_run_link(run_id: str):
    other = open_app(None)
    other.switch_page("views/boundaries.py")
    other.query_params["run"] = run_id
    other.run()
    assert not other.exception
    return other


def test_the_address_carries_the_latest_run_and_a_reload_shows_it(at):
    import dataclasses

    from app import state
    from nncore.runs import new_run_id

    at.selectbox(key="p_preset").select("linear-moons").run()
    at.number_input(key="p_epochs").set_value(4).run()
    at.button(key="train_points").click().run()
    job = job_of(at, "points")
    run_id = training_of(at, "points").live.run_id
    assert at.query_params["run"] in (run_id, [run_id])
    wait_until_finished(at, "points")
    assert at.query_params["run"] in (run_id, [run_id]) and at.query_params["dataset"] in ("moons", ["moons"])
    # a reload (a new session) while the server still has the run: the same job, its live views
    again = open_run_link(run_id)
    assert job_of(again, "points") is job
    assert any(t.startswith("Decision boundary after epoch 4") for t in titles_of(again))
    assert again.selectbox(key="p_dataset").value == "moons" and again.number_input(key="p_epochs").value == 4
    # after a restart only the run store has it: its boundary drawn again from its stored weights
    stored = state.store().get(run_id)
    assert stored.status == "done" and stored.has_weights
    copy = dataclasses.replace(stored, id=new_run_id())
    state.store().save(copy, state.run_weights(run_id))
    later = open_run_link(copy.id)
    assert job_of(later, "points") is None
    assert any(f"Run {copy.id} is not training on this server now" in i.value for i in later.info)
    titles = titles_of(later)
    assert any(t.startswith(f"Decision boundary of run {copy.id} after epoch 4") for t in titles), titles
    assert any(t.startswith("Every unit over the plane") for t in titles)
    assert any(f"Run {copy.id}" in h.value for h in later.subheader)  # its numbers and curves below
    assert later.selectbox(key="p_dataset").value == "moons" and later.number_input(key="p_epochs").value == 4
    assert later.query_params["run"] in (copy.id, [copy.id])
    # the stored boundary is the network's: the same regions as the live one at its end
    live = job.snapshot().boundary.predicted
    from nncore.data import load_dataset
    from nncore.training.probes import boundary_of

    again_drawn = boundary_of(stored.spec, state.run_weights(run_id), load_dataset(stored.spec), 4).predicted
    assert (again_drawn == live).mean() > 0.999


@pytest.mark.parametrize("run, words", [("nonsense", "not a run id"), ("0123456789ab", "There is no run")])
def test_a_bad_run_in_the_boundaries_address_is_a_message(run, words):
    at = open_run_link(run)
    assert any(words in w.value for w in at.warning), [w.value for w in at.warning]
    assert job_of(at, "points") is None and not at.button(key="train_points").disabled


# ---- real browser ------------------------------------------------------------------------

BOUNDARY = """() => {
  const el = document.querySelector('.st-key-boundary_chart .js-plotly-plot');
  return el && el.data ? [el.layout.title.text, el.data[0].source.length, el.data[0].source.slice(-200)] : null;
}"""


@pytest.mark.browser
def test_the_boundary_changes_between_epochs_in_chromium(browser, server):
    page = open_page(browser, server.url + "/boundaries", height=1800)
    set_number(page, "p_epochs", 1000)
    set_number(page, "p_batch_size", 1)  # 80 steps an epoch: long enough to watch, and to stop
    page.locator(".st-key-train_points button").first.click()
    page.wait_for_function(f"() => ({BOUNDARY})() !== null", timeout=90_000)
    first = page.evaluate(BOUNDARY)
    # the boundary as it was when the wait saw a later epoch (not read again: the chart redraws)
    second = page.wait_for_function(
        f"() => {{ const b = ({BOUNDARY})(); return b && b[0] !== {json.dumps(first[0])} ? b : null; }}",
        timeout=60_000).json_value()
    assert first[0] != second[0]  # "Decision boundary after epoch N": a later epoch
    page.wait_for_function(
        f"() => {{ const b = ({BOUNDARY})(); return b && b[2] !== {json.dumps(first[2])}; }}",
        timeout=60_000)  # and the picture of the regions itself changed
    page.locator(".st-key-stop_points button").first.click()
    page.get_by_text("Stopped ").first.wait_for(timeout=30_000)
    no_exception(page)
    assert second[1] < 200_000  # the regions travel as a small PNG
    close_page(page)


# ---- your own points ------------------------------------------------------------------------

def animals_csv(n: int = 40) -> bytes:
    """Three kinds of animal by height (cm) and weight (kg): units far apart, text labels."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = ["height_cm,weight_kg,species"]
    for name, (h, w) in {"cat": (25, 4), "dog": (60, 25), "fox": (40, 8)}.items():
        rows += [f"{rng.normal(h, 3):.1f},{rng.normal(w, 1.5):.2f},{name}" for _ in range(n)]
    return ("\n".join(rows) + "\n").encode()


def shown(elements) -> list[str]:
    """The texts of these elements as a reader sees them (Markdown escapes removed)."""
    return [e.value.replace("\\", "") for e in elements]


def test_your_points_upload_train_and_a_bad_file_keeps_them(at):
    at.selectbox(key="p_dataset").select("your-points").run()
    assert "points" not in [w.key for w in at.number_input]  # no number of points or noise for your own
    assert at.button(key="train_points").disabled
    assert any("at least two classes" in t for t in shown(at.error))
    at.file_uploader(key="upload_points").upload("animals.csv", animals_csv()).run()
    assert not at.exception and not at.error
    assert any("animals.csv: 120 points, 3 classes" in t for t in shown(at.caption))
    scaling = at.dataframe[0].value  # the means and standard deviations shown
    assert list(scaling["column"]) == ["height_cm", "weight_kg"] and 40 < scaling["mean"][0] < 43
    assert "(x1, x2) → Dense(2, relu) → Dense(3, linear) = logits" in at.markdown[1].value  # 3 classes: 3 output units

    # a bad file: named rule, the animals kept
    at.file_uploader(key="upload_points").upload("page.html", b"<!DOCTYPE html><html></html>").run()
    assert any("web page (HTML)" in t and "previous points are kept" in t for t in shown(at.error))
    assert any("120 points (cat: 40, dog: 40, fox: 40)" in t for t in shown(at.caption))

    at.number_input(key="p_units_0").set_value(8).run()
    at.number_input(key="p_epochs").set_value(60).run()
    at.number_input(key="p_learning_rate").set_value(0.05).run()
    at.button(key="train_points").click().run()
    job = job_of(at, "points")
    s = wait_until_finished(at, "points", seconds=120)
    assert not at.exception and s.status == "done" and job.spec.classes == 3 and job.spec.dataset == "your-points"
    assert s.last("accuracy") >= 0.9  # three well-separated kinds, once standardised
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    boundary = next(f for f in specs if "Decision boundary after epoch 60" in f["layout"]["title"]["text"])
    assert boundary["layout"]["xaxis"]["title"]["text"] == "height_cm (your units)"
    lo, hi = boundary["layout"]["xaxis"]["range"]
    assert lo < 25 and hi > 60  # drawn in centimetres, not standardised units
    assert "pd.read_csv('your-points.csv')" in at.expander[0].code[0].value


def test_your_points_bad_files_each_named(at):
    at.selectbox(key="p_dataset").select("your-points").run()
    for name, raw, words in [("empty.csv", b"", "empty (0 bytes)"),
                             ("one.csv", b"1,2,a\n3,4,a\n", "only one class"),
                             ("four.csv", b"a,b,c,d\n1,2,3,x\n", "4 columns"),
                             ("nan.csv", b"1,2,a\n3,nan,b\n", "row 2, column 2 (x2)")]:
        at.file_uploader(key="upload_points").upload(name, raw).run()
        assert any(name in t and words in t for t in shown(at.error)), (name, shown(at.error))
        assert not at.exception
    assert at.button(key="train_points").disabled  # nothing was ever loaded


TITLE = """(key) => {
  const el = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  return el && el.layout ? el.layout.title.text : null;
}"""


@pytest.mark.browser
def test_a_reload_finds_the_boundaries_run_again_in_chromium(browser, server, tmp_path):
    import dataclasses
    import os
    import re

    from nncore.runs import new_run_id
    from nncore.runs_sqlite import SQLiteRunStore

    page = open_page(browser, server.url + "/boundaries", height=2400)
    set_number(page, "p_epochs", 5)
    page.locator(".st-key-train_points button").first.click()
    page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=60_000)
    run_id = run_id_in(page.url)
    page.wait_for_function(f"() => ({TITLE})('boundary_chart')?.includes('Decision boundary after epoch 5')",
                           timeout=120_000)
    # a reload: the same run, found by the id in the address, its boundary and the builder's settings
    page.reload()
    wait_for_app(page)
    page.wait_for_function(f"() => ({TITLE})('boundary_chart')?.includes('Decision boundary after epoch 5')",
                           timeout=60_000)
    assert f"run={run_id}" in page.url and "epochs=5" in page.url
    assert page.locator(".st-key-p_epochs input").input_value() == "5"
    page.screenshot(path=str(tmp_path / "boundaries-reloaded.png"), full_page=True)
    # after a restart the run store alone has it (a copy under a new id: not live on this server)
    store = SQLiteRunStore(os.environ["NNCORE_RUNS_DB"])
    deadline = __import__("time").time() + 30
    while not (store.get(run_id) and store.get(run_id).has_weights) and __import__("time").time() < deadline:
        page.wait_for_timeout(300)
    copy = dataclasses.replace(store.get(run_id), id=new_run_id())
    store.save(copy, store.weights(run_id))
    page.goto(server.url + f"/boundaries?run={copy.id}")
    wait_for_app(page)
    page.wait_for_function(f"() => ({TITLE})('stored_boundary_chart')?.includes('run {copy.id} after epoch 5')",
                           timeout=60_000)
    text = page.locator("[data-testid=stMainBlockContainer]").inner_text()
    assert f"Run {copy.id} is not training on this server now" in text and f"Run {copy.id}" in text
    assert f"run={copy.id}" in page.url
    page.screenshot(path=str(tmp_path / "boundaries-stored.png"), full_page=True)
    no_exception(page)
    close_page(page)
