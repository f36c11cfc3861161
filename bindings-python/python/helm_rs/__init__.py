"""helm_rs: Helm's chart rendering in Python, natively (no helm binary, no Go).

`load_chart` and `template` are helm-core's, through a thin native module (`helm_rs._native`):
`template(...).manifest` is byte for byte what `helm template` prints for the same chart,
values and flags. Rendering releases the GIL. `Client`/`AsyncClient` install, upgrade,
roll back and inspect releases on a cluster as Helm 4 does (helm-kube); `RemoteClient`/
`AsyncRemoteClient` do the same through a release server (`helm-rs serve`). A wheel also installs
the `helm-rs` CLI on PATH; `find_helm_rs_bin()` says where it is, `python -m helm_rs` runs it.
"""

from ._native import (
    Chart,
    ChartError,
    Forbidden,
    HelmError,
    KubeError,
    ReleaseConflict,
    ReleaseNotFound,
    ReleasePending,
    ReleaseTimeout,
    RenderError,
    RenderResult,
    ServerError,
    ValuesError,
    __version__,
    load_chart,
    template,
)
from ._cli import find_helm_rs_bin
from ._client import AsyncClient, AsyncRemoteClient, Client, Release, RemoteClient

__all__ = [
    "AsyncClient",
    "AsyncRemoteClient",
    "Client",
    "RemoteClient",
    "ServerError",
    "Release",
    "Chart",
    "ChartError",
    "HelmError",
    "KubeError",
    "ReleaseNotFound",
    "ReleaseConflict",
    "ReleasePending",
    "ReleaseTimeout",
    "Forbidden",
    "RenderError",
    "RenderResult",
    "ValuesError",
    "__version__",
    "find_helm_rs_bin",
    "load_chart",
    "template",
]
