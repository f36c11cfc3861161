"""Type stubs for helm_rs (the native module is helm_rs._native)."""

import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, TypedDict, Union

__version__: str

StrPath = Union[str, "os.PathLike[str]"]

class ManifestDict(TypedDict):
    name: str
    kind: str
    path: str
    content: str

class HookDict(TypedDict):
    name: str
    kind: str
    path: str
    content: str
    events: List[str]
    weight: int
    delete_policies: List[str]

class Chart:
    """A loaded chart (directory or .tgz) with its subcharts."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def app_version(self) -> str: ...
    @property
    def values(self) -> Dict[str, Any]: ...
    @property
    def dependencies(self) -> List[Dict[str, Any]]: ...
    @property
    def metadata(self) -> Dict[str, Any]: ...
    @property
    def subcharts(self) -> List[str]: ...

class RenderResult:
    """What `template` produced."""

    @property
    def manifest(self) -> str:
        """Exactly `helm template`'s standard output."""
    @property
    def manifests(self) -> List[ManifestDict]: ...
    @property
    def hooks(self) -> List[HookDict]: ...
    @property
    def notes(self) -> str: ...
    @property
    def log(self) -> List[str]: ...

# ---- exceptions
#
# Every exception has .kind (the failure's kind, as the release server names it), and .status /
# .pending (the release server's HTTP status and, on ReleasePending, the release's pending
# state; None from the local Client). The class follows from the kind alone, so Client and
# RemoteClient raise the same class for the same failure:
#
#   kind                         class              base
#   invalid_input                ChartError         HelmError   (ValuesError: the values given
#                                                                here are wrong, found before
#                                                                anything is sent)
#   render                       RenderError        HelmError   (.template/.line/.column)
#   not_found                    ReleaseNotFound    KubeError
#   name_in_use, conflict        ReleaseConflict    ServerError
#   pending                      ReleasePending     ReleaseConflict
#   unauthorized, forbidden      Forbidden          ServerError
#   timeout                      ReleaseTimeout     ServerError
#   failed, cluster,             ServerError        KubeError
#   unavailable, internal

class HelmError(Exception):
    #: invalid_input, not_found, name_in_use, pending, conflict, unauthorized, forbidden,
    #: render, timeout, failed, cluster, unavailable or internal (None if not known).
    kind: Optional[str]
    #: RemoteClient: the release server's HTTP status (400, 401, 403, 404, 409, 422, 5xx).
    status: Optional[int]
    #: RemoteClient, ReleasePending: the release's pending state, e.g. {"status": "pending-upgrade", ...}.
    pending: Optional[Dict[str, Any]]

class ChartError(HelmError):
    """invalid_input: the chart cannot be loaded, packaged or downloaded, or the request is
    wrong (a bad release name or option)."""

class ValuesError(HelmError):
    """invalid_input: values files, --set expressions or values= are wrong."""

class RenderError(HelmError):
    """render: the chart did not render (a template, the schema, dependencies)."""
    #: Where a template failed (None when unknown, and from a release server).
    template: Optional[str]
    line: Optional[int]
    column: Optional[int]

class KubeError(HelmError):
    """The cluster or the release server refused or failed."""

class ReleaseNotFound(KubeError):
    """not_found: no release (or revision) of that name."""

class ServerError(KubeError):
    """failed, cluster, unavailable, internal: the Kubernetes API server or the release server
    failed; base of the refusals below."""

class Forbidden(ServerError):
    """unauthorized (no valid credentials or token) or forbidden (Kubernetes RBAC)."""

class ReleaseConflict(ServerError):
    """name_in_use (install: the name belongs to a release) or conflict (the release's or an
    object's state is in the way)."""

class ReleasePending(ReleaseConflict):
    """pending: another operation (install/upgrade/rollback) holds the release."""

class ReleaseTimeout(ServerError):
    """timeout: hooks or --wait ran out of time."""

def load_chart(path: StrPath) -> Chart: ...
def find_helm_rs_bin() -> str:
    """The path of the `helm-rs` CLI installed with this package (wheels carry it); raises
    FileNotFoundError when there is none."""
#: A post-renderer: a function from the rendered YAML stream to the one to use, or a program
#: and its arguments (`["kustomize", "build", "overlay"]`) reading the stream on stdin.
PostRenderer = Union[Callable[[str], str], Sequence[str]]

def template(
    chart: Union[Chart, StrPath],
    release_name: str = "release-name",
    namespace: str = "default",
    values: Optional[Mapping[str, Any]] = None,
    value_files: Sequence[StrPath] = (),
    set: Sequence[str] = (),
    set_string: Sequence[str] = (),
    kube_version: Optional[str] = None,
    api_versions: Sequence[str] = (),
    include_crds: bool = False,
    is_upgrade: bool = False,
    no_hooks: bool = False,
    skip_tests: bool = False,
    skip_schema_validation: bool = False,
    #: Rewrites the rendered documents before they are sorted (Helm's post-render step, hooks
    #: included): a callable taking and returning the YAML stream, or a program and its
    #: arguments that reads it on stdin and prints the result. A failure raises RenderError.
    post_renderer: Optional[PostRenderer] = None,
) -> RenderResult: ...

# ---- releases on a cluster

class DiffLine(TypedDict):
    delta: Literal["common", "removed", "added"]
    text: str

class ObjectChange(TypedDict):
    """One object the plan would change; `key` as helm-diff names it (`ns, name, Kind (group)`)."""
    key: str
    kind: str
    action: Literal["add", "remove", "modify", "unchanged"]
    change: Literal["ADD", "REMOVE", "MODIFY", "MODIFY_SUPPRESSED"]
    old: Optional[str]
    new: Optional[str]
    lines: List[DiffLine]

class Plan(TypedDict, total=False):
    changes: List[ObjectChange]
    unchanged: List[str]
    suppressed_kinds: List[str]
    #: Besides the changes: applies that would conflict with another field manager.
    notes: List[str]

# Release is plain Python (a dataclass in _client.py); its annotations there are its types.
from ._client import Release as Release

class Client:
    """Releases on one cluster. `chart` is a Chart, a chart directory or .tgz, an `oci://` or
    `http(s)://` reference (with `version=`, `plain_http=`), or a chart name with `repo=URL`."""

    def __init__(
        self,
        kubeconfig: Optional[StrPath] = None,
        context: Optional[str] = None,
        namespace: Optional[str] = None,
        driver: str = "secret",
        progress: Optional[Callable[[Dict[str, Any]], None]] = None,
    ) -> None: ...
    @property
    def namespace(self) -> str: ...
    def install(
        self,
        name: str,
        chart: Union[Chart, StrPath],
        *,
        values: Optional[Mapping[str, Any]] = None,
        value_files: Sequence[StrPath] = (),
        set: Sequence[str] = (),
        set_string: Sequence[str] = (),
        namespace: Optional[str] = None,
        create_namespace: bool = False,
        wait: bool = False,
        timeout: Optional[float] = None,
        atomic: bool = False,
        no_hooks: bool = False,
        skip_crds: bool = False,
        description: Optional[str] = None,
        dry_run: bool = False,
        version: Optional[str] = None,
        repo: Optional[str] = None,
        plain_http: bool = False,
        wait_strategy: Literal["watcher", "legacy"] = "watcher",
        #: As `template(post_renderer=)`; not with a release server.
        post_renderer: Optional[PostRenderer] = None,
    ) -> Release: ...
    def upgrade(
        self,
        name: str,
        chart: Union[Chart, StrPath],
        *,
        values: Optional[Mapping[str, Any]] = None,
        value_files: Sequence[StrPath] = (),
        set: Sequence[str] = (),
        set_string: Sequence[str] = (),
        namespace: Optional[str] = None,
        wait: bool = False,
        timeout: Optional[float] = None,
        atomic: bool = False,
        no_hooks: bool = False,
        reuse_values: bool = False,
        reset_values: bool = False,
        max_history: int = 0,
        description: Optional[str] = None,
        dry_run: bool = False,
        install: bool = False,
        version: Optional[str] = None,
        repo: Optional[str] = None,
        plain_http: bool = False,
        create_namespace: bool = False,
        skip_crds: bool = False,
        update_crds: bool = False,
        #: How `wait` judges readiness: kstatus (Helm 4's default) or Helm 3's checks.
        wait_strategy: Literal["watcher", "legacy"] = "watcher",
        #: As `template(post_renderer=)`; not with a release server.
        post_renderer: Optional[PostRenderer] = None,
    ) -> Release: ...
    def plan(
        self,
        name: str,
        chart: Union[Chart, StrPath],
        *,
        values: Optional[Mapping[str, Any]] = None,
        value_files: Sequence[StrPath] = (),
        set: Sequence[str] = (),
        set_string: Sequence[str] = (),
        namespace: Optional[str] = None,
        no_hooks: bool = False,
        reuse_values: bool = False,
        reset_values: bool = False,
        install: bool = False,
        version: Optional[str] = None,
        repo: Optional[str] = None,
        plain_http: bool = False,
        skip_crds: bool = False,
        force_conflicts: bool = False,
    ) -> Plan:
        """`upgrade --plan`: what `upgrade` with these arguments would change (against the live
        objects; Secrets masked); nothing is applied or stored."""
    def rollback(
        self,
        name: str,
        revision: int = 0,
        *,
        namespace: Optional[str] = None,
        wait: bool = False,
        timeout: Optional[float] = None,
        no_hooks: bool = False,
        max_history: int = 0,
        dry_run: bool = False,
        wait_strategy: Literal["watcher", "legacy"] = "watcher",
    ) -> Release: ...
    def uninstall(
        self,
        name: str,
        *,
        namespace: Optional[str] = None,
        keep_history: bool = False,
        wait: bool = False,
        timeout: Optional[float] = None,
        no_hooks: bool = False,
        description: Optional[str] = None,
        dry_run: bool = False,
    ) -> Release: ...
    def status(self, name: str, revision: int = 0, namespace: Optional[str] = None) -> Release: ...
    def history(self, name: str, namespace: Optional[str] = None) -> List[Release]: ...
    def list(
        self,
        *,
        namespace: Optional[str] = None,
        all_namespaces: bool = False,
        all: bool = False,
        filter: Optional[str] = None,
    ) -> List[Release]: ...
    def get_values(self, name: str, revision: int = 0, namespace: Optional[str] = None, all: bool = False) -> Dict[str, Any]: ...
    def test(self, name: str, namespace: Optional[str] = None, timeout: Optional[float] = None) -> Release:
        """`helm test`: runs the release's test hooks."""
    def recover(self, name: str, namespace: Optional[str] = None, force: bool = False, stale_after: Optional[float] = None) -> Release:
        """`helm-rs recover`: a release left pending by a killed operation gets that revision
        marked failed; refused (ReleasePending) while it is younger than `stale_after` seconds
        (300) unless `force`."""

class AsyncClient:
    def __init__(
        self,
        kubeconfig: Optional[StrPath] = None,
        context: Optional[str] = None,
        namespace: Optional[str] = None,
        driver: str = "secret",
        progress: Optional[Callable[[Dict[str, Any]], None]] = None,
    ) -> None: ...
    @classmethod
    async def connect(
        cls,
        kubeconfig: Optional[StrPath] = None,
        context: Optional[str] = None,
        namespace: Optional[str] = None,
        driver: str = "secret",
        progress: Optional[Callable[[Dict[str, Any]], None]] = None,
    ) -> "AsyncClient": ...
    @property
    def namespace(self) -> str: ...
    async def install(self, name: str, chart: Union[Chart, StrPath], **kwargs: Any) -> Release: ...
    async def upgrade(self, name: str, chart: Union[Chart, StrPath], **kwargs: Any) -> Release: ...
    async def plan(self, name: str, chart: Union[Chart, StrPath], **kwargs: Any) -> Plan: ...
    async def rollback(self, name: str, revision: int = 0, **kwargs: Any) -> Release: ...
    async def uninstall(self, name: str, **kwargs: Any) -> Release: ...
    async def status(self, name: str, revision: int = 0, namespace: Optional[str] = None) -> Release: ...
    async def history(self, name: str, namespace: Optional[str] = None) -> List[Release]: ...
    async def list(self, **kwargs: Any) -> List[Release]: ...
    async def get_values(self, name: str, revision: int = 0, namespace: Optional[str] = None, all: bool = False) -> Dict[str, Any]: ...
    async def test(self, name: str, namespace: Optional[str] = None, timeout: Optional[float] = None) -> Release: ...
    async def recover(self, name: str, namespace: Optional[str] = None, force: bool = False, stale_after: Optional[float] = None) -> Release: ...

# ---- releases through a release server (`helm-rs serve`)

class RemoteClient(Client):
    """Client's methods, arguments, results and exceptions through a release server, acting
    with `token`. Paths are packaged here and uploaded; references are downloaded by the server."""

    def __init__(self, url: str, token: str, namespace: Optional[str] = None) -> None: ...  # type: ignore[override]

class AsyncRemoteClient(AsyncClient):
    def __init__(self, url: str, token: str, namespace: Optional[str] = None) -> None: ...  # type: ignore[override]
    @classmethod
    async def connect(cls, url: str, token: str, namespace: Optional[str] = None) -> "AsyncRemoteClient": ...  # type: ignore[override]
