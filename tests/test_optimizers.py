"""The optimizers lesson: the race (python -m nncore race and the jobs behind it), the contour
paths from Keras' own optimizers, and one Adam and one momentum step by hand beside Keras."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from helpers import nncore_here
from nncore import ExperimentSpec
from nncore.cli import main
from nncore.lessons import optimizer_paths as paths
from nncore.lessons import optimizers as race_lib


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


def test_every_registry_optimizer_races_walks_and_is_drawn_in_its_own_colour(small_digits):
    """Adding an optimizer to the race is one registry entry: its race name, its colour and its α on
    each surface (nncore.registry.Optimizer). Every one of them races, walks and is drawn."""
    from app import optimizer_charts
    from nncore.registry import OPTIMIZERS

    racers = [o.racer for o in OPTIMIZERS.values()]
    assert sorted(race_lib.RACERS) == sorted(racers) and set(race_lib.DEFAULT_ENTRANTS) <= set(racers)
    assert len({o.color for o in OPTIMIZERS.values()}) == len(OPTIMIZERS)  # each its own colour
    for o in OPTIMIZERS.values():
        assert race_lib.RACE_NAMES[o.racer] == race_lib.RACE_NAMES[o.name] == o.name
        assert optimizer_charts.COLORS[o.racer] == optimizer_charts.COLORS[o.name] == o.color
        for surface in paths.SURFACES.values():
            rate = surface.rates[o.racer]
            assert rate in paths.ALPHAS  # the page's α slider can show it
            assert len(paths.walk(surface, o.racer, rate, steps=3).grads) == 3
    spec = ExperimentSpec.from_preset("practice-lab")
    for i in range(0, len(racers), race_lib.MAX_ENTRANTS):
        group = racers[i:i + race_lib.MAX_ENTRANTS]
        group += [r for r in racers if r not in group][:max(0, race_lib.MIN_ENTRANTS - len(group))]
        race = race_lib.make_race(spec, race_lib.parse_entrants(group), epochs=1, data=small_digits)
        race.start()
        race.join()
        runs = race.runs()
        race.release()
        assert [r.status for r in runs] == ["done"] * len(group)
        fig = optimizer_charts.race_loss(runs, 0.3)
        drawn = {t.legendgroup: t.line.color for t in fig.data if t.legendgroup and t.legendgroup != "_styles"
                 and t.mode.startswith("lines")}
        assert drawn == {r.entrant.label: OPTIMIZERS[r.entrant.optimizer].color for r in runs}


def race_run(name, rate, loss, val_accuracy, status="done", epoch=None):
    epoch = len(loss) - 1 if epoch is None else epoch
    return race_lib.RaceRun(race_lib.Entrant(name, race_lib.RACE_NAMES[name], rate), status, "", tuple(loss),
                            tuple(loss[1:]), (), tuple(val_accuracy), epoch, 10, epoch / 10, 2.0)


def test_the_race_status_counts_epochs_per_optimizer_not_summed():
    runs = [race_run(n, 0.001, [2.3] * 11, [0.5] * 10) for n in ("gd", "momentum", "rmsprop", "adam")]
    assert race_lib.race_status(runs) == "Done: 10 epochs each, 4 optimizers"  # not "40 of 40 epochs"
    runs[0] = race_run("gd", 0.001, [2.3], [], "running", epoch=7)
    runs[1] = race_run("momentum", 0.001, [2.3], [], "queued", epoch=0)
    assert race_lib.race_status(runs) == "Racing: epochs 0 to 10 of 10 each, 4 optimizers (1 waiting for a training slot)"
    runs[:2] = [race_run("gd", 10, [2.3], [], "diverged", epoch=0), race_run("momentum", 0.001, [2.3], [], "stopped", 4)]
    assert race_lib.race_status(runs) == ("Finished: 10 epochs each, 4 optimizers (gd α=10 diverged in epoch 1; "
                                          "momentum α=0.001 stopped after epoch 4)")


def test_the_verdict_names_the_winner_by_training_loss_and_by_validation_accuracy():
    runs = [race_run("gd", 0.001, [2.3, 2.1], [0.335]), race_run("momentum", 0.001, [2.3, 0.54], [0.828]),
            race_run("rmsprop", 0.001, [2.3, 0.186], [0.921]), race_run("adam", 0.001, [2.3, 0.15], [0.915])]
    loss, accuracy = race_lib.race_verdict(runs)
    assert loss == ("By final training loss, **adam α=0.001** wins (0.15; then rmsprop α=0.001 0.186, "
                    "momentum α=0.001 0.54, gd α=0.001 2.1).")
    assert accuracy.startswith("By validation accuracy, **rmsprop α=0.001** wins (92.1%; then adam α=0.001 91.5%")
    assert race_lib.race_verdict(runs[:3] + [race_run("adam", 0.001, [2.3], [], "running", 3)]) == []  # not done yet
    runs[0] = race_run("gd", 10, [2.3], [], "diverged", epoch=0)
    runs[1] = race_run("momentum", 0.001, [2.3, 0.186], [0.921])  # level with rmsprop, as shown
    loss, accuracy, out = race_lib.race_verdict(runs)
    assert loss.startswith("By final training loss, **adam α=0.001** wins (0.15; then momentum")
    assert accuracy.startswith("By validation accuracy, **momentum α=0.001** and **rmsprop α=0.001** tie (92.1%")
    assert out == "Out of the race: gd α=10 (diverged in epoch 1)."


def test_a_stopped_race_is_judged_after_the_last_epoch_every_run_finished():
    """Stopped at different epochs: gd's 4 epochs are not compared with Adam's 2."""
    runs = [race_run("gd", 0.1, [2.3, 0.5, 0.3, 0.2, 0.1], [0.8, 0.85, 0.9, 0.95], "stopped", epoch=4),
            race_run("adam", 0.001, [2.3, 0.4, 0.25], [0.82, 0.88], "stopped", epoch=2)]
    loss, accuracy = race_lib.race_verdict(runs)
    assert loss == ("By training loss after epoch 2, the last every run finished, **adam α=0.001** wins "
                    "(0.25; then gd α=0.1 0.3).")
    assert accuracy.startswith("By validation accuracy after epoch 2, the last every run finished, "
                               "**adam α=0.001** wins (88.0%")
    runs[1] = race_run("adam", 0.001, [2.3], [], "stopped", epoch=0)
    assert race_lib.race_verdict(runs) == []  # nothing to judge yet


def test_one_alpha_for_all_is_named_with_the_rates_that_suit_each():
    lab = ExperimentSpec.from_preset("practice-lab").replace(epochs=3)
    surfaces = {n: s.rates for n, s in paths.SURFACES.items()}
    note = race_lib.one_alpha_note(lab, race_lib.parse_entrants("gd,momentum,rmsprop,adam"), surfaces)
    assert note.startswith("**One α for all handicaps gradient descent.** All 4 optimizers ran with α = 0.001.")
    assert "On this network the α's that suit each are about gd 0.1, momentum 0.01, rmsprop 0.001, adam 0.001" in note
    assert "valley gd 0.003, momentum 0.003, rmsprop 0.3, adam 0.5; bowl gd 0.019" in note
    other = ExperimentSpec.from_preset("sigmoid-net")
    note = race_lib.one_alpha_note(other, race_lib.parse_entrants("gd,adam"), surfaces)
    assert "On this network" not in note and "part 2's surfaces" in note  # rates not measured there
    assert race_lib.one_alpha_note(lab, race_lib.parse_entrants("gd,adam", "0.1,0.001"), surfaces) is None
    assert race_lib.one_alpha_note(lab, race_lib.parse_entrants("rmsprop,adam"), surfaces) is None


def test_the_rates_said_to_suit_gradient_descent_beat_adams_alpha_for_it(digits):
    """The lesson's claim, measured: on the practice lab gd and momentum learn far more at their own α."""
    spec = ExperimentSpec.from_preset("practice-lab")
    suited = race_lib.suited_rates(spec)
    race = race_lib.make_race(spec, race_lib.parse_entrants(["gd", "gd", "momentum", "momentum"],
                              [0.001, suited["gd"], 0.001, suited["momentum"]]), epochs=3, data=digits)
    race.start()
    race.join()
    gd_slow, gd_suited, momentum_slow, momentum_suited = (r.loss[-1] for r in race.runs())
    race.release()
    assert gd_suited < 0.5 * gd_slow and momentum_suited < 0.5 * momentum_slow


def test_a_job_without_the_opt_in_records_no_full_training_loss(small_digits):
    from nncore.training.job import TrainingJob

    job = TrainingJob(ExperimentSpec.from_preset("practice-lab").replace(epochs=1), data=small_digits, views=False)
    s = job.run()
    job.release()
    assert "train_loss_full" not in s.history and len(s.history["loss"]) == 1


# ---- the CLI -----------------------------------------------------------------------------------

def test_cli_race_adam_beats_gradient_descent_from_the_same_start(capsys):
    out = nncore_here(capsys, "race", "--preset", "practice-lab", "--optimizers", "gd,momentum,rmsprop,adam",
                      "--epochs", "3", "--json")
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


# ---- the race in a page's address -------------------------------------------------------------

PAGE_NETWORKS = ["practice-lab", "lecture-cnn", "xor-demo"]


def test_a_race_goes_into_a_query_and_back():
    default = race_lib.RaceSettings()
    assert race_lib.race_to_query(default) == {}  # the default race: a clean address
    race = race_lib.RaceSettings("lecture-cnn", ("gd", "adam", "gd"), (0.1, 0.001, 1e-05), 25)
    query = race_lib.race_to_query(race)
    assert query == {"network": "lecture-cnn", "optimizers": "gd,adam,gd", "rates": "0.1,0.001,1e-05",
                     "epochs": "25"}
    assert race_lib.race_from_query(query, PAGE_NETWORKS) == (race, [])
    # only what differs is written: the default rates are left out, and come back 0.001 each
    only = race_lib.race_to_query(race_lib.RaceSettings(optimizers=("sgd", "adam"), rates=(0.001, 0.001)))
    assert only == {"optimizers": "sgd,adam"}
    got, errors = race_lib.race_from_query(only, PAGE_NETWORKS)
    assert errors == [] and got.optimizers == ("gd", "adam") and got.rates == (0.001, 0.001)  # sgd is gd
    got, errors = race_lib.race_from_query({"network": "train"}, ["train", *PAGE_NETWORKS])
    assert errors == [] and got.network == "train"


@pytest.mark.parametrize("query, field, words", [
    ({"network": "xor"}, "network", "'xor' is not a network here"),
    ({"network": "train"}, "network", "this session has not built one yet"),
    ({"optimizers": "gd,nesterov"}, "optimizers", "unknown optimizer 'nesterov'"),
    ({"optimizers": "adam"}, "optimizers", "2 to 4 optimizers"),
    ({"optimizers": "gd,adam,momentum,rmsprop,gd"}, "optimizers", "names 5"),
    ({"optimizers": "adam,adam"}, "optimizers", "adam twice at the same learning rate"),
    ({"optimizers": "gd,adam", "rates": "0.1"}, "rates", "one per optimizer"),
    ({"optimizers": "gd,adam", "rates": "0.1,fast"}, "rates", "must be a number, got 'fast'"),
    ({"optimizers": "gd,adam", "rates": "0.1,1e6"}, "rates", "absurd"),
    ({"epochs": "2.5"}, "epochs", "whole number from 1 to 200, got '2.5'"),
    ({"epochs": "0"}, "epochs", "whole number from 1 to 200"),
    ({"epochs": "9" * 5000}, "epochs", "value too long"),
    ({"colour": "blue"}, "colour", "unknown setting 'blue'; allowed: network, optimizers, rates, epochs"),
])
def test_a_bad_race_link_names_its_field_and_keeps_the_default_for_it(query, field, words):
    race, errors = race_lib.race_from_query({**query, "epochs": query.get("epochs", "7")}, PAGE_NETWORKS)
    assert [e.field for e in errors] == [field] and words in errors[0].message, errors
    assert len(errors[0].message) < 400
    default = race_lib.RaceSettings()
    if field != "epochs":
        assert race.epochs == 7  # the good field is used
    if field in ("optimizers", "rates"):
        assert race.rates == (0.001,) * len(race.optimizers)
        if field == "optimizers":
            assert race.optimizers == default.optimizers
