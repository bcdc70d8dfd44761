"""Links, runs and downloads through AppTest: the spec in the address, stored runs, bad links and
a run store that cannot save."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from apptest import open_app, wait_until_finished, job_of, training_of
from app import state


@pytest.fixture
def store_at(tmp_path, monkeypatch):
    """Point the app at a run database of the test's own (a fresh store object for it)."""
    def use(setting):
        monkeypatch.setenv("NNCORE_RUNS_DB", str(setting))
        state.reset_store()
    yield use
    state.reset_store()


def open_with(query: dict, view: str | None = None):
    at = open_app(view)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def train(at, epochs=2):
    at.number_input(key="epochs").set_value(epochs).run()
    at.button(key="train").click().run()
    return wait_until_finished(at)


def test_a_link_rebuilds_its_network_and_the_address_follows_the_sidebar():
    at = open_with({"hidden": "64:relu,32:relu", "optimizer": "sgd", "learning_rate": "0.05", "epochs": "3", "seed": "4"})
    assert at.number_input(key="n_hidden").value == 2
    assert [at.number_input(key=f"units_{i}").value for i in range(2)] == [64, 32]
    assert at.selectbox(key="optimizer").value == "sgd" and at.number_input(key="learning_rate").value == 0.05
    assert at.number_input(key="seed").value == 4 and not at.warning
    at.number_input(key="batch_size").set_value(64).run()
    assert at.query_params["batch_size"] == "64" and at.query_params["hidden"] == "64:relu,32:relu"


def test_the_default_page_has_a_clean_address():
    at = open_app()
    assert dict(at.query_params) == {}


@pytest.mark.parametrize("key, value", [("learning_rate", "banana"), ("hidden", "0:relu"), ("optimizer", "magic"),
                                        ("colour", "blue"), ("epochs", "9" * 10_000), ("dataset", "moons")])
def test_a_bad_link_names_the_field_and_uses_the_default_for_it_only(key, value):
    at = open_with({key: value, "seed": "7"})
    message = " ".join(w.value for w in at.warning)
    assert f"**{key.replace('_', chr(92) + '_')}**" in message and "default" in message
    assert len(message) < 1000  # a 10 kB value is not echoed back whole
    assert at.number_input(key="seed").value == 7  # the good field is used
    assert not at.button(key="train").disabled


def test_all_bad_fields_at_once_one_message_each():
    at = open_with({"learning_rate": "banana", "hidden": "0:relu", "optimizer": "magic", "colour": "blue"})
    message = at.warning[0].value
    assert all(f"**{k}**" in message for k in ("learning\\_rate", "hidden", "optimizer", "colour"))
    assert at.number_input(key="units_0").value == 25 and at.selectbox(key="optimizer").value == "adam"


def test_a_boundaries_link():
    at = open_with({"dataset": "moons", "hidden": "8:tanh", "noise": "0.2"}, "views/boundaries.py")
    assert at.selectbox(key="p_dataset").value == "moons" and at.number_input(key="p_units_0").value == 8
    assert at.number_input(key="p_noise").value == 0.2 and not at.warning


def test_runs_are_stored_compared_and_opened_by_link(store_at, tmp_path):
    store_at(tmp_path / "runs.sqlite3")
    at = open_with({"hidden": "16:relu", "epochs": "2"})
    first = train(at)
    assert first.status == "done"
    at.number_input(key="learning_rate").set_value(0.01).run()
    train(at)
    run_ids = [r.id for r in state.store().list()]
    assert len(run_ids) == 2
    assert state.store().get(run_ids[0]).changes == "learning_rate 0.001 → 0.01"
    assert [b.key for b in at.get("download_button")] == ["download_model", "download_code", "download_csv"]
    assert not at.exception

    # the Train page's address carries its latest run (a reload finds it again)
    assert at.query_params["run"] in (run_ids[0], [run_ids[0]])
    # the runs page: both listed and compared; the confusion matrices side by side
    del at.query_params["run"]  # the navigation opens the Runs page without the Train page's query
    at.switch_page("views/runs.py").run()
    assert not at.exception
    assert at.multiselect(key="compare_runs").value == run_ids
    keys = {c.proto.id for c in at.get("plotly_chart")}
    assert len(at.get("plotly_chart")) == 4, keys  # loss and accuracy overlaid, two confusion matrices

    # a run link in a new session (another learner, or after a restart: a new store object)
    state.reset_store()
    other = open_with({"run": run_ids[1]}, "views/runs.py")
    assert any(f"Run {run_ids[1]}" in s.value for s in other.subheader)
    assert {m.label for m in other.metric} >= {"Validation accuracy", "Training loss"}
    assert [b.key for b in other.get("download_button")][:3] == ["download_model", "download_code", "download_csv"]


def test_a_run_training_on_another_replica_says_its_weights_come_when_it_ends(store_at, tmp_path):
    import dataclasses
    import time

    from nncore import ExperimentSpec
    from nncore.runs import RUNNING, Run, new_run_id

    store_at(tmp_path / "runs.sqlite3")
    running = Run(new_run_id(), ExperimentSpec().replace(hidden="16:relu", epochs=5), "s1", status=RUNNING,
                  epochs=2, seconds=3.0, history={"loss": (1.0, 0.6), "val_accuracy": (0.7, 0.8)},
                  updated=time.time(), server="replica-b:4242:abcdef")
    state.store().save(running)  # training on another server: no weights until it ends
    at = open_with({"run": running.id}, "views/runs.py")
    captions = " ".join(c.value for c in at.caption)
    assert "training on another server of this app" in " ".join(i.value for i in at.info)
    assert "still training: its weights are stored when it ends" in captions
    assert "no longer kept" not in captions and not at.exception
    # the same run ended without weights (cut off): the interrupted words, and a done run's
    for status, words in (("interrupted", "keeps its curves and numbers, not its weights"),
                          ("done", "no longer kept")):
        state.store().save(dataclasses.replace(running, status=status, updated=time.time()))
        at = open_with({"run": running.id}, "views/runs.py")
        assert words in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("run, words", [("../../etc/passwd", "not a run id"), ("0123456789ab", "no run"),
                                        ("x" * 5000, "not a run id")])
def test_a_bad_or_unknown_run_link_is_a_message(run, words):
    for view in ("views/runs.py", "views/draw.py"):
        at = open_with({"run": run}, view)
        assert any(words in e.value for e in at.error), [e.value for e in at.error]
        assert all(len(e.value) < 500 for e in at.error)


def test_train_again_from_the_same_initial_weights(store_at, tmp_path):
    store_at(tmp_path / "runs.sqlite3")
    at = open_with({"hidden": "16:relu", "epochs": "1"})
    train(at, epochs=1)
    run_id = state.store().list()[0].id
    at = open_with({"run": run_id}, "views/runs.py")
    at.selectbox(key="again_field").select("learning_rate").run()
    at.text_input(key="again_value").input("0.01").run()
    at.button(key="train_again").click().run()
    assert not at.exception
    # the Train page, its sidebar showing the new spec, training it
    assert at.title[0].value.startswith("Train a network")
    assert at.number_input(key="learning_rate").value == 0.01 and at.number_input(key="units_0").value == 16
    job = job_of(at)
    assert job.join(180) and job.snapshot().status == "done"
    training_of(at).live.save()  # (the saver thread may not have saved it yet)
    newest = state.store().list()[0]
    assert newest.parent == run_id and newest.changes == "learning_rate 0.001 → 0.01 (same initial weights)"


def test_the_keras_download_loads_with_safe_mode_and_answers_as_the_app(tmp_path):
    import keras

    from app.models import keras_file

    at = open_with({"hidden": "16:relu", "epochs": "1"})
    train(at, epochs=1)
    job = job_of(at)
    data = keras_file(job.spec, list(job.snapshot().weights))
    assert zipfile.is_zipfile(io.BytesIO(data))
    path = tmp_path / "model.keras"
    path.write_bytes(data)
    model = keras.saving.load_model(path, safe_mode=True)
    from nncore.model import count_params

    assert model.count_params() == count_params(job.spec)
    x = job.data.x_val[:20]
    np.testing.assert_allclose(model.predict(x, verbose=0), job.outputs(x), atol=1e-5)


def test_a_read_only_database_the_app_runs_and_says_runs_are_not_saved(store_at, tmp_path):
    from nncore.runs_sqlite import SQLiteRunStore

    path = tmp_path / "runs.sqlite3"
    SQLiteRunStore(path)  # an existing, current database, opened read-only below
    store_at(f"file:{path}?mode=ro")
    at = open_app()
    s = train(at, epochs=1)
    assert s.status == "done" and not at.exception
    assert any("not being saved" in w.value and "read-only" in w.value for w in at.warning)
    assert len(at.dataframe) == 2  # the summary, and the runs table kept in the session


def test_a_corrupt_database_the_app_runs_and_says_so(store_at, tmp_path):
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    store_at(path)
    at = open_app()
    s = train(at, epochs=1)
    assert s.status == "done" and not at.exception
    assert any("not being saved" in w.value and "damaged" in w.value for w in at.warning)
    at.switch_page("views/runs.py").run()
    assert not at.exception and any("not being saved" in w.value for w in at.warning)


def test_a_locked_database_the_app_runs_and_says_so(store_at, tmp_path, monkeypatch):
    import sqlite3

    path = tmp_path / "runs.sqlite3"
    monkeypatch.setenv("NNCORE_RUNS_TIMEOUT", "0.3")
    store_at(path)
    state.store()  # created and current
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        at = open_app()
        s = train(at, epochs=1)
        assert s.status == "done" and not at.exception
        assert any("not being saved" in w.value and "locked" in w.value for w in at.warning), [w.value for w in at.warning]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_downloaded_code_reaches_the_apps_validation_accuracy(tmp_path):
    """The .py download, run as printed in its own process, on the same split: within 2 points."""
    from nncore.export import keras_code

    at = open_with({"hidden": "none", "output": "softmax", "epochs": "5", "batch_size": "64"})
    s = train(at, epochs=5)
    app_accuracy = s.last("val_accuracy")
    code = keras_code(job_of(at).spec)
    script = tmp_path / "downloaded.py"
    script.write_text(code + "\nprint('VAL_ACCURACY', history.history['val_accuracy'][-1])\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    script_accuracy = float(re.search(r"VAL_ACCURACY ([0-9.]+)", out.stdout).group(1))
    print(f"app {app_accuracy:.4f}, downloaded code {script_accuracy:.4f}")
    assert abs(script_accuracy - app_accuracy) <= 0.02


def test_draw_answers_with_a_run_links_stored_weights(store_at, tmp_path):
    store_at(tmp_path / "runs.sqlite3")
    at = open_with({"hidden": "16:relu", "epochs": "2"})
    train(at)
    run_id = state.store().list()[0].id
    other = open_with({"run": run_id}, "views/draw.py")  # another session, with the link
    seven = [{"type": "path", "path": [["M", 80, 60], ["L", 200, 60], ["L", 150, 150], ["L", 120, 230]]}]
    other.session_state["canvas"] = {"drawing": {"raw": {"objects": seven}, "data": None}, "backgroundFit": None}
    other.run()
    assert not other.exception and not other.error
    assert any(f"run {run_id}" in c.value for c in other.caption), [c.value for c in other.caption]
    assert any(m.value.startswith("## Prediction:") for m in other.markdown)


def test_a_live_run_that_ends_between_the_pages_two_reads_is_shown_stored(store_at, tmp_path, small_digits):
    """The Runs page reads its live run as training, draws it so, and the job ends before the live
    view's own read (a Stop clicked on that page reruns it while the job is finishing): the view's
    catch-up run redraws the page as the stored run. Before, the page stayed on "training now" with
    nothing polling (seen once in Chromium, in test_browser_runs.py's Stop from another tab)."""
    import dataclasses
    import os

    from nncore import ExperimentSpec
    from nncore.runs import new_run_id
    from nncore.training.job import DONE, TrainingJob
    from nncore.training.live import LIVE, LiveRun
    from nncore.training.snapshot import Status

    store_at(tmp_path / "runs.sqlite3")
    job = TrainingJob(ExperimentSpec.from_dict({"hidden": "8:relu", "epochs": 2}), data=small_digits)
    live = LIVE.start(LiveRun(job, new_run_id(), "another session", "a run", store=state.store()))
    assert job.join(120) and job.snapshot().status == DONE, job.snapshot().message  # why, if it failed
    # the job as the page meets it in that race: running at the page's first read (views/runs.py's
    # own), done at every read after it (its saver's reads in their thread untouched)
    real, reads = job.snapshot, iter([dataclasses.replace(job.snapshot(), status=Status.RUNNING)])

    def snapshot():
        if sys._getframe(1).f_code.co_filename.endswith(os.path.join("views", "runs.py")):
            return next(reads, None) or real()
        return real()

    job.snapshot = snapshot
    at = open_with({"run": live.run_id}, "views/runs.py")
    headers = [h.value for h in at.subheader]
    assert not any("training now" in h for h in headers), headers
    assert any(h.startswith(f"Run {live.run_id}") for h in headers), headers
    assert "2 of 2 epochs" in " ".join(m.value for m in [*at.markdown, *at.caption])
