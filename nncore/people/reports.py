"""What a class's people see of it: the teacher's report (every learner, every run), and a
learner's class page (the exercise, their own runs, the spotlight, the leaderboard as the
teacher allows). Both are read fresh from the store on every call, so a page that calls them
every few seconds is live.

    report = class_report(store, teacher)      # teacher: a TeacherClass (from the secret)
    report.learners, report.leaderboard, report.runs_of(learner_id), report_csv(report)
    page = class_page_for(store, learner, class_id)   # None unless the learner is in that class

A learner's page carries no other learner's id, session or run id; a name only when the teacher
shows names (else "Learner 1", "Learner 2"... by rank), and the one run the teacher put in the
spotlight. Runs of a learner the teacher removed are in neither.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from ..runs import Run, RunStore, Sql
from ..address import differences
from ..spec import ExperimentSpec
from .classes import CLASS_COLUMNS, ClassInfo, TeacherClass, class_from_row, require_teacher
from .learners import Learner
from .targets import Target

MAX_RUNS = 5000  # of one class, read for a report


@dataclass(frozen=True)
class LearnerRow:
    """One learner of the class, as the teacher sees them."""

    learner: str  # their id (remove_member takes it)
    name: str  # their name in the class
    runs: int
    best: float | None  # the best value of the target among their runs (None: no run qualifies yet)
    best_run: str | None
    met: bool  # their best run meets the target
    changes: str  # the best run's settings as a difference from the exercise, in words
    last_activity: float  # joined, last seen, or a run of theirs saved: the latest
    in_class: bool  # False: they left (their runs stay)


@dataclass(frozen=True)
class Standing:
    """A place on the leaderboard."""

    rank: int
    name: str
    best: float
    met: bool
    run_id: str | None = None  # the teacher's leaderboard only
    you: bool = False  # a learner's own place on their page


@dataclass(frozen=True)
class ClassReport:
    klass: TeacherClass  # as stored now (closed, show_names and spotlight as the teacher last set them)
    learners: tuple[LearnerRow, ...]  # best first, then by name
    leaderboard: tuple[Standing, ...]
    runs: tuple[Run, ...]  # every run of the class's learners, newest first
    names: dict  # learner id -> their name in the class
    spotlight: Run | None

    def runs_of(self, learner_id: str) -> tuple[Run, ...]:
        return tuple(r for r in self.runs if r.learner == learner_id)

    def to_json(self) -> dict:
        return {"class": self.klass.name, "code": self.klass.code, "target": self.klass.target.text,
                "target_words": self.klass.target.describe(), "closed": self.klass.closed,
                "show_names": self.klass.show_names, "spotlight": self.klass.spotlight,
                "learners": [{"name": r.name, "runs": r.runs, "best": r.best, "best_run": r.best_run, "met": r.met,
                              "changes": r.changes, "last_activity": r.last_activity, "learner": r.learner,
                              "in_class": r.in_class} for r in self.learners],
                "leaderboard": [{"rank": s.rank, "name": s.name, "best": s.best, "met": s.met, "run": s.run_id}
                                for s in self.leaderboard]}


@dataclass(frozen=True)
class OwnRun:
    run: Run
    value: float | None  # its value for the class's target (None: does not qualify yet)
    met: bool


@dataclass(frozen=True)
class ClassPage:
    """A class as one of its learners sees it."""

    klass: ClassInfo
    name: str  # the learner's name in the class
    in_class: bool  # False: they left it (new runs are not tagged with it)
    runs: tuple[OwnRun, ...]  # their own runs for the class, newest first
    spotlight: Run | None  # the run the teacher shows (without its learner id, session and parent run)
    spotlight_name: str | None  # whose, when the teacher shows names
    leaderboard: tuple[Standing, ...]


def changes_from(exercise: ExperimentSpec, spec: ExperimentSpec) -> str:
    """A run's settings as a difference from the exercise: "learning_rate 0.001 → 0.01"."""
    return "; ".join(f"{name} {old} → {new}" for name, old, new in differences(exercise, spec)) or \
        "the exercise's settings"


# ---- reading a class ------------------------------------------------------------------------

def _read(store: RunStore, sql: Sql, class_id: str):
    """(the class as stored, its members {id: (name, joined, left, last_seen)}, their runs for it)."""
    row = sql.one(f"SELECT {CLASS_COLUMNS} FROM classes WHERE id = ?", class_id)
    members = {m[0]: m[1:] for m in sql.rows(
        "SELECT m.learner, m.name, m.joined, m.left_at, l.last_seen FROM memberships m "
        "JOIN learners l ON l.id = m.learner WHERE m.class_id = ? AND m.removed = 0", class_id)}
    runs = store.runs_where(sql, "r.class_id = ? AND r.learner IN (SELECT learner FROM memberships "
                            "WHERE class_id = ? AND removed = 0)", (class_id, class_id), MAX_RUNS)
    return row, members, runs


def _bests(target: Target, members: dict, runs: list[Run]) -> dict:
    """learner id -> (best value, best run) among their runs (value None: none qualifies)."""
    bests = {learner: (None, None) for learner in members}
    for run in sorted(runs, key=lambda r: r.created):  # on a tie the earlier run keeps its place
        value = target.value(run)
        if run.learner in bests and target.better(value, bests[run.learner][0]):
            bests[run.learner] = (value, run)
    return bests


def _ranked(target: Target, bests: dict) -> list[tuple[str, float, Run]]:
    """(learner, best, run) of everyone with a value, best first (a tie: who got there first)."""
    have = [(learner, value, run) for learner, (value, run) in bests.items() if value is not None]
    return sorted(have, key=lambda t: (target.sort_key(t[1]), t[2].created))


def class_report(store: RunStore, teacher: TeacherClass) -> ClassReport:
    """The teacher's view of their class, now."""
    teacher = require_teacher(teacher)
    row, members, runs = store.transaction(lambda sql: _read(store, sql, teacher.id))
    klass = class_from_row(row, teacher=True)
    target, bests = klass.target, _bests(klass.target, members, runs)
    latest = {}
    for run in runs:
        latest[run.learner] = max(latest.get(run.learner, 0.0), run.updated, run.created)
    rows = []
    for learner, (name, joined, left, last_seen) in members.items():
        best, best_run = bests[learner]
        rows.append(LearnerRow(learner, name, sum(r.learner == learner for r in runs), best,
                               best_run.id if best_run else None, bool(best_run and target.met(best_run)),
                               changes_from(klass.exercise, best_run.spec) if best_run else "",
                               max(joined, last_seen or 0.0, latest.get(learner, 0.0)), left is None))
    rows.sort(key=lambda r: (target.sort_key(r.best), r.name.casefold()))
    board = tuple(Standing(i, members[learner][0], value, target.met(run), run.id)
                  for i, (learner, value, run) in enumerate(_ranked(target, bests), 1))
    spotlight = next((r for r in runs if r.id == klass.spotlight), None)
    return ClassReport(klass, tuple(rows), board, tuple(runs), {k: v[0] for k, v in members.items()}, spotlight)


def class_page_for(store: RunStore, learner: Learner, class_id: str) -> ClassPage | None:
    """The class as this learner may see it; None unless they are (or were) in it and not removed."""
    def work(sql: Sql):
        if sql.one("SELECT 1 FROM memberships WHERE class_id = ? AND learner = ? AND removed = 0",
                   class_id, learner.id) is None:
            return None
        return _read(store, sql, class_id)

    read = store.transaction(work)
    if read is None:
        return None
    row, members, runs = read
    klass = class_from_row(row, teacher=False)
    target, bests = klass.target, _bests(klass.target, members, runs)
    name, _, left, _ = members[learner.id]
    own = tuple(OwnRun(r, target.value(r), target.met(r)) for r in runs if r.learner == learner.id)
    board = tuple(Standing(i, members[who][0] if klass.show_names or who == learner.id else f"Learner {i}", value,
                           target.met(run), None, who == learner.id)
                  for i, (who, value, run) in enumerate(_ranked(target, bests), 1))
    shown = next((r for r in runs if r.id == klass.spotlight), None)
    spotlight = dataclasses.replace(shown, session="", learner=None, parent=None) if shown else None
    return ClassPage(klass, name, left is None, own, spotlight,
                     members[shown.learner][0] if shown and klass.show_names else None, board)


# ---- the CSV --------------------------------------------------------------------------------

CSV_COLUMNS = ("learner", "run", "created", "status", "epochs", "target_value", "met", "loss", "accuracy",
               "val_loss", "val_accuracy", "changes_from_exercise", "spec")


def _cell(text: str) -> str:
    """Text a spreadsheet would read as a formula (= + - @ first) starts with a ' instead."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: ClassReport) -> str:
    """Every run of the class, one row each, oldest first: whose, when, how it ended, its value for
    the target, its final numbers and its settings (as a difference from the exercise, and whole)."""
    target, exercise = report.klass.target, report.klass.exercise
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in sorted(report.runs, key=lambda r: r.created):
        value = target.value(run)
        writer.writerow([_cell(report.names.get(run.learner, "")), run.id,
                         datetime.fromtimestamp(run.created, timezone.utc).isoformat(timespec="seconds"),
                         run.status, run.epochs, "" if value is None else repr(value), int(target.met(run)),
                         *("" if run.last(m) is None else repr(float(run.last(m)))
                           for m in ("loss", "accuracy", "val_loss", "val_accuracy")),
                         _cell(changes_from(exercise, run.spec)), json.dumps(run.spec.to_dict(), sort_keys=True)])
    return out.getvalue()
