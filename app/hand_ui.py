"""Weights you can set (the Boundaries page): a small network's weights typed in one by one
(`set_weight`), chosen in a list or by a click on the network's diagram; the boundary, every unit's
view and the loss of those weights redrawn at once (NumPy, nncore.lessons.hand: nothing trains);
"Train from here" starts a training from them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import chart_ui
from app import builder, charts, hand_charts, state
from app.state.hand import hand_weights
from nncore import ExperimentSpec
from nncore.lessons import hand

ss = st.session_state


@st.cache_data(max_entries=32, show_spinner=False)
def seed_weights(spec_json: str) -> list[np.ndarray]:
    """The initial weights Keras gives the spec's network for its seed (a model built, not trained)."""
    from nncore.model import build_model

    return build_model(ExperimentSpec.from_json(spec_json), compile=False).get_weights()


def _trained(scope: str, spec: ExperimentSpec):
    job = state.current_job(scope)
    if job is None or not job.snapshot().finished or job.snapshot().weights is None:
        return None
    weights = [np.array(w) for w in job.snapshot().weights]
    return weights if hand.fits(spec, weights) else None


def _load(spec: ExperimentSpec, weights, source: str) -> None:
    h = hand_weights()
    h.spec, h.weights, h.source, h.edits = spec, [np.array(w, np.float32) for w in weights], source, 0
    _show_chosen(spec)


def _show_chosen(spec: ExperimentSpec) -> None:
    """The number box shows the chosen parameter's value."""
    h, params = hand_weights(), {p.key: p for p in hand.parameters(spec)}
    p = params.get(ss.get("weight_choice")) or next(iter(params.values()))
    ss["weight_choice"] = p.key
    ss["set_weight"] = float(h.weights[p.array][p.index])


def _typed(spec: ExperimentSpec) -> None:
    h, params = hand_weights(), {p.key: p for p in hand.parameters(spec)}
    p = params.get(ss.get("weight_choice"))
    value = ss.get("set_weight")
    if p is None or value is None or h.weights is None:
        return
    h.weights = hand.set_parameter(h.weights, p, hand.check_value(value))
    h.edits += 1


def _clicked(spec: ExperimentSpec) -> None:
    event = ss.get("weights_diagram")
    points = getattr(getattr(event, "selection", None), "points", None) or []
    keys = {p.key for p in hand.parameters(spec)}
    for point in points:
        key = point.get("customdata")
        if isinstance(key, list):
            key = key[0] if key else None
        if key in keys:
            ss["weight_choice"] = key
            _show_chosen(spec)
            return


def _train_from_here(scope: str, prepare) -> None:
    spec, problems = builder.current_spec(scope)
    data = None
    if spec is not None and not problems and prepare is not None:
        spec, problems, data = prepare(spec)
    h = hand_weights()
    if spec is not None and not problems and hand.fits(spec, h.weights):
        state.start_training(spec, scope, initial_weights=list(h.weights), data=data,
                             origin=f"from hand-set weights ({h.source}, {h.edits} number{'s' * (h.edits != 1)} typed)")


def section(spec: ExperimentSpec | None, problems, data, scope: str, training: bool, prepare=None,
            original_units=None) -> None:
    """The whole section. `data`: the page's data for the spec (its points); `original_units(data,
    boundary)`: the page's way to draw a boundary in the points' own units."""
    st.header("Set the weights by hand")
    if spec is None or problems:
        st.caption("Fix the settings marked in red first.")
        return
    why = hand.too_big(spec)
    if why:
        st.caption(why)
        return
    h = hand_weights()
    if h.spec is None or not hand.fits(spec, h.weights) or h.spec.replace(seed=spec.seed) != spec.replace(seed=h.spec.seed):
        trained = _trained(scope, spec)
        if h.spec is not None and hand.fits(spec, h.weights) and h.spec.hidden == spec.hidden:
            h.spec = spec  # other training settings: the typed weights stay
        elif trained is not None:
            _load(spec, trained, "the last training's weights")
        else:
            _load(spec, seed_weights(spec.to_json()), f"the initial weights of seed {spec.seed}")
    st.markdown("Each unit computes g(w·a + b) from the layer before it; the output units' logits go through "
                "softmax. Choose a weight (a connection) or a bias (a unit), in the list or on the diagram, and "
                "type its value: the boundary and every unit's view follow at once. Nothing trains here.")
    params = hand.parameters(spec)
    by_key = {p.key: p for p in params}
    if ss.get("weight_choice") not in by_key or "set_weight" not in ss:
        _show_chosen(spec)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.button("Initial weights (the seed's)", key="hand_seed", disabled=training, icon=":material/restart_alt:",
                  on_click=lambda: _load(spec, seed_weights(spec.to_json()), f"the initial weights of seed {spec.seed}"))
        trained = _trained(scope, spec)
        st.button("The last training's weights", key="hand_from_training", disabled=training or trained is None,
                  icon=":material/history:", on_click=lambda: _load(spec, _trained(scope, spec), "the last training's weights"))
        st.button("All zeros", key="hand_zeros", disabled=training, icon=":material/exposure_zero:",
                  on_click=lambda: _load(spec, hand.zeros(spec), "all zeros"))
    left, right = st.columns([2, 3])
    with left:
        st.selectbox("Weight or bias", list(by_key), key="weight_choice", format_func=lambda k: by_key[k].label,
                     on_change=_show_chosen, args=(spec,), disabled=training)
        st.number_input("Its value", min_value=-1000.0, max_value=1000.0, step=0.1, format="%.4g", key="set_weight",
                        on_change=_typed, args=(spec,), disabled=training,
                        help="From -1000 to 1000. Press Enter (or click elsewhere) to set it.")
        st.caption(f"Started from {h.source}; {h.edits} number{'s' * (h.edits != 1)} typed since.")
        st.button("Train from here", key="train_from_here", type="primary", icon=":material/play_arrow:",
                  disabled=training, on_click=_train_from_here, args=(scope, prepare),
                  help="Train with the settings in the sidebar, starting from these weights.")
    chosen = ss.get("weight_choice")
    chart_ui.plot(hand_charts.network_diagram(params, h.weights, chosen), "weights_diagram", where=right,
                  text=charts.describe.weights_text(params, h.weights, chosen),
                  on_select=lambda: _clicked(spec), selection_mode="points")
    if data is None:
        from nncore.data import load_dataset

        data = load_dataset(spec)
    view = hand.hand_view(spec, h.weights, data)
    with st.container(key="hand_loss"):
        a, b, c = st.columns(3)
        a.metric("Loss of your weights (training points)", f"{view.loss:.4f}")
        b.metric("Training accuracy", f"{view.accuracy:.1%}")
        c.metric("Validation loss", "–" if view.val_loss is None else f"{view.val_loss:.4f}")
    boundary, x_train, _, axes = original_units(data, view.boundary) if original_units else (view.boundary, data.x_train, None, ("x1", "x2"))
    chart_ui.plot(charts.boundary_figure(boundary, x_train, data.y_train, title="The decision boundary of your weights",
                                           class_names=list(data.class_names), axis_names=axes), "hand_boundary_chart",
                  text=charts.describe.boundary_text(boundary.predicted, boundary.confidence, list(data.class_names)))
    chart_ui.plot(charts.unit_views(boundary.units, boundary.x1, boundary.x2, axis_names=axes), "hand_units_chart")
