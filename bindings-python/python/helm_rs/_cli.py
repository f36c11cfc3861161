"""Where the `helm-rs` CLI that came with this package is.

A wheel of helm_rs carries the native `helm-rs` binary in its `.data/scripts/` (as ruff and uv
ship theirs), which pip installs into the environment's scripts directory, the one on PATH.
`python -m helm_rs ...` and programs that want the CLI without relying on PATH ask here; the
places follow pip's install schemes: the environment, the user scheme (`pip install --user`),
and `<target>/bin` beside the package (`pip install --target`).
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_helm_rs_bin"]

_EXE = "helm-rs" + (sysconfig.get_config_var("EXE") or "")


def _candidates() -> list[str]:
    dirs = [sysconfig.get_path("scripts")]
    user_scheme = sysconfig.get_preferred_scheme("user") if sys.version_info >= (3, 10) else (
        "nt_user" if os.name == "nt" else "posix_user"
    )
    try:
        dirs.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    # pip install --target DIR puts packages in DIR and scripts in DIR/bin.
    dirs.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin"))
    return [os.path.join(d, _EXE) for d in dirs if d]


def find_helm_rs_bin() -> str:
    """The path of the `helm-rs` binary installed with this package.

    Raises FileNotFoundError when there is none: an install built from the source distribution
    has the module but not the CLI (build it with `cargo build --release -p helm-rs-cli`).
    """
    tried = _candidates()
    for path in tried:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "the helm-rs CLI is not installed with this helm_rs (looked in: "
        + ", ".join(tried)
        + "); wheels carry it, an install from the source distribution does not: "
        "build it with `cargo build --release -p helm-rs-cli` from a helm-rs checkout"
    )
