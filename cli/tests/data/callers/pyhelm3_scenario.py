"""One pyhelm3 session against a cluster, printed as JSON for cli/tests/callers_cli.rs.

pyhelm3 runs the `helm` program it is given and parses what it prints (JSON from
`upgrade --install -o json`, `status -o json`, `list -o json`, `history -o json`, YAML from
`show chart`/`show values`/`template`/`get manifest`, the chart metadata rendered by
`get all --template`, and the error class it picks from stderr). The test runs this script
once with Helm 4.1.4 and once with helm-rs as that program and compares the two outputs step
by step, so every value here is what pyhelm3 made of the program's output.

Usage: pyhelm3_scenario.py HELM KUBECONFIG NAMESPACE CHART_DIR REPO_URL
Prints one JSON object: {step name: result}. Times and the namespace are masked; a step that
raises records the pyhelm3 error class instead of a result (and the first line of the
program's stderr under "stderr (not compared)").
"""

import asyncio
import datetime
import json
import sys

from pyhelm3 import Client, Command


def main():
    helm, kubeconfig, namespace, chart_dir, repo_url = sys.argv[1:6]
    steps = asyncio.run(scenario(helm, kubeconfig, namespace, chart_dir, repo_url))
    text = json.dumps(steps, indent=1, sort_keys=True, default=str)
    print(text.replace(namespace, "<ns>"))


def plain(value):
    """A JSON-able copy of a pyhelm3 result with times masked."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {k: mask(k, plain(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return "<time>"
    return value


def mask(key, value):
    if key in ("updated", "first_deployed", "last_deployed", "deleted", "started_at", "completed_at"):
        return "<time>" if value else value
    return value


def revision(rev):
    """What a ReleaseRevision holds (the parsed `upgrade`/`status -o json`)."""
    return plain(
        {
            "release": {"name": rev.release.name, "namespace": rev.release.namespace},
            "revision": rev.revision,
            "status": rev.status.value,
            "updated": rev.updated,
            "description": rev.description,
            "notes": rev.notes,
            "chart_metadata": rev.chart_metadata_,
            "hooks": rev.hooks_,
            "resources": rev.resources_,
        }
    )


async def scenario(helm, kubeconfig, namespace, chart_dir, repo_url):
    steps = {}
    # The first stderr line of each failed step: shown when the runs differ, not compared.
    stderr = {}
    steps["stderr (not compared)"] = stderr

    async def step(name, make):
        try:
            steps[name] = plain(await make())
        except Exception as e:  # the error class pyhelm3 chose from the program's stderr
            steps[name] = {"error": type(e).__name__}
            err = getattr(e, "stderr", b"") or str(e).encode()
            stderr[name] = err.decode(errors="replace").strip().splitlines()[:1]

    client = Client(executable=helm, kubeconfig=kubeconfig, default_timeout="2m")
    steps["client_version"] = str(client.version)

    chart = await client.get_chart(chart_dir)
    steps["get_chart local"] = plain(chart.metadata)
    await step("chart values", chart.values)
    await step("chart readme", chart.readme)
    remote = None

    async def get_remote():
        nonlocal remote
        remote = await client.get_chart("webapp", repo=repo_url, version="1.2.0")
        return remote.metadata

    await step("get_chart --repo", get_remote)

    async def template():
        return list(
            await client.template_resources(chart, "tpl", {"data": "t"}, namespace=namespace)
        )

    await step("template_resources", template)

    async def template_failing():
        return list(await client.template_resources(chart, "tpl", {"fail": True}))

    await step("template_resources failing", template_failing)

    async def install(name, ch, values):
        return revision(
            await client.install_or_upgrade_release(name, ch, values, namespace=namespace)
        )

    await step("install", lambda: install("rel", chart, {"data": "two"}))
    await step("upgrade", lambda: install("rel", chart, {"data": "three", "extra": True}))
    await step("upgrade failing", lambda: install("rel", chart, {"fail": True}))

    async def listed():
        return sorted(
            (r.name, r.namespace) for r in await client.list_releases(namespace=namespace)
        )

    await step("list_releases", listed)
    await step(
        "list_release_definitions",
        lambda: client.list_release_definitions(namespace=namespace, sort_by_date=True),
    )
    await step("get_current_revision", lambda: client.get_current_revision("rel", namespace=namespace))
    await step(
        "get_current_revision missing",
        lambda: client.get_current_revision("missing", namespace=namespace),
    )

    current = await client.get_current_revision("rel", namespace=namespace)
    release = current.release

    async def history():
        return [
            {"revision": r.revision, "status": r.status.value, "description": r.description}
            for r in await release.history()
        ]

    await step("history", history)

    async def first_revision():
        # A revision from `history` knows no chart: pyhelm3 renders its metadata with
        # `get all --template`, reads values with `get values -o json [--all]` and hooks and
        # resources with `status --revision -o json`.
        first = [r for r in await release.history() if r.revision == 1][0]
        return {
            "chart_metadata": await first.chart_metadata(),
            "values": await first.values(),
            "computed values": await first.values(computed=True),
            "hooks": await first.hooks(),
            "resources": await first.resources(),
        }

    await step("revision 1 details", first_revision)
    await step("rollback to 1", lambda: release.rollback(1))
    await step("history after rollback", history)

    async def ensure_twice():
        # The second call compares the deployed chart metadata and values with what it is
        # given and does not upgrade when they are the same.
        a = await client.ensure_release("ens", chart, {"data": "e"}, namespace=namespace)
        b = await client.ensure_release("ens", chart, {"data": "e"}, namespace=namespace)
        return [a.revision, b.revision]

    await step("ensure_release twice", ensure_twice)

    if remote is not None:
        # `upgrade --install webapp --repo URL --version 1.2.0`: the chart comes from the
        # repository.
        await step("install from --repo", lambda: install("web", remote, {"data": "remote"}))
        await step(
            "get_current_revision web",
            lambda: client.get_current_revision("web", namespace=namespace),
        )

    # Repositories and charts, through pyhelm3's command layer (no cluster involved).
    command = Command(executable=helm, kubeconfig=kubeconfig)
    await step("repo_add", lambda: command.repo_add("callers", repo_url))
    await step("repo_add again", lambda: command.repo_add("callers", repo_url))
    await step("repo_list", command.repo_list)
    await step("repo_update", lambda: command.repo_update("callers"))
    await step("search", lambda: command.search("webapp"))
    await step("search --versions", lambda: command.search("callers/", all_versions=True))

    async def pulled():
        async with client.pull_chart("webapp", repo=repo_url, version="1.2.0") as c:
            files = sorted(str(p.relative_to(c.ref)) for p in c.ref.rglob("*") if p.is_file())
            return {"metadata": c.metadata, "files": files}

    await step("pull_chart --untar", pulled)
    await step("pull_chart by name", lambda: command.show_values("callers/webapp"))
    await step("repo_remove", lambda: command.repo_remove("callers"))
    await step("repo_remove missing", lambda: command.repo_remove("callers"))

    await step("uninstall rel", lambda: client.uninstall_release("rel", namespace=namespace))
    await step("uninstall web", lambda: client.uninstall_release("web", namespace=namespace))
    await step("uninstall ens", lambda: client.uninstall_release("ens", namespace=namespace))
    await step("uninstall missing", lambda: client.uninstall_release("missing", namespace=namespace))
    await step("list_releases after uninstall", listed)
    return steps


if __name__ == "__main__":
    main()
