"""`python -m helm_rs ARGS...` runs the helm-rs CLI installed with this package (the same
binary as `helm-rs` on PATH), for environments whose scripts directory is not on PATH."""

from __future__ import annotations

import os
import subprocess
import sys

from ._cli import find_helm_rs_bin


def main() -> None:
    try:
        binary = find_helm_rs_bin()
    except FileNotFoundError as e:
        print(f"helm_rs: {e}", file=sys.stderr)
        sys.exit(1)
    args = [binary, *sys.argv[1:]]
    if os.name == "nt":
        # No exec on Windows: run it and pass its status on.
        sys.exit(subprocess.call(args))
    os.execv(binary, args)


if __name__ == "__main__":
    main()
