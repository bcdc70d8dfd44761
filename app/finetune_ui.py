"""The Draw page's "Teach it your handwriting": the learner says what a drawing was (`correct_digit`),
keeps examples of their own writing, and fine-tunes a copy of a network on them (`fine_tune`): a
training in the queue like every other, then before and after side by side."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import models
from app import training_ui as ui
from app.state import draw as draw_state
from app.state import finetune as kept
from app import state as trainings  # the session's trainings (app/state/training.py)
from nncore.inference.finetune import EPOCHS, MAX_BYTES, MAX_EXAMPLES, MAX_PER_DIGIT, ExamplesError, job_start

MIN_EXAMPLES = 5  # fewer teach nothing measurable
DEFAULT, MINE = "The default CNN", "My Train-page network"


def _keep() -> None:
    label = st.session_state.get("correct_digit")
    if label is None:
        return
    st.session_state["correct_digit"] = None
    problem = kept.add_drawing(int(label), draw_state.draw_state().objects)
    if problem:
        kept.finetune_state().note = ("error", problem)
        return
    n = int(kept.counts()[int(label)])
    kept.finetune_state().note_shown = False
    kept.finetune_state().note = ("kept", f"Kept as an example of {label} (you have {n} of them). "
                                             "The canvas is clear for your next one.")
    draw_state.clear()


def correct_digit() -> None:
    """Under an answer to a drawing: what it really was, which keeps the drawing as an example."""
    st.segmented_control(
        "Wrong? It was a… (keeps this drawing as one of your examples)", list(range(10)), key="correct_digit",
        on_change=_keep,
        help="Your drawing is kept as strokes, with the digit you pick. Draw a few of each digit on purpose "
             "too; then fine-tune a network on your writing below.")


def kept_note(strokes) -> None:
    """After a drawing was kept: say so until the next drawing begins (the canvas is clear by then;
    `strokes`: what it holds now), and have the whole page, its examples panel too, catch up once."""
    s = kept.finetune_state()
    now = [[[x, y] for x, y in stroke] for stroke in strokes if stroke]
    if s.note is not None and s.note[0] == "kept" and now and now != s.last_kept:
        s.note = None
    slot = st.container(key="kept_note")  # drawn in every run, so that what follows keeps its place
    if s.note is not None and s.note[0] == "kept":
        if not s.note_shown:  # a drawing was just kept: the whole page (its examples panel) catches up
            s.note_shown = True
            st.rerun()
        slot.caption(s.note[1])


def _thumbnails(indices, captions) -> None:
    s = kept.finetune_state()
    if len(indices):
        st.image([1.0 - np.clip(s.inputs[i], 0, 1) for i in indices], caption=captions, width=56, clamp=True,
                 alt=[f"Your example {c}" for c in captions])


def _delete(indices: list[int]) -> None:
    kept.delete(indices)
    st.session_state["delete_examples"] = []  # the chosen positions are gone


def _examples() -> None:
    s = kept.finetune_state()
    header, gallery = st.container(key="example_counts"), st.container()  # drawn after a file is read
    upload = st.file_uploader(
        f"Add examples from a file you downloaded here (JSON, up to {MAX_BYTES // 2**20} MB)", type=["json"],
        key="upload_examples", max_upload_size=MAX_BYTES // 2**20,
        help='A list of {"label": 0-9, "strokes": [[[x, y], ...], ...]} in pixels of the 280x280 canvas: '
             "the file the download button gives, or `python -m nncore finetune` reads.")
    if upload is not None:
        kept.load_file(upload.file_id, upload.getvalue())
    note = s.note
    if note is not None and note[0] == "error":
        st.error(note[1], icon=":material/error:")
    elif note is not None and note[0] == "success" and upload is not None:
        st.success(note[1], icon=":material/upload_file:")
    counts = kept.counts()
    with header:
        st.markdown(f"**Your examples: {len(s.examples)}** (at most {MAX_EXAMPLES}, {MAX_PER_DIGIT} of a digit) · "
                    + " · ".join(f"{d}: **{counts[d]}**" for d in range(10)))
    if not s.examples:
        return
    with gallery:
        _thumbnails(range(len(s.examples)), [f"#{i + 1}: {e.label}" for i, e in enumerate(s.examples)])
        chosen = st.multiselect("Examples to delete", list(range(len(s.examples))), key="delete_examples",
                                format_func=lambda i: f"#{i + 1} (a {s.examples[i].label})")
        left, right = st.columns(2)
        left.button("Delete the chosen examples", key="delete_chosen", disabled=not chosen, icon=":material/delete:",
                    on_click=_delete, args=(chosen,))
        right.button("Delete all my examples", key="delete_all", icon=":material/delete_forever:",
                     on_click=_delete, args=(list(range(len(s.examples))),))
        st.download_button("Download my examples (JSON: strokes and labels)", kept.as_json(),
                           file_name="my-digits.json", mime="application/json", key="download_examples",
                           icon=":material/download:")


def _start_choice():
    """Which network the fine-tune starts from: (label, Start or None while it is not ready)."""
    job = trainings.current_job(trainings.DIGITS)
    own = job is not None and job.snapshot().finished and job.snapshot().weights is not None \
        and job.data.image_shape == (28, 28)
    options = [DEFAULT] + ([MINE] if own else [])
    choice = st.radio("Start from", options, key="fine_tune_start", horizontal=True,
                      help="A copy is fine-tuned; the network it starts from is not changed. The default CNN "
                           "averages four networks: the copy that learns is the first of them.")
    return choice, job if choice == MINE else None


def _controls() -> None:
    s = kept.finetune_state()
    plan, job = kept.current()
    running = job is not None and not job.snapshot().finished
    choice, own = _start_choice()
    epochs = st.number_input("Epochs", 1, 30, EPOCHS, key="fine_tune_epochs",
                             help="Each epoch shows the network your examples (randomly shifted, turned and "
                                  "thickened) and 1,000 of its own training digits, so it does not forget them.")
    few = len(s.examples) < MIN_EXAMPLES
    left, right = st.columns(2)
    if left.button("Fine-tune on my writing", key="fine_tune", type="primary", disabled=few or running,
                   icon=":material/model_training:",
                   help=f"Needs at least {MIN_EXAMPLES} examples." if few else None):
        with st.spinner("Preparing: your examples become 784 inputs; the network is measured before it "
                        "learns (MNIST validation, 7,000 digits)..."):
            try:
                start = job_start(own) if choice == MINE else models.default_finetune_start()
                kept.start(start, int(epochs))
            except (ExamplesError, ValueError) as e:
                s.note = ("error", f"The fine-tune could not start: {e}.")
        st.rerun()
    right.button("Stop", key="fine_tune_stop", icon=":material/stop:", disabled=not running,
                 on_click=trainings.stop_training, args=(trainings.DIGITS,))
    if few:
        st.caption(f"Keep at least {MIN_EXAMPLES} examples to fine-tune (a few of each digit you write "
                   "unusually, and a few of the others so it keeps reading them).")


def _pct(v) -> str:
    return "–" if v is None else f"{v:.1%}"


def _results(plan, job) -> None:
    s = job.snapshot()
    if not s.finished:
        ui.progress(s)
        return
    r = kept.report()
    if r is None:
        ui.progress(s)
        return
    st.markdown(f"**Fine-tuned** from {r['start']} on {r['trained_on']} of your examples "
                f"({s.status}, {s.epoch} epochs, {r['training_seconds']} s of training).")
    left, right = st.columns(2)
    with left.container(key="finetune_held_back"):
        if r["before"] is None:
            st.metric("Your held-back examples", "–")
            st.caption("None held back: keep 3 or more examples of a digit and 1 in 5 of them is held back, "
                       "never trained on, to measure how it reads your next drawings.")
        else:
            st.metric(f"Your {r['held_back']} held-back examples (never trained on)", _pct(r["after"]),
                      f"{(r['after'] - r['before']) * 100:+.1f} points", help="Before: the network as you met it.")
            st.caption(f"before {_pct(r['before'])} → after {_pct(r['after'])}")
    with right.container(key="finetune_mnist"):
        st.metric("MNIST validation (7,000 digits it never trained on)", _pct(r["mnist_after"]),
                  f"{(r['mnist_after'] - r['mnist_before']) * 100:+.2f} points",
                  help="What it forgot of MNIST: measured on the same validation digits before and after.")
        st.caption(f"before {_pct(r['mnist_before'])} → after {_pct(r['mnist_after'])}")
    if plan.start.name == "the default CNN":
        st.caption(f"Before: the default CNN as you met it (four networks averaged). The copy that learnt is its "
                   f"first network alone: {_pct(r['start_before'])} on your held-back examples, "
                   f"{_pct(r['start_mnist_before'])} on MNIST before it learnt.")
    changed = r["changed"]
    if changed:
        st.markdown(f"**{len(changed)} of your examples changed answer**")
        _thumbnails([c["example"] - 1 for c in changed],
                    [f"#{c['example']}: a {c['label']}, read {c['before']} → {c['after']}"
                     + (" (held back)" if c["held_back"] else "") for c in changed])
    else:
        st.caption("None of your examples changed answer.")
    st.info("Your fine-tuned network answers your drawings above now (the toggle there brings the default CNN "
            "back). It is a run like any other: the Train and Runs pages show it, with its downloads and link.",
            icon=":material/draw:")


def section() -> None:
    """The whole panel, redrawn every second while the fine-tune trains."""
    st.subheader("Teach it your handwriting")
    st.caption("When the answer is wrong, say what it was: the drawing is kept as one of your examples. Draw a "
               "few of each digit on purpose too. Then fine-tune a copy of the network on your examples, mixed "
               "with digits it learnt from so it does not forget them, and see what changed.")
    _examples()

    def live() -> None:
        _controls()
        plan, job = kept.current()
        if job is not None:
            _results(plan, job)

    plan, job = kept.current()
    ui.polling_fragment(live, trainings.DIGITS, "finetune", 1.0,
                        running=lambda: job is not None and not job.snapshot().finished)
