"""Shared fixtures: the repository root, the conformance corpus, the helm-rs CLI to compare with."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "charts" / "hello"
CONFORMANCE = ROOT.parent / "shared" / "conformance"


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

    def run(*args):
        p = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    return run


@pytest.fixture(scope="session")
def corpus():
    if not (CONFORMANCE / "cases.tsv").exists():
        pytest.skip("../shared/conformance is absent")
    return CONFORMANCE
