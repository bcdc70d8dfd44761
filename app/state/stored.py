"""The session's runs as the run store keeps them, and the run its page's address carries.

A learner's runs come from the run store (nncore.runs; whose they are: nncore.people); while the
store cannot save, a session keeps its few latest finished runs itself (`Training.kept`). A page's
address carries its latest run (`?run=<id>`), so a reload or a link opened in another tab finds
it again. The session's trainings themselves are app/state/training.py's.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nncore.runs import Run, StoreError, valid_run_id
from nncore.training.live import interrupt_cut_off, server_gone

from app.state import learner as people_state
from app.state.store import store
from app.state.training import (DIGITS, SCOPES, current_run_id, live_run, load_into_builder, reattach,
                                scope_of, session, training)

KEPT_IN_SESSION = 5  # finished runs a session keeps itself, only while the run store cannot save them


def runs(scope: str = DIGITS) -> list[Run]:
    """The learner's trainings of this page, newest first, from every tab and session of theirs:
    from the run store (nncore.people decides whose), or kept in the session while the store cannot
    save."""
    t = training(scope)
    kept, pending = t.kept, t.live
    if pending is not None and pending.job.snapshot().finished and pending.run_id not in kept:
        kept[pending.run_id] = pending.save()
        if len(kept) > KEPT_IN_SESSION:  # only while the store cannot save: a few, newest
            for old in sorted(kept, key=lambda k: kept[k].created)[:-KEPT_IN_SESSION]:
                del kept[old]
    stored: list[Run] = []
    if store().problem is None:
        try:
            stored = people_state.own_runs(lambda r: scope_of(r.spec) == scope)
        except StoreError as e:
            session().save_error = str(e)
    seen = {r.id for r in stored}
    return sorted(stored + [r for r in kept.values() if r.id not in seen], key=lambda r: -r.created)


def saving_problem() -> str | None:
    """Why runs are not being saved now (None: they are): the store's own problem, or why the
    latest training of a page could not be saved."""
    if store().problem:
        return store().problem
    for scope in SCOPES:
        pending = training(scope).live
        if pending is not None and pending.job.snapshot().finished:
            pending.save()
            if pending.error:
                return pending.error
    return session().save_error


def drop_session_runs() -> None:
    """Forget the runs this session holds itself ("forget me"): they are listed nowhere again; each
    page's latest training stops, keeping only what its page shows now."""
    for scope in SCOPES:
        t = training(scope)
        if t.job is not None:
            t.job.stop()
        t.kept.clear()
        t.live = None


def get_run(run_id: str) -> tuple[Run | None, str | None]:
    """A run by the id a link carries, or None and a message saying why not."""
    if not valid_run_id(run_id):
        return None, (f"{str(run_id)[:40]!r} is not a run id: a run id is 12 letters and digits "
                      "(0-9, a-f), as in a link the app gave.")
    for scope in SCOPES:
        run = training(scope).kept.get(run_id)
        if run is not None:
            return run, None
    try:
        run = store().get(run_id)
        if run is not None and run.status == "running" and live_run(run_id) is None \
                and (run.stale() or server_gone(run.server)):
            interrupt_cut_off(store())  # its server stopped mid-training: say so, keep what it recorded
            run = store().get(run_id)
    except StoreError as e:
        return None, f"Runs cannot be read now: {e}"
    return (run, None) if run else (None, f"There is no run {run_id} on this server: it may have been "
                                          "trained on another server with its own run database, or "
                                          "this server's database was reset.")


def run_weights(run_id: str) -> list[np.ndarray] | None:
    """A stored run's trained weights (None: not kept, or the store cannot be read)."""
    try:
        return store().weights(run_id)
    except StoreError:
        return None


def follow_address(scope: str = DIGITS) -> tuple[str, str] | None:
    """The page's address carries its latest run (`?run=<id>`). When that id is new to this
    session (a reload, a link opened in another tab), show the run: reattach to it if it is live
    here; else return a note saying where it is: ("stored", its id: a finished run of this page, to
    show here, its settings in the builder), ("link", Markdown with a link to the Runs page), or
    ("problem", plain text: why there is no such run here)."""
    me, run_id = session(), st.query_params.get("run")
    if run_id is None or (current_run_id(scope) not in (None, run_id) and me.address_run != run_id):
        return None  # this session's own latest training wins: the address is rewritten to it
    if me.address_run != run_id:
        me.address_run, me.address_note = run_id, None
        if reattach(run_id, scope) is None:
            run, message = get_run(run_id)
            if run is not None and scope_of(run.spec) == scope:  # shown on the page, as before a restart
                me.address_note = ("stored", run_id)
                load_into_builder(run.spec)  # the sidebar shows the run's own settings
            elif run is not None:  # a valid id (12 hex digits): safe in Markdown
                me.address_note = ("link", f"Run {run_id} is not training on this server now: it is "
                                           f"**{run.status}**. [Open run {run_id}](/runs?run={run_id}) "
                                           "to see its curves and numbers.")
            else:  # names what the link carried: shown as plain text
                me.address_note = ("problem", message)
    return me.address_note


def put_run_in_address(scope: str = DIGITS) -> None:
    """After a Train: the address carries the new run's id, so a reload finds it again."""
    run_id = current_run_id(scope)
    if run_id is not None and st.query_params.get("run") != run_id:
        st.query_params["run"] = run_id
        me = session()
        me.address_run, me.address_note = run_id, None
