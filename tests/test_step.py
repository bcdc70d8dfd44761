"""Step (issue 26): one batch or one epoch of Train's own training step, measured. Real Keras on
small seeded data: a step's weights are Train's, bit for bit; gradient descent's change is α times
the gradient; the pages' Step through AppTest (a series of steps is one stored run, Train goes on)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from apptest import open_app, wait_until_finished
from nncore import ExperimentSpec
from nncore.data import load_dataset
from nncore.training.job import DONE, TrainingJob
from nncore.training.step import StepJob, StepStart


@pytest.fixture(scope="module")
def blobs():
    spec = ExperimentSpec.from_preset("multiclass-lab").replace(epochs=1)  # 80 training points: batches 32, 32, 16
    return spec, load_dataset(spec)


def steps(spec, data, n, mode="batch", start=None):
    job = None
    for _ in range(n):
        job = StepJob(spec, StepStart.after(job, spec) if job is not None else start, mode, data=data, queued=False)
        assert job.run().status == DONE, job.snapshot().message
    return job


def test_steps_are_trains_batches_bit_for_bit_adam_state_included(blobs):
    spec, data = blobs
    train = TrainingJob(spec, data=data, queued=False).run()
    stepped = steps(spec, data, 3).snapshot()  # one epoch, batch by batch, Adam's moments carried
    for a, b in zip(train.weights, stepped.weights):
        np.testing.assert_array_equal(a, b)
    assert (stepped.epoch, stepped.step) == (1, 0)  # a whole epoch done: the next step starts epoch 2
    first = stepped.history["step_loss"][0]
    # the first step's loss is the loss of the initial weights on Train's first batch
    from nncore.model import build_model
    from nncore.training.batches import epoch_order

    model = build_model(spec, data.shape)
    rows = epoch_order(spec.seed, 0, len(data.x_train))[:spec.batch_size]
    assert first == pytest.approx(float(model.loss(data.y_train[rows], model(data.x_train[rows]))), abs=1e-6)
    assert len(stepped.history["train_loss_full"]) == 4 and stepped.result.steps_taken == 3


def test_an_epoch_step_is_trains_first_epoch_on_the_practice_lab(small_digits):
    spec = ExperimentSpec.from_preset("practice-lab").replace(epochs=1)
    train = TrainingJob(spec, data=small_digits, queued=False).run()
    step = steps(spec, small_digits, 1, "epoch").snapshot()
    for a, b in zip(train.weights, step.weights):
        np.testing.assert_array_equal(a, b)
    r = step.result
    assert r.keras_loss == pytest.approx(train.history["loss"][0], rel=1e-6)
    assert (r.batches, r.examples, r.steps_per_epoch) == (25, 800, 25)
    assert r.train_loss_after < r.train_loss_before and r.batch_loss_after < r.batch_loss_before
    assert [c.name for c in r.layers] == ["L1", "L2", "L3"] and [len(c.gradient) for c in r.layers] == [25, 15, 10]


def test_gradient_descent_moves_each_unit_by_alpha_times_its_gradient(blobs):
    spec, data = blobs
    spec = spec.replace(optimizer="sgd", learning_rate=0.5)
    r = steps(spec, data, 1).snapshot().result
    for layer in r.layers:
        np.testing.assert_allclose(layer.change, 0.5 * layer.gradient, rtol=1e-4, atol=1e-7)


def test_step_goes_on_from_a_finished_training_and_its_optimizer(blobs):
    spec, data = blobs
    train = TrainingJob(spec.replace(epochs=2), data=data, queued=False)
    s = train.run()
    start = StepStart.after(train, spec)
    assert (start.epoch, start.batch) == (2, 0) and start.optimizer_state is not None
    step = steps(spec, data, 1, start=start).snapshot()
    assert step.result.epoch == 2 and step.result.train_loss_before == pytest.approx(
        s.history.get("train_loss_full", [None])[-1] or step.result.train_loss_before)
    # a third epoch trained straight on gives the same weights as 2 epochs, then 3 steps
    three = TrainingJob(spec.replace(epochs=3), data=data, queued=False).run()
    after = steps(spec, data, 2, start=StepStart.after(steps(spec, data, 1, start=start), spec))
    for a, b in zip(three.weights, after.snapshot().weights):
        np.testing.assert_array_equal(a, b)
    # another network: from the seed, said so
    assert StepStart.after(train, spec.replace(hidden="3:relu")).weights is None


# ---- the pages -------------------------------------------------------------------------------

def address_run(at) -> str:
    run_id = at.query_params["run"]
    return run_id[0] if isinstance(run_id, list) else run_id


def _wait(at, scope="digits"):
    return wait_until_finished(at, scope, seconds=120)


def test_step_on_the_train_page_then_train_goes_on_and_the_steps_are_one_run():
    from app.state.store import store

    at = open_app()
    at.number_input(key="epochs").set_value(1).run()
    at.button(key="step").click().run()
    first = _wait(at)
    assert not at.exception
    assert any("Epoch 1 · batch 1 of 125 done" in m.value for m in at.markdown)
    at.button(key="step").click().run()
    second = _wait(at)
    assert any("**Step 2**" in m.value and "batch 2 of 125 done" in m.value for m in at.markdown)
    assert second.result.train_loss_before == pytest.approx(first.result.train_loss_after)
    stored = store().get(address_run(at))
    assert stored is not None and len(stored.history["step_loss"]) == 2 and "steps by hand" in stored.changes
    # the Runs page opens the series by its address with its own chart: the loss step by step
    runs = open_app(None)
    runs.switch_page("views/runs.py")
    runs.query_params["run"] = stored.id
    runs.run()
    assert not runs.exception
    shown = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in runs.get("plotly_chart")]
    assert "Loss step by step" in shown and "Accuracy" not in shown
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t.startswith("Each layer in this step") for t in titles)
    at.button(key="train").click().run()
    trained = _wait(at)
    assert trained.status == DONE
    assert "from the weights after 2 steps by hand" in store().get(address_run(at)).changes
    assert not at.exception


def test_step_on_boundaries_draws_the_boundary_before_it():
    at = open_app("views/boundaries.py")
    at.segmented_control(key="step_size").set_value("epoch").run()
    at.button(key="step").click().run()
    s = _wait(at, "points")
    assert not at.exception and s.result.mode == "epoch" and s.result.batches == 3
    figure = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
              if "after step 1" in json.loads(c.proto.spec)["layout"]["title"]["text"]][0]
    names = [t.get("name") for t in figure["data"]]
    assert "boundary before the step" in names and "boundary after the step" in names
