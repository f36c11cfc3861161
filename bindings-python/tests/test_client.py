"""helm_rs.Client / AsyncClient against a real API server (scripts/kube-testenv); skipped when
the test environment's binaries are not built."""

import asyncio
import uuid

import pytest

import helm_rs
import scenarios
from conftest import HELLO, bad_chart


def _ns():
    return "py-" + uuid.uuid4().hex[:8]


def test_release_lifecycle(kubeconfig):
    ns = _ns()
    scenarios.release_lifecycle(helm_rs.Client(kubeconfig=kubeconfig, namespace=ns), ns, create_namespace=True)


def test_errors(kubeconfig, tmp_path):
    c = helm_rs.Client(kubeconfig=kubeconfig, namespace=_ns())
    scenarios.input_errors(c, tmp_path, create_namespace=True)
    with pytest.raises(helm_rs.KubeError):
        helm_rs.Client(kubeconfig=tmp_path / "no-kubeconfig")
    assert issubclass(helm_rs.ReleaseNotFound, helm_rs.KubeError)


def test_error_kinds(kubeconfig, tmp_path):
    """One real failure per kind family; test_remote.py provokes the same through a server."""
    c = helm_rs.Client(kubeconfig=kubeconfig, namespace=_ns())
    with pytest.raises(helm_rs.ReleaseNotFound) as e:
        c.status("nope")
    assert (e.value.kind, e.value.status) == ("not_found", None)
    c.install("web", HELLO, create_namespace=True)
    with pytest.raises(helm_rs.ReleaseConflict) as e:
        c.install("web", HELLO)
    assert e.value.kind == "name_in_use"
    with pytest.raises(helm_rs.ChartError) as e:
        c.install("other", tmp_path / "missing-chart")
    assert e.value.kind == "invalid_input"
    bad = bad_chart(tmp_path)
    with pytest.raises(helm_rs.RenderError) as e:
        c.upgrade("web", bad)
    assert (e.value.kind, e.value.template, e.value.line) == ("render", "bad/templates/cm.yaml", 5)
    scenarios.upgrade_install_and_test(c)
    c.uninstall("web")


def test_async_client(kubeconfig):
    ns = _ns()

    async def main():
        c = await helm_rs.AsyncClient.connect(kubeconfig=kubeconfig, namespace=ns)
        rel = await c.install("api", HELLO, create_namespace=True)
        statuses = await asyncio.gather(c.status("api"), c.history("api"), c.list())
        up = await c.upgrade("api", HELLO, values={"replicaCount": 5})
        vals = await c.get_values("api")
        gone = await c.uninstall("api")
        with pytest.raises(helm_rs.ReleaseNotFound):
            await c.status("api")
        return rel, statuses, up, vals, gone

    rel, (status, history, listed), up, vals, gone = asyncio.run(main())
    assert rel.revision == 1 and status.revision == 1 and len(history) == 1
    assert "api" in [r.name for r in listed]
    assert up.revision == 2 and vals == {"replicaCount": 5}
    assert gone.status == "uninstalled"


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-d
spec:
  replicas: 1
  selector:
    matchLabels: {app: d}
  template:
    metadata:
      labels: {app: d}
    spec:
      containers:
      - name: c
        image: busybox
"""


def test_progress_says_why_wait_waits(kubeconfig, tmp_path):
    """progress= gets each event of an action as a dict; a Deployment that never becomes ready
    (the test cluster has no nodes) is reported with its pods' reasons before the timeout."""
    chart = tmp_path / "never"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: never\nversion: 0.1.0\n")
    (chart / "templates" / "deploy.yaml").write_text(DEPLOYMENT)
    events = []
    c = helm_rs.Client(kubeconfig=kubeconfig, namespace=_ns(), progress=events.append)
    with pytest.raises(helm_rs.ReleaseTimeout):
        c.install("never", chart, create_namespace=True, wait=True, timeout=6)
    types = [e["type"] for e in events]
    assert types[0] == "release_recorded" and events[0]["status"] == "pending-install", events
    assert "resource_applied" in types, types
    waiting = [e["not_ready"] for e in events if e["type"] == "waiting"]
    assert waiting, types
    last = waiting[-1][0]
    assert (last["kind"], last["name"]) == ("Deployment", "never-d"), last
    assert any(d.endswith(": Pending, not scheduled yet") for d in last.get("details", [])), waiting
    assert types[-1] == "release_recorded" and events[-1]["status"] == "failed", events[-1]
    # Nothing is pending after a failure: recover refuses, with the kind of bad input.
    with pytest.raises(helm_rs.ChartError) as e:
        c.recover("never")
    assert str(e.value) == "nothing to recover: the latest revision is failed, not pending"
