"""Shared fixtures: the repository root, the conformance corpus, the helm-rs CLI to compare with."""

import os
import pathlib
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "charts" / "hello"
CONFORMANCE = ROOT.parent / "shared" / "conformance"


def bad_chart(tmp_path):
    """A chart whose template fails at bad/templates/cm.yaml line 5 (nil pointer)."""
    d = tmp_path / "bad"
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text("apiVersion: v2\nname: bad\nversion: 0.1.0\n")
    (d / "templates" / "cm.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a.b.c }}\n")
    return d


def _cli_path():
    env = os.environ.get("HELM_RS_BIN")
    if env:
        return pathlib.Path(env)
    for target in (os.environ.get("CARGO_TARGET_DIR"), str(ROOT / "target")):
        if target:
            p = pathlib.Path(target) / "debug" / "helm-rs"
            if p.exists():
                return p
    return None


@pytest.fixture(scope="session")
def helm_rs_cli():
    """Runs `helm-rs ARGS` and returns (exit code, stdout, stderr)."""
    path = _cli_path()
    if path is None or not path.exists():
        pytest.skip("helm-rs CLI not built (set HELM_RS_BIN or build the workspace)")

    def run(*args, env=None):
        full_env = None if env is None else {**os.environ, **env}
        p = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True, env=full_env)
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture(scope="session")
def corpus():
    if not (CONFORMANCE / "cases.tsv").exists():
        pytest.skip("../shared/conformance is absent")
    return CONFORMANCE


def _testenv_built():
    if os.environ.get("HELM_RS_TESTENV_BIN"):
        return True
    cache = pathlib.Path(os.environ.get("HELM_RS_TESTENV_CACHE", pathlib.Path.home() / ".cache" / "helm-rs" / "testenv"))
    return cache.is_dir() and any((p / "bin" / "kube-apiserver").exists() for p in cache.iterdir())


@pytest.fixture(scope="session")
def testenv_dir():
    """One kube-testenv for the session (scripts/kube-testenv): its directory (kubeconfig,
    token, pki/)."""
    if not _testenv_built():
        pytest.skip("kube test environment not built (scripts/kube-testenv build)")
    d = tempfile.mkdtemp(prefix="helm-rs-py-kube-")
    p = subprocess.run([str(ROOT / "scripts" / "kube-testenv"), "start", d], capture_output=True, text=True,
                       env={**os.environ, "HELM_RS_TESTENV_WATCH_PID": str(os.getpid())})
    if p.returncode != 0:
        pytest.skip(f"kube-testenv start failed: {p.stderr.strip().splitlines()[-1:]}")
    yield pathlib.Path(d)
    subprocess.run([str(ROOT / "scripts" / "kube-testenv"), "stop", d], capture_output=True)


@pytest.fixture(scope="session")
def kubeconfig(testenv_dir):
    return str(testenv_dir / "kubeconfig")
