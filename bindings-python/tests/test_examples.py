"""examples/python/render_kinds.py prints what examples/rust/render_kinds.rs prints."""

import os
import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT


def _rust_example():
    for target in (os.environ.get("CARGO_TARGET_DIR"), str(ROOT / "target")):
        if target:
            p = pathlib.Path(target) / "debug" / "examples" / "render-kinds"
            if p.exists():
                return p
    return None


def test_python_example_prints_kinds():
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "render_kinds.py")], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert "Deployment/release-name-hello" in lines
    assert "Service/release-name-hello" in lines
    rust = _rust_example()
    if rust is None:
        pytest.skip("Rust example not built (cargo build -p helm-core --examples)")
    r = subprocess.run([str(rust)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert p.stdout == r.stdout


def test_python_example_reports_errors(tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "render_kinds.py"), str(tmp_path / "nope")], capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: path")
