"""The optimizers lesson: the race (python -m nncore race and the jobs behind it), the contour
paths from Keras' own optimizers, and one Adam and one momentum step by hand beside Keras."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nncore import ExperimentSpec
from nncore.cli import main
from nncore.lessons import optimizer_paths as paths
from nncore.lessons import optimizers as race_lib

ROOT = Path(__file__).resolve().parent.parent


# ---- one step by hand equals Keras' ------------------------------------------------------------

@pytest.mark.parametrize("surface", list(paths.SURFACES))
def test_adam_step_by_hand_equals_keras_to_float32_precision(surface):
    s = paths.SURFACES[surface]
    path = paths.walk(s, "adam", s.rates["adam"])
    assert len(path.grads) == s.steps and not path.diverged
    for t in (1, 2, 3, 10, 50, s.steps):
        step = paths.adam_by_hand(path, t)
        assert step.agrees, (t, step.difference)
        assert np.all(step.difference < 5e-7)
        # the first step of Adam is α in each parameter, whatever the gradient's size
    first = paths.adam_by_hand(path, 1)
    np.testing.assert_allclose(np.abs(first.terms["update α·m̂/(√v̂+ε)"]), s.rates["adam"], rtol=1e-4)
    np.testing.assert_allclose(first.terms["m̂"], first.terms["g"], rtol=1e-6)  # bias correction undoes 1 − β1


@pytest.mark.parametrize("surface", list(paths.SURFACES))
def test_momentum_step_by_hand_equals_keras_to_float32_precision(surface):
    s = paths.SURFACES[surface]
    path = paths.walk(s, "momentum", s.rates["momentum"])
    for t in (1, 2, 10, s.steps):
        step = paths.momentum_by_hand(path, t)
        assert step.agrees, (t, step.difference)
    # step 1 of momentum is plain gradient descent: u = −α g
    np.testing.assert_allclose(path.steps[0], -s.rates["momentum"] * path.grads[0], atol=5e-7)


def test_gradient_descent_paths_have_one_alpha_adam_one_per_parameter():
    s = paths.SURFACES["valley"]
    gd = paths.walk(s, "gd", 0.003)
    np.testing.assert_allclose(np.nanmedian(gd.effective_rate, axis=0), 0.003, rtol=1e-4)  # α for both
    assert np.nanmax(np.abs(gd.effective_rate - 0.003)) < 1e-5  # (float32 rounding of the smallest steps)
    adam = paths.walk(s, "adam", 0.5)
    w_rate, b_rate = np.nanmedian(adam.effective_rate, axis=0)
    assert b_rate > 5 * w_rate  # the flat direction (b) gets the larger step size
    assert adam.loss[-1] < gd.loss[-1] / 4  # down the valley while gradient descent crawls


def test_a_too_large_alpha_diverges_and_the_path_says_where():
    s = paths.SURFACES["bowl"]
    path = paths.walk(s, "gd", 0.03)
    assert "diverged at step" in path.diverged and "w2" in path.diverged
    assert np.all(np.isfinite(path.points)) and len(path.points) < s.steps + 1
    assert paths.walk(s, "gd", 0.03).points.tobytes() == path.points.tobytes()  # the same on every run


def test_the_surfaces_grids_match_their_tensorflow_loss():
    import tensorflow as tf

    for s in paths.SURFACES.values():
        p, q, J = s.grid(5)
        assert float(s.J(tf.constant(p[1]), tf.constant(q[3]), tf)) == pytest.approx(J[3, 1], rel=1e-6)


# ---- the race ------------------------------------------------------------------------------------

def test_parse_entrants_accepts_gd_and_a_learning_rate_race():
    e = race_lib.parse_entrants("gd,adam")
    assert [(x.name, x.optimizer, x.learning_rate) for x in e] == [("gd", "sgd", 0.001), ("adam", "adam", 0.001)]
    e = race_lib.parse_entrants(["adam", "adam"], ["0.001", "0.01"])
    assert [x.learning_rate for x in e] == [0.001, 0.01]
    assert race_lib.epochs_to([2.3, 1.0, 0.2, 0.1], 0.25) == 2 and race_lib.epochs_to([2.3], 0.1) is None


@pytest.mark.parametrize("names, rates, words", [
    ("adam", None, "2 to 4 optimizers"),
    ("gd,adam,momentum,rmsprop,sgd", None, "at most 4"),
    ("adam,adam", None, "adam twice at the same learning rate"),
    ("gd,nesterov", None, "unknown optimizer 'nesterov'"),
    ("gd,adam", "0,0.001", "must be greater than 0"),
    ("gd,adam", "-0.1,0.001", "climbs uphill"),
    ("gd,adam", "0.001,1e6", "absurd"),
    ("gd,adam", "0.001,abc", "must be a number"),
    ("gd,adam", "0.001", "one per optimizer"),
])
def test_bad_races_are_named(names, rates, words):
    with pytest.raises(race_lib.RaceError) as e:
        race_lib.parse_entrants(names, rates)
    assert words in str(e.value)


def test_a_network_too_big_to_race_four_states_the_limit():
    cnn = ExperimentSpec.from_preset("draw-cnn")
    problem = race_lib.check_size(cnn, race_lib.parse_entrants("gd,momentum,rmsprop,adam"))
    assert problem is not None and f"{race_lib.MAX_RACE_MACS:,}" in problem.message
    assert race_lib.check_size(ExperimentSpec.from_preset("practice-lab"), [None] * 4) is None


def test_race_runs_start_from_identical_weights_and_the_full_training_loss_is_the_models(small_digits):
    spec = ExperimentSpec.from_preset("practice-lab")
    weights = race_lib.initial_weights(spec)
    assert race_lib.checksum(weights) == race_lib.checksum(race_lib.initial_weights(spec.replace(optimizer="sgd")))
    race = race_lib.make_race(spec, race_lib.parse_entrants("gd,rmsprop"), epochs=2, data=small_digits)
    assert race.checksum == race_lib.checksum(weights)
    race.start()
    race.join()
    runs = race.runs()
    race.release()
    assert [r.status for r in runs] == ["done", "done"]
    assert runs[0].loss[0] == runs[1].loss[0]  # bitwise: the same weights on the same data
    assert all(len(r.loss) == 3 and all(map(math.isfinite, r.loss)) for r in runs)
    # loss[0] is the initial model's loss on the whole training set, as Keras computes it
    from nncore.model import build_model

    model = build_model(spec, small_digits.shape, weights=weights)
    expected = float(model.loss(small_digits.y_train, model(small_digits.x_train)))
    assert runs[0].loss[0] == pytest.approx(expected, rel=1e-5)


def test_a_diverging_run_ends_with_its_reason_while_the_other_goes_on(small_digits):
    spec = ExperimentSpec.from_preset("diverging")  # linear layers: SGD at 10 overflows
    race = race_lib.make_race(spec, race_lib.parse_entrants("gd,adam", "10,0.001"), epochs=3, data=small_digits)
    race.start()
    race.join()
    gd, adam = race.runs()
    race.release()
    assert gd.diverged and "too large" in gd.message and len(gd.loss) < 4
    assert adam.status == "done" and len(adam.loss) == 4 and all(map(math.isfinite, adam.loss))


def test_a_job_without_the_opt_in_records_no_full_training_loss(small_digits):
    from nncore.training.job import TrainingJob

    job = TrainingJob(ExperimentSpec.from_preset("practice-lab").replace(epochs=1), data=small_digits, views=False)
    s = job.run()
    job.release()
    assert "train_loss_full" not in s.history and len(s.history["loss"]) == 1


# ---- the CLI -----------------------------------------------------------------------------------

def test_cli_race_adam_beats_gradient_descent_from_the_same_start():
    out = subprocess.run([sys.executable, "-m", "nncore", "race", "--preset", "practice-lab", "--optimizers",
                          "gd,momentum,rmsprop,adam", "--epochs", "3", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    runs = json.loads(out.stdout.strip().splitlines()[-1])["runs"]
    assert [r["optimizer"] for r in runs] == ["gd", "momentum", "rmsprop", "adam"]
    assert all(set(r) == {"optimizer", "learning_rate", "loss", "val_accuracy", "seconds"} for r in runs)
    assert all(r["learning_rate"] == 0.001 for r in runs)
    assert len({r["loss"][0] for r in runs}) == 1  # identical starting losses
    assert all(len(r["loss"]) == 4 and all(map(math.isfinite, r["loss"])) for r in runs)
    gd, adam = runs[0], runs[3]
    assert adam["loss"][-1] < 0.5 * gd["loss"][-1]  # Adam far ahead after 3 epochs at α = 0.001
    assert all(a < b for a, b in zip(adam["loss"][1:], gd["loss"][1:]))
    assert adam["val_accuracy"] > gd["val_accuracy"]


@pytest.mark.parametrize("args, words", [
    (["--optimizers", "gd,foo"], "unknown optimizer 'foo'"),
    (["--optimizers", "adam"], "2 to 4 optimizers"),
    (["--optimizers", "adam,adam"], "adam twice"),
    (["--optimizers", "gd,adam", "--learning-rates", "0,0.1"], "learning rate of gd"),
    (["--optimizers", "gd,adam", "--learning-rates", "1e6,0.1"], "absurd"),
    (["--optimizers", "gd,adam", "--epochs", "0"], "epochs"),
    (["--optimizers", "gd,adam", "--set", "learning_rat=1"], "learning_rat"),
    (["--optimizers", "gd,adam", "--preset", "nope"], "preset"),
])
def test_cli_race_bad_input_exits_2_with_one_line(args, words, capsys):
    argv = ["race", "--preset", "practice-lab", *args] if "--preset" not in args else ["race", *args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err, err
