"""Real Keras trainings on small seeded digit sets: metrics, stop, divergence, determinism."""

import math
import threading
import time

import numpy as np
import pytest

from helpers import threads_waiting_in_line, wait_until
from nncore import ExperimentSpec, Layer
from nncore.outputs import to_probabilities
from nncore.training.job import DIVERGED, DONE, STOPPED, TrainingJob


def small_spec(**changes):
    return ExperimentSpec(hidden=(Layer(25, "relu"), Layer(15, "relu")), epochs=5).replace(**changes)


def test_softmax_of_the_course_example():
    p = to_probabilities(np.array([[1.0, 2.0, 3.0, 4.0]]), from_logits=True)[0]
    assert np.allclose(p, [0.0321, 0.0871, 0.2369, 0.6439], atol=5e-5)
    assert to_probabilities(np.array([[0.2, 0.8]]), from_logits=False).tolist() == [[0.2, 0.8]]
    # stable for huge logits
    assert np.allclose(to_probabilities(np.array([[1000.0, 0.0]]), True), [[1.0, 0.0]])


def test_training_learns_and_records_every_epoch(small_digits):
    job = TrainingJob(small_spec(), data=small_digits)
    s = job.run()
    assert s.status == DONE and s.epoch == 5
    assert len(s.history["loss"]) == len(s.history["val_accuracy"]) == 5
    assert s.history["loss"][-1] < s.history["loss"][0] < math.log(10) + 0.5
    assert s.last("val_accuracy") > 0.7  # 10% is guessing
    assert s.val_probabilities.shape == (200, 10)
    assert np.allclose(s.val_probabilities.sum(axis=1), 1.0, atol=1e-5)
    # val accuracy is exactly what the probabilities say
    assert s.last("val_accuracy") == pytest.approx(np.mean(s.val_probabilities.argmax(1) == small_digits.y_val))
    # the within-epoch loss points cover the epochs in order
    xs = [x for x, _ in s.batch_loss]
    assert xs == sorted(xs) and xs[-1] == pytest.approx(5.0) and len(xs) >= 5 * 4
    assert s.progress == 1.0 and s.seconds_left is None


def test_the_digits_plane_is_computed_after_the_networks_first_call(small_digits, monkeypatch):
    """The PCA behind the digits' plane waits for the network's first traced call (begun beside
    the trace, it took turns with it for Python's lock); the finished training still shows the
    plane, with every validation digit on it."""
    from nncore.training import pool, probes

    events = []
    train, plane = pool.Network.train, probes._plane
    monkeypatch.setattr(pool.Network, "train", lambda self, *a: (events.append("train"), train(self, *a))[1])
    monkeypatch.setattr(probes, "_plane", lambda *a: (events.append("pca"), plane(*a))[1])
    s = TrainingJob(small_spec(epochs=2), data=small_digits).run()
    assert s.status == DONE
    assert events[0] == "train" and events.count("pca") == 1, events[:5]
    assert s.plane is not None and len(s.plane.points) == len(small_digits.y_val)


def test_same_seed_same_metrics(small_digits):
    a = TrainingJob(small_spec(epochs=2), data=small_digits).run()
    b = TrainingJob(small_spec(epochs=2), data=small_digits).run()
    assert a.history == b.history


@pytest.mark.parametrize("changes", [
    {"output": "softmax"},
    {"loss": "categorical_crossentropy"},
    {"optimizer": "sgd", "learning_rate": 0.1},
    {"optimizer": "momentum", "learning_rate": 0.05},
    {"optimizer": "rmsprop"},
    {"hidden": ""},
])
def test_every_output_loss_and_optimizer_trains(small_digits, changes):
    s = TrainingJob(small_spec(epochs=3, **changes), data=small_digits).run()
    assert s.status == DONE, s.message
    assert s.last("val_accuracy") > 0.5


def test_stop_mid_epoch_keeps_the_weights_trained_so_far(small_digits):
    job = TrainingJob(small_spec(epochs=200, batch_size=8), data=small_digits)
    job.start()
    deadline = time.time() + 120
    while job.snapshot().epoch < 1 and time.time() < deadline:
        time.sleep(0.02)
    job.stop()
    assert job.join(timeout=60)
    s = job.snapshot()
    assert s.status == STOPPED and 1 <= s.epoch < 200
    assert "Stopped" in s.message
    # the kept model is the trained one, not the initial weights: it classifies far above
    # guessing (10%) and its weights moved
    acc = np.mean(job.predict(small_digits.x_val).argmax(1) == small_digits.y_val)
    assert acc > 0.4
    from nncore.model import build_model

    initial = build_model(job.spec).get_weights()
    assert not np.allclose(initial[0], job.model.get_weights()[0])


def test_a_stop_before_the_slot_frees_ends_the_queued_job(small_digits, monkeypatch):
    from nncore.training import job as train
    from nncore.training.queue import TrainingQueue

    queue = TrainingQueue(slots=1)
    monkeypatch.setattr(train, "QUEUE", queue)
    holder = queue.enter("another session", [])  # another session holds the only slot
    holder.members = 1
    try:
        waiting = threads_waiting_in_line(monkeypatch)
        job = TrainingJob(small_spec(), data=small_digits).start()
        wait_until(lambda: waiting, 30, what="the job's thread waiting in line")
        assert job.snapshot().status == "queued" and "ahead of you" in job.snapshot().message
        job.stop()
        assert job.join(timeout=10)
        assert job.snapshot().status == STOPPED
        assert queue.counts() == (1, 0)  # it left the line
    finally:
        holder.leave()


def test_divergence_is_caught_and_the_last_good_weights_kept(small_digits):
    spec = ExperimentSpec.from_preset("diverging").replace(epochs=5)
    job = TrainingJob(spec, data=small_digits)
    s = job.run()
    assert s.status == DIVERGED
    assert "nan" in s.message.lower() or "inf" in s.message.lower()
    assert "learning rate 10" in s.message and "smaller" in s.message
    weights = job.model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)


def test_a_network_that_learns_nothing_says_so(small_digits):
    s = TrainingJob(ExperimentSpec.from_preset("dead-relu").replace(epochs=3), data=small_digits).run()
    assert s.status == DONE
    assert "learned nothing" in s.message


def test_a_running_training_goes_on_when_its_session_has_gone(small_digits):
    """Trainings belong to the server: a session that disconnects mid-training does not stop its
    run (it stays reachable by its address); only a waiting one leaves the line (test_queue)."""
    alive = threading.Event()
    alive.set()
    job = TrainingJob(small_spec(epochs=4), data=small_digits, alive=alive.is_set).start()
    wait_until(lambda: job.snapshot().epoch >= 1, what="its first epoch")
    alive.clear()
    assert job.join(timeout=60)
    assert job.snapshot().status == DONE and job.snapshot().epoch == 4
