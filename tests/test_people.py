"""Learners, classes and teachers (nncore.people) on real SQLite and a real PostgreSQL: who sees
which runs, forgetting, a class from its creation to its report, targets, names, and the CLI."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading

import pytest

from nncore import ExperimentSpec
from nncore import people
from nncore.people import (CLOSED, REMOVED, WRONG_CODE, JoinLimiter, NameRefused, Refused, Target, TargetError,
                           class_for_code, class_for_teacher, class_page_for, class_report, clean_name, close_class,
                           create_class, forget, join, leave, learner_for_token, new_learner, open_run,
                           remove_member, report_csv, runs_of, set_name, set_show_names, set_spotlight, tags_for)
from nncore.runs import MIGRATIONS, RUNNING, SCHEMA_VERSION, Run, new_run_id

from helpers import Database, nncore
from test_runs import some_weights


@pytest.fixture
def store(db):
    return db.store()


def a_run(learner=None, class_id=None, val_accuracy=(0.8, 0.9), created=1000.0, **changes) -> Run:
    return Run(new_run_id(), ExperimentSpec().replace(**changes), "s", created=created, status="done",
               epochs=len(val_accuracy), history={"val_accuracy": tuple(val_accuracy),
                                                  "val_loss": tuple(1 - v for v in val_accuracy),
                                                  "loss": tuple(0.5 for _ in val_accuracy)},
               learner=learner, class_id=class_id)


# ---- the schema ------------------------------------------------------------------------------

def test_a_version_3_database_is_upgraded_keeping_its_runs(db):
    from nncore.runs_pg import postgres_ddl

    ddl = [s for step in MIGRATIONS[:3] for s in step.split(";") if s.strip()]
    spec = ExperimentSpec().to_json().replace("'", "''")
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)", "INSERT INTO schema_version VALUES (3)",
               *(postgres_ddl(s) if db.kind == "postgres" else s for s in ddl),
               "INSERT INTO runs (id, session, created, spec, status, history, updated, server) VALUES "
               f"('0123456789ab', 'old', 1, '{spec}', 'done', '{{\"val_accuracy\": [0.9]}}', 2, 'srv')",
               "INSERT INTO weights (run_id, session, created, size, data) VALUES "
               "('0123456789ab', 'old', 1, 1, " + ("X'00'" if db.kind == "sqlite" else "'\\x00'::bytea") + ")")
    store = db.store()
    assert store.problem is None and store.version() == SCHEMA_VERSION == 4
    old = store.get("0123456789ab")  # still opens by its address
    assert old.status == "done" and old.history == {"val_accuracy": (0.9,)} and old.has_weights
    assert old.learner is None and old.class_id is None and old.server == "srv"
    learner, _ = new_learner(store)
    assert runs_of(store, learner) == []  # a run of nobody is listed to nobody
    mine = a_run(learner.id)
    store.save(mine)
    assert [r.id for r in runs_of(store, learner)] == [mine.id]
    assert db.store().get("0123456789ab") == old  # and a second start changes nothing


def test_learner_and_class_round_trip_on_a_run(store):
    learner, _ = new_learner(store)
    klass, _ = create_class(store, "C", ExperimentSpec())
    run = a_run(learner.id, klass.id)
    store.save(run, some_weights())
    got = store.get(run.id)
    assert got == dataclasses.replace(run, has_weights=True, updated=got.updated)


# ---- learners --------------------------------------------------------------------------------

def test_a_learner_is_found_by_their_token_only_and_across_restarts(db, store):
    learner, token = new_learner(store)
    assert len(token) == 43 and learner.name == ""
    assert learner_for_token(store, token) == learner
    assert learner_for_token(db.store(), token) == learner  # a server restart, another replica
    other, other_token = new_learner(store)
    assert learner_for_token(store, other_token) == other != learner
    wrong = ["", None, 42, token[:-1], token + "x", token[:-1] + ("A" if token[-1] != "A" else "B"),
             "' OR 1=1 --" + "x" * 32, "x" * 10_000]
    assert all(learner_for_token(store, t) is None for t in wrong)
    # the store keeps the token's SHA-256, never the token
    rows = db.execute("SELECT id, token_hash, name FROM learners")
    assert rows and all(token not in " ".join(map(str, row)) for row in rows)


def test_a_learner_sees_exactly_their_own_runs(store):
    ada, _ = new_learner(store)
    bob, _ = new_learner(store)
    ada_runs = [a_run(ada.id, created=1000.0 + i) for i in range(3)]
    bob_runs = [a_run(bob.id, created=1100.0 + i) for i in range(2)]
    nobodys = a_run(None, created=1200.0)
    for run in ada_runs + bob_runs + [nobodys]:
        store.save(run)
    assert [r.id for r in runs_of(store, ada)] == [r.id for r in reversed(ada_runs)]  # newest first
    assert [r.id for r in runs_of(store, bob)] == [r.id for r in reversed(bob_runs)]
    assert [r.id for r in runs_of(store, ada, keep=lambda r: r.id == ada_runs[0].id)] == [ada_runs[0].id]
    assert open_run(store, nobodys.id).id == nobodys.id  # an address opens its one run, for whoever has it
    assert open_run(store, bob_runs[0].id).id == bob_runs[0].id and open_run(store, "../etc") is None
    # a run saved for a learner the store does not know is not saved
    ghost = dataclasses.replace(a_run(), learner="feedfacefeedface")
    store.save(ghost)
    assert store.get(ghost.id) is None


def test_set_name_keeps_the_name_and_refuses_a_bad_one(store):
    learner, token = new_learner(store)
    named = set_name(store, learner, "  <b>Ada</b> 👩‍💻 ")
    assert named.name == "<b>Ada</b> 👩‍💻" and learner_for_token(store, token).name == named.name
    with pytest.raises(NameRefused):
        set_name(store, learner, "evil\u202egnp.exe")
    assert learner_for_token(store, token).name == named.name
    people.touch(store, learner, now=5e9)
    assert learner_for_token(store, token).last_seen == 5e9


def test_forget_deletes_the_learners_runs_weights_memberships_and_identity(db, store):
    ada, token = new_learner(store)
    bob, bob_token = new_learner(store)
    klass, secret = create_class(store, "C", ExperimentSpec())
    join(store, ada, klass.code, "Ada")
    join(store, bob, klass.code, "Bob")
    ada_runs = [a_run(ada.id, klass.id, created=1000.0 + i) for i in range(2)]
    bob_run = a_run(bob.id, klass.id)
    for run in ada_runs + [bob_run]:
        store.save(run, some_weights())
    assert set_spotlight(store, klass, ada_runs[0].id)
    assert forget(store, ada) == 2
    assert learner_for_token(store, token) is None and runs_of(store, ada) == []
    assert all(store.get(r.id) is None and store.weights(r.id) is None for r in ada_runs)
    assert db.execute("SELECT count(*) FROM memberships")[0][0] == 1  # Bob's
    assert db.execute("SELECT count(*) FROM weights")[0][0] == 1
    assert class_for_teacher(store, secret).spotlight is None  # the spotlight on Ada's run went out
    assert store.get(bob_run.id).has_weights and learner_for_token(store, bob_token).id == bob.id
    assert [r.name for r in class_report(store, klass).learners] == ["Bob"]
    store.save(dataclasses.replace(ada_runs[0], status="done"))  # her training's last save, after forget
    assert store.get(ada_runs[0].id) is None


# ---- classes ---------------------------------------------------------------------------------

def test_a_class_from_creation_to_closing(db, store):
    exercise = ExperimentSpec.from_preset("practice-lab")
    klass, secret = create_class(store, "Week 3 <i>nets</i>", exercise, "val_accuracy>=0.95")
    assert len(secret) == 32 and klass.name == "Week 3 <i>nets</i>" and klass.exercise == exercise
    assert klass.target == Target("val_accuracy", ">=", threshold=0.95)
    # the code is read forgivingly; the teacher's secret only as given
    assert class_for_code(store, klass.code) == class_for_code(store, klass.code.lower().replace("-", " "))
    found = class_for_code(store, klass.code)
    assert found.id == klass.id and not isinstance(found, people.TeacherClass) and not hasattr(found, "code")
    assert class_for_teacher(store, secret) == klass
    assert secret not in json.dumps(db.execute("SELECT * FROM classes"), default=str)  # its hash only
    ada, _ = new_learner(store)
    assert tags_for(store, ada) == (ada.id, None)  # in no class yet
    membership = join(store, ada, klass.code, "Ada")
    assert membership.active and membership.name == "Ada" and people.current_class(store, ada).class_id == klass.id
    assert tags_for(store, ada) == (ada.id, klass.id)
    assert people.learner_by_id(store, ada.id).name == "Ada"  # with no display name yet, they took this one
    assert leave(store, ada) and tags_for(store, ada) == (ada.id, None) and people.current_class(store, ada) is None
    assert [m.active for m in people.classes_of(store, ada)] == [False]  # they were in it
    join(store, ada, klass.code, "Ada L.")  # back again, under another name
    assert tags_for(store, ada) == (ada.id, klass.id)
    close_class(store, klass)
    assert tags_for(store, ada) == (ada.id, None)  # closed: new runs are not tagged
    bob, _ = new_learner(store)
    with pytest.raises(Refused, match=CLOSED):
        join(store, bob, klass.code, "Bob")
    close_class(store, klass, closed=False)
    assert tags_for(store, ada) == (ada.id, klass.id)


def test_joining_another_class_leaves_the_first(store):
    first, _ = create_class(store, "First", ExperimentSpec())
    second, _ = create_class(store, "Second", ExperimentSpec())
    ada, _ = new_learner(store)
    join(store, ada, first.code, "Ada")
    join(store, ada, second.code, "Ada")
    assert tags_for(store, ada) == (ada.id, second.id)
    assert [(m.class_name, m.active) for m in people.classes_of(store, ada)] == [("Second", True), ("First", False)]


def test_wrong_codes_and_secrets_get_none_and_one_message(store):
    klass, secret = create_class(store, "C", ExperimentSpec())
    other = klass.code[:-1] + ("0" if klass.code[-1] != "0" else "1")
    wrong = ["", None, 7, "x", other, klass.code + "0", "' OR 1=1 --", "%s", "?", "a" * 10_000, secret]
    assert all(class_for_code(store, w) is None for w in wrong)
    wrong_secrets = ["", None, secret[:-1], secret + "x", secret[:-1] + ("A" if secret[-1] != "A" else "B"),
                     klass.code, "' OR ''='", "x" * 10_000]
    assert all(class_for_teacher(store, w) is None for w in wrong_secrets)
    ada, _ = new_learner(store)
    messages = set()
    for w in ["", other, "nonsense", "a" * 10_000]:
        with pytest.raises(Refused) as caught:
            join(store, ada, w, "Ada")
        messages.add(str(caught.value))
    assert messages == {WRONG_CODE}
    assert tags_for(store, ada) == (ada.id, None)


def test_join_attempts_per_session_are_limited():
    now = [0.0]
    limiter = JoinLimiter(attempts=3, window=600, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.wait("s1") == 0
        limiter.failed("s1")
    assert limiter.wait("s1") == 600 and limiter.wait("s2") == 0  # per session
    now[0] = 599.0
    assert limiter.wait("s1") == 1
    now[0] = 600.5
    assert limiter.wait("s1") == 0 and "s1" not in limiter._failures and "s2" not in limiter._failures
    threads = [threading.Thread(target=lambda: [limiter.failed("t") for _ in range(100)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.wait("t") > 0
    small = JoinLimiter(max_keys=10, clock=lambda: now[0])
    for i in range(100):
        small.failed(f"k{i}")
    assert len(small._failures) <= 11  # quiet keys are forgotten


def test_join_with_a_limiter_refuses_after_too_many_wrong_codes(store):
    klass, _ = create_class(store, "C", ExperimentSpec())
    ada, _ = new_learner(store)
    limiter = JoinLimiter(attempts=2)
    for _ in range(2):
        with pytest.raises(Refused, match="not valid"):
            join(store, ada, "AAAA-AAAA-AAAA-AAAA-AAAA", "Ada", limiter, "session-1")
    with pytest.raises(Refused, match="Too many"):
        join(store, ada, klass.code, "Ada", limiter, "session-1")  # even the right code, for a while
    assert join(store, ada, klass.code, "Ada", limiter, "session-2").active


def test_remove_member_and_the_spotlight(store):
    klass, _ = create_class(store, "C", ExperimentSpec())
    elsewhere, _ = create_class(store, "D", ExperimentSpec())
    ada, _ = new_learner(store)
    bob, _ = new_learner(store)
    join(store, ada, klass.code, "Ada")
    join(store, bob, klass.code, "Bob")
    ada_run, bob_run, untagged = a_run(ada.id, klass.id), a_run(bob.id, klass.id), a_run(ada.id)
    other_class_run = a_run(ada.id, elsewhere.id)
    for run in (ada_run, bob_run, untagged, other_class_run):
        store.save(run)
    for not_of_the_class in (untagged.id, other_class_run.id, new_run_id(), "../x", "' OR 1=1 --"):
        assert not set_spotlight(store, klass, not_of_the_class)
    assert set_spotlight(store, klass, ada_run.id)  # a run of the class: shown
    with pytest.raises(PermissionError):
        set_spotlight(store, class_for_code(store, klass.code), ada_run.id)  # a learner's view of it cannot
    with pytest.raises(PermissionError):
        class_report(store, class_for_code(store, klass.code))
    assert remove_member(store, klass, ada.id) and not remove_member(store, klass, "nobody")
    report = class_report(store, klass)
    assert [r.name for r in report.learners] == ["Bob"] and [r.id for r in report.runs] == [bob_run.id]
    assert report.spotlight is None and report.klass.spotlight is None  # her run's spotlight went out
    assert not set_spotlight(store, klass, ada_run.id)
    assert tags_for(store, ada) == (ada.id, None) and class_page_for(store, ada, klass.id) is None
    with pytest.raises(Refused, match=REMOVED):
        join(store, ada, klass.code, "Ada again")
    assert set_spotlight(store, klass, None)


# ---- targets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, canonical, words", [
    ("val_accuracy>=0.95", "val_accuracy>=0.95", "validation accuracy ≥ 0.95"),
    (" VAL_ACCURACY ≥ .95 ", "val_accuracy>=0.95", "validation accuracy ≥ 0.95"),
    ("accuracy>=0.9", "accuracy>=0.9", "training accuracy ≥ 0.9"),
    ("val_loss<=0.1", "val_loss<=0.1", "validation loss ≤ 0.1"),
    ("loss <= 1e-3", "loss<=0.001", "training loss ≤ 0.001"),
    ("min val_loss@10", "min val_loss@10", "lowest validation loss after 10 epochs"),
    ("max val_accuracy @ 10", "max val_accuracy@10", "highest validation accuracy after 10 epochs"),
    ("max val_accuracy", "max val_accuracy", "highest validation accuracy at the end of a run"),
    ("", "max val_accuracy", "highest validation accuracy at the end of a run"),
    (None, "max val_accuracy", "highest validation accuracy at the end of a run"),
])
def test_target_grammar(text, canonical, words):
    target = Target.parse(text)
    assert target.text == canonical and target.describe() == words and Target.parse(target.text) == target


@pytest.mark.parametrize("text, says", [
    ("val_accuracy>0.95", "not a target"), ("val_accuracy==0.95", "not a target"),
    ("val_accuracy<=0.95", "up"), ("val_loss>=0.1", "down"), ("max val_loss", "down"), ("min accuracy@3", "up"),
    ("val_accuracy>=1.5", "between 0 and 1"), ("val_loss<=1e999", "finite"), ("min val_loss@0", "between 1"),
    ("max f1@10", "not a metric"), ("__import__('os').system('touch /tmp/pwned')", "not a target"),
    ("val_accuracy>=0.9 or 1", "not a target"), ("val_accuracy>=-0.5", "not a target"), ("x" * 1000, "short text"),
    ("val_accuracy>=nan", "not a target"), ("val_accuracy>=0.95; DROP TABLE runs", "not a target"), (42, "short"),
])
def test_bad_targets_are_refused_with_a_message(text, says):
    with pytest.raises(TargetError, match=says):
        Target.parse(text)


def test_a_targets_value_met_and_better():
    at_least = Target.parse("val_accuracy>=0.9")
    lowest_at_3 = Target.parse("min val_loss@3")
    run = a_run(val_accuracy=(0.5, 0.85, 0.92, 0.91))
    assert at_least.value(run) == 0.91 and at_least.met(run)
    assert lowest_at_3.value(run) == pytest.approx(0.08) and lowest_at_3.met(run)
    short = a_run(val_accuracy=(0.5, 0.95))
    assert lowest_at_3.value(short) is None and not lowest_at_3.met(short)  # fewer epochs: no value
    assert at_least.value(dataclasses.replace(run, status=RUNNING)) is None  # still training
    assert at_least.value(a_run(val_accuracy=(0.5, float("nan")))) is None
    assert not at_least.met(a_run(val_accuracy=(0.89,)))
    assert at_least.better(0.9, 0.8) and not at_least.better(0.8, 0.9) and not at_least.better(0.9, 0.9)
    assert lowest_at_3.better(0.1, 0.2) and at_least.better(0.1, None) and not at_least.better(None, 0.1)


# ---- the report and the class page -----------------------------------------------------------

def test_the_teachers_report_and_a_learners_class_page(store):
    exercise = ExperimentSpec()
    klass, secret = create_class(store, "C", exercise, "val_accuracy>=0.9")
    learners = {}
    for name in ("Ada", "Bob", "=HYPERLINK(\"http://x\")", "Dee"):
        learners[name], _ = new_learner(store)
        join(store, learners[name], klass.code, name)
    ada, bob, eve, dee = learners.values()
    runs = [a_run(ada.id, klass.id, (0.7, 0.85), 1000.0),
            a_run(ada.id, klass.id, (0.8, 0.93), 1001.0, learning_rate=0.01),
            a_run(bob.id, klass.id, (0.8, 0.88), 1002.0),
            a_run(eve.id, klass.id, (0.9, 0.95), 1003.0, hidden="64:relu"),
            dataclasses.replace(a_run(dee.id, klass.id, (0.99,), 1004.0), status=RUNNING),  # training: no value
            a_run(ada.id, None, (0.99, 0.99), 1005.0)]  # trained outside the class: not in its report
    runs[1] = dataclasses.replace(runs[1], parent=runs[0].id)  # trained again from her first
    for run in runs:
        store.save(run)
    report = class_report(store, class_for_teacher(store, secret))
    rows = {r.name: r for r in report.learners}
    assert [r.name for r in report.learners] == ["=HYPERLINK(\"http://x\")", "Ada", "Bob", "Dee"]  # best first
    assert (rows["Ada"].runs, rows["Ada"].best, rows["Ada"].best_run, rows["Ada"].met) == (2, 0.93, runs[1].id, True)
    assert rows["Ada"].changes == "learning_rate 0.001 → 0.01" and rows["Bob"].changes == "the exercise's settings"
    assert (rows["Bob"].best, rows["Bob"].met) == (0.88, False)
    assert (rows["Dee"].runs, rows["Dee"].best, rows["Dee"].best_run) == (1, None, None)
    assert rows["Dee"].last_activity >= 1004.0 and all(r.in_class for r in report.learners)
    assert [(s.rank, s.name, s.best, s.run_id) for s in report.leaderboard] == [
        (1, "=HYPERLINK(\"http://x\")", 0.95, runs[3].id), (2, "Ada", 0.93, runs[1].id), (3, "Bob", 0.88, runs[2].id)]
    assert len(report.runs) == 5 and [r.id for r in report.runs_of(ada.id)] == [runs[1].id, runs[0].id]
    out = report.to_json()
    assert out["class"] == "C" and out["target"] == "val_accuracy>=0.9"
    assert {"name": "Ada", "runs": 2, "best": 0.93}.items() <= out["learners"][1].items()
    # the CSV: every run of the class, oldest first; a name a spreadsheet would run is quoted
    table = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert [row["run"] for row in table] == [r.id for r in runs[:5]]
    assert table[3]["learner"] == "'=HYPERLINK(\"http://x\")" and table[1]["target_value"] == "0.93"
    assert table[1]["met"] == "1" and table[2]["met"] == "0" and table[4]["status"] == RUNNING
    assert table[3]["changes_from_exercise"].startswith("hidden") and json.loads(table[0]["spec"])["epochs"] == 40
    assert table[1]["val_accuracy"] == "0.93" and table[1]["loss"] == "0.5"
    # Bob's class page: his runs against the target, the leaderboard without names, no run ids
    page = class_page_for(store, bob, klass.id)
    assert page.name == "Bob" and page.in_class and page.klass.target.text == "val_accuracy>=0.9"
    assert [(o.run.id, o.value, o.met) for o in page.runs] == [(runs[2].id, 0.88, False)]
    assert [(s.name, s.you, s.run_id) for s in page.leaderboard] == [
        ("Learner 1", False, None), ("Learner 2", False, None), ("Bob", True, None)]
    assert page.spotlight is None and not hasattr(page.klass, "code")
    text = repr(page)
    assert ada.id not in text and eve.id not in text and runs[1].id not in text and "Ada" not in text
    # the teacher shows names and puts Ada's best run in the spotlight
    set_show_names(store, klass, True)
    assert set_spotlight(store, klass, runs[1].id)
    page = class_page_for(store, bob, klass.id)
    assert [s.name for s in page.leaderboard] == ["=HYPERLINK(\"http://x\")", "Ada", "Bob"]
    assert page.spotlight.id == runs[1].id and page.spotlight.learner is None and page.spotlight.session == ""
    assert page.spotlight.parent is None
    assert page.spotlight_name == "Ada" and class_report(store, klass).spotlight.id == runs[1].id
    # nobody outside the class sees its page
    outsider, _ = new_learner(store)
    assert class_page_for(store, outsider, klass.id) is None
    leave(store, bob)
    assert class_page_for(store, bob, klass.id).in_class is False  # who left still sees it
    assert [r.in_class for r in class_report(store, klass).learners if r.name == "Bob"] == [False]


def test_min_at_n_ranks_by_the_value_after_n_epochs(store):
    klass, _ = create_class(store, "C", ExperimentSpec(), "min val_loss@2")
    ada, _ = new_learner(store)
    bob, _ = new_learner(store)
    join(store, ada, klass.code, "Ada")
    join(store, bob, klass.code, "Bob")
    store.save(a_run(ada.id, klass.id, (0.5, 0.8, 0.99)))  # val_loss 0.2 after 2 epochs (0.01 after 3)
    store.save(a_run(bob.id, klass.id, (0.5, 0.85)))  # 0.15 after 2
    store.save(a_run(ada.id, klass.id, (0.99,)))  # one epoch: does not qualify
    board = class_report(store, klass).leaderboard
    assert [(s.name, round(s.best, 6)) for s in board] == [("Bob", 0.15), ("Ada", 0.2)]


# ---- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, kept", [
    ("Ada", "Ada"), ("  Ada Lovelace  ", "Ada Lovelace"), ("<b>bold</b>", "<b>bold</b>"),
    ("**bold** [x](javascript:alert(1))", "**bold** [x](javascript:alert(1))"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"), ("Zoë 🎉", "Zoë 🎉"),
    ("👩‍💻", "👩‍💻"), ("אדה", "אדה"), ("x" * 40, "x" * 40),
    ("Robert'); DROP TABLE runs;--", "Robert'); DROP TABLE runs;--"),
])
def test_names_are_kept_as_typed(typed, kept):
    assert clean_name(typed) == kept


@pytest.mark.parametrize("typed, says", [
    ("", "empty"), ("   ", "empty"), (None, "text"), ("x" * 10_000, "10,000 characters"), ("x" * 41, "at most 40"),
    ("abc\u202edef", "RIGHT-TO-LEFT OVERRIDE"), ("\u2066x\u2069", "LEFT-TO-RIGHT ISOLATE"),
    ("a\u200bb", "ZERO WIDTH SPACE"), ("line\nbreak", "control character"), ("tab\tbed", "control character"),
    ("\u200d", "no visible character"), ("a\u2028b", "line separator"), ("\ue000", "private-use"),
])
def test_names_that_could_change_the_page_are_refused(typed, says):
    with pytest.raises(NameRefused, match=says):
        clean_name(typed)


def test_class_names_are_checked_too(store):
    with pytest.raises(NameRefused, match="class name"):
        create_class(store, "x" * 10_000, ExperimentSpec())
    with pytest.raises(NameRefused, match="class name"):
        create_class(store, "bad\u202e", ExperimentSpec())
    with pytest.raises(TargetError):
        create_class(store, "ok", ExperimentSpec(), "1+1")
    klass, _ = create_class(store, "<script>alert('x')</script> 🎓", ExperimentSpec())
    assert class_for_code(store, klass.code).name == "<script>alert('x')</script> 🎓"
    ada, _ = new_learner(store)
    with pytest.raises(NameRefused):
        join(store, ada, klass.code, "")
    assert tags_for(store, ada) == (ada.id, None)


# ---- the CLI ---------------------------------------------------------------------------------

def test_cli_creates_a_class_and_reports_on_it(db):
    done = nncore("class", "create", "--name", "Week 3", "--preset", "practice-lab", "--target", "val_accuracy>=0.9",
               "--url", "https://playground.example/", "--json", store=db.address)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"code", "join", "teacher"}
    assert out["join"] == f"https://playground.example/class?join={out['code']}"
    assert out["teacher"].startswith("https://playground.example/class?teacher=")
    secret = out["teacher"].rsplit("=", 1)[1]
    store = db.store()  # what the server reads
    klass = class_for_code(store, out["code"])
    assert klass.name == "Week 3" and klass.exercise == ExperimentSpec.from_preset("practice-lab")
    ada, _ = new_learner(store)
    join(store, ada, out["code"], "Ada")
    store.save(a_run(ada.id, klass.id, (0.8, 0.95)))
    report = nncore("class", "report", "--teacher", secret, "--json", store=db.address)
    assert report.returncode == 0, report.stderr
    got = json.loads(report.stdout)
    assert got["class"] == "Week 3" and [{k: r[k] for k in ("name", "runs", "best")} for r in got["learners"]] == [
        {"name": "Ada", "runs": 1, "best": 0.95}]
    table = nncore("class", "report", "--teacher", secret, "--csv", store=db.address)
    assert table.returncode == 0 and list(csv.DictReader(io.StringIO(table.stdout)))[0]["learner"] == "Ada"
    for wrong in ("nope", secret[:-1] + ("A" if secret[-1] != "A" else "B")):
        bad = nncore("class", "report", "--teacher", wrong, "--json", store=db.address)
        assert bad.returncode == 2 and bad.stdout == "" and bad.stderr == "error: This teacher link is not valid.\n"


def test_cli_refuses_a_bad_name_or_target_in_one_line(tmp_path):
    db = Database("sqlite", str(tmp_path / "runs.sqlite3"))
    for args, says in ((["--name", "bad\u202ename"], "RIGHT-TO-LEFT"), (["--name", "ok", "--target", "max val_loss"],
                                                                         "should go down")):
        done = nncore("class", "create", *args, "--json", store=db.address)
        assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert done.stdout == ""


def test_a_teacher_secret_never_reads_as_a_command_line_option():
    """token_urlsafe begins with "-" one time in 64: `class report --teacher -x...` then failed
    (found by the browser test). 3,000 secrets: each of the secret's shape, none begins with "-"."""
    from nncore.people.classes import SECRET, new_secret

    made = [new_secret() for _ in range(3000)]
    assert all(SECRET.fullmatch(s) and not s.startswith("-") for s in made)
    assert len(set(made)) == len(made) and any("-" in s for s in made)  # "-" stays possible inside
