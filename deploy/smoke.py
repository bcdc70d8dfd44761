"""Smoke-test the container image without a container daemon: `python deploy/smoke.py [--json]`.

This machine has no Docker, so the image's start is reproduced as closely as a plain process can:

- the files: only what the Dockerfile's COPY lines take, filtered by .dockerignore, copied into a
  fresh folder; a file the server writes there is reported (in the image root owns /app);
- the command and the environment: the Dockerfile's CMD and ENV as written, except the port (a
  free one) and /home/app, which become a temporary folder;
- the user: the Dockerfile's numeric USER when this runs as root (setuid for the server only);
- the network: none, when root can make a network namespace (`unshare -n`, loopback only), so
  anything that would download at run time fails here as it would in an offline container;
- then the Dockerfile's HEALTHCHECK command until it passes, and the page in headless Chromium:
  its title, a Train of the default preset to the end, no exception.

What it cannot check: the base image's own Python and pip install (it uses this Python and its
installed packages, pinned by the same requirements.txt), and Docker's build itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IN_NETNS = "NNCORE_SMOKE_IN_NETNS"


# ---- reading the Dockerfile and .dockerignore ------------------------------------------------

def instructions(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    out = []
    for line in lines:
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def image_env(steps: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in steps:
        if word == "ENV":
            for pair in rest.split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def exec_form(steps: list[tuple[str, str]], word: str) -> list[str]:
    """The last CMD (or HEALTHCHECK's CMD) in JSON form."""
    for w, rest in reversed(steps):
        if w == word:
            if word == "HEALTHCHECK":
                rest = rest[rest.index("CMD ") + 4:]
            return json.loads(rest)
    raise ValueError(f"the Dockerfile has no {word}")


def copies(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for word, rest in steps:
        if word == "COPY":
            *sources, dest = [p for p in rest.split() if not p.startswith("--")]
            out += [(s, dest) for s in sources]
    return out


def ignore_patterns(path: Path = ROOT / ".dockerignore") -> list[tuple[bool, re.Pattern]]:
    """(exclude?, regex) for each line: Docker's rules (last match wins, `!` re-includes, `**` any
    depth, a pattern matching a folder matches all inside it)."""
    out = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex += "(?:.*/)?"
                i += 3
            elif pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        out.append((not negate, re.compile(regex)))
    return out


def ignored(relative: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
    """Whether .dockerignore keeps `relative` (a path in the repository) out of the build context."""
    parts = relative.strip("/").split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for exclude, regex in patterns:
        if any(regex.fullmatch(p) for p in prefixes):
            result = exclude
    return result


def build_context(dest: Path, steps: list[tuple[str, str]]) -> int:
    """Copy what the COPY lines take (minus .dockerignore) into dest, as the image's WORKDIR. Returns
    the number of files."""
    patterns, count = ignore_patterns(), 0
    for source, target in copies(steps):
        src = ROOT / source
        if ignored(source, patterns):
            raise SystemExit(f"COPY {source}: .dockerignore leaves it out of the build context")
        files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if p.is_file())
        for f in files:
            rel = f.relative_to(ROOT).as_posix()
            if ignored(rel, patterns):
                continue
            if src.is_dir():
                inside = Path(target) / f.relative_to(src)
            elif target.endswith("/") or target in (".", "./"):
                inside = Path(target) / f.name
            else:
                inside = Path(target)
            out = dest / inside
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, out)
            count += 1
    return count


# ---- running it ------------------------------------------------------------------------------

def _uid(steps) -> int | None:
    users = [rest.split(":")[0] for w, rest in steps if w == "USER"]
    return int(users[-1]) if users and users[-1].isdigit() else None


def _can_run_as(uid: int) -> bool:
    try:
        return subprocess.run([sys.executable, "-c", "import streamlit"], user=uid, group=uid, extra_groups=[],
                              capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


def run(train: bool, screenshot: str | None, timeout: float) -> dict:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from bench.serve import CHROMIUM_FLAGS, NO_CHROMIUM, chromium_path, free_port, wait_for_app

    steps = instructions()
    started = time.perf_counter()
    report: dict = {"network": "loopback only" if os.environ.get(IN_NETNS) else "host (not root: no namespace)",
                    "problems": []}
    with tempfile.TemporaryDirectory(prefix="nn-smoke-") as tmp:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)
        workdir, home = tmp_path / "app", tmp_path / "home"
        report["files"] = build_context(workdir, steps)
        shipped = {p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file()}
        env = image_env(steps)
        uid = _uid(steps) if os.geteuid() == 0 else None
        if uid is not None and not _can_run_as(uid):
            report["problems"].append(f"this Python ({sys.executable}) cannot be run by uid {uid} here; "
                                      f"the server ran as uid {os.geteuid()}")
            uid = None
        (home / "data").mkdir(parents=True)
        if uid is not None:
            for p in (home, home / "data"):
                os.chown(p, uid, uid)
        port = free_port()
        env = {k: v.replace("/home/app", str(home)) for k, v in env.items()}
        env.update(STREAMLIT_SERVER_PORT=str(port),
                   PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin")
        report.update(user=uid if uid is not None else os.geteuid(), port=port,
                      command=exec_form(steps, "CMD"), healthcheck=exec_form(steps, "HEALTHCHECK"))
        log = open(tmp_path / "server.log", "w+")
        server = subprocess.Popen(report["command"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  user=uid, group=uid, extra_groups=[] if uid is not None else None)
        try:
            deadline = time.time() + timeout
            while True:
                check = subprocess.run(report["healthcheck"], cwd=workdir, env=env, capture_output=True)
                if check.returncode == 0:
                    break
                if server.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    raise SystemExit(f"the server never became healthy:\n{log.read()[-3000:]}")
                time.sleep(0.5)
            report["seconds_to_healthy"] = round(time.perf_counter() - started, 1)
            if chromium_path() is None:
                raise SystemExit(NO_CHROMIUM)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1200})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"http://127.0.0.1:{port}/", timeout=timeout * 1000)
                wait_for_app(page, timeout_ms=int(timeout * 1000))
                report["title"] = page.locator("h1").first.inner_text()
                if train:
                    page.get_by_role("button", name="Train", exact=True).first.click()
                    page.get_by_text(re.compile(r"^Done: \d+ epochs")).first.wait_for(timeout=timeout * 1000)
                    report["trained"] = page.get_by_text(re.compile(r"^Done: \d+ epochs")).first.inner_text()
                if screenshot:
                    page.screenshot(path=screenshot, full_page=True)
                report["exceptions"] = page.locator("[data-testid=stException]").count()
                report["page_errors"] = errors
                browser.close()
            report["healthy_after_use"] = subprocess.run(report["healthcheck"], cwd=workdir, env=env).returncode == 0
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.seek(0)
            text = log.read()
            log.close()
        report["tracebacks_in_log"] = text.count("Traceback")
        after = {p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file()}
        report["files_written_in_workdir"] = sorted(after - shipped)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python deploy/smoke.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-train", action="store_true", help="only open the page, do not train")
    parser.add_argument("--screenshot", help="save the page as this PNG")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for each wait (default 120)")
    parser.add_argument("--host-network", action="store_true", help="do not make a network namespace")
    args = parser.parse_args(argv)
    if (os.geteuid() == 0 and not args.host_network and not os.environ.get(IN_NETNS)
            and shutil.which("unshare") and shutil.which("ip")):
        # the same script again, inside a namespace with only a loopback interface
        inner = [sys.executable, str(Path(__file__).resolve()), *(argv if argv is not None else sys.argv[1:])]
        script = "ip link set lo up && exec " + " ".join(_quote(a) for a in inner)
        return subprocess.run(["unshare", "--net", "--", "sh", "-c", script],
                              env={**os.environ, IN_NETNS: "1"}).returncode
    report = run(train=not args.no_train, screenshot=args.screenshot, timeout=args.timeout)
    ok = (report["exceptions"] == 0 and not report["page_errors"] and report["healthy_after_use"]
          and report["tracebacks_in_log"] == 0 and not report["files_written_in_workdir"]
          and report["title"].startswith("Train a network") and (args.no_train or "trained" in report))
    report["ok"] = ok
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>24}: {value}")
    return 0 if ok else 1


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    sys.exit(main())
