"""The training queue with real short trainings: first come first served, places and estimates,
one place per session, a session that leaves, a lesson's group on one place, a failure that
fails one run and frees its slot."""

from __future__ import annotations

import threading
import time

import pytest

from helpers import threads_waiting_in_line
from nncore import ExperimentSpec
from nncore.training import job as jobs
from nncore.training.job import DONE, FAILED, STOPPED, TrainingJob, start_together
from nncore.training.queue import Place, TrainingQueue


@pytest.fixture
def queue(monkeypatch):
    """A queue of its own for the test (the process's stays untouched)."""
    def make(slots: int) -> TrainingQueue:
        q = TrainingQueue(slots)
        monkeypatch.setattr(jobs, "QUEUE", q)
        return q
    return make


def spec(epochs=3, **changes):
    return ExperimentSpec.from_dict({"hidden": "8:relu", "epochs": epochs, "batch_size": 64}).replace(**changes)


def wait_for(condition, seconds=120):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


def hold(q: TrainingQueue, owner="someone else"):
    """A ticket that holds a slot until left (another session's training, in effect)."""
    t = q.enter(owner, [])
    t.members = 1
    return t


def test_first_come_first_served_with_places_and_estimates(queue, small_digits):
    q = queue(2)
    holders = [hold(q, "a"), hold(q, "b")]  # both slots taken
    js = [TrainingJob(spec(), data=small_digits, owner=f"s{i}").start() for i in range(4)]
    wait_for(lambda: all("ahead of you" in j.snapshot().message for j in js))
    places = [j.ticket.place() for j in js]
    assert [p.waiting_ahead for p in places] == [0, 1, 2, 3] and all(p.running == 2 for p in places)
    assert js[2].snapshot().message.startswith("Waiting for a free training slot: 4 trainings ahead of you "
                                               "(2 running, 2 waiting before you), about ")
    assert all(j.snapshot().status == "queued" for j in js)
    for h in holders:
        h.leave()
    for j in js:
        assert j.join(120) and j.snapshot().status == DONE
    granted = [j.ticket.granted for j in js]
    assert granted == sorted(granted)  # in the order they came
    assert q.counts() == (0, 0)
    # the estimate grows with the place (each one waits for those before it), and the queue has
    # learned per-epoch timings of this kind of network from the trainings just run
    assert js[0].ticket.first_estimate <= js[3].ticket.first_estimate
    assert len(q._timings[js[0].timing_key]) == 4 * 3  # one per epoch of the four trainings


def test_place_text():
    assert Place(2, 0, 5.6).text() == "Waiting for a free training slot: 2 trainings ahead of you (2 running), about 6 s."
    assert Place(0, 0, 0.1).text() == "Waiting for a free training slot: you are next, about 1 s."


def test_one_place_per_session_a_new_training_replaces_the_waiting_one_in_its_place(queue, small_digits):
    q = queue(1)
    holder = hold(q)
    first = TrainingJob(spec(), data=small_digits, owner="me").start()
    other = TrainingJob(spec(), data=small_digits, owner="you").start()
    second = TrainingJob(spec(epochs=2), data=small_digits, owner="me").start()
    assert first.join(30) and first.snapshot().status == STOPPED
    assert first.snapshot().message == "Replaced by a newer training of the same session before it started."
    assert second.ticket.place().waiting_ahead == 0 and other.ticket.place().waiting_ahead == 1
    holder.leave()
    assert second.join(120) and other.join(120)
    assert second.ticket.granted < other.ticket.granted  # it kept the place of the one it replaced
    assert second.snapshot().status == other.snapshot().status == DONE


def test_one_slot_per_session_a_new_training_stops_the_running_one(queue, small_digits):
    q = queue(2)
    first = TrainingJob(spec(epochs=200), data=small_digits, owner="me").start()
    wait_for(lambda: first.snapshot().epoch >= 1)
    second = TrainingJob(spec(epochs=2), data=small_digits, owner="me").start()
    assert first.join(60)
    s = first.snapshot()
    assert s.status == STOPPED and s.message.startswith("Replaced by a newer training of the same session: stopped")
    assert s.weights is not None  # it keeps what it learned
    assert second.join(120) and second.snapshot().status == DONE
    assert q.ticket_of("me") is None and q.counts() == (0, 0)


def test_a_session_that_leaves_takes_its_waiting_training_out_of_the_line(queue, small_digits):
    q = queue(1)
    holder = hold(q)
    connected = threading.Event()
    connected.set()
    leaving = TrainingJob(spec(), data=small_digits, owner="leaves", alive=connected.is_set).start()
    staying = TrainingJob(spec(), data=small_digits, owner="stays").start()
    wait_for(lambda: staying.ticket.place() is not None and "ahead" in staying.snapshot().message)
    assert staying.ticket.place().waiting_ahead == 1
    connected.clear()  # the browser session is gone
    assert leaving.join(30) and leaving.snapshot().status == STOPPED
    assert leaving.snapshot().message == "Left the line: its page was closed before a slot was free."
    assert staying.ticket.place().waiting_ahead == 0 and q.counts() == (1, 1)
    holder.leave()
    assert staying.join(120) and staying.snapshot().status == DONE


def test_a_lesson_group_waits_and_runs_together_on_one_slot(queue, small_digits, monkeypatch):
    q = queue(1)
    holder = hold(q)
    in_use = []  # the slots in use at the end of each epoch of each of the three (read in its own thread)
    group = [TrainingJob(spec(epochs=4, learning_rate=lr), data=small_digits, views=False,
                         on_epoch=lambda s: in_use.append(q.counts()[0])) for lr in (0.01, 0.003, 0.001)]
    waiting = threads_waiting_in_line(monkeypatch)
    ticket = start_together(group, owner="race")
    wait_for(lambda: len(waiting) == 3)  # each job's thread has looked for a slot and waits
    assert all(j.snapshot().status == "queued" for j in group) and ticket.place().waiting_ahead == 0
    holder.leave()
    for j in group:
        assert j.join(120) and j.snapshot().status == DONE
    assert in_use == [1] * 12  # three trainings, 4 epochs each, all on one slot
    assert q.counts() == (0, 0)


def test_a_training_that_raises_fails_only_that_run_and_frees_its_slot(queue, small_digits):
    q = queue(1)

    def broken(snapshot):
        if snapshot.epoch == 2:
            raise RuntimeError("injected fault after epoch 2")

    bad = TrainingJob(spec(epochs=5), data=small_digits, owner="a", on_epoch=broken).start()
    good = TrainingJob(spec(epochs=2), data=small_digits, owner="b").start()
    assert bad.join(120)
    s = bad.snapshot()
    assert s.status == FAILED and s.message == "Training failed: RuntimeError: injected fault after epoch 2"
    assert s.epoch == 2 and len(s.history["loss"]) == 2  # what it had recorded stays
    assert bad.network is None  # its network is back in the pool
    assert good.join(120) and good.snapshot().status == DONE  # the slot it held went to the next
    assert q.counts() == (0, 0)
