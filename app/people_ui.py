"""What the Runs and Class pages show of people: you (your name, "forget me"), a class as its
learner sees it, and the teacher's view. Names and class names are data: every one of them goes
through plain() in Markdown, or into a table cell (never read as Markdown or HTML)."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from app import chart_ui
from app import charts, runs_ui, state
from app.state import learner as me
from app.state import pages
from app.text import plain
from nncore import people
from nncore.people import ClassPage, ClassReport
from nncore.runs import Run


def ago(t: float) -> str:
    """How long ago `t` was, in words."""
    seconds = max(0.0, time.time() - t)
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def value_text(target: people.Target, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if "accuracy" in target.metric else f"{value:.4f}"


# ---- you ----------------------------------------------------------------------------------

def you_panel() -> None:
    """Your display name and "forget me": an expander on the Runs page."""
    learner = me.me()
    with st.expander("You: your name, and forgetting you", icon=":material/person:"):
        if learner is None:
            st.caption("Your runs stay in this tab only: " + plain(me.problem() or "the run store cannot be used"))
            return
        st.caption("This browser keeps who you are (a cookie, no password): your runs are yours in every tab "
                   "and after a reload. Nobody else's pages list them; a run's own link opens that one run "
                   "for whoever has it.")
        with st.form("your_name", border=False):
            c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
            typed = c1.text_input("Display name", value=learner.name, max_chars=people.NAME_MAX, key="display_name",
                                  help=f"1 to {people.NAME_MAX} characters; shown to your teacher and, if they "
                                       "allow it, on a class's leaderboard.")
            if c2.form_submit_button("Save name", icon=":material/save:"):
                problem = me.set_name(typed)
                if problem:
                    st.error(plain(problem), icon=":material/error:")
                else:
                    st.success(f"Your name is now **{plain(me.name())}**.", icon=":material/check:")
        st.divider()
        if not pages.you().forget_asked:
            st.button("Forget me", key="forget_me", icon=":material/delete_forever:", on_click=_ask_forget, args=(True,),
                      help="Delete your runs, their weights, your classes and who you are from this server.")
            return
        count = len(state.runs(state.DIGITS)) + len(state.runs(state.POINTS))
        st.warning(f"This deletes your {count} run(s), their weights, your place in your classes and your "
                   "name from this server, for good. This browser then starts as a newcomer.",
                   icon=":material/warning:")
        c1, c2 = st.columns(2)
        c1.button("Yes, delete everything", key="forget_me_confirm", type="primary", on_click=_forget)
        c2.button("Cancel", key="forget_me_cancel", on_click=_ask_forget, args=(False,))


def _ask_forget(asked: bool) -> None:
    pages.you().forget_asked = asked


def _forget() -> None:
    state.drop_session_runs()
    count = me.forget_me()
    pages.you().forget_asked = False
    st.toast(f"Forgotten: {count} run(s) and your identity deleted from this server.", icon=":material/check:")


# ---- a class, as its learner sees it --------------------------------------------------------

def exercise_line(klass: people.ClassInfo) -> str:
    spec = klass.exercise
    return (f"**{plain(spec.hidden_text or 'no hidden layers')}** · {spec.output} · {spec.optimizer} "
            f"(learning_rate={spec.learning_rate:g}) · batch {spec.batch_size} · {spec.epochs} epochs · "
            f"data `{spec.dataset}`")


def learner_class(page: ClassPage) -> None:
    klass, target = page.klass, page.klass.target
    st.header(plain(klass.name))
    status = "closed: new runs are not tagged with it" if klass.closed else "open"
    st.markdown(f"You are **{plain(page.name)}** in this class ({'in it' if page.in_class else 'you left it'}; "
                f"the class is {status}).  \n**Exercise:** {exercise_line(klass)}  \n"
                f"**Target:** {plain(target.describe())} (`{target.text}`)")
    if page.in_class and not klass.closed:
        st.button("Put the exercise in the builder", key="class_exercise", icon=":material/play_arrow:",
                  on_click=_load_exercise, args=(klass.exercise,),
                  help="The Train page's sidebar takes the exercise's settings; every run you train is "
                       "tagged with this class until you leave it.")
        if pages.take_exercise_loaded():
            st.switch_page("views/train.py" if state.scope_of(klass.exercise) == state.DIGITS
                           else "views/boundaries.py")
    st.subheader("Your runs for this class")
    if page.runs:
        st.dataframe([{"run": r.run.id, "status": r.run.status, "epochs": r.run.epochs,
                       "value": value_text(target, r.value), "target met": "yes" if r.met else "no",
                       "settings": people.changes_from(klass.exercise, r.run.spec)} for r in page.runs],
                     hide_index=True, key="class_own_runs")
    else:
        st.caption("None yet: train the exercise (your own variations count too).")
    st.subheader("Leaderboard")
    leaderboard(page.leaderboard, target, key="class_leaderboard")
    if page.spotlight is not None:
        st.subheader("Spotlight")
        who = f" by **{plain(page.spotlight_name)}**" if page.spotlight_name else ""
        st.info(f"Your teacher shows this run to the class{who}.", icon=":material/campaign:")
        runs_ui.show_run(page.spotlight, links=True)
    if page.in_class:
        st.button("Leave the class", key="leave_class", icon=":material/logout:", on_click=me.leave,
                  help="Your runs stay; new ones are no longer tagged with this class.")


def _load_exercise(spec) -> None:
    state.load_into_builder(spec)
    pages.classroom().exercise_loaded = True


def leaderboard(standings, target: people.Target, key: str) -> None:
    if not standings:
        st.caption("Nobody has a run that counts for the target yet.")
        return
    st.dataframe([{"rank": s.rank, "name": s.name + (" (you)" if s.you else ""),
                   "best": value_text(target, s.best), "target met": "yes" if s.met else "no"}
                  for s in standings], hide_index=True, key=key)


# ---- the teacher's view --------------------------------------------------------------------

def teacher_tables(report: ClassReport, chosen: list[str]) -> None:
    """The live part: one row per learner, the leaderboard, the `chosen` learners' curves and matrices."""
    target = report.klass.target
    runs = len(report.runs)
    running = sum(r.status == "running" for r in report.runs)
    st.caption(f"{len(report.learners)} learner(s), {runs} run(s), {running} training now · updated "
               f"{time.strftime('%H:%M:%S')} (every 3 s)")
    if not report.learners:
        st.info("Nobody has joined yet: give your learners the join link above.", icon=":material/group_add:")
        return
    st.dataframe([{"name": r.name, "runs": r.runs, "best": value_text(target, r.best),
                   "target met": "yes" if r.met else "no", "best run": r.best_run or "",
                   "best run's settings (from the exercise)": r.changes, "last activity": ago(r.last_activity),
                   "in class": "yes" if r.in_class else "left"} for r in report.learners],
                 hide_index=True, key="teacher_learners_table")
    picked = [r for r in report.learners if r.learner in chosen and r.best_run]
    best_runs = {r.id: r for r in report.runs}
    series = [(r.name, best_runs[r.best_run].history) for r in picked if r.best_run in best_runs]
    if series:
        metric = "accuracy" if "accuracy" in target.metric else "loss"
        chart_ui.plot(charts.compare_curves(series, metric, f"Best run of each chosen learner: {metric}", metric,
                                              percent=metric == "accuracy"), "teacher_curves",
                      text=charts.describe.compare_text(series, metric, percent_=metric == "accuracy"))
        matrices = [(r.name, best_runs[r.best_run]) for r in picked
                    if r.best_run in best_runs and best_runs[r.best_run].confusion is not None]
        for col, (name, run) in zip(st.columns(max(1, len(matrices[:4]))), matrices[:4]):
            chart_ui.plot(charts.confusion_matrix(np.array(run.confusion), run.class_names,
                                                     title=f"{name[:30]}: run {run.id}",
                                                     noun=charts.label_noun(run.spec)), f"teacher_confusion_{run.id}", where=col,
                          text=charts.describe.confusion_text(run.confusion, run.class_names, charts.label_noun(run.spec)))
    elif chosen:
        st.caption("The chosen learners have no run that counts for the target yet.")
    st.subheader("Leaderboard")
    leaderboard(report.leaderboard, target, key="teacher_leaderboard")


def run_label(report: ClassReport, run: Run) -> str:
    name = report.names.get(run.learner, "?")
    value = report.klass.target.value(run)
    return f"{name[:30]} · run {run.id} · {value_text(report.klass.target, value)} · {run.status}"
