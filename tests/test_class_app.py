"""The Class page and "you" through AppTest, on a fresh SQLite run store: a class made on the page,
joined by its link, seen by its teacher; wrong codes and secrets get one message each; names are
shown as typed; "forget me" deletes a learner's runs and identity."""

from __future__ import annotations

import pytest
from apptest import open_app, wait_until_finished

from app.text import plain
from nncore import ExperimentSpec, people


@pytest.fixture
def store(monkeypatch, tmp_path):
    from app import state

    monkeypatch.setenv("NNCORE_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    state.reset_store()
    yield state.store()
    state.reset_store()


def texts(at) -> str:
    return " | ".join([m.value for m in at.markdown] + [e.value for e in at.error] + [s.value for s in at.success]
                      + [c.value for c in at.caption] + [w.value for w in at.warning] + [c.value for c in at.code])


def class_page(query: dict | None = None):
    at = open_app("views/classroom.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_a_teacher_makes_a_class_on_the_page_and_gets_two_links(store):
    at = class_page()
    at.text_input(key="class_name").set_value("Week 2 *lab*")
    at.radio(key="class_exercise_from").set_value("preset").run()
    at.selectbox(key="class_preset").set_value("softmax-regression")
    at.text_input(key="class_target").set_value("min val_loss@10")
    at.button(key="create_class").click().run()
    assert not at.exception
    links = [c.value for c in at.code]
    join = next(v for v in links if "/class?join=" in v)
    teacher = next(v for v in links if "/class?teacher=" in v)
    code, secret = join.split("join=")[1], teacher.split("teacher=")[1]
    assert people.class_for_code(store, code).name == "Week 2 *lab*"
    klass = people.class_for_teacher(store, secret)
    assert klass.exercise == ExperimentSpec.from_preset("softmax-regression") and klass.target.text == "min val_loss@10"
    assert "Week 2 \\*lab\\*" in texts(at)  # shown as typed (escaped Markdown)
    # the teacher's view: the class as it is (nobody yet)
    view = class_page({"teacher": secret})
    assert "Nobody has joined yet" in " ".join(i.value for i in view.info) and not view.exception
    assert code in texts(view)


@pytest.mark.parametrize("name, target, why", [
    ("", "val_accuracy>=0.9", "empty"),
    ("x" * 10_000, "val_accuracy>=0.9", "at most"),
    ("Lab \u202eevil", "val_accuracy>=0.9", ""),
    ("Lab", "__import__('os')", ""),
    ("Lab", "val_accuracy>=2", ""),
])
def test_a_bad_class_name_or_target_is_named_and_nothing_is_made(store, name, target, why):
    at = class_page()
    at.text_input(key="class_name").set_value(name[:80] if len(name) > 80 else name)
    at.radio(key="class_exercise_from").set_value("preset").run()
    at.text_input(key="class_target").set_value(target)
    if len(name) > 80:  # the widget caps what a person types; the page's own check is nncore's
        with pytest.raises(people.NameRefused, match="at most"):
            people.clean_name(name, people.CLASS_NAME_MAX)
        return
    at.button(key="create_class").click().run()
    assert not at.exception and len(at.error) == 1, texts(at)
    assert why in at.error[0].value
    assert not any("/class?teacher=" in c.value for c in at.code)


def test_wrong_codes_and_secrets_get_one_message_each(store):
    people.create_class(store, "Real", ExperimentSpec())
    for wrong in ("AAAA-BBBB-CCCC-DDDD-EEEE", "nonsense", "<script>"):
        at = class_page({"join": wrong})
        at.text_input(key="learner_name").set_value("Ada")
        at.button(key="join_class").click().run()
        assert [e.value for e in at.error] == [plain(people.WRONG_CODE)], texts(at)
    for wrong in ("x" * 32, "short", ""):
        at = class_page({"teacher": wrong})
        assert [e.value for e in at.error] == [people.WRONG_TEACHER]
        assert not at.exception


def test_a_learner_joins_by_link_trains_and_the_teacher_sees_them(store):
    klass, secret = people.create_class(store, "Lab", ExperimentSpec.from_preset("practice-lab").replace(epochs=2),
                                        "val_accuracy>=0.5")
    at = class_page({"join": klass.code})
    at.text_input(key="learner_name").set_value("Ada <b>")
    at.button(key="join_class").click().run()
    assert not at.exception and not at.error, texts(at)
    assert "You are **Ada \\<b\\>** in this class" in texts(at)
    at.switch_page("views/train.py").run()  # the exercise filled the builder
    assert at.number_input(key="epochs").value == 2
    at.button(key="train").click().run()
    wait_until_finished(at)
    report = people.class_report(store, klass)
    assert [(r.name, r.runs) for r in report.learners] == [("Ada <b>", 1)]
    assert report.learners[0].best is not None
    view = class_page({"teacher": secret})
    table = view.dataframe[0].value  # one row per learner (then the leaderboard)
    assert list(table["name"]) == ["Ada <b>"] and list(table["runs"]) == [1]


def test_forget_me_deletes_the_learners_runs_and_identity(store):
    at = open_app()
    at.number_input(key="epochs").set_value(1).run()
    at.button(key="train").click().run()
    wait_until_finished(at)
    at.switch_page("views/runs.py").run()
    run_ids = list(at.dataframe[0].value["run"])
    assert len(run_ids) == 1
    learner = people.learner_by_id(store, store.get(run_ids[0]).learner)
    assert learner is not None
    at.button(key="forget_me").click().run()
    assert "This deletes your 1 run(s)" in texts(at)
    at.button(key="forget_me_confirm").click().run()
    assert not at.exception
    assert store.get(run_ids[0]) is None and people.learner_by_id(store, learner.id) is None
    assert any("No runs yet" in i.value for i in at.info)
    at.switch_page("views/train.py").run()  # the Train page's "Your runs" tab lists none either
    assert any("Each finished training is listed here" in c.value for c in at.caption)
