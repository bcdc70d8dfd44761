"""Live runs with a real SQLite store and real short trainings: saved as running from the start,
found by id while they train, stored with their weights at the end; runs left running by a
process that has gone are marked interrupted with what they had recorded."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
import time

from nncore import ExperimentSpec
from nncore.runs import INTERRUPTED, RUNNING, new_run_id
from nncore.runs_sqlite import SQLiteRunStore
from nncore.training import live as live_module
from nncore.training.job import DONE, TrainingJob
from nncore.training.live import LIVE, SERVER, LiveRun, interrupt_cut_off, server_gone
from helpers import wait_until


def test_a_run_is_stored_running_then_done_and_found_by_id_meanwhile(tmp_path, small_digits, monkeypatch):
    monkeypatch.setattr(live_module, "PROGRESS_EVERY", 0.2)
    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    spec = ExperimentSpec.from_dict({"hidden": "8:relu", "epochs": 30, "batch_size": 32})
    seen = []
    run_id = new_run_id()  # named before the job starts: its first epoch can end before LIVE.start returns
    job = TrainingJob(spec, data=small_digits, on_epoch=lambda s: seen.append(store.get(run_id)))
    run = LIVE.start(LiveRun(job, run_id, "a session", "first run", store=store))
    assert LIVE.get(run.run_id) is run
    assert job.join(120) and job.snapshot().status == DONE, job.snapshot().message  # why, if it failed
    # while it trained the store said "running", with its curves so far, from this server
    during = [r for r in seen if r is not None]
    assert during and all(r.status == RUNNING and r.server == SERVER for r in during)
    assert any(0 < len(r.history.get("loss", ())) < 30 for r in during)
    deadline = time.time() + 30
    while store.get(run.run_id).status == RUNNING and time.time() < deadline:
        time.sleep(0.1)
    stored = store.get(run.run_id)
    assert stored.status == "done" and stored.epochs == 30 and stored.has_weights
    assert len(stored.history["loss"]) == 30 and stored.confusion is not None
    assert LIVE.get(run.run_id) is run  # lingers a while for a page that reloads just then


def test_runs_left_running_by_a_process_that_has_gone_become_interrupted(tmp_path):
    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer runs
    host = socket.gethostname()
    spec = ExperimentSpec()
    from nncore.runs import Run

    def running(server):
        return Run(new_run_id(), spec, "s", time.time(), RUNNING, "Training...", 3, 1.0,
                   {"loss": (1.0, 0.8, 0.7)}, updated=time.time(), server=server)

    dead = running(f"{host}:{gone.pid}:abcdef")
    other_machine = running("elsewhere:1:abcdef")
    this_process = running(SERVER)
    for r in (dead, other_machine, this_process):
        store.save(r)
    assert server_gone(dead.server) and not server_gone(other_machine.server) and not server_gone(SERVER)
    # a replica killed (SIGKILL) whose parent has not collected it yet (a zombie): gone too
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not server_gone(f"{host}:{child.pid}:abcdef")  # it runs
        child.kill()
        wait_until(lambda: open(f"/proc/{child.pid}/stat").read().rpartition(")")[2].split()[0] == "Z", 10, 0.01,
                   "the killed child to become a zombie")
        assert server_gone(f"{host}:{child.pid}:abcdef")
    finally:
        child.kill()
        child.wait()
    assert interrupt_cut_off(store) == 1
    got = store.get(dead.id)
    assert got.status == INTERRUPTED and got.history == {"loss": (1.0, 0.8, 0.7)} and got.epochs == 3
    assert store.get(other_machine.id).status == RUNNING  # not known to be gone: until it goes stale
    assert store.get(this_process.id).status == RUNNING
    # a restarted container can get its old pid back: same pid, another token is another process
    same_pid = dataclasses.replace(running(f"{host}:{SERVER.split(':')[1]}:000000"))
    store.save(same_pid)
    assert interrupt_cut_off(store) == 1 and store.get(same_pid.id).status == INTERRUPTED


class FlakyStore(SQLiteRunStore):
    """A store whose database is away (every save fails) until `back` is set."""

    def __init__(self, path):
        super().__init__(path)
        self.back, self.saves, self.failed = False, [], 0

    def save(self, run, weights=None):
        from nncore.runs import StoreError

        if not self.back:
            self.failed += 1
            raise StoreError("the run database at postgresql://db cannot be reached (connection refused)")
        self.saves.append(run.status)
        super().save(run, weights)


def test_a_run_that_ends_while_the_database_is_away_is_saved_once_when_it_is_back(tmp_path, small_digits,
                                                                                  monkeypatch):
    monkeypatch.setattr(live_module, "PROGRESS_EVERY", 0.1)
    monkeypatch.setattr(live_module, "LINGER_S", 0.1)
    store = FlakyStore(tmp_path / "runs.sqlite3")
    job = TrainingJob(ExperimentSpec.from_dict({"hidden": "8:relu", "epochs": 3}), data=small_digits)
    run = LIVE.start(LiveRun(job, new_run_id(), "a session", store=store))
    assert job.join(120) and job.snapshot().status == DONE, job.snapshot().message  # why, if it failed
    deadline = time.time() + 30
    while store.failed < 5 and time.time() < deadline:  # the saver keeps trying
        time.sleep(0.05)
    assert not run.stored and "cannot be reached" in run.error
    tries = store.failed
    assert run.save().status == DONE and store.failed == tries  # a page's call does not wait on the database
    store.back = True
    while not run.stored and time.time() < deadline:
        time.sleep(0.05)
    stored = store.get(run.run_id)
    assert stored.status == DONE and stored.epochs == 3 and stored.has_weights and run.error is None
    assert store.saves == [DONE]  # the final record once, not a "running" one after it
    time.sleep(0.5)
    assert store.saves == [DONE]


def test_the_sweeper_marks_runs_a_dead_replica_left_running(tmp_path):
    from nncore.runs import Run
    from nncore.training.live import Sweeper

    store = SQLiteRunStore(tmp_path / "runs.sqlite3")
    old = Run(new_run_id(), ExperimentSpec(), "s", time.time() - 60, RUNNING, "Training...", 2, 1.0,
              {"loss": (1.0, 0.8)}, updated=time.time() - 30, server="elsewhere:1:abcdef")
    fresh = dataclasses.replace(old, id=new_run_id(), updated=time.time())
    store.save(old)
    store.save(fresh)
    sweeper = Sweeper(store, every=0.05)
    sweeper.start()
    deadline = time.time() + 10
    while store.get(old.id).status == RUNNING and time.time() < deadline:
        time.sleep(0.05)
    sweeper.stop()
    assert store.get(old.id).status == INTERRUPTED and store.get(old.id).history["loss"] == (1.0, 0.8)
    assert store.get(fresh.id).status == RUNNING
