"""Scenarios every client must pass the same way: test_client.py runs them with helm_rs.Client
on the cluster, test_remote.py with helm_rs.RemoteClient through a release server."""

import pytest

import helm_rs
from conftest import HELLO


def release_lifecycle(c, ns, **install_kwargs):
    """Install (with `install_kwargs`), upgrade with a loaded Chart, values, history, rollback,
    list and uninstall of release `web` in namespace `ns`."""
    assert c.namespace == ns
    rel = c.install("web", HELLO, values={"replicaCount": 2}, **install_kwargs)
    assert isinstance(rel, helm_rs.Release)
    assert (rel.name, rel.namespace, rel.revision, rel.status) == ("web", ns, 1, "deployed")
    assert rel.chart == "hello" and rel.chart_version == helm_rs.load_chart(HELLO).version
    assert rel.values == {"replicaCount": 2}
    assert "kind: Deployment" in rel.manifest
    assert c.status("web").revision == 1

    # The plan of that upgrade, against the live objects; nothing applied.
    plan = c.plan("web", HELLO, set=["replicaCount=3"])
    assert [(ch["kind"], ch["change"]) for ch in plan["changes"]] == [("Deployment", "MODIFY")]
    deployment = plan["changes"][0]
    assert deployment["key"] == f"{ns}, web-hello, Deployment (apps)"
    changed = [(line["delta"], line["text"].strip()) for line in deployment["lines"] if line["delta"] != "common"]
    assert changed == [("removed", "replicas: 2"), ("added", "replicas: 3")]
    assert f"{ns}, web-hello, Service (v1)" in plan["unchanged"]
    assert c.status("web").revision == 1
    fresh = c.plan("fresh", HELLO, install=True)
    assert {ch["change"] for ch in fresh["changes"]} == {"ADD"} and fresh["unchanged"] == []
    with pytest.raises(helm_rs.ReleaseNotFound):
        c.status("fresh")

    # A loaded Chart (the remote client packages it again and uploads it).
    rel = c.upgrade("web", helm_rs.load_chart(HELLO), set=["replicaCount=3"])
    assert (rel.revision, rel.status) == (2, "deployed")
    assert c.get_values("web") == {"replicaCount": 3}
    assert c.get_values("web", all=True)["replicaCount"] == 3
    assert [(r.revision, r.status) for r in c.history("web")] == [(1, "superseded"), (2, "deployed")]

    rel = c.rollback("web", 1)
    assert (rel.revision, rel.status) == (3, "deployed")
    assert c.get_values("web") == {"replicaCount": 2}
    assert c.get_values("web", revision=2) == {"replicaCount": 3}
    assert "web" in [r.name for r in c.list()]

    rel = c.uninstall("web")
    assert rel.status == "uninstalled"
    with pytest.raises(helm_rs.ReleaseNotFound):
        c.status("web")
    assert "web" not in [r.name for r in c.list()]


def input_errors(c, tmp_path, **install_kwargs):
    """The error types for a missing release, a bad --set and a missing chart."""
    with pytest.raises(helm_rs.ReleaseNotFound):
        c.status("nope")
    with pytest.raises(helm_rs.ReleaseNotFound):
        c.history("nope")
    with pytest.raises(helm_rs.ValuesError):
        c.install("web", HELLO, set=["a"], **install_kwargs)
    with pytest.raises(helm_rs.ChartError):
        c.install("web", tmp_path / "missing-chart")


def upgrade_install_and_test(c):
    """`upgrade --install` installs a release that does not exist; `test` runs its (no) test
    hooks."""
    rel = c.upgrade("fresh", HELLO, install=True)
    assert (rel.revision, rel.status) == (1, "deployed")
    assert c.test("fresh").name == "fresh"
    c.uninstall("fresh")
