"""Exceptions by kind, never by message: a release server's error answers (a stub server that
answers each kind as `helm-rs serve` does) and local failures that need no cluster raise the
class of their kind, with .kind, .status and .pending. The cluster suites (test_client.py,
test_remote.py) provoke the same kinds for real."""

import http.server
import json
import threading

import pytest

import helm_rs
from conftest import HELLO, bad_chart

# class either client raises -> {kind: HTTP status the server answers with}
KINDS_BY_CLASS = {
    helm_rs.ChartError: {"invalid_input": 400},
    helm_rs.ReleaseNotFound: {"not_found": 404},
    helm_rs.ReleaseConflict: {"name_in_use": 409, "conflict": 409},
    helm_rs.ReleasePending: {"pending": 409},
    helm_rs.Forbidden: {"unauthorized": 401, "forbidden": 403},
    helm_rs.RenderError: {"render": 422},
    helm_rs.ReleaseTimeout: {"timeout": 504},
    helm_rs.ServerError: {"failed": 422, "cluster": 502, "unavailable": 503, "internal": 500},
}
# kind -> (HTTP status, class)
KINDS = {kind: (status, cls) for cls, kinds in KINDS_BY_CLASS.items() for kind, status in kinds.items()}

PENDING = {"status": "pending-upgrade", "revision": 3}


class _Stub(http.server.BaseHTTPRequestHandler):
    """Answers a request on release NAME with the error of kind NAME ('-' for '_')."""

    def _answer(self):
        kind = self.path.split("?")[0].rstrip("/").split("/")[-1].replace("-", "_")
        status, _ = KINDS[kind]
        body = {"error": f"refused: {kind}", "kind": kind}
        if kind == "pending":
            body["pending"] = PENDING
        if kind == "render":
            body["location"] = {"template": "c/templates/cm.yaml", "line": 2, "column": 3}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stub_url():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_remote_errors_by_kind(stub_url, kind):
    status, cls = KINDS[kind]
    c = helm_rs.RemoteClient(stub_url, "token", namespace="ns")
    with pytest.raises(cls) as e:
        c.status(kind.replace("_", "-"))
    err = e.value
    assert (err.kind, err.status, str(err)) == (kind, status, f"refused: {kind}")
    assert err.pending == (PENDING if kind == "pending" else None)
    assert isinstance(err, helm_rs.HelmError)
    if kind != "render":
        assert isinstance(err, helm_rs.KubeError) == (kind not in ("invalid_input",))
    else:
        # The server's location comes through as data.
        assert (err.template, err.line, err.column) == ("c/templates/cm.yaml", 2, 3)


def test_every_kind_has_one_class():
    assert {k for k, (_, cls) in KINDS.items() if issubclass(cls, helm_rs.ServerError)} == {
        "name_in_use", "conflict", "pending", "unauthorized", "forbidden", "timeout", "failed", "cluster", "unavailable", "internal",
    }
    assert issubclass(helm_rs.ReleasePending, helm_rs.ReleaseConflict)
    assert issubclass(helm_rs.ServerError, helm_rs.KubeError) and issubclass(helm_rs.ReleaseNotFound, helm_rs.KubeError)


@pytest.fixture()
def unreachable_kubeconfig(tmp_path):
    """A kubeconfig whose API server does not answer (nothing listens on port 1)."""
    p = tmp_path / "kubeconfig"
    p.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u, namespace: ns}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
    )
    return str(p)


def test_local_errors_by_kind(unreachable_kubeconfig, tmp_path):
    c = helm_rs.Client(kubeconfig=unreachable_kubeconfig)
    # invalid_input: the chart cannot be had (a local path, or a repository that is not there).
    with pytest.raises(helm_rs.ChartError) as e:
        c.install("web", tmp_path / "missing-chart")
    assert (e.value.kind, e.value.status, e.value.pending) == ("invalid_input", None, None)
    with pytest.raises(helm_rs.ChartError) as e:
        c.install("web", "hello", repo="http://127.0.0.1:1/charts")
    assert e.value.kind == "invalid_input"
    with pytest.raises(helm_rs.ValuesError) as e:
        c.install("web", HELLO, set=["a"])
    assert e.value.kind == "invalid_input"
    for call in (lambda: c.install("web", HELLO, wait=True, wait_strategy="eventually"), lambda: c.rollback("web", wait_strategy="soon")):
        with pytest.raises(helm_rs.HelmError) as e:
            call()
        assert e.value.kind == "invalid_input" and "use watcher or legacy" in str(e.value)
    # cluster: the API server does not answer.
    with pytest.raises(helm_rs.ServerError) as e:
        c.status("web")
    assert (e.value.kind, e.value.status) == ("cluster", None)
    # A client that cannot start: cluster too (no kubeconfig).
    with pytest.raises(helm_rs.KubeError) as e:
        helm_rs.Client(kubeconfig=tmp_path / "no-kubeconfig")
    assert e.value.kind == "cluster"


def test_render_errors_keep_their_location(tmp_path):
    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(bad_chart(tmp_path))
    assert (e.value.kind, e.value.template, e.value.line) == ("render", "bad/templates/cm.yaml", 5)


def test_bad_arguments_are_invalid_input():
    with pytest.raises(helm_rs.HelmError) as e:
        helm_rs.RemoteClient("ftp://nowhere", "t")
    assert (e.value.kind, e.value.status, e.value.pending) == ("invalid_input", None, None)
