"""`python -m bench sessions`: the load test, run for real with two Chromium sessions of one epoch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from browser import NO_CHROMIUM, ROOT, chromium_path

pytestmark = pytest.mark.browser


def bench(*args: str, timeout: float = 400) -> subprocess.CompletedProcess:
    # its server warms up the practice lab only (NNCORE_WARM_UP): TensorFlow loaded and one network
    # traced before "idle" is measured, without building all nine presets first
    return subprocess.run([sys.executable, "-m", "bench", "sessions", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NNCORE_WARM_UP": "practice-lab"})


def test_two_sessions_train_at_once_and_the_json_says_so():
    if chromium_path() is None:
        if os.environ.get("NNCORE_REQUIRE_BROWSER"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    done = bench("--sessions", "2", "--epochs", "1", "--timeout", "300", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["sessions"] == 2 and result["epochs"] == 1
    assert result["finished"] == 2 and result["failed"] == 0 and result["failures"] == []
    assert result["server_tracebacks"] == 0
    assert len(result["waits_s"]) == 2 and 0 < result["waits_s"][0] <= result["slowest_wait_s"] == result["waits_s"][-1]
    # the server holds TensorFlow and the data: hundreds of MB, read from /proc
    assert 200 < result["rss_one_idle_mb"] and result["rss_all_idle_mb"] > 0 and result["rss_all_trained_mb"] > 0
    per = result["memory_per_session_mb"]
    assert per["idle"] == pytest.approx(result["rss_all_idle_mb"] - result["rss_one_idle_mb"], abs=0.11)
    assert per["trained"] == pytest.approx(result["rss_all_trained_mb"] - result["rss_one_idle_mb"], abs=0.11)
    assert result["server_cpu_s"] > 0 and result["trainings_per_minute_per_core"] == pytest.approx(
        2 / (result["server_cpu_s"] / 60), rel=0.1)
    assert result["trainings_per_minute"] == pytest.approx(2 / (result["slowest_wait_s"] / 60), rel=0.05)
    assert "Train pressed in 2 sessions at once" in done.stderr  # progress goes to stderr with --json


@pytest.mark.parametrize("args, message", [
    (["--sessions", "41"], "--sessions must be 1 to 40"),
    (["--sessions", "0"], "--sessions must be 1 to 40"),
    (["--epochs", "51"], "--epochs must be 1 to 50"),
])
def test_out_of_bounds_is_refused_before_anything_starts(args, message):
    done = bench(*args, timeout=60)
    assert done.returncode == 2 and message in done.stderr
