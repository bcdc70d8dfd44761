"""The network builder in the sidebar: widgets made from the registries, read into a spec.

Every option list comes from `nncore.registry`; every check comes from the spec itself,
so a bad value gets the same message here as on the command line. Two pages build
networks: Train (digits, widget keys as they are) and Boundaries (2-D point sets, keys
with a `p_` prefix), each with its own settings.

A link is a spec: the page's address carries the fields that differ from the page's default
(`?hidden=64:relu,32:relu&learning_rate=0.05`, the CLI's names and grammar). Opening such a link
fills the widgets; changing a widget rewrites the address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from app import state
from app.state import DIGITS, POINTS  # the two pages that build networks: Train and Boundaries
from app.state.slots import slot
from app.text import plain
from nncore import ExperimentSpec, SpecError
from nncore.registry import ACTIVATIONS, DATASETS, LAYER_KINDS, LOSSES, OPTIMIZERS, OUTPUTS, PRESETS, is_point_set
from nncore.layer import CONV_KERNEL, CONV_STRIDE, MAX_KERNEL, POOL_SIZE
from nncore.address import from_query, same_settings, to_query
from nncore.spec import LIMITS, MAX_HIDDEN_LAYERS

CUSTOM = "custom"
FIELDS = ("output", "loss", "optimizer", "learning_rate", "batch_size", "epochs", "validation_split",
          "seed")


NOT_SPEC = ("run",)  # query parameters a page reads that are not spec fields


@dataclass
class BuilderState:
    """What a page's builder remembers besides its widgets' values (which Streamlit keeps for the
    whole session: every widget here has persist_state="session", so a visit to another page does
    not reset them)."""

    address: dict[str, str] | None = None  # the spec's query string it last wrote or read
    link_errors: list[SpecError] = field(default_factory=list)  # what a link carried that could not be used


KEEP = "session"  # every builder widget keeps its value across pages (Streamlit's persist_state)
# Whole-number settings (units, epochs, ...) are float inputs shown with %g: a learner who types 2.5
# sees 2.5 and a message saying it must be a whole number, not a 2 made behind their back (an
# integer input rounds what is typed before the page sees it).
WHOLE = dict(step=1.0, format="%g")
WHOLE_FIELDS = ("batch_size", "epochs", "seed", "train_size", "points")


def whole(value):
    """What a whole-number input holds, for the spec: 16.0 is 16; 2.5 stays 2.5 (the spec names it)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def typed(value):
    """A number for a whole-number input: a float (what those inputs hold); other values as they are."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def preset_scope(name: str) -> str:
    page = DATASETS[PRESETS[name].fields.get("dataset", "digits-5k")].page
    return {"train": DIGITS, "boundaries": POINTS}.get(page, page)


class _Builder:
    def __init__(self, scope: str):
        self.scope = scope
        self.prefix = "" if scope == DIGITS else "p_"
        page = "train" if scope == DIGITS else "boundaries"
        self.datasets = [d for d, info in DATASETS.items() if info.page == page]
        self.presets = [p for p in PRESETS if preset_scope(p) == scope]
        self.kinds = LAYER_KINDS.names() if scope == DIGITS else ["dense"]
        self.extra = ("augment", "train_size") if scope == DIGITS else ("points", "noise")

    def k(self, name: str) -> str:
        return self.prefix + name

    @property
    def memory(self) -> BuilderState:
        return slot(BuilderState, self.scope)

    @property
    def default(self) -> ExperimentSpec:
        """The page's default spec (its first preset): the address carries only what differs."""
        return ExperimentSpec.from_preset(self.presets[0])

    # ---- the address ---------------------------------------------------------------------

    def from_address(self, links: bool = True) -> None:
        """Fill the widgets from a link (or from a spec another page asked for) before they are drawn."""
        ss, k, memory = st.session_state, self.k, self.memory
        query = {key: value for key, value in st.query_params.to_dict().items() if key not in NOT_SPEC}
        asked = state.take_spec_to_load(self.scope)
        if asked is not None:
            spec, errors = asked, []
        elif links and query and query != memory.address:
            spec, errors = from_query(query, self.default)
            if spec.dataset not in self.datasets:
                errors.insert(0, SpecError("dataset", f"{spec.dataset!r} is not on this page; "
                                           f"allowed: {', '.join(self.datasets)}; the default is used"))
                spec = spec.replace(dataset=self.default.dataset, points=None, noise=None)
        elif k("n_hidden") not in ss:
            spec, errors = self.default, []
        else:
            self.name_preset()
            return
        self.write(spec)
        ss[k("preset")] = self.preset_of(spec)
        memory.link_errors, memory.address = errors, query

    def preset_of(self, spec: ExperimentSpec | None) -> str:
        """The preset whose settings `spec` are, else CUSTOM."""
        return next((p for p in self.presets if spec is not None and same_settings(ExperimentSpec.from_preset(p), spec)),
                    CUSTOM)

    def name_preset(self) -> None:
        """The Preset box names what the widgets hold: a preset changed by hand is Custom (and
        settings typed back to a preset's own are that preset again)."""
        ss, k = self.session, self.k
        spec, problems = self.read()
        named = ss.get(k("preset"), CUSTOM)
        if spec is None or problems:
            if named != CUSTOM:
                ss[k("preset")] = CUSTOM
        elif named == CUSTOM or not same_settings(ExperimentSpec.from_preset(named), spec):
            ss[k("preset")] = self.preset_of(spec)

    @property
    def session(self):
        return st.session_state

    def to_address(self, spec: ExperimentSpec) -> dict[str, str]:
        """Write a good spec's differences from the default into the address; returns them."""
        memory = self.memory
        query = to_query(spec, self.default)
        current = st.query_params.to_dict()
        if memory.address != query:
            memory.link_errors = []  # the learner has moved on from the link
        memory.address = query
        if {key: v for key, v in current.items() if key not in NOT_SPEC} != query:
            st.query_params.from_dict({**{key: v for key, v in current.items() if key in NOT_SPEC}, **query})
        return query

    def link_errors(self) -> None:
        errors = self.memory.link_errors
        if errors:
            st.warning("This link has settings that could not be used; the page's defaults are used for "
                       "them:\n\n" + "\n".join(f"- **{plain(e.field)}**: {plain(e.message)}" for e in errors),
                       icon=":material/link_off:")

    def write(self, spec: ExperimentSpec) -> None:
        """Put a spec's values into the widgets' session-state keys."""
        ss, k = st.session_state, self.k
        ss[k("dataset")] = spec.dataset
        ss[k("n_hidden")] = typed(len(spec.hidden))
        for i, layer in enumerate(spec.hidden):
            ss[k(f"kind_{i}")] = layer.kind
            if layer.kind == "pool":
                ss[k(f"pool_{i}")] = typed(layer.kernel)
            else:
                ss[k(f"units_{i}")] = typed(layer.units)
                ss[k(f"activation_{i}")] = layer.activation
            if layer.kind == "conv":
                ss[k(f"kernel_{i}")], ss[k(f"stride_{i}")] = typed(layer.kernel), typed(layer.stride)
        for name in FIELDS:
            ss[k(name)] = typed(getattr(spec, name)) if name in WHOLE_FIELDS else getattr(spec, name)
        if self.scope == DIGITS:
            ss[k("augment")] = spec.augment
            ss[k("train_size")] = typed(spec.train_size)
        else:
            points, noise = spec.point_set()
            ss[k("points")], ss[k("noise")] = typed(points), noise

    def apply_preset(self) -> None:
        name = st.session_state[self.k("preset")]
        if name in PRESETS:
            self.write(ExperimentSpec.from_preset(name))

    def dataset_changed(self) -> None:
        """A new point set starts from its own number of points and noise."""
        if self.scope == POINTS:
            info = DATASETS[st.session_state[self.k("dataset")]]
            st.session_state[self.k("points")] = typed(info.points)
            st.session_state[self.k("noise")] = info.noise

    def read(self) -> tuple[ExperimentSpec | None, list[SpecError]]:
        ss, k = st.session_state, self.k
        n_hidden = ss[k("n_hidden")]
        if n_hidden is None:
            return None, [SpecError("hidden layers", "is empty: enter a number from 0 to "
                                    f"{MAX_HIDDEN_LAYERS} (a number box keeps digits only)")]
        if not float(n_hidden).is_integer():
            return None, [SpecError("hidden layers", f"must be a whole number, got {n_hidden:g}")]
        if n_hidden < 0 or n_hidden > MAX_HIDDEN_LAYERS:
            return None, [SpecError("hidden layers", f"must be from 0 to {MAX_HIDDEN_LAYERS}, got {n_hidden:g}")]
        hidden = []
        for i in range(int(n_hidden)):
            kind = ss.get(k(f"kind_{i}"), "dense")
            if kind == "pool":
                hidden.append({"units": 0, "activation": "linear", "kind": "pool",
                               "kernel": whole(ss.get(k(f"pool_{i}"), POOL_SIZE))})
                continue
            hidden.append({"units": whole(ss.get(k(f"units_{i}"))), "activation": ss.get(k(f"activation_{i}")), "kind": kind})
            if kind == "conv":
                hidden[-1].update(kernel=whole(ss.get(k(f"kernel_{i}"), CONV_KERNEL)),
                                  stride=whole(ss.get(k(f"stride_{i}"), CONV_STRIDE)))
        dataset = ss[k("dataset")]
        extra = self.extra if self.scope == DIGITS or is_point_set(dataset) else ()  # your own points: none
        values = {"dataset": dataset, "hidden": hidden,
                  **{name: whole(ss.get(k(name))) if name in WHOLE_FIELDS else ss.get(k(name))
                     for name in FIELDS + extra}}
        empty = [name for name, v in values.items() if v is None and name != "train_size"]  # empty: all
        for i, layer in enumerate(hidden):
            what = {"units": "units", "kernel": "pool size" if layer["kind"] == "pool" else "kernel", "stride": "stride"}
            empty += [f"hidden layer {i + 1} {what[key]}" for key in what if key in layer and layer[key] is None]
        if empty:
            return None, [SpecError(name, "is empty: enter a number (a number box keeps digits only: letters typed "
                                          "into it are dropped, nothing else is changed)") for name in empty]
        try:
            spec = ExperimentSpec.from_dict(values)
        except SpecError as e:
            return None, [e]
        return spec, spec.problems()

    def draw(self, disabled: bool) -> tuple[ExperimentSpec | None, list[SpecError]]:
        ss, k, sb = st.session_state, self.k, st.sidebar
        self.from_address(links=not disabled)  # while it trains, the address does not change the builder

        sb.selectbox("Preset", [CUSTOM, *self.presets], persist_state=KEEP, key=k("preset"), on_change=self.apply_preset,
                     format_func=lambda n: "Custom (your own settings)" if n == CUSTOM else PRESETS.label(n),
                     help="Load a whole network and its training settings in one click.",
                     disabled=disabled)
        if ss[k("preset")] in PRESETS:
            sb.caption(PRESETS[ss[k("preset")]].help)

        dataset = ss[k("dataset")]
        sb.selectbox("Data", self.datasets, persist_state=KEEP, key=k("dataset"), format_func=DATASETS.label,
                     help=DATASETS[dataset].help if dataset in DATASETS else None,
                     on_change=self.dataset_changed, disabled=disabled)
        if self.scope == POINTS and not is_point_set(dataset):
            sb.caption("Upload a CSV or click points onto the plane: on the page, under **Your points**.")
        elif self.scope == POINTS:
            c1, c2 = sb.columns(2)
            c1.number_input("Points", value=None, step=50.0, format="%g", persist_state=KEEP, key=k("points"), disabled=disabled,
                            help=f"How many points the set has ({LIMITS['points'].text()}).")
            c2.number_input("Noise", value=None, step=0.05, format="%.2f", persist_state=KEEP, key=k("noise"), disabled=disabled,
                            help="How far points stray from their shape (for the blobs: the standard deviation; "
                                 f"{LIMITS['noise'].text()}).")

        sb.subheader("Layers")
        sb.number_input("Hidden layers", value=None, **WHOLE, persist_state=KEEP, key=k("n_hidden"), disabled=disabled,
                        help=f"0 to {MAX_HIDDEN_LAYERS}. With 0 the model is softmax regression.")
        n = ss[k("n_hidden")]
        n_hidden = int(n) if isinstance(n, (int, float)) and float(n).is_integer() and 0 <= n <= MAX_HIDDEN_LAYERS else 0
        for i in range(n_hidden):
            ss.setdefault(k(f"kind_{i}"), "dense")
            ss.setdefault(k(f"units_{i}"), 16.0)
            ss.setdefault(k(f"activation_{i}"), "relu")
            kind = ss[k(f"kind_{i}")]
            c0, c1 = sb.columns([3, 2], vertical_alignment="bottom")
            c0.selectbox(f"L{i + 1}", self.kinds, persist_state=KEEP, key=k(f"kind_{i}"), disabled=disabled,
                         format_func=LAYER_KINDS.label,
                         help=LAYER_KINDS[kind].help if kind in LAYER_KINDS else None)
            if kind == "pool":
                ss.setdefault(k(f"pool_{i}"), typed(POOL_SIZE))
                c1.number_input("size", value=None, **WHOLE, persist_state=KEEP, key=k(f"pool_{i}"), disabled=disabled,
                                help=f"Keeps the largest of each size x size block ({POOL_SIZE} by default; 2 halves "
                                     f"width and height; 1 to {MAX_KERNEL}).")
                continue
            size = LAYER_KINDS[kind].size if kind in LAYER_KINDS else "units"
            most = LAYER_KINDS[kind].max_size if kind in LAYER_KINDS else 0
            c1.number_input(size, value=None, **WHOLE, persist_state=KEEP, key=k(f"units_{i}"), disabled=disabled,
                            help=f"1 to {most:,}." if most else None)
            if kind == "conv":
                ss.setdefault(k(f"kernel_{i}"), typed(CONV_KERNEL))
                ss.setdefault(k(f"stride_{i}"), typed(CONV_STRIDE))
                c2, c3 = sb.columns(2)
                c2.number_input(f"L{i + 1} kernel", value=None, **WHOLE, persist_state=KEEP, key=k(f"kernel_{i}"), disabled=disabled,
                                help=f"The window each unit reads: kernel x kernel pixels ({CONV_KERNEL} by default; "
                                     f"1 to {MAX_KERNEL}).")
                c3.number_input(f"L{i + 1} stride", value=None, **WHOLE, persist_state=KEEP, key=k(f"stride_{i}"), disabled=disabled,
                                help=f"How many pixels the window moves each step ({CONV_STRIDE} by default; 2 halves "
                                     f"the feature map's width and height; 1 to {MAX_KERNEL}).")
            act = ss[k(f"activation_{i}")]
            sb.selectbox(f"L{i + 1} activation", ACTIVATIONS.names(), persist_state=KEEP, key=k(f"activation_{i}"),
                         format_func=ACTIVATIONS.label, disabled=disabled, label_visibility="collapsed",
                         help=ACTIVATIONS[act].help if act in ACTIVATIONS else None)
        info = DATASETS[dataset] if dataset in DATASETS else DATASETS["digits-5k"]
        out = ss[k("output")]
        outputs = [n for n, o in OUTPUTS.items() if info.labels in o.labels]
        losses = [n for n, loss in LOSSES.items() if info.labels in loss.labels]
        units = "one unit per class" if info.user_data else f"{info.shape.outputs} units"
        sb.radio(f"L{n_hidden + 1}: output layer ({units})", outputs, persist_state=KEEP, key=k("output"),
                 format_func=OUTPUTS.label, disabled=disabled,
                 help=OUTPUTS[out].help if out in OUTPUTS else None)

        sb.subheader("Loss and optimizer")
        sb.selectbox("Loss", losses, persist_state=KEEP, key=k("loss"), format_func=LOSSES.label, disabled=disabled)
        if ss[k("loss")] in LOSSES:
            loss = LOSSES[ss[k("loss")]]
            sb.caption(f"Expects {loss.label_format} labels: `{loss.label_example}`")
        opt = ss[k("optimizer")]
        sb.selectbox("Optimizer", OPTIMIZERS.names(), persist_state=KEEP, key=k("optimizer"), format_func=OPTIMIZERS.label,
                     disabled=disabled, help=OPTIMIZERS[opt].help if opt in OPTIMIZERS else None)
        sb.number_input("Learning rate", value=None, persist_state=KEEP, key=k("learning_rate"), format="%g", step=0.0005,
                        disabled=disabled, help="alpha: the size of each gradient-descent step "
                        f"({LIMITS['learning_rate'].text()}).")

        sb.subheader("Training")
        c1, c2 = sb.columns(2)
        c1.number_input("Batch size", value=None, **WHOLE, persist_state=KEEP, key=k("batch_size"), disabled=disabled,
                        help=f"Examples per gradient step (Keras default 32; {LIMITS['batch_size'].text()}).")
        c2.number_input("Epochs", value=None, **WHOLE, persist_state=KEEP, key=k("epochs"), disabled=disabled,
                        help=f"Passes over the training set ({LIMITS['epochs'].text()}).")
        c1.number_input("Validation share", value=None, step=0.05, format="%.2f", persist_state=KEEP, key=k("validation_split"),
                        disabled=disabled, help="Part of the data held out to measure generalisation "
                        f"({LIMITS['validation_split'].text()}).")
        c2.number_input("Seed", value=None, **WHOLE, persist_state=KEEP, key=k("seed"), disabled=disabled,
                        help="Same seed, same data, same split, same initial weights, same result "
                             f"({LIMITS['seed'].text()}).")
        if self.scope == DIGITS:
            sb.number_input("Training examples", value=None, step=100.0, format="%g", persist_state=KEEP, key=k("train_size"), disabled=disabled,
                            placeholder="all of the training split",
                            help="Train on only this many digits of the training split (drawn stratified "
                                 "with the seed); the validation digits stay the same. Empty: all of them.")
            sb.toggle("Augment the digits", persist_state=KEEP, key=k("augment"), disabled=disabled,
                      help="Each epoch, show every training digit randomly shifted, rotated, scaled and "
                           "drawn thinner or thicker: the network learns what a digit is, not where.")
        return self.read()


def spec_sidebar(disabled: bool = False, scope: str = DIGITS) -> tuple[ExperimentSpec | None, list[SpecError]]:
    """Draw the builder in the sidebar; return the spec it describes and its problems. The page's
    address follows the spec (and a link fills the builder)."""
    builder = _Builder(scope)
    spec, problems = builder.draw(disabled)
    builder.link_errors()
    if spec is not None and not problems:
        query = builder.to_address(spec)
        copy_link(query)
    return spec, problems


def current_spec(scope: str = DIGITS) -> tuple[ExperimentSpec | None, list[SpecError]]:
    """The spec the builder's widgets hold now, without drawing them: for a button's callback,
    which runs with the values of this click (a value changed just before the click included),
    not with those of the run that drew the button."""
    return _Builder(scope).read()


def chosen_dataset(scope: str) -> str | None:
    """The data set the page's builder has chosen now (its Data box)."""
    return st.session_state.get(_Builder(scope).k("dataset"))


def default_spec(scope: str) -> ExperimentSpec:
    """The default spec of the page of `scope` (its first preset)."""
    return _Builder(scope).default


def page_url(query: dict[str, str]) -> str:
    """This page's address with `query` (as the browser shows it)."""
    base = (st.context.url or "").split("?")[0]
    return base + ("?" + urlencode(query) if query else "")


def copy_link(query: dict[str, str]) -> None:
    with st.sidebar.popover("Copy link", icon=":material/link:", width="stretch"):
        st.caption("This link opens this network with these settings (the code box has a copy button):")
        st.code(page_url(query), language=None, wrap_lines=True)
