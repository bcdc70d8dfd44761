"""The Runs page's comparison through AppTest: runs named by the settings that differ, a
diverging run clipped with markers, and the log-scale toggle (runs stored directly: no training)."""

from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest

from apptest import open_app
from app import state
from nncore import ExperimentSpec
from nncore.runs import Run

GOOD = {"loss": (0.8, 0.33, 0.1), "val_loss": (0.44, 0.36, 0.43), "accuracy": (0.74, 0.9, 0.97),
        "val_accuracy": (0.87, 0.89, 0.9)}
DIVERGING = {"loss": (2.4e5, 3.1e5, 2.7e5), "val_loss": (2.6e5, 4e5, 4.8e5), "accuracy": (0.69, 0.8, 0.89),
             "val_accuracy": (0.71, 0.81, 0.83)}


@pytest.fixture
def at(tmp_path, monkeypatch):
    """The Runs page of a learner whose two runs (one diverging) are in the store."""
    from app.state.learner import LearnerState
    from app.state.slots import key_of

    monkeypatch.setenv("NNCORE_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    state.reset_store()
    page = open_app("views/runs.py", timeout=120)
    learner = page.session_state[key_of(LearnerState)].learner.id  # the page's learner: only their runs are listed
    base = ExperimentSpec(epochs=3)
    now = time.time()
    state.store().save(Run("0d216ccf48ca", base.replace(hidden="64:linear", learning_rate=15.0), created=now - 10,
                           epochs=3, history=DIVERGING, changes="first run", learner=learner))
    state.store().save(Run("73a0d09486d9", base.replace(learning_rate=0.01), created=now, epochs=3, history=GOOD,
                           changes="first run", learner=learner))
    yield page.run()
    state.reset_store()


def values(array) -> list:
    """A trace's array as the browser gets it: a list, or NumPy's as base64 ({dtype, bdata})."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def figure(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)


def test_a_diverging_run_does_not_flatten_the_others_and_runs_are_named_by_their_settings(at):
    assert not at.exception
    loss = figure(at, "compare_loss")
    names = [t["name"] for t in loss["data"] if t.get("showlegend", True) and t.get("name")]
    assert names[:2] == ["hidden=25:relu,15:relu, learning_rate=0.01", "hidden=64:linear, learning_rate=15"]
    assert not any("73a0d09486d9" in n or "0d216ccf48ca" in n for n in names)  # not hex ids
    assert loss["layout"]["yaxis"]["range"][1] < 1  # the good run fills the chart
    marks = [t for t in loss["data"] if t.get("marker", {}).get("symbol") == "triangle-up" and t.get("customdata")]
    # every epoch of the diverging run marked, its true value in the hover
    assert sorted(v for t in marks for v in values(t["customdata"])) == sorted(DIVERGING["loss"] + DIVERGING["val_loss"])
    assert any("leaves the chart at the top" in c.value for c in at.caption)
    accuracy = figure(at, "compare_accuracy")
    assert [t["name"] for t in accuracy["data"] if t.get("showlegend", True) and t.get("name")][:2] == names[:2]

    at.toggle(key="compare_log").set_value(True).run()
    loss = figure(at, "compare_loss")
    axis = loss["layout"]["yaxis"]
    assert axis["type"] == "log" and axis["title"]["text"] == "loss (log scale)" and len(axis["ticktext"]) >= 3
    assert 10 ** axis["range"][0] <= 0.1 and 10 ** axis["range"][1] >= 4.8e5  # both runs whole
    assert not any(t.get("marker", {}).get("symbol") == "triangle-up" for t in loss["data"])
    assert not any("leaves the chart" in c.value for c in at.caption)
