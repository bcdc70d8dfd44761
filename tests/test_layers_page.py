"""The Other layer types page and the builder's new settings through AppTest: windows on a digit
and on a drawing, the EKG's parameter counts, the experiment run to its end; the sidebar's kernel,
stride, pool size and training examples, and a shape error named there."""

import pytest

from apptest import open_app, wait_for_lesson, wait_until_finished

SEVEN = [{"type": "path", "path": [["M", 80, 60], ["L", 200, 60], ["L", 150, 150], ["L", 120, 230]]}]


def frame(at, column):
    """The first table on the page with this column (AppTest's dataframes carry no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(at):
    return " ".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def at():
    return open_app("views/layers.py")


def test_windows_on_a_validation_digit_then_a_dense_unit(at):
    assert [h.value for h in at.header][:3] == ["1. Windows you can see", "2. The lecture's EKG network",
                                                "3. The claims, measured on digits"]
    # the shipped CNN's first Conv2D: 5x5 windows, unit (14, 14) reads rows 12-16, columns 12-16
    assert "reads a window of **25 of the 784 pixels**" in texts(at) and "rows 12-16, columns 12-16" in texts(at)
    at.slider(key="layers_row_shipped_L1").set_value(0).run()
    assert "**15 of the 784 pixels**" in texts(at)  # the window's top two rows hang off the image (zero padding)
    at.slider(key="layers_col_shipped_L1").set_value(0).run()
    assert "**9 of the 784 pixels**" in texts(at)  # and in the corner: 3x3 of its 5x5 inside
    at.selectbox(key="layers_layer_shipped").select("L3").run()  # after a pooling layer: wider windows
    # a 5x5 window over 2x2 blocks of 5x5 windows: 4 x 2 + 6 = 14 pixels a side (rows 7-20, columns 7-20)
    assert "reads a window of **196 of the 784 pixels**" in texts(at)
    at.selectbox(key="layers_layer_shipped").select("L5").run()
    assert "reads **every one of the 3136 values**" in texts(at)
    assert not at.exception


def test_the_learners_drawing_is_offered_once_there_is_one(at):
    """Drawn on the Draw page, then here: the drawing comes along (the Draw page's canvas itself is
    gone from the session once another page runs; its state module keeps the drawing)."""
    assert "drawing" not in at.radio(key="layers_digit_kind").options
    at.switch_page("views/draw.py").run()
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": SEVEN}, "data": None}, "backgroundFit": None}
    at.run()
    at.switch_page("views/layers.py").run()
    at.selectbox(key="layers_layer_shipped").select("L1").run()
    at.radio(key="layers_digit_kind").set_value("drawing").run()
    assert "of your drawing" in texts(at)
    assert not at.exception


def test_ekg_parameter_counts_as_drawn_and_as_keras_counts(at):
    assert "211 as the lecture draws it, 31 in Keras" in texts(at)
    assert "share" in texts(at)
    table = frame(at, "lecture: every unit its own weights")
    assert list(table.iloc[-1])[-1] == 31 and "211" in str(list(table.iloc[-1]))
    assert "GunPoint" in texts(at) or any("Generated" in w.value for w in at.warning)


def test_experiment_runs_to_its_end_and_reports_the_claims(at):
    at.session_state["layers_sizes"] = [250]
    at.number_input(key="layers_epochs").set_value(2).run()
    at.button(key="layers_run").click().run()
    snaps = wait_for_lesson(at, "layers", seconds=240)
    assert [s.status for s in snaps] == ["done", "done"] and all(s.epoch == 2 for s in snaps)
    rows = frame(at, "training digits")
    assert list(rows["training digits"]) == [250, 250] and list(rows["parameters"]) == [20175, 9226]
    assert rows["validation accuracy"].between(10, 100).all() and (rows["seconds per epoch"] > 0).all()
    assert "Faster?" in texts(at) and "Less data?" in texts(at) and "Overfits less?" in texts(at)
    # the experiment's trained networks can now be looked into in part 1
    assert "The experiment's convolutional network (250 digits)" in at.selectbox(key="layers_network").options
    at.selectbox(key="layers_network").select("experiment-conv").run()
    assert "of filter 0 in L1" in texts(at) and "Its filter is 5x5x1 = 25 weights" in texts(at)
    assert not at.exception


def test_stop_ends_a_new_experiment_and_the_page_says_so(at):
    # the network looked into above belongs to the old experiment: a new one falls back to the shipped CNN
    at.session_state["layers_sizes"] = [500, 1000]
    at.number_input(key="layers_epochs").set_value(60).run()
    at.button(key="layers_run").click().run()
    assert at.selectbox(key="layers_network").value == "shipped"
    at.button(key="stop_layers").click().run()
    snaps = wait_for_lesson(at, "layers", seconds=120)
    assert all(s.status == "stopped" for s in snaps) and len(snaps) == 4
    assert any("Stopped" in w.value for w in at.warning)
    assert not at.exception


def test_builder_new_settings_and_a_shape_error_named_in_the_sidebar():
    app = open_app()
    # a convolutional network on the Train page is the one the lesson opens with
    app.selectbox(key="preset").select("lecture-cnn").run()
    app.number_input(key="epochs").set_value(1).run()
    app.button(key="train").click().run()
    wait_until_finished(app)
    app.switch_page("views/layers.py").run()
    assert app.selectbox(key="layers_network").value == "train"
    assert "Its filter is 5x5x1 = 25 weights" in texts(app) and not app.exception
    app.switch_page("views/train.py").run()
    app.selectbox(key="preset").select("lecture-cnn").run()
    assert app.number_input(key="kernel_0").value == 5 and app.number_input(key="stride_0").value == 1
    assert app.number_input(key="pool_1").value == 2
    assert "Conv2D(8 5x5, relu) → MaxPooling2D(2x2) → Conv2D(16 3x3, relu)" in app.markdown[0].value
    assert "9,226 parameters" in app.markdown[0].value
    app.number_input(key="stride_0").set_value(4).run()
    app.number_input(key="pool_1").set_value(3).run()
    app.number_input(key="kernel_2").set_value(5).run()
    assert any("hidden layer 3 kernel" in e.value and "larger than its 2x2 input" in e.value for e in app.error)
    assert app.button(key="train").disabled
    app.number_input(key="kernel_2").set_value(2).run()
    app.number_input(key="train_size").set_value(300).run()
    assert not app.error, [e.value for e in app.error]
    assert app.query_params["train_size"] == "300"  # a link carries the new settings in the CLI's grammar
    assert app.query_params["hidden"] == "conv8k5s4:relu,pool3,conv16k2:relu,pool"
    assert not app.exception


def test_the_page_sets_weights_on_one_model_instead_of_building_one_per_epoch(monkeypatch):
    """Issue 29: the page built a new Keras model each time the shown network's epoch changed (a
    leak: each model leaves memory behind). Two trainings of the same network shown one after the
    other: one model built for both, showing each training's own weights."""
    import inspect

    import numpy as np

    import nncore.model
    from apptest import job_of, wait_until_finished

    app = open_app()
    app.number_input(key="epochs").set_value(1).run()
    app.button(key="train").click().run()
    wait_until_finished(app)
    built = []  # models the page builds (the pool builds its own for the trainings)
    real = nncore.model.build_model

    def spy(spec, *args, **kwargs):
        if any("app/views/layers.py" in frame.filename for frame in inspect.stack()[1:4]):
            built.append(spec)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(nncore.model, "build_model", spy)
    app.switch_page("views/layers.py").run()
    app.selectbox(key="layers_network").set_value("train").run()
    first = job_of(app).snapshot().weights
    app.switch_page("views/train.py").run()
    app.number_input(key="seed").set_value(1).run()  # the same network, other weights
    app.button(key="train").click().run()
    wait_until_finished(app)
    second = job_of(app).snapshot().weights
    assert not np.allclose(first[0], second[0])
    app.switch_page("views/layers.py").run()
    app.selectbox(key="layers_network").set_value("train").run()
    assert not app.exception
    assert len(built) == 1, built  # one model for the network, its weights set for each training
    from app.state.layers import LayersState
    from app.state.slots import key_of

    (model,) = app.session_state[key_of(LayersState)].models.values()
    assert np.array_equal(model.get_weights()[0], second[0])  # it shows the second training's weights
