"""Decision boundaries and unit views computed in the training job; the digits in a plane."""

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.training.probes import GRID, BoundaryProbe, equivalent_linear_layer, grid
from nncore.data import load_dataset, make_points
from nncore.model import build_model
from nncore.training.job import DONE, TrainingJob


@pytest.mark.parametrize("name, classes", [("blobs", 4), ("moons", 2), ("circles", 2), ("xor", 2), ("spiral", 3)])
def test_point_sets_are_seeded_and_labelled(name, classes):
    x, y = make_points(name, 200, 0.1, seed=0)
    assert x.shape == (200, 2) and set(np.unique(y)) == set(range(classes))
    x2, _ = make_points(name, 200, 0.1, seed=0)
    assert np.array_equal(x, x2)
    assert not np.array_equal(x, make_points(name, 200, 0.1, seed=1)[0])


def test_course_blobs_centres():
    x, y = make_points("blobs", 2000, 1.0, seed=0)
    centres = np.array([x[y == c].mean(axis=0) for c in range(4)])
    assert np.allclose(centres, [[-5, 2], [-2, -2], [1, 2], [5, -2]], atol=0.15)


def test_multiclass_lab_reaches_the_course_result():
    job = TrainingJob(ExperimentSpec.from_preset("multiclass-lab"))
    s = job.run()
    assert s.status == DONE and s.epoch == 200
    assert s.last("loss") <= 0.1 and s.last("val_accuracy") >= 0.95
    b = s.boundary
    assert b.epoch == 200 and b.predicted.shape == (GRID, GRID)
    # four regions, each where its blob is: the grid point nearest each centre predicts it
    for c, centre in enumerate([(-5, 2), (-2, -2), (1, 2), (5, -2)]):
        i, j = np.abs(b.x2 - centre[1]).argmin(), np.abs(b.x1 - centre[0]).argmin()
        assert b.predicted[i, j] == c
    # the course's unit plots: 2 hidden ReLU units, 4 output logits; ReLU is zero on a half plane
    kinds = [(u.layer, u.kind) for u in b.units]
    assert kinds == [("L1", "activation")] * 2 + [("L2", "logit")] * 4
    for u in b.units[:2]:
        assert (u.values == 0).mean() > 0.2 and (u.values > 0).mean() > 0.2


def test_probe_matches_the_model_on_its_grid():
    spec = ExperimentSpec(dataset="moons", hidden=(), epochs=1).replace(hidden="6:tanh")
    data = load_dataset(spec)
    model = build_model(spec)
    probe = BoundaryProbe(model, data.bounds(), spec.from_logits)
    b = probe(3)
    _, _, points = grid(data.bounds())
    logits = model(points, training=False).numpy()
    assert np.array_equal(b.predicted.ravel(), logits.argmax(1))
    assert np.allclose(b.units[-1].values.ravel(), logits[:, 1], atol=1e-5)  # last output unit
    assert b.epoch == 3


def test_linear_layers_collapse_to_one():
    spec = ExperimentSpec.from_preset("linear-moons").replace(epochs=5)
    job = TrainingJob(spec)
    assert job.run().status == DONE
    w, b = equivalent_linear_layer(job.model.get_weights())
    assert w.shape == (2, 2) and b.shape == (2,)
    x = job.data.x_val
    assert np.allclose(job.model(x, training=False).numpy(), x @ w + b, atol=1e-4)
    # so the boundary is a straight line: along any grid row the class changes at most once
    pred = job.snapshot().boundary.predicted
    assert max(np.count_nonzero(np.diff(row.astype(int))) for row in pred) <= 1


def test_nonlinear_network_bends_around_the_circles():
    spec = ExperimentSpec(dataset="circles").replace(hidden="8:relu,8:relu", learning_rate=0.03, epochs=60)
    s = TrainingJob(spec).run()
    assert s.last("val_accuracy") > 0.9
    pred = s.boundary.predicted
    assert pred[GRID // 2, GRID // 2] != pred[0, 0]  # the centre differs from the corner


def test_digits_in_a_plane_updates_while_training(small_digits):
    job = TrainingJob(ExperimentSpec(epochs=2), data=small_digits)
    s = job.run()
    plane = s.plane
    assert plane is not None and plane.points.shape == (200, 2)
    assert 0.1 < plane.explained < 0.5
    assert plane.boundary.predicted.shape == (60, 60) and len(np.unique(plane.boundary.predicted)) >= 3


def test_views_can_be_switched_off(small_digits):
    s = TrainingJob(ExperimentSpec(epochs=1), data=small_digits, views=False).run()
    assert s.plane is None and s.boundary is None
