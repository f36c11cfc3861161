"""Type stubs for helm_rs (the native module is helm_rs._native)."""

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypedDict, Union

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

class HelmError(Exception): ...
class ChartError(HelmError): ...
class ValuesError(HelmError): ...

class RenderError(HelmError):
    template: Optional[str]
    line: Optional[int]
    column: Optional[int]

class KubeError(HelmError): ...
class ReleaseNotFound(KubeError): ...

class ServerError(KubeError):
    """A release server's refusal (RemoteClient): 401 no valid token, 403 forbidden by RBAC,
    409 another operation holds the release, 5xx the server or cluster failed."""
    status: int
    #: On 409: the release's pending state, e.g. {"status": "pending-upgrade", ...}.
    pending: Optional[Dict[str, Any]]

def load_chart(path: StrPath) -> Chart: ...
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
) -> RenderResult: ...

# ---- releases on a cluster

class Release:
    name: str
    namespace: str
    revision: int
    status: str
    chart: str
    chart_version: str
    app_version: str
    manifest: str
    values: Dict[str, Any]
    notes: str
    description: str
    first_deployed: Optional[str]
    last_deployed: Optional[str]
    kept: List[str]
    record: Dict[str, Any]

class Client:
    def __init__(
        self,
        kubeconfig: Optional[StrPath] = None,
        context: Optional[str] = None,
        namespace: Optional[str] = None,
        driver: str = "secret",
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
    ) -> Release: ...
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

class AsyncClient:
    def __init__(
        self,
        kubeconfig: Optional[StrPath] = None,
        context: Optional[str] = None,
        namespace: Optional[str] = None,
        driver: str = "secret",
    ) -> None: ...
    @classmethod
    async def connect(
        cls,
        kubeconfig: Optional[StrPath] = None,
        context: Optional[str] = None,
        namespace: Optional[str] = None,
        driver: str = "secret",
    ) -> "AsyncClient": ...
    @property
    def namespace(self) -> str: ...
    async def install(self, name: str, chart: Union[Chart, StrPath], **kwargs: Any) -> Release: ...
    async def upgrade(self, name: str, chart: Union[Chart, StrPath], **kwargs: Any) -> Release: ...
    async def rollback(self, name: str, revision: int = 0, **kwargs: Any) -> Release: ...
    async def uninstall(self, name: str, **kwargs: Any) -> Release: ...
    async def status(self, name: str, revision: int = 0, namespace: Optional[str] = None) -> Release: ...
    async def history(self, name: str, namespace: Optional[str] = None) -> List[Release]: ...
    async def list(self, **kwargs: Any) -> List[Release]: ...
    async def get_values(self, name: str, revision: int = 0, namespace: Optional[str] = None, all: bool = False) -> Dict[str, Any]: ...

# ---- releases through a release server (`helm-rs serve`)

class RemoteClient(Client):
    """Client's methods through a release server, acting with `token`. `chart` may also be an
    `oci://` or `http(s)://` reference, or a chart name with `repo=URL`; the server downloads it."""

    def __init__(self, url: str, token: str, namespace: Optional[str] = None) -> None: ...
    def install(  # type: ignore[override]
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
    ) -> Release: ...
    def upgrade(  # type: ignore[override]
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
    ) -> Release: ...

class AsyncRemoteClient(AsyncClient):
    def __init__(self, url: str, token: str, namespace: Optional[str] = None) -> None: ...  # type: ignore[override]
    @classmethod
    async def connect(cls, url: str, token: str, namespace: Optional[str] = None) -> "AsyncRemoteClient": ...  # type: ignore[override]
