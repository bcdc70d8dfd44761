"""Teach it your handwriting (nncore.inference.finetune): examples are data with limits, a real
fine-tune reads a writer's other digits better without forgetting its digits, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.finetune import writer
from helpers import nncore, nncore_here
from nncore.inference import finetune as F

GOOD = {"label": 1, "strokes": [[[100, 40], [150, 30], [152, 240]]]}


@pytest.mark.parametrize("bad, rule", [
    ({"a": 1}, "must be a JSON list"),
    ([], "empty"),
    ([GOOD, {"label": 10, "strokes": GOOD["strokes"]}], r"example 2: \"label\" must be a digit 0-9, not 10"),
    ([{"label": True, "strokes": GOOD["strokes"]}], "must be a digit"),
    ([{"label": "1", "strokes": GOOD["strokes"]}], "must be a digit"),
    ([{**GOOD, "code": "import os"}], "unknown field 'code'"),
    ([{"label": 3, "strokes": []}], "non-empty list of strokes"),
    ([{"label": 3, "strokes": [[[1, 2, 3]]]}], r"stroke 1: a point must be \[x, y\]"),
    ([{"label": 3, "strokes": [[[1, "2"]]]}], "finite number"),
    ([{"label": 3, "strokes": [[[1, 9000]]]}], "outside the 280x280 canvas"),
    ([{"label": 3, "strokes": [[[1, 2]]] * (F.MAX_STROKES + 1)}], f"at most {F.MAX_STROKES}"),
    ([{"label": 3, "strokes": [[[1, 2]] * (F.MAX_POINTS + 1)]}], f"more than {F.MAX_POINTS} points"),
    ([GOOD] * (F.MAX_EXAMPLES + 1), f"at most {F.MAX_EXAMPLES}"),
    ([GOOD] * (F.MAX_PER_DIGIT + 1), f"examples of the digit 1, at most {F.MAX_PER_DIGIT}"),
])
def test_examples_break_named_rules(bad, rule):
    with pytest.raises(F.ExamplesError, match=rule):
        F.parse_examples(bad)


def test_examples_files_are_json_data_within_limits(tmp_path):
    for raw, rule in ((b"\x80\x81", "not JSON"), (b"[1, 2", "not JSON"),
                      (b'[{"label": 1, "strokes": [[[Infinity, 2]]]}]', "finite number"),
                      (b" " * (F.MAX_BYTES + 1), "over 4 MB")):
        with pytest.raises(F.ExamplesError, match=rule):
            F.loads_examples(raw)
    examples = writer(0, 2)
    again = F.loads_examples(F.dumps_examples(examples).encode())
    assert again == examples and len(examples) == 20 and {e.label for e in examples} == set(range(10))
    path = tmp_path / "mine.json"
    path.write_text(F.dumps_examples(examples))
    assert F.load_examples(path) == examples
    with pytest.raises(F.ExamplesError, match="no such file"):
        F.load_examples(tmp_path / "nothing.json")


def test_held_back_one_in_five_of_each_digit_with_three_or_more():
    labels = np.array([0] * 5 + [1] * 10 + [2] * 2 + [3])
    held = F.held_back(labels, seed=0)
    assert [int(held[labels == d].sum()) for d in range(4)] == [1, 2, 0, 0]
    assert np.array_equal(held, F.held_back(labels, seed=0))  # seeded


def test_fine_tune_reads_the_writers_other_digits_better_and_keeps_its_digits(digits):
    """A network of the Train page (the practice lab on the built-in digits) fine-tuned on 5 of each
    digit by one generated writer (continental 1s, slashed zeros, crossed 7s): the same writer's
    next 10 of each are read better, and its validation digits at most 2 points worse."""
    from nncore import ExperimentSpec
    from nncore.training.job import TrainingJob

    spec = ExperimentSpec.from_preset("practice-lab").replace(epochs=15, seed=1)
    base = TrainingJob(spec, data=digits, queued=False, views=False)
    assert base.run().status == "done"
    start = F.job_start(base)
    given, others = writer(3, 5), writer(3, 10, start=5)
    plan = F.FineTune.plan(given, start, epochs=8)
    assert plan.trained == 40 and int(plan.held.sum()) == 10
    # the learner's examples are repeated beside 1,000 of the network's own training digits
    assert len(plan.data.x_train) == 40 * 10 + F.REPLAY  # 400 / 40: each as drawn and 9 new writings
    assert not np.array_equal(plan.data.x_train[:40], plan.data.x_train[40:80])
    job = plan.job(queued=False, views=False)
    assert job.run().status == "done"
    report = plan.report(job)
    assert set(report) >= {"before", "after", "mnist_before", "mnist_after", "seconds", "changed"}
    x = np.array([e.inputs() for e in others])
    y = np.array([e.label for e in others])
    before = F.accuracy(start.answer(x), y)
    after = F.accuracy(job.outputs(x), y)
    assert after >= before + 0.05, (before, after)
    assert report["mnist_after"] >= report["mnist_before"] - 0.02, report
    assert report["after"] >= report["before"], report
    for c in report["changed"]:  # each changed answer is the before and after networks' own
        row = plan.x[c["example"] - 1: c["example"]]
        assert c["before"] == int(start.answer(row).argmax()) and c["after"] == int(job.outputs(row).argmax())


def test_cli_rejects_a_bad_examples_file_naming_the_problem(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([GOOD, {"label": 12, "strokes": GOOD["strokes"]}]))
    r = nncore_here(capsys, "finetune", "--examples", str(bad), "--epochs", "1", "--json")
    assert r.returncode == 2 and "example 2" in r.stderr and "digit 0-9" in r.stderr and not r.stdout
    good = tmp_path / "mine.json"
    good.write_text(F.dumps_examples(writer(0, 2)))
    r = nncore_here(capsys, "finetune", "--examples", str(good), "--save", str(tmp_path / "mine.keras"))
    assert r.returncode == 2 and "would overwrite the examples" in r.stderr


def test_cli_fine_tunes_the_default_cnn_and_saves_a_safe_keras_file(tmp_path):
    import keras

    examples = tmp_path / "mine.json"
    examples.write_text(F.dumps_examples(writer(1, 5)))
    out = tmp_path / "tuned.keras"
    r = nncore("finetune", "--examples", str(examples), "--epochs", "1", "--save", str(out), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert {"before", "after", "mnist_before", "mnist_after", "seconds"} <= set(result)
    assert result["held_back"] == 10 and result["trained_on"] == 40
    assert result["mnist_before"] == pytest.approx(0.995, abs=0.003)  # the shipped CNN on its 7,000
    assert result["mnist_after"] >= result["mnist_before"] - 0.005
    model = keras.saving.load_model(out, safe_mode=True, compile=False)
    assert tuple(model.inputs[0].shape) == (None, 784)
    x = np.array([e.inputs() for e in F.load_examples(examples)])
    assert np.asarray(model(x)).shape == (50, 10)


def test_draw_page_lists_deletes_and_counts_the_learners_examples():
    """The examples panel through AppTest: the counter per digit, deleting chosen examples and all,
    and Fine-tune waiting for 5 examples."""
    from app.state.finetune import FineTuneState
    from app.state.slots import key_of
    from apptest import open_app

    at = open_app("views/draw.py")
    state = FineTuneState()
    at.session_state[key_of(FineTuneState)] = state
    at.run()
    counts = lambda: next(m.value for m in at.markdown if m.value.startswith("**Your examples"))  # noqa: E731
    assert counts().startswith("**Your examples: 0**")
    assert at.button(key="fine_tune").disabled
    examples = writer(4, 1) + writer(4, 1, start=1)[:3]  # one of each digit, and a 0, a 1, a 2 more
    at.session_state[key_of(FineTuneState)] = FineTuneState(examples=examples,
                                                            inputs=[e.inputs().reshape(28, 28) for e in examples])
    at.run()
    assert counts().startswith("**Your examples: 13**") and "0: **2**" in counts() and "3: **1**" in counts()
    assert not at.button(key="fine_tune").disabled
    at.multiselect(key="delete_examples").set_value([0, 1]).run()
    at.button(key="delete_chosen").click().run()
    assert counts().startswith("**Your examples: 11**") and "0: **1**" in counts() and "1: **1**" in counts()
    assert at.multiselect(key="delete_examples").value == [] and not at.exception
    at.button(key="delete_all").click().run()
    assert counts().startswith("**Your examples: 0**") and at.button(key="fine_tune").disabled
