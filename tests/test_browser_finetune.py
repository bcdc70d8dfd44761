"""Teach it your handwriting, in real headless Chromium: a misread continental 1 drawn with the mouse
is corrected (correct_digit) and kept; a file of examples is added; Fine-tune on my writing
(fine_tune) trains in the queue with progress, then shows before and after, and the fine-tuned
network answers the next drawing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bench.finetune import writer
from browser import close_page, open_page, set_number
from nncore.inference.finetune import dumps_examples
from strokes import habit_digits, replay

pytestmark = pytest.mark.browser


def settled(page):
    page.wait_for_timeout(400)
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
                           " === 'notRunning'", timeout=60_000)


def test_correct_keep_upload_fine_tune_and_answer(browser, server, tmp_path):
    page = open_page(browser, server.url + "/draw", height=2400)
    try:
        expect(page.locator(".st-key-taught_habits")).to_contain_text("continental 1s and slashed zeros")
        expect(page.locator(".st-key-taught_habits img")).to_have_count(3)
        canvas = page.locator(".st-key-canvas canvas").last
        one = [d for d in habit_digits(4, seed=7) if d.style.startswith("1-flag-short-stem")][0]
        replay(page, canvas, one)
        expect(page.locator(".st-key-prediction")).to_contain_text("Prediction:", timeout=60_000)
        settled(page)
        page.locator(".st-key-correct_digit button", has_text=re.compile(r"^1$")).last.click()
        copies = []  # the note, sampled while the page catches up: never two of it at once
        for _ in range(40):
            copies.append(page.get_by_text("Kept as an example of 1").count())
            page.wait_for_timeout(50)
        assert max(copies) == 1, copies
        counts = page.locator(".st-key-example_counts")
        expect(counts).to_contain_text("Your examples: 1", timeout=30_000)
        expect(counts).to_contain_text("1: 1")
        expect(page.get_by_text("Kept as an example of 1")).to_be_visible()
        expect(page.locator(".st-key-prediction")).to_have_count(0)  # the canvas is clear for the next one
        expect(page.locator(".st-key-fine_tune button").last).to_be_disabled(timeout=30_000)  # fewer than 5 examples

        bad = tmp_path / "bad.json"
        bad.write_text('[{"label": 1, "strokes": [[[1, 2]]]}, {"label": 11, "strokes": [[[1, 2]]]}]')
        page.locator(".st-key-upload_examples input[type=file]").set_input_files(str(bad))
        expect(page.get_by_text("example 2: \"label\" must be a digit 0-9, not 11")).to_be_visible(timeout=30_000)
        expect(counts).to_contain_text("Your examples: 1")  # nothing of the bad file was added

        good = tmp_path / "mine.json"
        good.write_text(dumps_examples(writer(2, 3)))
        page.locator(".st-key-upload_examples input[type=file]").set_input_files(str(good))
        expect(counts).to_contain_text("Your examples: 31", timeout=30_000)
        expect(counts).to_contain_text("1: 4")
        set_number(page, "fine_tune_epochs", 1)
        page.locator(".st-key-fine_tune button").last.click()
        expect(page.locator(".st-key-finetune_mnist")).to_contain_text("before 99.5%", timeout=240_000)
        held = page.locator(".st-key-finetune_held_back")
        expect(held).to_contain_text("held-back examples")
        expect(held).to_contain_text("before")
        # the fine-tuned network answers the next drawing
        replay(page, canvas, one)
        expect(page.locator(".st-key-prediction")).to_contain_text("Prediction:", timeout=60_000)
        expect(page.get_by_text("Answered by your network fine-tuned on your writing")).to_be_visible(timeout=30_000)
        assert not page.errors, page.errors
        expect(page.locator("[data-testid=stException]")).to_have_count(0)
    finally:
        close_page(page)
