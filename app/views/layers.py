"""Other layer types: what a convolutional layer is, seen on a digit, drawn as the lecture's EKG
network, and its claims measured on digits."""

import streamlit as st

from app import chart_ui
from app.charts import describe
from app import layers_charts as charts
from app import state
from app.state.draw import last_input as last_drawing
from app.state.layers import layers_state
from app import training_ui as ui
from nncore import ExperimentSpec
from nncore.data import load_dataset
from nncore.inference.predictor import DRAW_MEMBERS
from nncore.lessons import layers as lessons
from nncore.lessons import layers_experiment as lx
from nncore.model import build_model, count_params

ss = st.session_state  # this page's widgets' values
mine = layers_state()  # this page's own state

st.title("Other layer types: the convolutional layer")
st.caption("A Dense unit reads every value of the layer before it. A convolutional unit reads only a "
           "window of it, and in Keras all the units of one filter share the same weights. The lecture "
           "says this computes faster, needs less data and overfits less. See the windows, then measure.")

# ---- 1. windows you can see ----------------------------------------------------------------------
st.header("1. Windows you can see")

drawn = last_drawing()  # the Draw page's latest drawing as 784 inputs (None before the first)

SHIPPED, TRAIN, EXP_CONV, EXP_DENSE = "shipped", "train", "experiment-conv", "experiment-dense"
sources = {SHIPPED: "The Draw page's CNN, shipped with the app (trained)" if DRAW_MEMBERS == 1 else
           f"The Draw page's CNN, shipped with the app (trained; the first of the {DRAW_MEMBERS} it averages)"}
train_job = state.current_job()
if train_job is not None and train_job.spec.shape.image == (28, 28):
    sources[TRAIN] = f"Your network from the Train page ({train_job.spec.hidden_text or 'no hidden layers'})"
experiment = mine.experiment
finished = {} if experiment is None else {
    arm: job for (arm, _), job in zip(experiment.runs, experiment.jobs) if job.snapshot().weights is not None}
if "conv" in finished:
    sources[EXP_CONV] = f"The experiment's convolutional network ({finished['conv'].spec.train_size:,} digits)"
if "dense" in finished:
    sources[EXP_DENSE] = f"The experiment's dense network ({finished['dense'].spec.train_size:,} digits): Dense units"

if ss.get("layers_network") not in sources:  # first visit, or a new experiment has none trained yet
    ss["layers_network"] = TRAIN if TRAIN in sources and train_job.spec.is_convolutional else SHIPPED
c1, c2 = st.columns([3, 2])
source = c1.selectbox("Network", list(sources), format_func=sources.get, persist_state="session", key="layers_network",
                      help="A Conv2D layer's units read windows; a Dense layer's units read everything.")


@st.cache_resource(show_spinner="Loading the shipped CNN (TensorFlow starts once)...")
def shipped():
    from nncore.inference.predictor import ASSETS, DEFAULT_MODELS, load_predictor

    p = load_predictor(ASSETS / DEFAULT_MODELS["logits"])
    return p.members[0], p.spec  # the first of the networks the Draw page averages


def job_model(job):
    """A Keras model with the job's latest weights. One model per network in this session: a new
    epoch sets its weights, it does not build another (every Keras model built leaves memory in
    TensorFlow's runtime for good: a model per epoch per session was a leak)."""
    s = job.snapshot()
    network = (job.spec.dataset, job.spec.hidden, job.spec.output, job.spec.classes)
    key = (job.id, s.epoch, str(s.status))
    model = mine.models.get(network)
    if model is None:
        model = mine.models[network] = build_model(job.spec, compile=False)
        mine.shown[network] = (job.id, -1, "")  # built with the job's seed: its starting weights
    if mine.shown.get(network) != key:
        if s.weights is not None:
            model.set_weights(list(s.weights))
        elif mine.shown[network][0] != job.id:  # another job of the same network, not trained yet
            model.set_weights(build_model(job.spec, compile=False).get_weights())
        mine.shown[network] = key
    return model


if source == SHIPPED:
    model, spec = shipped()
else:
    job = {TRAIN: train_job, EXP_CONV: finished.get("conv"), EXP_DENSE: finished.get("dense")}[source]
    model, spec = job_model(job), job.spec
    if source == TRAIN and job.snapshot().weights is None:
        st.info("Your network has not been trained yet: these are its starting weights (from its seed).",
                icon=":material/info:")

digits = load_dataset(ExperimentSpec())  # the 1,000 validation digits the experiment below uses too
kinds = ["validation"] + (["drawing"] if drawn is not None else [])
which = c2.radio("Digit", kinds, horizontal=True, persist_state="session", key="layers_digit_kind",
                 format_func={"validation": "A validation digit", "drawing": "Your drawing (Draw page)"}.get)
if which == "drawing":
    x, label = drawn, "your drawing"
else:
    i = int(c2.number_input("Validation digit number", 0, len(digits.x_val) - 1, 0, persist_state="session", key="layers_digit_index"))
    x, label = digits.x_val[i], f"validation digit {i} (a {digits.y_val[i]})"
if "drawing" not in kinds:
    st.caption("Draw a digit on the Draw page to see the windows on your own drawing.")

layers = lessons.image_layers(spec)
names = {p.name: f"{p.name}: {p.short()}" for p in layers}
default = next((i for i, p in enumerate(layers) if p.cls == "Conv2D"), 0)
c1, c2, c3 = st.columns(3)
layer = c1.selectbox("Layer", list(names), index=default, format_func=names.get, persist_state="session", key=f"layers_layer_{source}")
planned = next(p for p in layers if p.name == layer)
n_units = planned.args[0]
unit = int(c1.number_input(f"{'Filter' if planned.cls == 'Conv2D' else 'Unit'} (0 to {n_units - 1})", 0,
                           n_units - 1, 0, persist_state="session", key=f"layers_unit_{source}_{layer}"))
row = col = 0
if planned.cls == "Conv2D":
    h, w, _ = planned.output_shape
    row = c2.slider("Unit's row in the feature map", 0, h - 1, h // 2, persist_state="session", key=f"layers_row_{source}_{layer}")
    col = c3.slider("Unit's column in the feature map", 0, w - 1, w // 2, persist_state="session", key=f"layers_col_{source}_{layer}")

view = lessons.unit_view(model, spec, layer, unit, x, row, col)
f = view.field
left, middle, right = st.columns(3)
if view.kind == "Conv2D":
    k = planned.kwargs["kernel_size"]
    chart_ui.plot(charts.digit_with_field(x, f, f"Unit ({row}, {col}) of {layer} reads rows {f.top}-{f.bottom}, "
                                              f"columns {f.left}-{f.right}"), "layers_digit", where=left)
    chart_ui.plot(charts.filter_image(view.weights, f"Filter {unit}'s {k}x{k} weights"
                                            + (f" ({view.weights.shape[2]} input channels)"
                                               if view.weights.shape[2] > 1 else "")), "layers_filter", where=middle)
    chart_ui.plot(charts.feature_map(view.feature_map, row, col, f"Filter {unit}'s feature map over {label}"),
                  "layers_feature_map", where=right)
    st.markdown(f"**Unit ({row}, {col}) of filter {unit} in {layer}** reads a window of **{f.pixels} of the "
                f"{f.image[0] * f.image[1]} pixels** ({f.share:.0%}) of {label}: rows {f.top}-{f.bottom}, columns "
                f"{f.left}-{f.right}. Its filter is {k}x{k}x{view.weights.shape[2]} = {view.fan_in} weights and 1 "
                f"bias, **the same for all {view.feature_map.size} units of the feature map**: the filter slides "
                f"over the image, {planned.kwargs.get('strides', 1)} pixel(s) a step. Its activation here: "
                f"**{view.value:.3f}**.")
    if f.pixels > k * k:
        st.caption(f"Its window in the pixels is larger than {k}x{k}: it reads {k}x{k} units of the layer below, "
                   "and each of those reads a window of its own (and pooling layers widen them).")
else:
    chart_ui.plot(charts.digit_with_field(x, f, f"Unit {unit} of {layer} reads all {f.pixels} pixels"), "layers_digit",
                  where=left)
    if view.reads_pixels:
        chart_ui.plot(charts.filter_image(view.weights, f"Unit {unit}'s 784 weights, one per pixel",
                                                x="pixel column", y="pixel row"), "layers_filter", where=middle)
    right.metric(f"Unit {unit}'s activation", f"{view.value:.3f}")
    st.markdown(f"**Unit {unit} of {layer}** (Dense) reads **every one of the {view.fan_in} values** of the layer "
                f"before it{' (every pixel)' if view.reads_pixels else ''}: {view.fan_in} weights of its own and 1 "
                "bias. Its window is the whole image.")

# ---- 2. the lecture's EKG network ------------------------------------------------------------------
st.header("2. The lecture's EKG network")


@st.cache_resource(show_spinner="Counting the EKG network's parameters with Keras...")
def ekg():
    return lessons.ekg_network()


@st.cache_data(show_spinner=False)
def signal():
    return lessons.one_d_signal()


net, sig = ekg(), signal()
l1, l2 = net.layers
c1, c2 = st.columns([1, 3])
highlight = c1.selectbox("Highlight the window of", range(9), format_func=lambda j: f"a{j + 1}", persist_state="session", key="ekg_unit")
series = int(c1.number_input(f"Series (0 to {len(sig.x) - 1})", 0, len(sig.x) - 1, 0, persist_state="session", key="ekg_series"))
c1.markdown(f"**Real, labelled**: {sig.name}, label "
            f"**{sig.classes[sig.y[series]]}**")
chart_ui.plot(charts.ekg_network(net, highlight, sig.x[series]), "ekg_network", where=c2,
              text=describe.ekg_text(net, highlight))
st.info(f"The signal: {sig.source}. Real measurements with real labels (gun-draw or point); the lecture's EKG "
        "has the same shape of problem: 100 numbers in a row, one yes/no answer.", icon=":material/show_chart:")
windows_title = f"Layer 1's 9 windows of 20 samples, stride 10, over {sig.name} series {series}"
chart_ui.plot(charts.signal_windows(sig.x[series], net, windows_title), "ekg_signal",
              text=describe.signal_text(sig.x[series], net, windows_title))
rows = [{"layer": "layer 1", "windows": ", ".join(f"x{a}-x{b}" for a, b in l1.windows[:2]) + ", ..., "
         + f"x{l1.windows[-1][0]}-x{l1.windows[-1][1]}", "lecture: every unit its own weights":
         f"9 x (20 + 1) = {l1.lecture_params}", "Keras Conv1D(1, kernel_size=20, strides=10)": l1.keras_params},
        {"layer": "layer 2", "windows": ", ".join(f"a{a}-a{b}" for a, b in l2.windows),
         "lecture: every unit its own weights": f"3 x (5 + 1) = {l2.lecture_params}",
         "Keras Conv1D(1, kernel_size=20, strides=10)": l2.keras_params},
        {"layer": "output", "windows": "b1-b3 (all)", "lecture: every unit its own weights": f"3 + 1 = {net.output_params}",
         "Keras Conv1D(1, kernel_size=20, strides=10)": net.output_params},
        {"layer": "total", "windows": "", "lecture: every unit its own weights": str(net.lecture_total),
         "Keras Conv1D(1, kernel_size=20, strides=10)": net.keras_total}]
st.dataframe(rows, hide_index=True, key="ekg_params",
             column_config={"Keras Conv1D(1, kernel_size=20, strides=10)":
                            st.column_config.NumberColumn("Keras (one filter per layer, shared)")})
st.markdown(f"**Parameters: {net.lecture_total} as the lecture draws it, {net.keras_total} in Keras.** The lecture "
            f"gives each of the 9 units its own 20 weights and bias. Keras' `Conv1D` has **one filter** of 20 "
            f"weights and 1 bias and slides it along the signal: all 9 positions **share** those 21 numbers "
            f"(`count_params` says {l1.keras_params} for the layer). What that changes: {l1.lecture_params // l1.keras_params}x "
            "fewer weights to learn from the same examples; a pattern learnt at one place is found at every place "
            "(a spike early or late in the beat); and no position can learn something of its own. To have several "
            "patterns, Keras uses several filters (`Conv1D(8, ...)`: 8 x 21 weights).")
with st.expander("The EKG network in Keras (counted above with Keras itself)"):
    st.code(net.keras_code, language="python")
    st.dataframe([{"layer": n, "output shape": s, "parameters": p} for n, s, p in net.keras_summary],
                 hide_index=True, key="ekg_keras_summary")

# ---- 3. the claims, measured ----------------------------------------------------------------------
st.header("3. The claims, measured on digits")
dense_spec, conv_spec = (lx.arm_spec(a, 4000, lx.DEFAULT_EPOCHS) for a in ("dense", "conv"))
st.markdown(f"A **dense** network (the practice lab's: {dense_spec.hidden_text}, {count_params(dense_spec):,} "
            f"parameters) against a **convolutional** one (`lecture-cnn`: {conv_spec.hidden_text}, "
            f"{count_params(conv_spec):,} parameters), trained by the app's own trainer on 500, 1,000 and 4,000 "
            "training digits (`train_size`, drawn stratified with the seed) and measured on the **same 1,000 "
            "validation digits**. Same optimizer (Adam 0.001), batch size 32 and seed; the runs go one after "
            "another so that each one's time per epoch is its own. The same from a terminal: "
            "`python -m nncore layers --json`.")
c1, c2 = st.columns(2)
sizes = c1.pills("Training digits", [250, 500, 1000, 2000, 4000], selection_mode="multi", default=[500, 1000, 4000],
                 persist_state="session", key="layers_sizes", format_func=lambda n: f"{n:,}")
epochs = int(c2.number_input("Epochs for each run", 1, lx.MAX_EPOCHS, lx.DEFAULT_EPOCHS, persist_state="session", key="layers_epochs"))


def make_jobs():
    """The experiment the widgets hold at the click (values typed just before it included)."""
    if not ss["layers_sizes"]:
        return ()  # sizes cleared with the click: nothing to run
    exp = lx.make_experiment(sorted(ss["layers_sizes"]), int(ss["layers_epochs"]))
    mine.experiment = exp
    return exp.jobs


if sizes:
    ui.lesson_buttons("layers", "Run the experiment", "layers_run", make_jobs,
                      help="Train both networks at each size, one run after another.")
else:
    st.error("**Training digits**: pick at least one size.", icon=":material/error:")
    st.button("Run the experiment", key="layers_run", type="primary", disabled=True)


def experiment_view(jobs) -> None:
    exp = mine.experiment
    if not jobs or exp is None or tuple(exp.jobs) != tuple(jobs):
        st.info(f"Press **Run the experiment**: {2 * len(sizes or [0])} short trainings one after another (each "
                "network traced once first, untimed), about half a minute at the default settings on a small "
                "machine.", icon=":material/science:")
        return
    rows = exp.rows()
    done = sum(r.epoch for r in rows)
    total = sum(r.epochs or epochs for r in rows)
    current = next((r for r, job in zip(rows, exp.jobs) if not job.snapshot().finished), None)
    text = (f"Run {rows.index(current) + 1} of {len(rows)}: {current.arm} at {current.train_size:,} digits, "
            f"epoch {current.epoch} of {current.epochs}" if current else f"All {len(rows)} runs finished")
    st.progress(min(1.0, done / max(1, total)), text=f"{text} · {sum(r.seconds for r in rows):.1f} s of training")
    pct = lambda v: None if v is None else 100 * v  # noqa: E731
    st.dataframe([{"network": charts.LABELS[r.arm], "training digits": r.train_size, "parameters": r.params,
                   "multiply-adds per digit": r.macs, "epochs": f"{r.epoch} of {r.epochs}",
                   "validation accuracy": pct(r.val_accuracy), "training accuracy": pct(r.train_accuracy),
                   "gap": pct(r.gap), "seconds per epoch": r.seconds_per_epoch, "status": r.status} for r in rows],
                 hide_index=True, key="layers_table",
                 column_config={k: st.column_config.NumberColumn(format="%.1f%%")
                                for k in ("validation accuracy", "training accuracy", "gap")}
                 | {k: st.column_config.NumberColumn(format="localized")
                    for k in ("training digits", "parameters", "multiply-adds per digit")}
                 | {"seconds per epoch": st.column_config.NumberColumn(format="%.3f")})
    st.caption(f"Every run is measured on the same {exp.val_samples:,} validation digits (checksum "
               f"`{exp.val_checksum}`). Training accuracy is Keras' running accuracy over the last epoch, as "
               "`fit` reports it.")
    for r in rows:
        if r.status in ("failed", "diverged", "stopped") and r.message:
            st.warning(f"**{r.arm} at {r.train_size:,} digits**: {r.message}", icon=":material/warning:")
    figs = charts.experiment_figures(rows)
    for column, fig, key in zip(st.columns(3), figs, ("layers_accuracy", "layers_gap", "layers_speed")):
        chart_ui.plot(fig, key, where=column)
    if all(job.snapshot().finished for job in jobs):
        for line in lx.findings(rows):
            st.markdown("- " + line)


ui.lesson_live("layers", experiment_view, every=1.0)
