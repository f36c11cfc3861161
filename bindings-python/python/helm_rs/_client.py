"""Client and AsyncClient: Helm's release actions on a cluster (helm-kube, through the native
module). The native client does the work with the GIL released; this file only turns its dicts
into `Release` objects and, for AsyncClient, runs the blocking calls in worker threads.
RemoteClient and AsyncRemoteClient: the same methods sent to a release server (`helm-rs
serve`), which acts on the cluster with the caller's token. Both kinds of client are one native
class (`NativeClient`, or `NativeClient.remote(...)`): one set of methods, arguments, results
and exceptions."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ._native import NativeClient


@dataclass(frozen=True)
class Release:
    """One revision of a release, as `helm status` shows it."""

    name: str
    namespace: str
    revision: int
    status: str
    chart: str
    chart_version: str
    app_version: str
    manifest: str
    values: Dict[str, Any]
    notes: str = ""
    description: str = ""
    first_deployed: Optional[str] = None
    last_deployed: Optional[str] = None
    #: Objects `uninstall` kept (helm.sh/resource-policy: keep).
    kept: List[str] = field(default_factory=list)
    #: The whole stored record, as Helm's JSON.
    record: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def _from_native(cls, d: Dict[str, Any]) -> "Release":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


class Client:
    """Releases on one cluster.

    Client(kubeconfig=None, context=None, namespace=None, driver="secret", progress=None):
    kubeconfig None
    reads $KUBECONFIG, then ~/.kube/config, then the in-cluster config; namespace None is the
    context's. `chart` is a Chart, a chart directory or .tgz, an `oci://` or `http(s)://`
    reference (`version=`, `plain_http=`), or a chart name with `repo=URL`. Exceptions follow
    the failure's kind (`.kind`; the table is in __init__.pyi). Methods block; see AsyncClient
    for asyncio.
    """

    def __init__(self, kubeconfig=None, context=None, namespace=None, driver="secret", progress=None):
        self._native = NativeClient(kubeconfig=kubeconfig, context=context, namespace=namespace, driver=driver, progress=progress)

    @property
    def namespace(self) -> str:
        return self._native.namespace

    def install(self, name, chart, **kwargs) -> Release:
        return Release._from_native(self._native.install(name, chart, **kwargs))

    def upgrade(self, name, chart, **kwargs) -> Release:
        return Release._from_native(self._native.upgrade(name, chart, **kwargs))

    def plan(self, name, chart, **kwargs) -> Dict[str, Any]:
        """`upgrade --plan`: what upgrade(name, chart, **kwargs) would change; nothing applied."""
        return self._native.plan(name, chart, **kwargs)

    def rollback(self, name, revision=0, **kwargs) -> Release:
        return Release._from_native(self._native.rollback(name, revision, **kwargs))

    def uninstall(self, name, **kwargs) -> Release:
        return Release._from_native(self._native.uninstall(name, **kwargs))

    def status(self, name, revision=0, namespace=None) -> Release:
        return Release._from_native(self._native.status(name, revision, namespace))

    def history(self, name, namespace=None) -> List[Release]:
        return [Release._from_native(d) for d in self._native.history(name, namespace)]

    def list(self, **kwargs) -> List[Release]:
        return [Release._from_native(d) for d in self._native.list(**kwargs)]

    def get_values(self, name, revision=0, namespace=None, all=False) -> Dict[str, Any]:
        return self._native.get_values(name, revision, namespace, all)

    def test(self, name, namespace=None, timeout=None) -> Release:
        return Release._from_native(self._native.test(name, namespace, timeout))

    def recover(self, name, namespace=None, force=False, stale_after=None) -> Release:
        return Release._from_native(self._native.recover(name, namespace, force, stale_after))


class RemoteClient(Client):
    """Releases through a release server (`helm-rs serve`): Client's methods, arguments,
    results and exceptions, acting with `token` (the caller's Kubernetes bearer token), so
    Kubernetes RBAC decides what it may do.

    RemoteClient(url, token, namespace=None): namespace None is `default`. Charts travel as
    packaged archives (a Chart or a chart directory is packaged here; a .tgz is sent as is), or
    as references the server downloads (`oci://`, `http(s)://`, or a name with `repo=`).
    Exceptions are the local client's for the same kind, with `.status` (the server's HTTP
    status) and, on ReleasePending, `.pending` (the release's pending state).
    """

    def __init__(self, url, token, namespace=None):
        self._native = NativeClient.remote(url, token, namespace=namespace)


def _in_thread(method):
    @functools.wraps(method)
    async def run(self, *args, **kwargs):
        return await asyncio.to_thread(getattr(self._client, method.__name__), *args, **kwargs)

    return run


class AsyncClient:
    """Client's methods as coroutines (each runs in a worker thread; the GIL is released
    while it waits on the cluster). Construct with AsyncClient.connect(...) or AsyncClient(...)."""

    def __init__(self, kubeconfig=None, context=None, namespace=None, driver="secret", progress=None):
        self._client = Client(kubeconfig=kubeconfig, context=context, namespace=namespace, driver=driver, progress=progress)

    @classmethod
    async def connect(cls, kubeconfig=None, context=None, namespace=None, driver="secret", progress=None) -> "AsyncClient":
        return await asyncio.to_thread(cls, kubeconfig, context, namespace, driver, progress)

    @property
    def namespace(self) -> str:
        return self._client.namespace

    @_in_thread
    async def install(self, name, chart, **kwargs) -> Release: ...

    @_in_thread
    async def upgrade(self, name, chart, **kwargs) -> Release: ...

    @_in_thread
    async def plan(self, name, chart, **kwargs) -> Dict[str, Any]: ...

    @_in_thread
    async def rollback(self, name, revision=0, **kwargs) -> Release: ...

    @_in_thread
    async def uninstall(self, name, **kwargs) -> Release: ...

    @_in_thread
    async def status(self, name, revision=0, namespace=None) -> Release: ...

    @_in_thread
    async def history(self, name, namespace=None) -> List[Release]: ...

    @_in_thread
    async def list(self, **kwargs) -> List[Release]: ...

    @_in_thread
    async def get_values(self, name, revision=0, namespace=None, all=False) -> Dict[str, Any]: ...

    @_in_thread
    async def test(self, name, namespace=None, timeout=None) -> Release: ...

    @_in_thread
    async def recover(self, name, namespace=None, force=False, stale_after=None) -> Release: ...


class AsyncRemoteClient(AsyncClient):
    """RemoteClient's methods as coroutines (each runs in a worker thread)."""

    def __init__(self, url, token, namespace=None):
        self._client = RemoteClient(url, token, namespace=namespace)

    @classmethod
    async def connect(cls, url, token, namespace=None) -> "AsyncRemoteClient":
        return await asyncio.to_thread(cls, url, token, namespace)
