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
