"""Who is who, in real headless Chromium: two browsers as two learners, a class made headless, both
joining by its link, the teacher's report; a server restart keeps all of it. On a real PostgreSQL
(the session's, started by conftest.py), the deployment's store. The same store behaviour on SQLite
(learners by token across restarts, each sees only their own runs, joining, the teacher's report and
its CLI, a run outside the class left out) is asserted by test_people.py, whose `db` fixture runs each
test on both stores; a browser against a SQLite store across a restart is test_browser_runs.py's."""

from __future__ import annotations

import json

import pytest

from browser import close_page, no_exception, open_page, run_id_in, serve, wait_for_app
from helpers import nncore

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=["postgresql"])
def store(request):
    """The run store of the server and the CLI: a database on the session's PostgreSQL."""
    return request.getfixturevalue("postgres").new_database()


def train(page, url: str) -> str:
    """Train a small network for an epoch on the Train page (a finished run is all it takes); the run's id."""
    page.goto(f"{url}/?hidden=8:relu&epochs=1")
    page.locator(".st-key-train button").first.click()
    page.get_by_text("Done: 1 epochs").wait_for(timeout=180_000)
    page.wait_for_function("() => /[?&]run=[0-9a-f]{12}/.test(location.search)", timeout=30_000)
    # the browser keeps who it is once the page's script has reached its end (the cookie's element is
    # drawn last): a tab opened before that is a newcomer, as it would be for a person that quick
    page.wait_for_function("() => document.cookie.includes('nnp_learner=')", timeout=30_000)
    return run_id_in(page.url)


def runs_listed(context, url: str) -> str:
    """The Runs page's text, opened in a new tab of `context`."""
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{url}/runs")
    wait_for_app(page)
    page.get_by_text("Runs to compare").or_(page.get_by_text("No runs yet")).first.wait_for(timeout=60_000)
    text = page.locator("[data-testid=stMainBlockContainer]").text_content()  # the table's cells too
    no_exception(page)
    page.close()
    return text


def join(context, link: str, name: str) -> None:
    page = context.new_page()
    page.goto(link)
    page.locator(".st-key-learner_name input").fill(name)
    page.locator(".st-key-join_class button").click()
    page.get_by_text("in this class").first.wait_for(timeout=60_000)
    page.close()


def test_two_learners_a_class_and_its_teacher_across_a_restart(chromium, store):
    server = serve(store)
    try:
        made = nncore("class", "create", "--name", "Lab <b>2</b>", "--preset", "practice-lab",
                      "--target", "val_accuracy>=0.5", "--url", server.url, "--json", store=store)
        assert made.returncode == 0, made.stderr
        links = json.loads(made.stdout)
        assert set(links) == {"code", "join", "teacher"} and links["join"].startswith(server.url + "/class?join=")

        a = chromium.new_context(viewport={"width": 1400, "height": 1400})
        b = chromium.new_context(viewport={"width": 1400, "height": 1400})
        page_a = open_page(chromium)  # a third browser: never joins, never trains
        close_page(page_a)

        # A trains before joining: the run is theirs, in a new tab too; B sees none of it
        first_a = train(a.new_page(), server.url)
        assert first_a in runs_listed(a, server.url)
        listed_b = runs_listed(b, server.url)
        assert "No runs yet" in listed_b and first_a not in listed_b
        assert all(c["name"] != "nnp_learner" or "run=" not in c["value"] for c in a.cookies())

        # both join by the link and train; each sees exactly their own runs
        join(a, links["join"], "Ada")
        join(b, links["join"], "Bo <script>")
        class_a, class_b = train(a.new_page(), server.url), train(b.new_page(), server.url)
        listed_a, listed_b = runs_listed(a, server.url), runs_listed(b, server.url)
        assert first_a in listed_a and class_a in listed_a and class_b not in listed_a
        assert class_b in listed_b and first_a not in listed_b and class_a not in listed_b

        # the teacher's report: both, with their best value; the CSV has both; a wrong secret is refused
        secret = links["teacher"].split("teacher=")[1]
        report = nncore("class", "report", "--teacher", secret, "--json", store=store)
        assert report.returncode == 0, report.stderr
        learners = {row["name"]: row for row in json.loads(report.stdout)["learners"]}
        assert set(learners) == {"Ada", "Bo <script>"}
        assert all(row["runs"] == 1 and row["best"] is not None for row in learners.values())
        csv = nncore("class", "report", "--teacher", secret, "--csv", store=store).stdout
        assert class_a in csv and class_b in csv and first_a not in csv and "Bo <script>" in csv
        wrong = nncore("class", "report", "--teacher", "x" * 32, "--json", store=store)
        assert wrong.returncode == 2 and wrong.stdout == ""
        page = open_page(chromium, f"{server.url}/class?teacher={'x' * 32}")
        page.get_by_text("This teacher link is not valid.").wait_for(timeout=30_000)
        close_page(page)
        page = open_page(chromium, links["teacher"])
        page.get_by_text("2 learner(s), 3 run(s)").or_(page.get_by_text("2 learner(s), 2 run(s)")).wait_for(
            timeout=30_000)
        # the newest run of the class, chosen for the spotlight: its learner's name as typed (a table's
        # cells are drawn on a canvas, so the name is looked for here)
        assert page.locator(".st-key-spotlight_run input").input_value().startswith(f"Bo <script> · run {class_b}")
        no_exception(page)
        close_page(page)

        # a restart keeps who is who
        server.stop()
        server = serve(store)
        listed_a, listed_b = runs_listed(a, server.url), runs_listed(b, server.url)
        assert first_a in listed_a and class_a in listed_a and class_b not in listed_a
        assert class_b in listed_b and first_a not in listed_b
        again = json.loads(nncore("class", "report", "--teacher", secret, "--json", store=store).stdout)
        assert {row["name"] for row in again["learners"]} == {"Ada", "Bo <script>"}
        a.close()
        b.close()
    finally:
        server.stop()
