"""helm_rs.RemoteClient against a real release server (`helm-rs serve`, the CLI the suite uses)
in front of a real API server (scripts/kube-testenv). The caller is a ServiceAccount allowed
in one namespace only, so Kubernetes RBAC decides: its calls into another namespace raise the
403 as ServerError (a KubeError), a call without a token the 401. Skipped when the test
environment or the CLI is not built."""

import asyncio
import functools
import hashlib
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
import uuid

import pytest

import helm_rs
import scenarios
from conftest import HELLO, _cli_path, bad_chart


class Admin:
    """The testenv's admin, over plain HTTPS (bearer token, CA from pki/)."""

    def __init__(self, testenv_dir):
        env = dict(
            line.replace("export ", "", 1).split("=", 1)
            for line in (testenv_dir / "env").read_text().splitlines()
            if "=" in line
        )
        self.server = env["KUBE_TESTENV_SERVER"].strip("'\"")
        self.token = (testenv_dir / "token").read_text().strip()
        self.ctx = ssl.create_default_context(cafile=str(testenv_dir / "pki" / "ca.crt"))

    def post(self, path, body):
        req = urllib.request.Request(
            self.server + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, context=self.ctx) as r:
            return json.loads(r.read())

    def namespace(self, name):
        self.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def account(self, home, sa, allowed):
        """ServiceAccount `sa` in `home` with every right in namespace `allowed` only; its token."""
        self.post(f"/api/v1/namespaces/{home}/serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa}})
        rbac = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{allowed}"
        self.post(f"{rbac}/roles", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"{sa}-all"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
        })
        self.post(f"{rbac}/rolebindings", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": f"{sa}-all"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{sa}-all"},
            "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": home}],
        })
        # The example chart ships a CRD (crds/): CRDs are cluster-scoped.
        rbac = "/apis/rbac.authorization.k8s.io/v1"
        self.post(f"{rbac}/clusterroles", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": f"{home}-{sa}-crds"},
            "rules": [{"apiGroups": ["apiextensions.k8s.io"], "resources": ["customresourcedefinitions"], "verbs": ["get", "list", "create", "patch", "update"]}],
        })
        self.post(f"{rbac}/clusterrolebindings", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"{home}-{sa}-crds"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": f"{home}-{sa}-crds"},
            "subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": home}],
        })
        tr = self.post(f"/api/v1/namespaces/{home}/serviceaccounts/{sa}/token", {
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 3600},
        })
        return tr["status"]["token"]


def _start_server(kubeconfig, log_path):
    """`helm-rs serve --listen 127.0.0.1:0`; its URL from the `listening` log line."""
    cli = _cli_path()
    if cli is None or not cli.exists():
        pytest.skip("helm-rs CLI not built (set HELM_RS_BIN or build the workspace)")
    log = open(log_path, "w")
    proc = subprocess.Popen([str(cli), "serve", "--listen", "127.0.0.1:0", "--kubeconfig", kubeconfig], stdout=log, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        # Only whole lines: the server may be in the middle of writing the JSON log line.
        for line in open(log_path).read().split("\n")[:-1]:
            if '"listening"' in line:
                return proc, "http://" + json.loads(line)["addr"]
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"helm-rs serve did not start:\n{open(log_path).read()}")


@pytest.fixture(scope="module")
def remote(testenv_dir, kubeconfig, tmp_path_factory):
    admin = Admin(testenv_dir)
    ns_a, ns_b = "pyr-a-" + uuid.uuid4().hex[:6], "pyr-b-" + uuid.uuid4().hex[:6]
    for ns in (ns_a, ns_b):
        admin.namespace(ns)
    token = admin.account(ns_a, "deployer", ns_a)
    proc, url = _start_server(kubeconfig, tmp_path_factory.mktemp("serve") / "serve.log")
    yield {"url": url, "token": token, "ns_a": ns_a, "ns_b": ns_b}
    proc.terminate()
    proc.wait(timeout=30)


def test_release_lifecycle(remote):
    ns = remote["ns_a"]
    c = helm_rs.RemoteClient(remote["url"], remote["token"], namespace=ns)
    assert isinstance(c, helm_rs.Client)
    scenarios.release_lifecycle(c, ns)


def test_rbac_and_token_errors(remote, tmp_path):
    c = helm_rs.RemoteClient(remote["url"], remote["token"], namespace=remote["ns_a"])
    # Another namespace: Kubernetes refuses the account, the server passes the 403 through.
    with pytest.raises(helm_rs.ServerError) as e:
        c.install("web", HELLO, namespace=remote["ns_b"])
    assert e.value.status == 403 and "forbidden" in str(e.value)
    assert isinstance(e.value, helm_rs.Forbidden) and e.value.kind == "forbidden"
    assert isinstance(e.value, helm_rs.KubeError)
    with pytest.raises(helm_rs.ServerError) as e:
        c.list(namespace=remote["ns_b"])
    assert e.value.status == 403
    # No token, or one the API server does not know: 401.
    for token in ("", "not-a-valid-token"):
        with pytest.raises(helm_rs.KubeError) as e:
            helm_rs.RemoteClient(remote["url"], token, namespace=remote["ns_a"]).list()
        assert e.value.status == 401, str(e.value)
        assert isinstance(e.value, helm_rs.Forbidden) and e.value.kind == "unauthorized"
    # The local client's error types for the same causes.
    scenarios.input_errors(c, tmp_path)
    with pytest.raises(helm_rs.HelmError):
        helm_rs.RemoteClient("ftp://nowhere", "t")


def test_conflict_is_409_with_pending_state(remote):
    c = helm_rs.RemoteClient(remote["url"], remote["token"], namespace=remote["ns_a"])
    c.install("busy", HELLO)
    # Two upgrades at once: the server serializes operations on a release; the second one gets
    # 409 with the first one's pending state, unless the first had already finished.
    results = []

    def up(n):
        try:
            results.append(c.upgrade("busy", HELLO, values={"n": n}))
        except helm_rs.KubeError as e:
            results.append(e)

    threads = [threading.Thread(target=up, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if isinstance(r, helm_rs.Release)]
    refused = [r for r in results if not isinstance(r, helm_rs.Release)]
    assert ok, results
    for e in refused:
        assert isinstance(e, helm_rs.ServerError) and e.status == 409, repr(e)
        assert isinstance(e, helm_rs.ReleasePending) and e.kind == "pending"
        assert e.pending["status"] == "pending-upgrade"
    history = c.history("busy")
    assert [r.revision for r in history] == list(range(1, len(ok) + 2))
    assert history[-1].status == "deployed"
    c.uninstall("busy")


def test_error_kinds(remote, tmp_path):
    """test_client.py's failures through the server: the same classes and kinds."""
    c = helm_rs.RemoteClient(remote["url"], remote["token"], namespace=remote["ns_a"])
    with pytest.raises(helm_rs.ReleaseNotFound) as e:
        c.status("nope")
    assert (e.value.kind, e.value.status) == ("not_found", 404)
    c.install("kinds", HELLO)
    with pytest.raises(helm_rs.ReleaseConflict) as e:
        c.install("kinds", HELLO)
    assert (e.value.kind, e.value.status) == ("name_in_use", 409)
    with pytest.raises(helm_rs.ChartError) as e:
        c.install("Bad_Name", HELLO)
    assert (e.value.kind, e.value.status) == ("invalid_input", 400)
    bad = bad_chart(tmp_path)
    with pytest.raises(helm_rs.RenderError) as e:
        c.upgrade("kinds", bad)
    assert (e.value.kind, e.value.status) == ("render", 422)
    scenarios.upgrade_install_and_test(c)
    c.uninstall("kinds")


def test_async_remote_client(remote):
    async def main():
        c = await helm_rs.AsyncRemoteClient.connect(remote["url"], remote["token"], namespace=remote["ns_a"])
        rel = await c.install("api", HELLO)
        status, history = await asyncio.gather(c.status("api"), c.history("api"))
        gone = await c.uninstall("api")
        return rel, status, history, gone

    rel, status, history, gone = asyncio.run(main())
    assert rel.revision == 1 and status.revision == 1 and len(history) == 1
    assert gone.status == "uninstalled"


@pytest.fixture(scope="module")
def chart_repo(tmp_path_factory, helm_rs_cli):
    """A chart repository on 127.0.0.1: the example chart packaged by the CLI, its index.yaml."""
    d = tmp_path_factory.mktemp("repo")
    code, out, err = helm_rs_cli("package", HELLO, "-d", d)
    assert code == 0, err
    tgz = next(d.glob("hello-*.tgz"))
    version = helm_rs.load_chart(tgz).version
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    (d / "index.yaml").write_text(
        "apiVersion: v1\nentries:\n  hello:\n  - apiVersion: v2\n    name: hello\n"
        f"    version: {version}\n    digest: {digest}\n    urls:\n    - {tgz.name}\n"
        'generated: "2024-01-01T00:00:00Z"\n'
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(d))
    handler.log_message = lambda *a: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", tgz.name, version
    srv.shutdown()


def test_charts_the_server_downloads(remote, chart_repo, helm_rs_cli):
    url, archive, version = chart_repo
    c = helm_rs.RemoteClient(remote["url"], remote["token"], namespace=remote["ns_a"])
    # `helm install --repo URL hello --version V`: the server reads the index and downloads.
    rel = c.install("fromrepo", "hello", repo=url, version=version, values={"replicaCount": 4})
    assert (rel.chart, rel.chart_version, rel.revision) == ("hello", version, 1)
    assert rel.values == {"replicaCount": 4}
    # A chart URL.
    rel = c.upgrade("fromrepo", f"{url}/{archive}", set=["replicaCount=5"])
    assert rel.revision == 2 and c.get_values("fromrepo") == {"replicaCount": 5}
    with pytest.raises(helm_rs.ChartError) as e:
        c.install("nochart", "nochart", repo=url)
    assert "nochart" in str(e.value) and e.value.status == 400
    with pytest.raises(helm_rs.ChartError):
        c.upgrade("fromrepo", "hello", repo=url, version="99.0.0")
    c.uninstall("fromrepo")
    # The CLI's --server mode sends a URL reference the same way (the server downloads it).
    code, out, err = helm_rs_cli("--server", remote["url"], "--token", remote["token"], "install", "fromcli",
                                 f"{url}/{archive}", "-n", remote["ns_a"])
    assert code == 0, err
    assert c.status("fromcli").chart_version == version
    c.uninstall("fromcli")


def test_chart_from_an_oci_registry(remote, chart_repo, helm_rs_cli, tmp_path):
    """Debian's docker-registry on 127.0.0.1 over plain HTTP (scripts/test.d/setup-repo.sh)."""
    registry = shutil.which("docker-registry")
    if registry is None:
        pytest.skip("docker-registry is not installed (scripts/test.d/setup-repo.sh)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "config.yml").write_text(
        f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {tmp_path / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    proc = subprocess.Popen([registry, "serve", str(tmp_path / "config.yml")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        url, archive, version = chart_repo
        tgz = tmp_path / archive
        with urllib.request.urlopen(f"{url}/{archive}") as r:
            tgz.write_bytes(r.read())
        code, _, err = helm_rs_cli("push", tgz, f"oci://127.0.0.1:{port}/charts", "--plain-http")
        assert code == 0, err
        c = helm_rs.RemoteClient(remote["url"], remote["token"], namespace=remote["ns_a"])
        rel = c.install("fromoci", f"oci://127.0.0.1:{port}/charts/hello", version=version, plain_http=True)
        assert (rel.chart, rel.chart_version, rel.status) == ("hello", version, "deployed")
        with pytest.raises(helm_rs.ChartError):
            c.install("nooci", f"oci://127.0.0.1:{port}/charts/hello", version="99.0.0", plain_http=True)
        c.uninstall("fromoci")
    finally:
        proc.kill()
        proc.wait()
