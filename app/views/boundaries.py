"""Boundaries: train on 2-D point sets and watch the decision boundary bend as it learns.

Beside the built-in sets, a learner's own points ("your-points" in the sidebar's Data): a CSV
uploaded here (`upload_points`, read by nncore.points: never evaluated, every broken rule named)
and points clicked onto the plane. The session holds them; the job trains on them standardised,
and the page draws the plane in their original units.
"""

import dataclasses

import numpy as np
import streamlit as st

from app import chart_ui
from app.text import plain
from app import builder, charts, hand_ui, runs_ui, state, step_charts, step_ui
from app.state.points import your_points as held_state
from app import training_ui as ui
from nncore import ExperimentSpec, SpecError
from nncore.export import keras_code
from nncore.points import (MAX_CLASSES, MAX_MB, MAX_ROWS, Points, PointsDataset, PointsError, parse_points,
                           to_csv)
from nncore.registry import DATASETS
from nncore.training.probes import boundary_of, equivalent_linear_layer

SCOPE = state.POINTS
MAX_SHOWN = 3000  # points drawn over the boundary (an even sample of more): the chart redraws every second

note = state.follow_address(SCOPE)  # ?run=<id>: a reload or another tab finds its training again
training = state.is_training(SCOPE)
spec, problems = builder.spec_sidebar(disabled=training, scope=SCOPE)
ss = st.session_state  # this page's widgets' values
mine = held_state()  # this page's own points
own = DATASETS.get(builder.chosen_dataset(SCOPE))
own = own is not None and own.user_data

st.title("Decision boundaries")
st.caption("Train a network on points in a plane and watch how it splits the plane into "
           "classes: each colour is the class it predicts there, paler where it is less sure.")


# ---- your own points: upload, click, clear ---------------------------------------------------

def held_points() -> Points:
    """The uploaded points (or none) and the clicked ones, together, in their original units."""
    return mine.held()


def read_upload() -> None:
    """A new file in the uploader: its points replace the held upload; a bad file keeps them."""
    file = ss.get("upload_points")
    if file is None or mine.seen_file == file.file_id:
        return
    mine.seen_file = file.file_id
    try:
        mine.base = parse_points(file.getvalue(), file.name)
        mine.clicks, mine.error = [], None
        ss.pop("point_class", None)  # clicks start with the file's first class
    except PointsError as e:
        mine.error = (file.name, e)


def clicked() -> None:
    """The editor's selection: add a point of the chosen class where the learner clicked."""
    event = ss.get(f"points_editor_{mine.edits}")
    chosen = ss.get("point_class")
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if points and chosen is not None and not state.is_training(SCOPE):
        mine.clicks.append((float(points[0]["x"]), float(points[0]["y"]), str(chosen)))
    mine.edits += 1  # a new chart: no selection left over, the next click counts


def clear(everything: bool) -> None:
    mine.clicks = []
    if everything:
        mine.base, mine.error = None, None
    mine.edits += 1


def scaling_table(points: Points) -> None:
    s = points.scaling()
    st.markdown("**Standardised for training**: the network sees z = (x − mean) / std per column, so both "
                "columns have mean 0 and standard deviation 1 whatever their units; the charts are drawn "
                "in your units.")
    st.dataframe({"column": list(points.columns), "mean": np.round(s.mean, 4), "standard deviation": np.round(s.std, 4)},
                 hide_index=True, key="points_scaling")


def your_points() -> str | None:
    """The Your points section; why Train cannot train on them, if it cannot."""
    st.subheader("Your points")
    st.file_uploader(f"A CSV file: two numeric columns (x1, x2) and a label column; a header row is optional; "
                     f"up to {MAX_ROWS:,} rows, {MAX_CLASSES} classes and {MAX_MB} MB",
                     key="upload_points", max_upload_size=2 * MAX_MB, disabled=training,
                     help="Separated by commas, semicolons (then 1,5 is one and a half) or tabs. Labels are "
                          "integers or words (cat, dog). Example:\n\n    width,height,kind\n    1.5,2.0,cat\n"
                          "    3.1,0.4,dog")
    st.caption(f"A file over {MAX_MB} MB is named here and not used; one over {2 * MAX_MB} MB the uploader "
               "refuses before sending it (a red mark on the file). Either way your points stay as they are.")
    read_upload()
    bad = mine.error
    if bad:
        name, e = bad
        kept = "Your previous points are kept." if len(held_points()) else "Nothing was loaded."
        st.error(f"**{plain(name)}** cannot be used: **{plain(e.where)}**: "
                 f"{plain(e.rule)}. {kept}", icon=":material/error:")
    points = held_points()
    base = mine.base
    if base is not None:
        st.caption(f"Loaded {plain(base.source)}.")
    names = list(points.class_names)
    new = next(str(i) for i in range(MAX_CLASSES + 1) if str(i) not in names)
    options = names + ([new] if len(names) < MAX_CLASSES else [])
    while len(options) < 2:
        options.append(next(str(i) for i in range(MAX_CLASSES + 1) if str(i) not in options))
    if ss.get("point_class") not in options:
        ss["point_class"] = options[0]
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.segmented_control("Class of the points you click", options, persist_state="session", key="point_class", disabled=training, required=True,
                             format_func=lambda c: c if c in names else f"{c} (new)", width="content")
        clicks = len(mine.clicks)
        st.button(f"Clear clicked points ({clicks})", key="clear_clicked", on_click=clear, args=(False,),
                  disabled=training or not clicks, icon=":material/backspace:")
        st.button("Clear all points", key="clear_points", on_click=clear, args=(True,),
                  disabled=training or not len(points), icon=":material/delete:")
    chart_ui.plot(charts.points_editor(points.x, points.y, points.class_names, points.columns), f"points_editor_{mine.edits}",
                  on_select=clicked, selection_mode="points")
    counts = ", ".join(f"{n}: {c:,}" for n, c in points.counts().items())
    st.caption(f"{len(points):,} points ({counts or 'none yet'}); {clicks} of them clicked." if len(points) else
               "No points yet: upload a CSV, or pick a class and click the plane.")
    if len(points):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        with left:
            scaling_table(points)
        right.download_button("Your points (.csv)", data=lambda: to_csv(points), file_name="your-points.csv",
                              mime="text/csv", key="download_points", icon=":material/download:", on_click="ignore")
    return points.problem()


def prepared(points: Points, validation_split: float, seed: int) -> PointsDataset:
    """The points split and standardised; the same object while nothing changes (Train's data)."""
    key = (len(points), hash(points.x.tobytes()), hash(points.y.tobytes()), points.class_names, validation_split, seed)
    kept = mine.prepared
    if kept is None or kept[0] != key:
        kept = mine.prepared = (key, points.to_dataset(validation_split, seed)[0])
    return kept[1]


def with_points(spec: ExperimentSpec) -> tuple[ExperimentSpec, list[SpecError], PointsDataset | None]:
    """What Train trains on: the held points split and standardised, the spec's classes theirs (also
    at the click, with the values the click saw)."""
    points = held_points()
    problem = points.problem()
    if problem:
        return spec, [SpecError("your points", problem)], None
    data = prepared(points, float(spec.validation_split), int(spec.seed))
    return spec.replace(classes=data.n_classes), [], data


data = None
if own:
    why = your_points()
    if why:
        problems = [*problems, SpecError("your points", why)]
    elif spec is not None:
        spec, _, data = with_points(spec)
    st.divider()
valid = spec is not None and not problems

ui.network_line(spec, problems)
ui.train_buttons(spec, problems, SCOPE, prepare=with_points if own else None)
state.put_run_in_address(SCOPE)
stored = ui.address_note(note)  # a finished run the address opened (a reload, a restart): shown below
show_val = st.toggle("Show validation points", persist_state="session", key="show_val_points")


def in_original_units(data, boundary):
    """(boundary, x_train, x_val, axis names) to draw: your points in your units, others as they are."""
    if not isinstance(data, PointsDataset) or data.scaling is None:
        return boundary, data.x_train, data.x_val, ("x1", "x2")
    s = data.scaling
    shown = dataclasses.replace(boundary, x1=(boundary.x1 * s.std[0] + s.mean[0]).astype(np.float64),
                                x2=(boundary.x2 * s.std[1] + s.mean[1]).astype(np.float64))
    return shown, s.original(data.x_train), s.original(data.x_val), tuple(f"{c} (your units)" for c in data.columns)


def sample(x, y, most: int):
    if x is None or len(y) <= most:
        return x, y
    pick = np.random.default_rng(0).choice(len(y), most, replace=False)
    return x[pick], y[pick]


@st.cache_resource(max_entries=8, show_spinner="Drawing the run's decision boundary...")
def stored_boundary(run_id: str, spec_json: str, _weights: list[np.ndarray], epoch: int):
    """(the boundary of a stored run's network, its data): its point set made again from the spec."""
    from nncore.data import load_dataset

    spec = ExperimentSpec.from_json(spec_json)
    data = load_dataset(spec)
    return boundary_of(spec, _weights, data, epoch), data


def show_stored(run) -> None:
    """A finished run the address opened: its boundary drawn from its stored weights, its results."""
    st.info(f"Run {run.id} is not training on this server now: it is **{run.status}**. Its results are "
            "below, and its settings in the sidebar; press **Train** to train them again.",
            icon=":material/history:")
    weights = state.run_weights(run.id) if run.has_weights else None
    if DATASETS[run.spec.dataset].user_data:
        st.caption("It learnt from your own points, which the run store does not keep: its boundary "
                   "cannot be drawn again here.")
    elif weights is not None:
        boundary, data = stored_boundary(run.id, run.spec.to_json(), weights, run.epochs)
        x_train, y_train = sample(data.x_train, data.y_train, MAX_SHOWN)
        chart_ui.plot(charts.boundary_figure(
            boundary, x_train, y_train, title=f"Decision boundary of run {run.id} after epoch {run.epochs} "
            "(drawn again from its stored weights)", class_names=list(data.class_names)), "stored_boundary_chart",
            text=charts.describe.boundary_text(boundary.predicted, boundary.confidence, list(data.class_names),
                                               run.epochs))
        chart_ui.plot(charts.unit_views(boundary.units, boundary.x1, boundary.x2), "stored_units_chart")
    runs_ui.show_run(run, links=False)


def live_view(job, s) -> None:
    if job is None and stored is not None:
        show_stored(stored)
        return
    if job is None:
        st.info("Press **Train**: the decision boundary and every unit's view of the plane are "
                "redrawn while the network learns.", icon=":material/info:")
        return
    stepped = step_ui.is_step(job)
    if stepped:
        step_ui.panel(job, s)
    else:
        ui.progress(s)
        ui.origin_note(SCOPE)
        ui.metrics(s)
    data = job.data
    if s.boundary is not None:
        boundary, x_train, x_val, axes = in_original_units(data, s.boundary)
        x_train, y_train = sample(x_train, data.y_train, MAX_SHOWN)
        x_val, y_val = sample(x_val, data.y_val, MAX_SHOWN // 3)
        title = f"Decision boundary after epoch {boundary.epoch}"
        before = s.result.boundary_before if stepped and s.result is not None else None
        if before is not None:
            before = in_original_units(data, before)[0]
            title = f"Decision boundary after step {s.result.steps_taken} (dashed: before it)"
        if len(y_train) < len(data.y_train):
            title += f" ({len(y_train):,} of {len(data.y_train):,} training points shown)"
        figure = charts.boundary_figure(
            boundary, x_train, y_train, x_val if show_val else None, y_val if show_val else None, title=title,
            class_names=list(data.class_names), axis_names=axes, square=not isinstance(data, PointsDataset))
        if before is not None:
            step_charts.with_boundary_before(figure, before, boundary)
        chart_ui.plot(figure, "boundary_chart", text=charts.describe.boundary_text(
            boundary.predicted, boundary.confidence, list(data.class_names), boundary.epoch))
        chart_ui.plot(charts.unit_views(boundary.units, boundary.x1, boundary.x2, axis_names=axes), "units_chart")
    if not stepped:
        ui.curves(s, suffix="_points")

    spec_ = job.spec
    if spec_.hidden and all(layer.activation == "linear" for layer in spec_.hidden) and s.weights is not None:
        w, b = equivalent_linear_layer(list(s.weights))
        st.subheader("All-linear layers are one linear layer")
        st.markdown(
            f"Every hidden layer here is linear, so the {len(spec_.hidden) + 1} layers compose into "
            "a single one: with Keras' `x @ W + b`, two layers give `(x W1 + b1) W2 + b2 = x (W1 W2) "
            "+ (b1 W2 + b2)` (in the course's notation W = W2·W1, b = W2·b1 + b2). Its logits are "
            "linear in (x1, x2), so every boundary between two classes is a straight line, however "
            "deep the network. From the trained weights"
            + (" (on the standardised inputs z):" if isinstance(data, PointsDataset) else ":"))
        c1, c2 = st.columns(2)
        c1.dataframe({f"W[:, {j}]": np.round(w[:, j], 4) for j in range(w.shape[1])}, hide_index=False)
        c2.dataframe({"b": np.round(b, 4)})
        x = data.x_val[:5]
        gap = float(np.abs(job.outputs(x) - (x @ w + b)).max()) if spec_.from_logits else None
        if gap is not None:
            st.caption(f"Check on 5 validation points: the network's logits and x·W + b differ by at "
                       f"most {gap:.2e}.")


ui.live(live_view, SCOPE, every=1.0)
runs_ui.take_home(SCOPE)
hand_ui.section(spec, problems, data, SCOPE, training, prepare=with_points if own else None,
                original_units=in_original_units)

with st.expander("Keras code for this network"):
    if valid:
        st.code(keras_code(spec), language="python")
