"""Optimizers: race them on one network from identical weights, then see why Adam wins."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import chart_ui
from app import charts, state
from app.state import lessons as lesson_state
from app.text import plain
from app import training_ui as ui
from app.optimizer_charts import COLORS, legend_below, race_accuracy, race_loss
from nncore import ExperimentSpec, SpecError
from nncore.lessons import optimizer_paths as paths
from nncore.lessons import optimizers as race_lib
from nncore.model import count_params, plan
from nncore.registry import PRESETS
from nncore.training.job import MAX_RUNNING_JOBS
from nncore.training.snapshot import Status

ss = st.session_state
NAMES = list(race_lib.RACERS)  # every optimizer of the registry: gd, momentum, rmsprop, adam
NONE = "—"

st.title("Optimizers: Adam vs gradient descent")
st.caption("Gradient descent takes one step size α for every parameter. Adam keeps a step size per "
           "parameter: it grows while that parameter keeps moving the same way and shrinks when it "
           "oscillates. Race them on a real network, then watch them walk across a loss surface.")

# ---- 1. the race ----------------------------------------------------------------------------
st.header("1. The race")
train_job = state.current_job()  # the Train page's current training, if this session has one
TRAIN = race_lib.TRAIN_NETWORK
choices = ([TRAIN] if train_job is not None else []) + list(PRESETS)
address = lesson_state.race_address()


def fill_widgets(race: race_lib.RaceSettings) -> None:
    """Put a race into the race's widgets, before they are drawn."""
    ss["race_network"], ss["race_epochs"] = race.network, race.epochs
    for i in range(race_lib.MAX_ENTRANTS):
        has = i < len(race.optimizers)
        ss[f"race_opt_{i}"] = race.optimizers[i] if has else NONE
        ss[f"race_lr_{i}"] = str(float(race.rates[i] if has else race_lib.DEFAULT_LEARNING_RATE))


# The address carries the race (?optimizers=gd,adam&rates=0.1,0.001...): a link fills the widgets,
# and the widgets' race, once it can run, is written back into it.
query = st.query_params.to_dict()
if query and query != address.address:
    linked, address.link_errors = race_lib.race_from_query(query, choices)
    fill_widgets(linked)
    address.address, address.linked = query, race_lib.race_to_query(linked)
elif "race_opt_0" not in ss:  # the first visit: the default race
    fill_widgets(race_lib.RaceSettings(network=TRAIN if train_job is not None else race_lib.DEFAULT_NETWORK))
if ss["race_network"] not in choices:
    ss["race_network"] = race_lib.DEFAULT_NETWORK
link_notice = st.container()  # what a link carried that could not be used (filled below)
source = st.selectbox("Network", choices, persist_state="session", key="race_network",
                      format_func=lambda n: "The Train page's network" if n == TRAIN else PRESETS[n].label)


def network_spec(source: str) -> ExperimentSpec:
    job = state.current_job()
    return job.spec if source == TRAIN and job is not None else ExperimentSpec.from_preset(
        source if source != TRAIN else "practice-lab")


def read_race() -> tuple[ExperimentSpec, list, int, list[SpecError]]:
    """The race the widgets hold now: network, entrants, epochs and what is wrong. Read from the
    session's values, so the Race button's callback races what the click saw, not the settings of
    the run that drew the button (a rate typed just before the click)."""
    spec = network_spec(ss["race_network"])
    entrants, problems = [], []
    for i in range(race_lib.MAX_ENTRANTS):
        name = ss.get(f"race_opt_{i}", NONE)
        if name != NONE:
            try:
                entrants.append(race_lib.Entrant(name, race_lib.RACE_NAMES[name],
                                                 race_lib.parse_rate(name, i, ss.get(f"race_lr_{i}", ""))))
            except SpecError as e:
                problems.append(e)
    if not problems:
        problems += race_lib.check_entrants(entrants)
        too_big = race_lib.check_size(spec, entrants) if len(entrants) else None
        problems += [too_big] if too_big else []
    return spec, entrants, int(ss["race_epochs"]), problems


spec = network_spec(source)
layers = [p.short() for p in plan(spec) if p.cls not in ("Reshape", "Flatten")]
st.markdown(f"**{' → '.join([spec.dataset, *layers])}** · {count_params(spec):,} parameters · "
            f"`{spec.loss}` · batch {spec.batch_size} · seed {spec.seed}")

c1, c2 = st.columns(2)
c1.number_input("Epochs for each optimizer", 1, race_lib.MAX_EPOCHS, persist_state="session", key="race_epochs")  # read by read_race
target = float(c2.number_input("Target training loss (epochs to reach it)", 0.0, 100.0, 0.3, step=0.05,
                               format="%.3f", persist_state="session", key="race_target"))

st.markdown(f"**Optimizers** ({race_lib.MIN_ENTRANTS} to {race_lib.MAX_ENTRANTS}), each with its learning rate α:")
for i, col in enumerate(st.columns(race_lib.MAX_ENTRANTS)):
    name = col.selectbox(f"Optimizer {i + 1}", [NONE, *NAMES], persist_state="session", key=f"race_opt_{i}",
                         format_func=lambda n: n if n == NONE else f"{n}: {race_lib.describe(n)}")
    col.text_input(f"α of optimizer {i + 1}", persist_state="session", key=f"race_lr_{i}", disabled=name == NONE)
spec, entrants, epochs, problems = read_race()
with st.container(key="race_problems"):
    for p in problems:
        st.error(f"**{p.field}**: {p.message}", icon=":material/error:")
if not problems:  # a race that can run: the address carries it (a link reopens this race)
    written = race_lib.race_to_query(race_lib.RaceSettings(
        ss["race_network"], tuple(e.name for e in entrants), tuple(e.learning_rate for e in entrants), epochs))
    if written != address.linked:
        address.link_errors = []  # the learner has moved on from the link
    if st.query_params.to_dict() != written:
        st.query_params.from_dict(written)
    address.address = written
if address.link_errors:
    link_notice.warning("This link's race could not be used whole:\n" + "\n".join(
        f"- **{plain(e.field)}**: {plain(e.message)}" for e in address.link_errors), icon=":material/link_off:")


def start_race() -> None:
    spec, entrants, epochs, problems = read_race()
    if problems:
        return  # the page names them
    try:
        race = race_lib.make_race(spec, entrants, epochs)
    except Exception as e:  # e.g. a data set that cannot be had offline: a message, not a crash
        lesson_state.race().error = f"The race could not start: {e}"
        return
    kept = lesson_state.race()
    kept.error, kept.race = None, race
    state.start_lesson("race", race.jobs)


racing = state.lesson_training("race")
with st.container(horizontal=True):
    st.button("Race", key="race", type="primary", icon=":material/sports_score:", disabled=bool(problems) or racing,
              on_click=start_race,
              help="Fix the settings marked in red first." if problems else "Train them side by side.")
    st.button("Stop", key="race_stop", icon=":material/stop:", disabled=not racing,
              on_click=state.stop_lesson, args=("race",), help="Stop every run; each keeps its curves so far.")
if lesson_state.race().error:
    st.error(lesson_state.race().error, icon=":material/error:")


def race_view(jobs) -> None:
    race = lesson_state.race().race
    if not jobs or race is None or tuple(race.jobs) != tuple(jobs):
        st.info("Press **Race** to train the optimizers side by side.", icon=":material/sports_score:")
        return
    runs = race.runs()
    done = sum(r.progress for r in runs) / len(runs)
    elapsed = max(r.seconds for r in runs)
    st.progress(done, text=f"{race_lib.race_status(runs)} · {elapsed:.1f} s")
    st.markdown(f"Every run starts from the **same initial weights** (checksum `{race.checksum}`, the same "
                f"bytes for all) and sees the **same batches in the same order** (seed {race.spec.seed}, batch "
                f"{race.spec.batch_size}): only the optimizer differs.")
    rows = []
    for r in runs:
        reach = race_lib.epochs_to(r.loss, target)
        rows.append({"optimizer": r.entrant.name, "α": r.entrant.learning_rate, "status": r.status,
                     "epoch": f"{r.epoch} of {r.epochs}", "loss at the start": r.loss[0] if r.loss else None,
                     "training loss": r.loss[-1] if r.loss else None,
                     "validation loss": r.val_loss[-1] if r.val_loss else None,
                     "validation accuracy": r.val_accuracy[-1] if r.val_accuracy else None,
                     f"epochs to loss ≤ {target:g}": str(reach) if reach is not None else "not yet",
                     "seconds": round(r.seconds, 1)})
    st.dataframe(rows, hide_index=True, key="race_table",
                 column_config={"validation accuracy": st.column_config.NumberColumn(format="percent"),
                                "loss at the start": st.column_config.NumberColumn(format="%.6f")})
    for r in runs:
        if r.status in (Status.DIVERGED, Status.FAILED):
            st.error(f"**{r.entrant.label}**: {r.message} The other runs go on.", icon=":material/warning:")
        elif r.status == Status.STOPPED:
            st.warning(f"**{r.entrant.label}**: {r.message}", icon=":material/stop:")
        elif r.status == Status.QUEUED:
            st.info(f"**{r.entrant.label}**: waiting for a free training slot (at most "
                    f"{MAX_RUNNING_JOBS} trainings run at once in this app).",
                    icon=":material/hourglass_empty:")
    verdict = race_lib.race_verdict(runs)  # once every run has finished
    if verdict:
        st.success("  \n".join(verdict), icon=":material/emoji_events:")
        note = race_lib.one_alpha_note(race.spec, race.entrants, {n: sf.rates for n, sf in paths.SURFACES.items()})
        if note:
            st.info(note, icon=":material/tune:")
    left, right = st.columns(2)
    chart_ui.plot(race_loss(runs, target), "race_loss", where=left)
    chart_ui.plot(race_accuracy(runs), "race_accuracy", where=right)


ui.lesson_live("race", race_view, every=1.0)

# ---- 2. why: the contour picture ------------------------------------------------------------
st.header("2. Why: walking down a loss surface")
surface = paths.SURFACES[st.segmented_control("Loss surface", list(paths.SURFACES), default="valley",
                                              required=True, persist_state="session", key="surface",
                                              format_func=lambda n: paths.SURFACES[n].label)]
st.caption(surface.help)
shown = st.pills("Optimizers on the surface", NAMES, selection_mode="multi", default=NAMES, persist_state="session", key="path_opts",
                 format_func=race_lib.describe) or []
rates = {}
for name, col in zip(shown, st.columns(max(1, len(shown)))):
    rates[name] = col.select_slider(f"α for {name}", paths.ALPHAS, value=surface.rates[name], persist_state="session", key=f"alpha_{surface.name}_{name}")
step = st.slider("Step", 1, surface.steps, surface.steps, persist_state="session", key=f"path_step_{surface.name}",
                 help="Show the paths up to this step, and write out this step by hand below.")


@st.cache_data(show_spinner="Walking with Keras' optimizers...", max_entries=64)
def walk(surface_name: str, name: str, rate: float) -> paths.Path:
    return paths.walk(surface_name, name, rate)


walks = {name: walk(surface.name, name, rate) for name, rate in rates.items()}
p1, p2 = surface.params


def shown(w: paths.Path) -> tuple[np.ndarray, bool]:
    """A path's points up to the step shown, and whether it has diverged by then."""
    return w.points[: step + 1], bool(w.diverged) and step >= len(w.grads)


def contour_figure() -> go.Figure:
    gx, gy, J = surface.grid()
    fig = go.Figure(go.Contour(x=gx, y=gy, z=np.log10(J - J.min() + 1e-3), showscale=False, ncontours=24,
                               colorscale=[[0, "#fff7d6"], [0.5, "#d9e6f2"], [1, "#8fb3d9"]], line=dict(color="#7f8c99", width=0.6),
                               hovertemplate=f"{p1}=%{{x:.2f}}, {p2}=%{{y:.2f}}<extra></extra>"))
    for name, w in reversed(walks.items()):  # gradient descent drawn last, on top
        pts, diverged = shown(w)
        label = f"{name} α={w.learning_rate:g}" + (" (diverged)" if diverged else "")
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines+markers", name=label,
                                 line=dict(color=COLORS[name], width=3 if name == "gd" else 2), marker=dict(size=4)))
        end = "x" if diverged else "circle"
        fig.add_trace(go.Scatter(x=pts[-1:, 0], y=pts[-1:, 1], mode="markers", showlegend=False,
                                 marker=dict(symbol=end, size=12, color=COLORS[name]), hovertext=[w.diverged or name]))
    lo, hi = surface.minimum
    fig.add_trace(go.Scatter(x=[surface.start[0], lo], y=[surface.start[1], hi], mode="markers+text",
                             text=["start", "minimum"], textposition="top center", showlegend=False,
                             marker=dict(symbol=["square", "star"], size=12, color="black")))
    fig.update_layout(legend_traceorder="reversed")
    fig.update_xaxes(range=list(surface.box[0]))
    fig.update_yaxes(range=list(surface.box[1]))
    return legend_below(charts.layout(fig, f"Contours of J({p1}, {p2}) and each optimizer's path, steps 0 to {step}",
                                      p1, p2), 620)


def steps_figure(what: str) -> go.Figure:
    traces = []
    for name, w in walks.items():
        if name not in steps_of:
            continue
        values = np.abs(w.steps) if what == "step" else w.effective_rate
        n = min(step, len(values))
        for j, (param, dash) in enumerate(((p1, None), (p2, "dot"))):
            traces.append(go.Scatter(x=np.arange(1, n + 1), y=values[:n, j], mode="lines", name=f"{name} {param}",
                                     line=dict(color=COLORS[name], dash=dash)))
    fig = go.Figure(traces)
    fig.update_yaxes(type="log", dtick=1, exponentformat="power")
    if what == "step":
        return legend_below(charts.layout(fig, "Each parameter's step |Δθ| (Adam: α·m̂/(√v̂+ε))", "step",
                                          "|Δθ| (log scale)"), 360)
    return legend_below(charts.layout(fig, "Effective learning rate |Δθ| / |∂J/∂θ| per parameter", "step",
                                      "step / gradient (log scale)"), 360)


if not walks:
    st.info("Pick at least one optimizer to walk the surface.")
else:
    c1, c2 = st.columns([3, 2])
    ends = [(f"{name} α={w.learning_rate:g}", tuple(pts[-1]), float(w.loss[len(pts) - 1]), diverged)
            for name, w in walks.items() for pts, diverged in [shown(w)]]
    chart_ui.plot(contour_figure(), "contour", where=c1, text=charts.describe.paths_text(
        f"Contours of J({p1}, {p2}) and each optimizer's path, steps 0 to {step}", (p1, p2), surface.start,
        surface.minimum, surface.minimum_loss, ends))
    with c2:
        steps_of = st.pills("Step sizes of", list(walks), selection_mode="multi", persist_state="session", key="steps_of",
                            default=[n for n in ("gd", "adam") if n in walks] or list(walks)[:1]) or []
        chart_ui.plot(steps_figure("step"), "step_sizes")
        chart_ui.plot(steps_figure("rate"), "effective_rates")
    for name, w in walks.items():
        if w.diverged:
            st.error(f"**{name} α={w.learning_rate:g}** {w.diverged}.", icon=":material/trending_up:")
    st.caption("Gradient descent's effective learning rate is the flat line α for both parameters. Adam's "
               "differs per parameter: large for the one whose gradient keeps its sign, small for the one "
               "that oscillates. Every point comes from Keras: `opt.apply_gradients` on two `tf.Variable`s.")

    # ---- 3. one step by hand ---------------------------------------------------------------------
    st.header("3. One step by hand, beside Keras")
    for name in ("adam", "momentum"):
        w = walks.get(name)
        if w is None:
            st.caption(f"Add {name} to the surface above to see its step written out.")
            continue
        t = min(step, len(w.grads))
        h = paths.by_hand(w, t)
        st.subheader(f"{race_lib.describe(name)}, step {t}, α = {w.learning_rate:g}")
        st.code("\n".join(h.formulas), language="text")
        rows = [{"": k, p1: float(v[0]), p2: float(v[1])} for k, v in h.terms.items()]
        rows += [{"": "θ before", p1: h.theta_before[0], p2: h.theta_before[1]},
                 {"": "θ after, by hand", p1: h.theta_hand[0], p2: h.theta_hand[1]},
                 {"": "θ after, Keras", p1: h.theta_keras[0], p2: h.theta_keras[1]},
                 {"": "|difference|", p1: h.difference[0], p2: h.difference[1]}]
        st.dataframe(rows, hide_index=True, key=f"hand_{name}",
                     column_config={p: st.column_config.NumberColumn(format="%.9g") for p in (p1, p2)})
        box = st.success if h.agrees else st.warning
        box(f"By hand and Keras agree to float32 precision (largest difference {h.difference.max():.1e})."
            if h.agrees else f"By hand and Keras differ by {h.difference.max():.1e}.", icon=":material/check:")
