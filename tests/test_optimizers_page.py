"""The Optimizers page through AppTest: the race, its bad inputs, Stop, the contours and the steps by hand."""

from __future__ import annotations

import time

import pytest

from apptest import open_app, wait_for_lesson, training_of


@pytest.fixture
def at():
    at = open_app("views/optimizers.py", timeout=180)
    at.number_input(key="race_epochs").set_value(3).run()
    return at


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def frame(at, column: str):
    """The page's table that has this column (AppTest finds dataframes by place, not key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_race_four_optimizers_from_identical_weights(at):
    assert not at.exception and errors(at) == []
    at.button(key="race").click().run()
    assert not at.exception
    snaps = wait_for_lesson(at, "race")
    assert [s.status for s in snaps] == ["done"] * 4
    assert not at.exception
    table = frame(at, "optimizer")
    assert list(table["optimizer"]) == ["gd", "momentum", "rmsprop", "adam"]
    assert table["loss at the start"].nunique() == 1  # the same start for all
    assert table["training loss"][3] < table["training loss"][0]  # Adam ahead of gradient descent
    text = " ".join(m.value for m in at.markdown)
    assert "same initial weights" in text and "only the optimizer differs" in text
    assert [len(s.history["train_loss_full"]) for s in snaps] == [4] * 4
    # the status counts each optimizer's epochs, and the page says who won and why gd is handicapped
    assert at.get("progress")[0].proto.text.startswith("Done: 3 epochs each, 4 optimizers")
    verdict = " ".join(s.value for s in at.success)
    by_loss = table["optimizer"][table["training loss"].idxmin()]
    by_accuracy = table["optimizer"][table["validation accuracy"].idxmax()]
    assert f"By final training loss, **{by_loss} α=0.001** wins" in verdict
    assert f"By validation accuracy, **{by_accuracy} α=0.001** wins" in verdict
    assert any(i.value.startswith("**One α for all handicaps gradient descent.**") and "gd 0.1" in i.value
               for i in at.info)


@pytest.mark.parametrize("rate, words", [("0", "greater than 0"), ("-0.01", "climbs uphill"),
                                         ("1e6", "absurd"), ("fast", "must be a number")])
def test_bad_learning_rates_are_named_and_race_waits(at, rate, words):
    at.text_input(key="race_lr_1").set_value(rate).run()
    assert not at.exception
    assert any("learning rate of momentum" in e and words in e for e in errors(at))
    assert at.button(key="race").disabled


def test_one_optimizer_and_the_same_one_twice(at):
    for i in (1, 2):
        at.selectbox(key=f"race_opt_{i}").set_value("—").run()
    at.selectbox(key="race_opt_3").set_value("gd").run()
    assert any("gd twice at the same learning rate" in e for e in errors(at))
    at.text_input(key="race_lr_3").set_value("0.1").run()  # a learning-rate race is allowed
    assert errors(at) == [] and not at.button(key="race").disabled
    at.selectbox(key="race_opt_3").set_value("—").run()
    assert any("a race needs 2 to 4 optimizers, got 1" in e for e in errors(at))
    assert at.button(key="race").disabled


def test_a_network_too_big_to_race_states_the_limit(at):
    at.selectbox(key="race_network").set_value("draw-cnn").run()
    assert any("too big to race 4 at once" in e and "2,000,000" in e for e in errors(at))
    assert at.button(key="race").disabled


def test_stop_ends_every_run(at):
    at.number_input(key="race_epochs").set_value(200).run()
    at.button(key="race").click().run()
    jobs = training_of(at, "lesson_race").group
    deadline = time.time() + 120
    while not any(j.snapshot().epoch >= 1 for j in jobs) and time.time() < deadline:
        time.sleep(0.2)
    at.run()
    at.button(key="race_stop").click().run()
    snaps = wait_for_lesson(at, "race", seconds=120)
    assert all(s.status == "stopped" for s in snaps)
    assert not at.exception
    assert any("Stopped" in w.value for w in at.warning)


def test_a_diverging_optimizer_is_marked_and_the_others_go_on(at):
    at.selectbox(key="race_network").set_value("diverging").run()
    at.text_input(key="race_lr_0").set_value("10").run()
    at.button(key="race").click().run()
    snaps = wait_for_lesson(at, "race")
    assert [s.status for s in snaps] == ["diverged", "done", "done", "done"]
    assert any("gd α=10" in e and "The other runs go on" in e for e in errors(at))
    assert not at.exception


def test_the_contours_step_sizes_and_steps_by_hand(at):
    assert at.segmented_control(key="surface").value == "valley"
    assert len([s for s in at.success if "agree to float32 precision" in s.value]) == 2
    at.slider(key="path_step_valley").set_value(1).run()
    hand = frame(at, "w")
    update = hand[hand[""] == "update α·m̂/(√v̂+ε)"]
    assert abs(abs(float(update["w"].iloc[0])) - 0.5) < 1e-4  # Adam's first step: α in each parameter
    at.segmented_control(key="surface").set_value("bowl").run()
    at.select_slider(key="alpha_bowl_gd").set_value(0.03).run()
    assert any("gd α=0.03" in e and "diverged at step" in e for e in errors(at))
    assert not at.exception


def test_race_clicked_right_after_a_change_races_the_changed_settings(at):
    """The click and a value typed just before it can reach the server together: the race uses it."""
    at.number_input(key="race_epochs").set_value(2)
    at.text_input(key="race_lr_0").set_value("0.05")
    at.button(key="race").click().run()
    jobs = training_of(at, "lesson_race").group
    assert [j.spec.epochs for j in jobs] == [2] * 4 and jobs[0].spec.learning_rate == 0.05
    assert [s.epoch for s in wait_for_lesson(at, "race")] == [2] * 4
    at.text_input(key="race_lr_1").set_value("fast")  # made bad with the click: nothing starts
    at.button(key="race").click().run()
    assert training_of(at, "lesson_race").group is jobs and not at.exception
    assert any("learning rate of momentum" in e for e in errors(at))


def test_every_registry_optimizer_is_offered_and_walks_in_its_colour(at):
    """The race's boxes and the surface's pills list the registry's optimizers; each path is drawn in
    its optimizer's colour (nncore.registry.Optimizer.color): one entry makes a new one race and walk."""
    import json

    from nncore.lessons import optimizers as race_lib
    from nncore.registry import OPTIMIZERS

    offered = at.selectbox(key="race_opt_0").options  # as shown: "gd: Gradient descent (SGD)"
    assert [o.split(":")[0] for o in offered] == ["—", *race_lib.RACERS]
    contour = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Contours of J" in c.proto.spec)
    # every optimizer is on the surface by default (the pills), each path in its colour
    colours = {t["name"].split(" ")[0]: t["line"]["color"] for t in contour["data"] if t.get("mode") == "lines+markers"}
    assert colours == {o.racer: o.color for o in OPTIMIZERS.values()}


def open_link(query: dict):
    at = open_app(None, timeout=180)
    at.switch_page("views/optimizers.py")
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def race_widgets(at) -> tuple:
    return (at.selectbox(key="race_network").value, [at.selectbox(key=f"race_opt_{i}").value for i in range(4)],
            [at.text_input(key=f"race_lr_{i}").value for i in range(4)], at.number_input(key="race_epochs").value)


def test_the_race_is_in_the_address_and_a_link_reopens_it(at):
    assert dict(at.query_params) == {"epochs": "3"}  # the fixture's 3 epochs; the rest is the default race
    at.selectbox(key="race_opt_1").set_value("—").run()
    at.selectbox(key="race_opt_2").set_value("—").run()
    at.text_input(key="race_lr_0").set_value("0.1").run()
    at.selectbox(key="race_network").set_value("lecture-cnn").run()
    query = dict(at.query_params)
    assert query == {"network": "lecture-cnn", "optimizers": "gd,adam", "rates": "0.1,0.001", "epochs": "3"}
    # a bad setting: the address keeps the last race that can run
    at.text_input(key="race_lr_3").set_value("fast").run()
    assert dict(at.query_params) == query and at.button(key="race").disabled
    # the link in a new session opens the same race, and the Race button races it
    other = open_link(query)
    assert not other.exception and not other.warning
    assert race_widgets(other) == ("lecture-cnn", ["gd", "adam", "—", "—"], ["0.1", "0.001", "0.001", "0.001"], 3)
    assert dict(other.query_params) == query and not other.button(key="race").disabled
    other.button(key="race").click().run()
    jobs = training_of(other, "lesson_race").group
    assert [(j.spec.optimizer, j.spec.learning_rate, j.spec.epochs) for j in jobs] == [("sgd", 0.1, 3), ("adam", 0.001, 3)]
    assert {len(j.spec.hidden) for j in jobs} == {len(__import__("nncore").ExperimentSpec.from_preset("lecture-cnn").hidden)}
    other.button(key="race_stop").click().run()


def test_a_bad_race_link_is_named_in_the_page_never_a_traceback():
    at = open_link({"optimizers": "gd,nope", "rates": "fast", "epochs": "2.5", "network": "train",
                    "<b>x</b>": "1"})
    assert not at.exception
    message = " ".join(w.value for w in at.warning)
    for words in ("**network**", "this session has not built one yet", "**optimizers**", "unknown optimizer 'nope'",
                  "**rates**", "must be a whole number from 1 to 200", "**epochs**", "unknown setting"):
        assert words in message, (words, message)
    assert "<b>" not in message  # what the link carried is shown as text
    assert race_widgets(at) == ("practice-lab", ["gd", "momentum", "rmsprop", "adam"], ["0.001"] * 4, 10)
    assert dict(at.query_params) == {}  # the default race, the address cleaned of what could not be used
    assert not at.button(key="race").disabled
    # the learner moves on: the link's message goes
    at.number_input(key="race_epochs").set_value(4).run()
    assert not at.warning and dict(at.query_params) == {"epochs": "4"}
