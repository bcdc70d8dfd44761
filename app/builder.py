"""The network builder in the sidebar: widgets made from the registries, read into a spec.

Every option list comes from `nncore.registry`; every check comes from the spec itself,
so a bad value gets the same message here as on the command line.
"""

from __future__ import annotations

import streamlit as st

from nncore import ExperimentSpec, SpecError
from nncore.registry import ACTIVATIONS, DATASETS, LAYER_KINDS, LOSSES, OPTIMIZERS, OUTPUTS, PRESETS
from nncore.spec import MAX_HIDDEN_LAYERS

CUSTOM = "custom"


def _write_spec(spec: ExperimentSpec) -> None:
    """Put a spec's values into the widgets' session-state keys."""
    ss = st.session_state
    ss.dataset = spec.dataset
    ss.n_hidden = len(spec.hidden)
    for i, layer in enumerate(spec.hidden):
        ss[f"kind_{i}"] = layer.kind
        ss[f"units_{i}"] = layer.units if layer.kind != "pool" else ss.get(f"units_{i}", 16) or 16
        ss[f"activation_{i}"] = layer.activation if layer.kind != "pool" else ss.get(f"activation_{i}", "relu")
    for key in ("output", "loss", "optimizer", "learning_rate", "batch_size", "epochs",
                "validation_split", "seed", "augment"):
        ss[key] = getattr(spec, key)


def _apply_preset() -> None:
    name = st.session_state.preset
    if name in PRESETS:
        _write_spec(ExperimentSpec.from_preset(name))


def _read_spec() -> tuple[ExperimentSpec | None, list[SpecError]]:
    ss = st.session_state
    n_hidden = ss.n_hidden if ss.n_hidden is not None else 0
    if n_hidden < 0 or n_hidden > MAX_HIDDEN_LAYERS:
        return None, [SpecError("hidden layers", f"must be from 0 to {MAX_HIDDEN_LAYERS}, got {n_hidden}")]
    values = {
        "dataset": ss.dataset,
        "hidden": [{"units": 0, "activation": "linear", "kind": "pool"}
                   if ss.get(f"kind_{i}") == "pool" else
                   {"units": ss.get(f"units_{i}"), "activation": ss.get(f"activation_{i}"),
                    "kind": ss.get(f"kind_{i}", "dense")}
                   for i in range(int(n_hidden))],
        **{k: ss[k] for k in ("output", "loss", "optimizer", "learning_rate", "batch_size",
                              "epochs", "validation_split", "seed", "augment")},
    }
    empty = [k for k, v in values.items() if v is None]
    empty += [f"hidden layer {i + 1} units" for i, layer in enumerate(values["hidden"])
              if layer["units"] is None]
    if empty:
        return None, [SpecError(k, "is empty: enter a value") for k in empty]
    try:
        spec = ExperimentSpec.from_dict(values)
    except SpecError as e:
        return None, [e]
    return spec, spec.problems()


def spec_sidebar(disabled: bool = False) -> tuple[ExperimentSpec | None, list[SpecError]]:
    """Draw the builder in the sidebar; return the spec it describes and its problems."""
    ss = st.session_state
    if "n_hidden" not in ss:
        ss.preset = "practice-lab"
        _write_spec(ExperimentSpec.from_preset("practice-lab"))

    sb = st.sidebar
    sb.selectbox("Preset", [CUSTOM, *PRESETS.names()], key="preset", on_change=_apply_preset,
                 format_func=lambda n: "Custom (your own settings)" if n == CUSTOM else PRESETS.label(n),
                 help="Load a whole network and its training settings in one click.",
                 disabled=disabled)
    if ss.preset in PRESETS:
        sb.caption(PRESETS[ss.preset].help)

    sb.selectbox("Data", DATASETS.names(), key="dataset", format_func=DATASETS.label,
                 help=DATASETS[ss.dataset].help if ss.dataset in DATASETS else None,
                 disabled=disabled)

    sb.subheader("Layers")
    sb.number_input("Hidden layers", step=1, key="n_hidden", disabled=disabled,
                    help=f"0 to {MAX_HIDDEN_LAYERS}. With 0 the model is softmax regression.")
    n_hidden = ss.n_hidden if isinstance(ss.n_hidden, int) and 0 <= ss.n_hidden <= MAX_HIDDEN_LAYERS else 0
    for i in range(n_hidden):
        ss.setdefault(f"kind_{i}", "dense")
        ss.setdefault(f"units_{i}", 16)
        ss.setdefault(f"activation_{i}", "relu")
        kind = ss[f"kind_{i}"]
        c0, c1 = sb.columns([3, 2], vertical_alignment="bottom")
        c0.selectbox(f"L{i + 1}", LAYER_KINDS.names(), key=f"kind_{i}", disabled=disabled,
                     format_func=LAYER_KINDS.label, help=LAYER_KINDS[kind].help)
        if kind == "pool":
            c1.caption("halves width and height")
            continue
        c1.number_input(LAYER_KINDS[kind].keras["size"], step=1, key=f"units_{i}", disabled=disabled)
        sb.selectbox(f"L{i + 1} activation", ACTIVATIONS.names(), key=f"activation_{i}",
                     format_func=ACTIVATIONS.label, disabled=disabled, label_visibility="collapsed",
                     help=ACTIVATIONS[ss[f'activation_{i}']].help if ss[f"activation_{i}"] in ACTIVATIONS else None)
    sb.radio(f"L{n_hidden + 1}: output layer (10 units)", OUTPUTS.names(), key="output",
             format_func=OUTPUTS.label, disabled=disabled,
             help=" ".join(f"{c.label}: {c.help}" for c in OUTPUTS.values()))

    sb.subheader("Loss and optimizer")
    sb.selectbox("Loss", LOSSES.names(), key="loss", format_func=LOSSES.label, disabled=disabled)
    if ss.loss in LOSSES:
        info = LOSSES[ss.loss].keras
        sb.caption(f"Expects {info['labels']} labels: `{info['label_example']}`")
    sb.selectbox("Optimizer", OPTIMIZERS.names(), key="optimizer", format_func=OPTIMIZERS.label,
                 disabled=disabled, help=OPTIMIZERS[ss.optimizer].help if ss.optimizer in OPTIMIZERS else None)
    sb.number_input("Learning rate", key="learning_rate", format="%g", step=0.0005,
                    disabled=disabled, help="alpha: the size of each gradient-descent step. Above 0.")

    sb.subheader("Training")
    c1, c2 = sb.columns(2)
    c1.number_input("Batch size", step=1, key="batch_size", disabled=disabled,
                    help="Examples per gradient step (Keras default 32).")
    c2.number_input("Epochs", step=1, key="epochs", disabled=disabled,
                    help="Passes over the training set.")
    c1.number_input("Validation share", step=0.05, format="%.2f", key="validation_split",
                    disabled=disabled, help="Part of the data held out to measure generalisation.")
    c2.number_input("Seed", step=1, key="seed", disabled=disabled,
                    help="Same seed, same split, same initial weights, same result.")
    sb.toggle("Augment the digits", key="augment", disabled=disabled,
              help="Each epoch, show every training digit randomly shifted, rotated, scaled and "
                   "drawn thinner or thicker: the network learns what a digit is, not where.")

    return _read_spec()
