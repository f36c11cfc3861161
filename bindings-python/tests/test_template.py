"""helm_rs.template against the helm-rs CLI (itself checked against Helm 4.1.4) and the
reference's recorded outputs."""

import re
import threading
import time

import pytest

import helm_rs
from conftest import HELLO


def test_load_chart_fields():
    c = helm_rs.load_chart(HELLO)
    assert c.name == "hello"
    assert c.version == c.metadata["version"]
    assert c.metadata["name"] == "hello"
    assert isinstance(c.values, dict) and c.values
    assert isinstance(c.dependencies, list)
    assert [d["name"] for d in c.dependencies] == [d["name"] for d in c.metadata.get("dependencies", [])]


def test_load_chart_missing_is_chart_error(tmp_path):
    with pytest.raises(helm_rs.ChartError) as e:
        helm_rs.load_chart(tmp_path / "nope")
    assert "not found" in str(e.value)
    assert isinstance(e.value, helm_rs.HelmError)


def test_defaults_equal_cli(helm_rs_cli):
    rc, out, _ = helm_rs_cli("template", HELLO)
    assert rc == 0
    assert helm_rs.template(str(HELLO)).manifest == out
    assert helm_rs.template(helm_rs.load_chart(HELLO)).manifest == out


@pytest.mark.parametrize(
    "kwargs,flags",
    [
        (dict(release_name="web", namespace="prod"), ["web", "-n", "prod"]),
        (dict(set=["replicaCount=3"], set_string=["image.tag=123"]), ["--set", "replicaCount=3", "--set-string", "image.tag=123"]),
        (dict(include_crds=True), ["--include-crds"]),
        (dict(kube_version="1.29.3", api_versions=["monitoring.coreos.com/v1"]), ["--kube-version", "1.29.3", "--api-versions", "monitoring.coreos.com/v1"]),
        (dict(is_upgrade=True, skip_tests=True), ["--is-upgrade", "--skip-tests"]),
        (dict(no_hooks=True), ["--no-hooks"]),
    ],
)
def test_options_equal_cli(helm_rs_cli, kwargs, flags):
    args = ["template"]
    if flags and not flags[0].startswith("-"):
        args.append(flags.pop(0))
    rc, out, err = helm_rs_cli(*args, HELLO, *flags)
    assert rc == 0, err
    assert helm_rs.template(HELLO, **kwargs).manifest == out


def test_values_dict_and_files_equal_cli(helm_rs_cli, tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text("replicaCount: 2\nservice:\n  port: 8081\n")
    # The dict goes after the files and before --set, like one more -f file.
    g = tmp_path / "dict.yaml"
    g.write_text("service:\n  port: 9090\n")
    rc, out, err = helm_rs_cli("template", HELLO, "-f", f, "-f", g, "--set", "replicaCount=4")
    assert rc == 0, err
    got = helm_rs.template(HELLO, value_files=[f], values={"service": {"port": 9090}}, set=["replicaCount=4"])
    assert got.manifest == out


def test_pieces_match_manifest():
    r = helm_rs.template(HELLO, values={"replicaCount": 2})
    assert r.manifests, "hello renders documents"
    for m in r.manifests:
        assert set(m) == {"name", "kind", "path", "content"}
        assert f"# Source: {m['path']}\n{m['content']}" in r.manifest
        assert m["kind"] and m["path"].startswith("hello/")
    kinds = [m["kind"] for m in r.manifests]
    assert "Deployment" in kinds and "Service" in kinds
    for h in r.hooks:
        assert h["events"] and f"# Source: {h['path']}\n{h['content']}" in r.manifest
    assert "hello" in r.notes or r.notes  # NOTES.txt rendered
    assert "NOTES" not in r.manifest


def test_render_error_has_location(tmp_path):
    chart = tmp_path / "bad"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bad\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a.b.c }}\n")
    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(chart)
    assert e.value.template == "bad/templates/cm.yaml"
    assert e.value.line == 5
    assert e.value.column == 15
    assert "nil pointer evaluating interface {}.b" in str(e.value)  # as Helm 4.1.4 says
    # A fail() call: Helm's "execution error at (FILE:LINE:COL)".
    (chart / "templates" / "cm.yaml").write_text("\n{{ fail \"no way\" }}\n")
    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(chart)
    assert (e.value.template, e.value.line, e.value.column) == ("bad/templates/cm.yaml", 2, 3)
    assert str(e.value).startswith("execution error at (bad/templates/cm.yaml:2:3): no way")
    # A parse error has a line and no column (Helm 4.1.4: the unclosed action is reported at
    # the end of the file, line 3).
    (chart / "templates" / "cm.yaml").write_text("a: 1\nb: {{ .Values.x \n")
    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(chart)
    assert (e.value.template, e.value.line, e.value.column) == ("bad/templates/cm.yaml", 3, None)
    assert str(e.value).startswith("parse error at (bad/templates/cm.yaml:3): unclosed action started at bad/templates/cm.yaml:2")


def test_render_error_message_equals_cli(helm_rs_cli, tmp_path):
    chart = tmp_path / "bad"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bad\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("x: {{ required \"x is required\" .Values.x }}\n")
    rc, _, err = helm_rs_cli("template", chart)
    assert rc == 1
    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(chart)
    # The CLI prints the failing source line after Helm's message (cli/src/excerpt.rs).
    helm_text = "".join(l for l in err.splitlines(keepends=True) if not re.match(r"^ *(--> |\d* \|)", l))
    assert helm_text == f"Error: {e.value}\n"
    assert "--> bad/templates/cm.yaml:1:6" in err


def test_values_errors(tmp_path):
    with pytest.raises(helm_rs.ValuesError) as e:
        helm_rs.template(HELLO, set=["a"])
    assert str(e.value) == 'failed parsing --set data: key "a" has no value'
    with pytest.raises(helm_rs.ValuesError):
        helm_rs.template(HELLO, value_files=[tmp_path / "missing.yaml"])
    with pytest.raises(TypeError):
        helm_rs.template(HELLO, values={1: "x"})
    with pytest.raises(TypeError):
        helm_rs.template(HELLO, values={"x": object()})


def test_schema_violation_is_values_error(helm_rs_cli):
    rc, _, err = helm_rs_cli("template", HELLO, "--set", "replicaCount=abc")
    if rc == 0:
        pytest.skip("hello's schema accepts a string replicaCount")
    with pytest.raises(helm_rs.ValuesError) as e:
        helm_rs.template(HELLO, set=["replicaCount=abc"])
    assert err == f"Error: {e.value}\n"


def test_invalid_release_name_is_helm_error():
    with pytest.raises(helm_rs.HelmError) as e:
        helm_rs.template(HELLO, release_name="Bad_Name")
    assert "invalid release name" in str(e.value)


def test_threads_render_in_parallel_and_agree():
    expected = helm_rs.template(HELLO).manifest
    results = []

    def work():
        for _ in range(5):
            results.append(helm_rs.template(HELLO).manifest)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 20


CORPUS_CASES = [
    "argoproj__argo-events@default",
    "cert-manager__cert-manager@default",
    "grafana__loki-distributed@ingress-values",
    "bitnami__nginx-ingress-controller@default",
    "prometheus-community__kube-prometheus-stack@default",
]


def _masked_equal(got, golden, mask_file):
    masked = set()
    if mask_file.exists():
        masked = {int(x) for x in mask_file.read_text().split()}
    a, b = got.split("\n"), golden.split("\n")
    if len(a) != len(b):
        return False
    return all(x == y or i + 1 in masked for i, (x, y) in enumerate(zip(a, b)))


@pytest.mark.parametrize("case", CORPUS_CASES)
def test_corpus_equals_reference_and_cli(corpus, helm_rs_cli, case):
    rows = {r.split("\t")[0]: r.split("\t") for r in (corpus / "cases.tsv").read_text().splitlines()[1:]}
    if case not in rows:
        pytest.skip(f"{case} not in cases.tsv")
    _, chart, values, _ = rows[case]
    chart_dir = corpus / "charts" / chart
    files = [] if values == "-" else [chart_dir / values]
    got = helm_rs.template(chart_dir, release_name="rel", namespace="corpus-ns", value_files=files).manifest
    golden = corpus / "golden" / f"{case}.yaml"
    assert _masked_equal(got, golden.read_text(), corpus / "golden" / f"{case}.mask")
    if not (corpus / "golden" / f"{case}.mask").exists():
        flags = [] if values == "-" else ["-f", files[0]]
        rc, out, err = helm_rs_cli("template", "rel", chart_dir, "-n", "corpus-ns", *flags)
        assert rc == 0, err
        assert got == out


def test_gil_released_while_rendering(corpus):
    chart = helm_rs.load_chart(corpus / "charts" / "prometheus-community__kube-prometheus-stack")
    done = threading.Event()
    ticks = 0

    def render():
        helm_rs.template(chart)
        done.set()

    t = threading.Thread(target=render)
    start = time.monotonic()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.monotonic() - start
    # With the GIL held for the whole render, this loop could not tick while it ran.
    assert elapsed < 0.05 or ticks >= 10, (elapsed, ticks)


def _postrenderer_plugin(plugins, name, script):
    """A `postrenderer/v1` plugin for the CLI, running `script` (sh) on the stream."""
    d = plugins / name
    d.mkdir(parents=True)
    (d / "plugin.yaml").write_text(
        f"apiVersion: v1\nname: {name}\ntype: postrenderer/v1\nruntime: subprocess\nversion: 0.1.0\n"
        "runtimeConfig:\n  platformCommand:\n    - command: ${HELM_PLUGIN_DIR}/run.sh\n"
    )
    (d / "run.sh").write_text("#!/bin/sh\n" + script + "\n")
    (d / "run.sh").chmod(0o755)


def test_post_renderer_equals_cli_plugin(helm_rs_cli, tmp_path):
    """A callable and a program as post-renderers render what the CLI renders with a plugin
    doing the same (the CLI's post-rendering is compared with Helm's in cli/tests)."""
    plugins = tmp_path / "plugins"
    _postrenderer_plugin(plugins, "same", "cat")
    _postrenderer_plugin(plugins, "relabel", "sed s/hello/HI/g")
    env = {"HELM_PLUGINS": str(plugins)}
    seen = []

    def identity(stream):
        seen.append(stream)
        return stream

    rc, out, err = helm_rs_cli("template", HELLO, "--post-renderer", "same", env=env)
    assert rc == 0, err
    assert helm_rs.template(str(HELLO), post_renderer=identity).manifest == out
    # The stream carries each document's template path, as Helm's post-renderers see it.
    assert "postrenderer.helm.sh/postrender-filename: 'hello/templates/" in seen[0]
    rc, out, err = helm_rs_cli("template", HELLO, "--post-renderer", "relabel", env=env)
    assert rc == 0, err
    assert "HI" in out
    assert helm_rs.template(str(HELLO), post_renderer=["sed", "s/hello/HI/g"]).manifest == out


def test_post_renderer_failures_are_render_errors():
    def refuse(stream):
        raise ValueError("policy says no")

    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(str(HELLO), post_renderer=refuse)
    # As the CLI prints it (with `helm template`'s hint).
    assert str(e.value).startswith("error while running post render on files: ValueError: policy says no\n")
    # An empty answer from a function is taken as it is (Helm's SDK does the same with a
    # custom post-renderer; only plugins and programs are held to produce something).
    assert helm_rs.template(str(HELLO), post_renderer=lambda s: "").manifest.strip() == ""
    with pytest.raises(helm_rs.RenderError) as e:
        helm_rs.template(str(HELLO), post_renderer=["sh", "-c", "exit 3"])
    assert str(e.value).startswith('error while running post render on files: post-renderer "sh" failed (exit status: 3)\n')
    with pytest.raises(TypeError):
        helm_rs.template(str(HELLO), post_renderer=42)
