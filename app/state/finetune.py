"""The learner's own handwriting: the examples they gave on the Draw page (strokes and what each
was, never images or files), and their fine-tune (nncore.inference.finetune): its plan, its job and,
once it has ended, its before-and-after report. One owner: the Draw page's fine-tune panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nncore.inference.finetune import (
    MAX_EXAMPLES,
    MAX_PER_DIGIT,
    Example,
    ExamplesError,
    FineTune,
    dumps_examples,
    loads_examples,
    parse_example,
)
from nncore.inference.preprocess import from_strokes, strokes_from_fabric

from app import state as trainings  # the session's trainings (app/state/training.py)
from app.state.slots import slot


@dataclass
class FineTuneState:
    examples: list[Example] = field(default_factory=list)
    inputs: list[np.ndarray] = field(default_factory=list)  # each example's 784 inputs (its thumbnail)
    plan: FineTune | None = None
    job: Any = None  # its TrainingJob (also the session's digits job: the Train page shows it too)
    report: dict[str, Any] | None = None
    note: tuple[str, str] | None = None  # (kind, text) to show once: "success" / "error"
    last_kept: list | None = None  # the strokes of the drawing kept last
    note_shown: bool = True  # the page has been drawn whole since the note was set
    upload_seen: str | None = None  # the examples file read last (not read again on a rerun)


def finetune_state() -> FineTuneState:
    return slot(FineTuneState)


def counts() -> np.ndarray:
    """Examples of each digit 0-9."""
    return np.bincount([e.label for e in finetune_state().examples], minlength=10)


def add_drawing(label: int, objects: list[dict]) -> str | None:
    """Keep the drawing (the canvas's Fabric.js objects) as an example of `label`; the problem, if
    it cannot be kept (nothing drawn, a limit reached)."""
    s = finetune_state()
    strokes = [[[x, y] for x, y in stroke] for stroke in strokes_from_fabric({"objects": objects}) if stroke]
    if strokes and strokes == s.last_kept:  # the same drawing again (the control's value came back once
        return None  # more before the canvas was cleared): it is kept once
    if not strokes:
        return "Draw the digit first: there is nothing on the canvas to keep."
    if len(s.examples) >= MAX_EXAMPLES:
        return f"You have {MAX_EXAMPLES} examples, the most kept: delete some to add more."
    if counts()[label] >= MAX_PER_DIGIT:
        return f"You have {MAX_PER_DIGIT} examples of {label}, the most kept of one digit: delete some to add more."
    try:
        example = parse_example({"label": int(label), "strokes": strokes}, len(s.examples) + 1)
    except ExamplesError as e:
        return f"This drawing cannot be kept: {e}."
    _append([example])
    s.last_kept = strokes
    return None


def _append(examples: list[Example]) -> None:
    s = finetune_state()
    for e in examples:
        s.examples.append(e)
        s.inputs.append(from_strokes([list(st) for st in e.strokes]).centered)


def delete(indices: list[int]) -> None:
    """Delete the examples at these positions (from 0)."""
    s = finetune_state()
    gone = set(indices)
    kept = [i for i in range(len(s.examples)) if i not in gone]
    s.examples = [s.examples[i] for i in kept]
    s.inputs = [s.inputs[i] for i in kept]


def load_file(file_id: str, raw: bytes) -> None:
    """Add the examples of an uploaded file (the same JSON as `python -m nncore finetune`); a file
    that breaks a rule is named and nothing of it is added."""
    s = finetune_state()
    if s.upload_seen == file_id:
        return
    s.upload_seen = file_id
    try:
        examples = loads_examples(raw)
        total, per_digit = len(s.examples) + len(examples), counts() + np.bincount([e.label for e in examples], minlength=10)
        if total > MAX_EXAMPLES:
            raise ExamplesError(f"with yours that makes {total} examples, at most {MAX_EXAMPLES}")
        if per_digit.max() > MAX_PER_DIGIT:
            raise ExamplesError(f"with yours that makes {per_digit.max()} examples of {per_digit.argmax()}, "
                                f"at most {MAX_PER_DIGIT} of each")
    except ExamplesError as e:
        s.note = ("error", f"The examples file was not read: {e}. Your examples are unchanged.")
        return
    _append(examples)
    s.note = ("success", f"Added {len(examples)} examples from the file.")


def as_json() -> str:
    return dumps_examples(finetune_state().examples)


def start(start_from, epochs: int) -> None:
    """Plan the fine-tune of `start_from` (nncore.inference.finetune.Start) on the examples and start
    it as the session's training: a run of the server, in the queue, saved to the store."""
    s = finetune_state()
    plan = FineTune.plan(list(s.examples), start_from, epochs=epochs)
    job = trainings.start_training(plan.spec, trainings.DIGITS, initial_weights=plan.start.weights,
                                   data=plan.data, origin=plan.describe())
    s.plan, s.job, s.report = plan, job, None


def current() -> tuple[FineTune | None, Any]:
    """(plan, job) of the fine-tune, while its job is still the session's digits training."""
    s = finetune_state()
    if s.job is None or trainings.current_job(trainings.DIGITS) is not s.job:
        return None, None
    return s.plan, s.job


def report() -> dict[str, Any] | None:
    """The before-and-after report once the fine-tune has ended (computed once)."""
    s = finetune_state()
    plan, job = current()
    if plan is None or not job.snapshot().finished or job.snapshot().weights is None:
        return None
    if s.report is None:
        s.report = plan.report(job)
    return s.report


def is_finetune(job) -> bool:
    """Whether `job` is this session's fine-tune."""
    return job is not None and job is finetune_state().job
