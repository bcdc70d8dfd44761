"""Class (/class): a teacher makes a class (a name, an exercise, a target) and gets two links: a
join link for learners and a teacher link. A learner who opens the join link gives a name and is
in the class; the teacher's link opens the class, live: one row per learner, their curves and
confusion matrices, a leaderboard, a CSV of every run, a spotlight, removing a learner, closing.
What anyone sees here is what nncore.people allows (app/state/learner.py asks it)."""

from urllib.parse import urlencode, urlsplit

import streamlit as st

from app import builder, people_ui, state
from app.state import learner as me
from app.state import pages
from app.text import plain
from nncore import ExperimentSpec, SpecError, people
from nncore.registry import PRESETS

st.title("Class")
ss = st.session_state
query = st.query_params.to_dict()


def address(**params: str) -> str:
    """This server's /class page with `params`, as a link to give out."""
    url = urlsplit(st.context.url or "")
    origin = f"{url.scheme}://{url.netloc}" if url.netloc else ""
    return f"{origin}/class?{urlencode(params)}"


# ---- a teacher's view ------------------------------------------------------------------------

def teacher_view(teacher: people.TeacherClass) -> None:
    store = state.store()
    report = people.class_report(store, teacher)
    klass = report.klass
    st.header(plain(klass.name))
    st.markdown(f"**Exercise:** {people_ui.exercise_line(klass)}  \n**Target:** {plain(klass.target.describe())} "
                f"(`{klass.target.text}`)")
    st.markdown("**Join link** for your learners (class code `" + klass.code + "`):")
    st.code(address(join=klass.code), language=None)
    st.caption("This page's own address is your teacher link: keep it to yourself; it is the only key to this view.")

    def set_closed() -> None:
        people.close_class(store, teacher, bool(ss["close_class"]))

    def set_names() -> None:
        people.set_show_names(store, teacher, bool(ss["show_names"]))

    ss["close_class"], ss["show_names"] = klass.closed, klass.show_names  # as stored (another tab may change them)
    c1, c2 = st.columns(2)
    c1.toggle("Class closed (no new runs are tagged with it, nobody new joins)", key="close_class",
              on_change=set_closed)
    c2.toggle("Learners see names on the leaderboard (else Learner 1, 2, ...)", key="show_names", on_change=set_names)
    names = {r.learner: r.name for r in report.learners}
    st.multiselect("Learners to compare (their best runs' curves and confusion matrices)", list(names),
                   format_func=lambda i: names.get(i, "?"), key="teacher_chosen", max_selections=8)

    def live() -> None:
        people_ui.teacher_tables(people.class_report(store, teacher), ss.get("teacher_chosen") or [])

    st.fragment(live, run_every=3.0)()

    st.subheader("Show a run to the class")
    runs = [r for r in report.runs if r.status != "running"]
    if runs:
        labels = {r.id: people_ui.run_label(report, r) for r in runs}
        c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        chosen = c1.selectbox("Run", list(labels), format_func=labels.get, key="spotlight_run")
        if c2.button("Show it to the class", key="spotlight", icon=":material/campaign:"):
            people.set_spotlight(store, teacher, chosen)
            st.rerun()
        if c3.button("Clear the spotlight", key="spotlight_clear", disabled=klass.spotlight is None):
            people.set_spotlight(store, teacher, None)
            st.rerun()
        if report.spotlight is not None:
            st.caption(f"Shown now: {plain(people_ui.run_label(report, report.spotlight))}")
    else:
        st.caption("No finished run in the class yet.")

    st.download_button("Every run as CSV", data=lambda: people.report_csv(people.class_report(store, teacher)),
                       file_name="class-runs.csv", mime="text/csv", key="class_csv", icon=":material/table:",
                       on_click="ignore")

    with st.expander("Remove a learner's entry"):
        if names:
            who = st.selectbox("Learner", list(names), format_func=lambda i: names.get(i, "?"), key="remove_choice")
            st.caption("Their runs leave this class's view and leaderboard; they cannot join again with this browser.")
            if st.button("Remove", key="remove_learner", icon=":material/person_remove:"):
                people.remove_member(store, teacher, who)
                st.rerun()
        else:
            st.caption("Nobody has joined yet.")


# ---- making a class ---------------------------------------------------------------------------

def create_form() -> None:
    with st.expander("Teachers: make a class", expanded="join" not in query and me.current_class() is None,
                     icon=":material/school:"):
        name = st.text_input("Class name", max_chars=people.CLASS_NAME_MAX, key="class_name",
                             placeholder="e.g. Week 2 lab, group B")
        source = st.radio("Exercise", ["builder", "preset"], key="class_exercise_from", horizontal=True,
                          format_func={"builder": "The Train page's current settings", "preset": "A preset"}.get)
        preset = None
        if source == "preset":
            preset = st.selectbox("Preset", list(PRESETS), format_func=PRESETS.label, key="class_preset")
        target = st.text_input("Target", value="val_accuracy>=0.95", key="class_target",
                               help="val_accuracy>=0.95 (validation accuracy at least 95 %), val_loss<=0.1, "
                                    "min val_loss@10 (lowest validation loss after 10 epochs), max val_accuracy.")
        if st.button("Create the class", key="create_class", type="primary", icon=":material/add:"):
            if preset is not None:
                exercise = ExperimentSpec.from_preset(preset)
            else:
                exercise, problems = builder.current_spec(state.DIGITS)
                if exercise is None or problems:
                    st.error("The Train page's settings have a problem: fix them there, or pick a preset.",
                             icon=":material/error:")
                    return
            try:
                klass, secret = people.create_class(state.store(), name, exercise, target)
            except (people.NameRefused, people.TargetError, SpecError) as e:
                st.error(plain(str(e)), icon=":material/error:")
                return
            pages.classroom().made = (klass.name, klass.code, secret)
        made = pages.classroom().made
        if made:
            class_name, code, secret = made
            st.success(f"Class **{plain(class_name)}** made.", icon=":material/check:")
            st.markdown("**Join link**, for your learners:")
            st.code(address(join=code), language=None)
            st.markdown("**Teacher link**, for you only: it is shown this once (the server keeps only a hash of "
                        "it). Keep it: it is the only way into the class's view.")
            st.code(address(teacher=secret), language=None)
            st.page_link("views/classroom.py", label="Open the teacher's view", icon=":material/open_in_new:",
                         query_params={"teacher": secret})


# ---- a learner -----------------------------------------------------------------------------------

def join_form(code: str | None) -> None:
    st.subheader("Join a class")
    if code is None:
        code = st.text_input("Class code", key="class_code", placeholder="XXXX-XXXX-XXXX-XXXX-XXXX")
    else:
        st.caption("You opened a class's join link.")
    name = st.text_input("Your name in the class", value=me.name(), max_chars=people.NAME_MAX, key="learner_name",
                         help="Your teacher sees it; other learners see it only if the teacher allows.")
    if st.button("Join the class", key="join_class", type="primary", icon=":material/group_add:",
                 disabled=not code):
        membership, problem = me.join(code, name)
        if problem:
            st.error(plain(problem), icon=":material/error:")
            return
        st.success(f"You are in **{plain(membership.class_name)}** as **{plain(membership.name)}**.",
                   icon=":material/check:")
        page = me.class_page(membership.class_id)
        if page is not None:
            state.load_into_builder(page.klass.exercise)  # the exercise fills the builder
        st.rerun()


def learner_view() -> None:
    membership = me.current_class()
    join_code = query.get("join")
    linked = people.class_for_code(state.store(), join_code) if join_code else None
    if membership is not None and (join_code is None or (linked is not None and linked.id == membership.class_id)):
        page = me.class_page(membership.class_id)
        if page is not None:
            people_ui.learner_class(page)
        st.divider()
        with st.expander("Join another class"):
            join_form(None)
    elif me.me() is None:
        st.warning("Classes need the run store, which cannot be used now: " + plain(me.problem() or ""),
                   icon=":material/database:")
    else:
        join_form(join_code)
    create_form()


teacher_secret = query.get("teacher")
if teacher_secret is None:
    learner_view()
elif (teacher := people.class_for_teacher(state.store(), teacher_secret)) is None:
    st.error(people.WRONG_TEACHER, icon=":material/lock:")  # the same for every wrong value
else:
    teacher_view(teacher)
