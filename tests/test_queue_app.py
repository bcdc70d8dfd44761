"""The queue in the page (AppTest, real trainings): a session that waits sees its place and an
estimate in the progress area, live; a second Train in the same session replaces the first, and
the page says so."""

from __future__ import annotations

import time

import pytest
from apptest import open_app, wait_for_lesson, wait_until_finished, job_of

from nncore.training import job as jobs
from nncore.training.queue import TrainingQueue


@pytest.fixture
def one_slot(monkeypatch, tmp_path):
    monkeypatch.setenv("NNCORE_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    q = TrainingQueue(1)
    monkeypatch.setattr(jobs, "QUEUE", q)
    return q


def open_with(query):
    at = open_app()
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def infos(at) -> str:
    return " | ".join(i.value for i in at.info)


def test_a_waiting_session_sees_its_place_and_estimate(one_slot):
    first = open_with({"hidden": "256:relu", "batch_size": "8", "epochs": "6"})
    first.button(key="train").click().run()
    second = open_with({"hidden": "16:relu", "epochs": "2"})
    second.button(key="train").click().run()
    assert job_of(second).snapshot().status == "queued"
    text = infos(second)
    assert "Waiting for a free training slot: 1 training ahead of you (1 running), about" in text, text
    assert any(p.proto.text.startswith("Waiting in line for a training slot") for p in second.get("progress"))
    assert second.button(key="stop").proto.disabled is False  # it can leave the line
    assert "One training at a time per session" in " ".join(c.value for c in second.caption)
    # the first one ends: the waiting one gets the slot and trains to its end
    assert wait_until_finished(first).status == "done"
    assert wait_until_finished(second).status == "done"
    assert not first.exception and not second.exception


def test_a_new_training_in_the_same_session_replaces_the_first(one_slot):
    """One place per session: the Train page's training runs, then the same session races on the
    Optimizers page: the race replaces it (stopped, its weights kept, the page says why), and the
    race's runners hold one slot together."""
    at = open_with({"hidden": "256:relu", "batch_size": "8", "epochs": "50"})
    at.button(key="train").click().run()
    first = job_of(at)
    deadline = time.time() + 120
    while first.snapshot().epoch < 1:
        assert time.time() < deadline
        time.sleep(0.1)
    at.switch_page("views/optimizers.py").run()
    at.number_input(key="race_epochs").set_value(2).run()
    at.button(key="race").click().run()
    assert first.join(60)
    s = first.snapshot()
    assert s.status == "stopped" and s.weights is not None
    assert s.message.startswith("Replaced by a newer training of the same session: stopped"), s.message
    snaps = wait_for_lesson(at, "race")
    assert [x.status for x in snaps] == ["done"] * len(snaps) and len(snaps) >= 2
    at.switch_page("views/train.py").run()
    assert "Replaced by a newer training of the same session" in " ".join(w.value for w in at.warning)
    assert one_slot.counts() == (0, 0) and not at.exception


def test_the_train_page_says_where_a_run_in_its_address_is(one_slot):
    """A finished run's id in the Train page's address (its own address after a restart): its results
    on the page and its settings in the sidebar; an id this server never had, or a malformed one: a
    message naming it, as text; the page works."""
    from app import state
    from nncore import ExperimentSpec
    from nncore.runs import Run, new_run_id

    run_id = new_run_id()  # a run this server trained before a restart: in the store, not live
    state.reset_store()
    state.store().save(Run(run_id, ExperimentSpec(epochs=2), "s", status="done", epochs=2, seconds=1.0,
                           history={"loss": (1.0, 0.5)}))
    other = open_with({"run": run_id})
    assert any(f"Run {run_id} is not training on this server now" in i.value and "Its results are below" in i.value
               for i in other.info)
    assert [m.value for m in other.metric][:1] == ["0.5000"]  # its last training loss, as it ended
    assert other.number_input(key="epochs").value == 2  # its settings in the sidebar
    assert any(c.proto.id and "run_loss_chart" in str(c.proto) for c in other.get("plotly_chart")) or \
        len(other.get("plotly_chart")) >= 2
    unknown = open_with({"run": "0123456789ab"})
    assert any("There is no run 0123456789ab on this server" in w.value for w in unknown.warning)
    bad = open_with({"run": "**x**"})
    assert any("is not a run id" in w.value and "\\*\\*x\\*\\*" in w.value for w in bad.warning)
    assert not other.exception and not unknown.exception and not bad.exception
