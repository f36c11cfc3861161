#!/usr/bin/env python3
"""Replays Helm 4.1.4's own command-line test cases against helm-rs and the reference Helm.

    run.py --helm-rs PATH --helm PATH --pkg DIR [--kubeconfig F] [--stage PROGRAM]
           [--baseline F] [--record] [--report F] [--only SUBSTRING]

DIR is `pkg/cmd` of Helm's module source (`helm.sh/helm/v4@v4.1.4` from the Go module proxy),
read by `cases.py`. Each replayable case runs as a process under both tools, each in its own
copy of DIR (the test data are addressed relative to it), with a fresh HOME per case, the same
kubeconfig, and a namespace of its own per tool (masked in the outputs). A case agrees when the
exit status, stdout and stderr are the same after masking (paths, namespaces, times). helm-rs is
run through a symlink named `helm`, since Helm's texts name the program as it was invoked.

A case whose test puts releases into Helm's in-memory store (`rels`) is replayed when the
stage program (`stage/`, built by `stage.py` from Helm's own test code) and a kubeconfig are
given: before each tool runs, the program writes the case's releases with Helm's storage code
into that tool's namespace (the releases Helm's tests keep in "default", the namespace the
tests run in), and into any other namespace a release names (shared by both tools, emptied
before and after each tool's run). A command that names a file the test makes at run time
(a chart written into `t.TempDir()`) gets the path the program made by running the test's
statements (masked as `<name>`). A case whose releases the program could not build is
reported as not replayable, with the reason.

The baseline (one case id per line) lists the cases that agreed when it was recorded: a case
in it that no longer agrees is a regression (failed); other disagreeing cases are known gaps
(skipped, listed in the report with their first differing lines). Ends with the score and a
`N passed, N failed, N skipped` line.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as cases_mod  # noqa: E402


def case_id(c):
    return f"{c['file']}::{c['test']}::{c['name']}::{c['cmd']}"


TIME_PATTERNS = [
    # Helm's storage labels each record with the Unix time it was written (shown by `get
    # metadata`); staging writes each tool's records a moment apart.
    (re.compile(r'\b((?:createdAt|modifiedAt)"?(?:=|: ?|":)"?)\d{9,}'), r"\1<time>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?( ?[+-]\d\d:?\d\d)?( [A-Z]{2,5})?"), "<time>"),
    (re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}"), "<time>"),
]


def mask(text, subs):
    for old, new in subs:
        if old:
            text = text.replace(old, new)
    for pat, rep in TIME_PATTERNS:
        text = pat.sub(rep, text)
    # Table cells are padded to their widest value, which masking may change.
    text = re.sub(r" +(\t|\n|$)", r"\1", text)
    return text


class Stager:
    """The stage program, serving one request per line (see stage/main.go)."""

    def __init__(self, program, kubeconfig):
        self.proc = subprocess.Popen(
            [program, "-kubeconfig", kubeconfig],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.keys = set(self.ask("keys").split())
        try:
            with open(program + ".unstageable.json", encoding="utf-8") as f:
                self.unstageable = json.load(f)
        except OSError:
            self.unstageable = {}

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        if not reply:
            raise RuntimeError("the stage program exited")
        return reply.rstrip("\n")

    def stage(self, key, namespace):
        """Writes the case's releases; returns the values of the test's variables made at
        run time that its command names."""
        reply = self.ask(f"stage {key} {namespace}")
        if not reply.startswith("ok "):
            raise RuntimeError(reply)
        return json.loads(reply[3:]).get("vars") or {}

    def done(self):
        """The tool has run: the namespaces shared by the tools are emptied again and the
        test's temporary files removed."""
        reply = self.ask("done")
        if reply != "ok":
            raise RuntimeError(reply)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_one(binary, argv, cwd, home, kubeconfig, namespace, tmpdir, extra_env=None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "KUBECONFIG": kubeconfig or os.path.join(home, "no-kubeconfig"),
        "HELM_NAMESPACE": namespace,
        # The reference Helm unpacks itself into this cache once; with each case's fresh
        # HOME it would unpack again every time (hundreds of MB per case).
        "HELM_ORACLE_CACHE": os.environ.get("HELM_ORACLE_CACHE")
        or os.path.join(os.path.expanduser("~"), ".cache", "helm-oracle"),
        "TMPDIR": tmpdir,
    }
    env.update(extra_env or {})
    env = {k: v for k, v in env.items() if v}
    try:
        p = subprocess.run(
            [binary] + argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return -999, "", "timed out after 60 s"


def first_difference(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<missing>"
        y = bl[i] if i < len(bl) else "<missing>"
        if x != y:
            return f"line {i + 1}: helm {x!r} / helm-rs {y!r}"
    return "trailing newline"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helm-rs", required=True)
    ap.add_argument("--helm", required=True)
    ap.add_argument("--pkg", required=True)
    ap.add_argument("--kubeconfig")
    ap.add_argument("--stage", help="the stage program (stage.py path PKG)")
    ap.add_argument("--baseline")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--report")
    ap.add_argument("--only")
    a = ap.parse_args()

    all_cases = cases_mod.read_cases(a.pkg)
    work = tempfile.mkdtemp(prefix="helm-suite-")
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir)
    ours = os.path.join(bindir, "helm")
    os.symlink(os.path.abspath(a.helm_rs), ours)
    tools = {"helm": a.helm, "helm-rs": ours}
    trees = {}
    for t in tools:
        trees[t] = os.path.join(work, t, "cmd")
        shutil.copytree(a.pkg, trees[t], symlinks=True)
        for root, dirs, files in os.walk(trees[t]):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for f in files:
                p = os.path.join(root, f)
                if not os.path.islink(p):
                    os.chmod(p, 0o644)

    baseline = set()
    if a.baseline and os.path.exists(a.baseline):
        baseline = {l.rstrip("\n") for l in open(a.baseline, encoding="utf-8") if l.strip()}

    stager = None
    if a.stage and a.kubeconfig and os.access(a.stage, os.X_OK):
        try:
            stager = Stager(a.stage, a.kubeconfig)
        except (OSError, RuntimeError) as e:
            print(f"the stage program {a.stage} does not answer ({e}); releases not staged")
    for c in all_cases:
        if not c["needs_stage"]:
            continue
        if stager is None:
            c["reason"] = "releases not staged: no stage program or no cluster to stage them in"
        elif c["rels_key"] in stager.keys:
            c["reason"] = None
        else:
            why = stager.unstageable.get(c["rels_key"], "the stage program does not know the case")
            c["reason"] = f"releases not stageable ({why})"

    agree, differ, unreplayable = [], [], []
    for n, c in enumerate(all_cases):
        if a.only and a.only not in case_id(c):
            continue
        if c["reason"]:
            unreplayable.append(c)
            continue
        staged = c["needs_stage"]
        results = {}
        for t, binary in tools.items():
            home = os.path.join(work, t, f"home{n}")
            tmp = os.path.join(work, t, f"tmp{n}")
            os.makedirs(home)
            os.makedirs(tmp)
            ns = f"suite-{n}-{'h' if t == 'helm' else 'r'}"
            try:
                values = stager.stage(c["rels_key"], ns) if staged else {}
            except RuntimeError as e:
                results = None
                c["reason"] = f"staging its releases failed ({e})"
                break
            cmd = c["cmd"].replace(cases_mod.TEMP_DIR, tmp)
            for name in c["runtime_vars"]:
                cmd = cmd.replace(cases_mod.RUNTIME.format(name), values.get(name, ""))
            try:
                argv = shlex.split(cmd)
            except ValueError as e:
                argv = None
                results[t] = (-1, "", f"unparsable command: {e}")
                continue
            code, out, err = run_one(binary, argv, trees[t], home, a.kubeconfig, ns, tmp, c["env"])
            if staged:
                stager.done()
            subs = [
                (trees[t], "<cmd>"),
                (home, "<home>"),
                (tmp, "<tmp>"),
                (os.path.abspath(a.helm_rs), "<bin>"),
                (ours, "<bin>"),
                (a.helm, "<bin>"),
                (ns, "<ns>"),
            ] + [(v, f"<{k}>") for k, v in sorted(values.items(), key=lambda kv: -len(kv[1])) if v]
            results[t] = (code, mask(out, subs), mask(err, subs))
        if results is None:
            unreplayable.append(c)
            continue
        h, r = results["helm"], results["helm-rs"]
        if h == r:
            agree.append(c)
        else:
            if h[0] != r[0]:
                why = f"exit {h[0]} vs {r[0]}"
                # What the failing side said, so the report names the cause.
                for tool, res in (("helm", h), ("helm-rs", r)):
                    said = next((l for l in res[2].splitlines() if l.strip()), "")
                    if res[0] != 0 and said:
                        why += f"; {tool} stderr {said[:300]!r}"
            elif h[1] != r[1]:
                why = "stdout " + first_difference(h[1], r[1])
            else:
                why = "stderr " + first_difference(h[2], r[2])
            differ.append((c, why))

    if stager is not None:
        stager.close()
    ids_agree = {case_id(c) for c in agree}
    regressions = [(c, why) for c, why in differ if case_id(c) in baseline]
    if a.record and a.baseline:
        with open(a.baseline, "w", encoding="utf-8") as f:
            for i in sorted(ids_agree):
                f.write(i + "\n")
    replayable = len(agree) + len(differ)
    lines = []
    lines.append(
        f"Helm 4.1.4 CLI test cases: {len(all_cases)} found, {replayable} replayable as processes, "
        f"{len(agree)} agree ({100.0 * len(agree) / max(replayable, 1):.1f}%), {len(differ)} differ, "
        f"{len(unreplayable)} not replayable"
    )
    reasons = {}
    for c in unreplayable:
        r = c["reason"]
        # The command's and the staging's reasons name the detail per case; the others the
        # cause shared by a group of cases.
        if not r.startswith(("releases not sta", "staging its releases failed")):
            r = r.split(" (")[0]
        reasons.setdefault(r, []).append(c)
    for r, cs in sorted(reasons.items()):
        lines.append(f"  not replayable ({len(cs)}): {r}")
    for c, why in differ:
        mark = "REGRESSION" if case_id(c) in baseline else "differs"
        lines.append(f"  {mark}: {c['file']} {c['name']!r}: helm {c['cmd']}: {why}")
    report = "\n".join(lines) + "\n"
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write(report)
            f.write(json.dumps([{"case": case_id(c), "why": w} for c, w in differ], indent=1))
    sys.stdout.write(report)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(agree)} passed, {len(regressions)} failed, {len(differ) - len(regressions) + len(unreplayable)} skipped")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
