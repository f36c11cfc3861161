#!/usr/bin/env python3
"""Generates the Go source that builds the releases of Helm's CLI test cases.

    stage.py gen PKG OUTDIR     write OUTDIR/zz_<file>.go and OUTDIR/unstageable.json

Helm's test cases (`cmdTestCase{…, rels: EXPR}`, read by `cases.py`) put releases into an
in-memory store before running a command. EXPR is Go: `release.Mock(&release.MockReleaseOptions{…})`
calls, `&release.Release{…}` literals, closures and variables of the test function, and
functions of the test package. Rather than reimplementing Helm's mock (its default chart,
hooks, manifest, dates), this module copies EXPR into a Go function of the stage program
(`stage/main.go`), together with the statements of the test function that EXPR depends on
(found by the names they assign) and the package-level functions they call, so that the
program compiled against `helm.sh/helm/v4` builds exactly the releases Helm's tests build.
The same function returns the values of the test's variables that a command names but that
are made at run time (`chartPath`, a chart the test writes into `t.TempDir()`).

When the releases depend on the test's `*testing.T` (a chart the test writes into
`t.TempDir()` and loads back), all the statements before the case table are copied, side
effects included, and run with a stand-in for `t`.

Each case literal has one key, `file::function::index` (cases.py's `rels_key`); a helper
expanded for several commands shares its key. Code that cannot be compiled outside the test
(an internal package, a helper's parameter) is left out: `build` drops each generated block the Go
compiler rejects and builds again. The keys left out are written, with the reason, to
`unstageable.json` beside the program.

    stage.py build PKG SRCDIR OUTBIN     generate into a copy of SRCDIR, `go build` it to OUTBIN
    stage.py path PKG                    where the cached program for these sources lives
    stage.py ensure PKG                  build it there unless it is already built

The cache is `~/.cache/helm-rs/helm-suite-stage/HASH/stage` (HASH over the stage program's
sources, this module, cases.py and the Helm source directory), with the generated Go source
in `HASH/stage.src` and the keys left out in `HASH/stage.unstageable.json`; `ensure` removes
the builds of other hashes.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as cases_mod  # noqa: E402

IDENT = re.compile(r"(?<![\w.])([A-Za-z_]\w*)")

GO_WORDS = set(
    """break case chan const continue default defer else fallthrough for func go goto if import
    interface map package range return select struct switch type var true false nil iota
    append cap close complex copy delete imag len make new panic print println real recover
    any bool byte error float32 float64 int int8 int16 int32 int64 rune string uint uint8
    uint16 uint32 uint64 uintptr min max clear""".split()
)


def strip_literals(text):
    """`text` with the contents of strings and comments blanked (so names in them are not
    taken for uses)."""
    out, j = [], 0
    while j < len(text):
        c = text[j]
        if c in "\"'`":
            k = cases_mod._skip_string(text, j)
            out.append(c + " " * max(k - j - 2, 0) + c)
            j = k
            continue
        k = cases_mod._skip_comment(text, j)
        if k != j:
            out.append(" " * (k - j))
            j = k
            continue
        out.append(c)
        j += 1
    return "".join(out)


def names_used(text):
    return {m.group(1) for m in IDENT.finditer(strip_literals(text))} - GO_WORDS


def statements(body):
    """Top-level statements of a function body (text), split at newlines outside brackets
    (Helm's source is gofmt'ed: one statement a line); a line ending in an operator or comma
    continues."""
    out, depth, start, j = [], 0, 0, 0
    while j < len(body):
        c = body[j]
        if c in "\"'`":
            j = cases_mod._skip_string(body, j)
            continue
        k = cases_mod._skip_comment(body, j)
        if k != j:
            j = k
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == "\n" and depth == 0:
            piece = body[start:j].rstrip()
            if re.search(r"(\+|-|\*|/|&&|\|\||,|\.|=)$", strip_literals(piece)):
                j += 1
                continue
            if piece.strip():
                out.append(piece.strip("\n"))
            start = j + 1
        j += 1
    if body[start:].strip():
        out.append(body[start:].strip("\n"))
    return out


ASSIGN = re.compile(r"^\s*(?:var\s+)?([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::=|=)(?!=)")
VAR_DECL = re.compile(r"^\s*var\s+([A-Za-z_]\w*)\s+[^=]+$")


def assigned(stmt):
    """Names a statement assigns or declares."""
    s = strip_literals(stmt)
    m = ASSIGN.match(s)
    if m:
        return [n.strip() for n in m.group(1).split(",") if n.strip() != "_"]
    m = VAR_DECL.match(s)
    if m:
        return [m.group(1)]
    return []


def package_decls(pkg):
    """Package-level functions, variables and constants of the test package:
    name -> (file, source text, import block of that file)."""
    decls = {}
    for fname in sorted(os.listdir(pkg)):
        if not fname.endswith(".go"):
            continue
        src = open(os.path.join(pkg, fname), encoding="utf-8").read()
        for m in re.finditer(r"^func (\w+)\(", src, re.M):
            # The body's brace is the first `{` after the closing of the signature.
            sig_end = cases_mod.matching(src, m.end() - 1)
            open_at = src.index("{", sig_end)
            end = cases_mod.matching(src, open_at)
            decls[m.group(1)] = (fname, src[m.start() : end + 1])
        for m in re.finditer(r"^(var|const) (\w+)\b[^\n]*$", src, re.M):
            text = m.group(0)
            if text.rstrip().endswith(("{", "(")):
                try:
                    end = cases_mod.matching(src, m.end() - 1)
                except ValueError:
                    continue
                text = src[m.start() : end + 1]
            decls[m.group(2)] = (fname, text)
    return decls


def imports_of(src):
    """(local name, import line) of each import of a Go file."""
    out = []
    m = re.search(r"^import \((.*?)^\)", src, re.M | re.S)
    lines = m.group(1).splitlines() if m else []
    m1 = re.findall(r'^import ((?:\w+ )?"[^"]+")', src, re.M)
    for line in lines + m1:
        line = line.strip()
        mm = re.fullmatch(r'(?:(\w+|\.|_)\s+)?"([^"]+)"', line)
        if not mm:
            continue
        alias, path = mm.group(1), mm.group(2)
        if alias in (".", "_"):
            continue
        name = alias or path.rsplit("/", 1)[-1]
        out.append((name, line))
    return out


class Block:
    """One piece of generated Go: a case's releases function, or a copied package function."""

    def __init__(self, fname, kind, name, text, keys):
        self.fname, self.kind, self.name, self.text, self.keys = fname, kind, name, text, keys


def function_bodies(pkg):
    """(file, function name) -> (params text, body text) for every function of the tests."""
    out = {}
    for fname in sorted(os.listdir(pkg)):
        if not fname.endswith("_test.go"):
            continue
        src = open(os.path.join(pkg, fname), encoding="utf-8").read()
        for func, params, body in cases_mod.functions(src):
            out[(fname, func)] = (params, body)
    return out


def plan(pkg):
    """Blocks to generate, and {key: reason} for the keys that cannot be staged."""
    all_cases = cases_mod.read_cases(pkg)
    keys = {}
    for c in all_cases:
        if c["needs_stage"]:
            keys.setdefault(c["rels_key"], (c["rels"], c["runtime_vars"]))
    bodies = function_bodies(pkg)
    decls = package_decls(pkg)
    blocks, unstageable, needed_decls = [], {}, {}
    for n, (key, (rels, runtime_vars)) in enumerate(sorted(keys.items())):
        expr = rels or "nil"
        fname, func, _ = key.split("::")
        params, body = bodies[(fname, func)]
        stmts = statements(body)
        # The statements before the first case table are where the test builds its data.
        stmts = stmts[: next((i for i, s in enumerate(stmts) if "cmdTestCase{" in s), len(stmts))]
        param_names = {p.split()[0] for p in params.split(",") if p.strip()}
        defs = {}
        for i, s in enumerate(stmts):
            for name in assigned(s):
                defs.setdefault(name, []).append(i)
        want, todo, chosen = set(), list(names_used(expr) | set(runtime_vars)), set()
        while todo:
            name = todo.pop()
            if name in want:
                continue
            want.add(name)
            for i in defs.get(name, []):
                if i not in chosen:
                    chosen.add(i)
                    todo.extend(names_used(stmts[i]))
        locals_ = {n for i in chosen for n in assigned(stmts[i])}
        free = want - locals_
        if "t" in free and "t" in param_names:
            # The releases or the command depend on what the test does with its *testing.T
            # (a chart written into t.TempDir() and loaded back): run all the statements
            # before the case table, side effects included, with a stand-in for t (stageT in
            # main.go, given by the caller, which removes its directories when told).
            chosen = set(range(len(stmts)))
            locals_ = {n for s in stmts for n in assigned(s)}
            free = set()
            for s in stmts:
                free |= names_used(s)
            free = (free | names_used(expr)) - locals_ - {"t"}
        chosen_stmts = [stmts[i] for i in sorted(chosen)]
        if free & (param_names - {"t"}):
            unstageable[key] = "its releases depend on the helper's parameters: " + ", ".join(
                sorted(free & param_names)
            )
            continue
        for name in free:
            if name in decls and decls[name][0].endswith("_test.go"):
                needed_decls[name] = decls[name]
        values = ", ".join(f"{json.dumps(v)}: {v}" for v in runtime_vars)
        lines = [f"// {key}", f"func rels{n}(t *stageT) ([]*stagerelease.Release, map[string]string) {{"]
        lines += ["\t" + s.strip() for s in chosen_stmts]
        lines += [f"\t_ = {name}" for name in sorted(locals_)]
        lines += [f"\treturn {expr}, map[string]string{{{values}}}", "}"]
        lines += ["", "func init() {", f"\ttable[{json.dumps(key)}] = rels{n}", "}"]
        blocks.append(Block(fname, "rels", key, "\n".join(lines), [key]))
    # Package functions the copied code calls, and those they call in turn.
    todo, seen = list(needed_decls), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        fname, text = decls[name]
        for used in names_used(text):
            if used in decls and decls[used][0].endswith("_test.go") and used not in seen:
                todo.append(used)
        if re.search(r"\*testing\.[TB]\b", text):
            continue
        blocks.append(Block(fname, "decl", name, text, []))
    return blocks, unstageable


def write(pkg, outdir, blocks):
    """Writes one zz_<file>.go per test file; returns {(go file, line): block}."""
    by_file = {}
    for b in blocks:
        by_file.setdefault(b.fname, []).append(b)
    where = {}
    for fname, bs in sorted(by_file.items()):
        src = open(os.path.join(pkg, fname), encoding="utf-8").read()
        text = "\n\n".join(b.text for b in bs)
        used = names_used(text)
        imports = [line for name, line in imports_of(src) if name in used and name != "stagerelease"]
        head = [
            "// Code generated by scripts/helm-suite/stage.py from helm.sh/helm/v4 pkg/cmd/" + fname + "; DO NOT EDIT.",
            "",
            "package main",
            "",
            "import (",
            '\tstagerelease "helm.sh/helm/v4/pkg/release/v1"',
        ]
        head += ["\t" + line for line in imports]
        head += [")", "", "var _ = stagerelease.Mock", ""]
        out_name = "zz_" + fname.replace("_test.go", "") + ".go"
        lineno = len(head) + 1
        body = []
        for b in bs:
            n_lines = b.text.count("\n") + 1
            for k in range(lineno, lineno + n_lines):
                where[(out_name, k)] = b
            body.append(b.text)
            body.append("")
            lineno += n_lines + 1
        with open(os.path.join(outdir, out_name), "w", encoding="utf-8") as f:
            f.write("\n".join(head) + "\n" + "\n".join(body))
    return where


def build(pkg, srcdir, outbin):
    """Generates into a copy of srcdir and builds; drops the blocks the compiler rejects."""
    work = outbin + ".src"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(srcdir, work)
    for f in os.listdir(work):
        if f.startswith("zz_"):
            os.remove(os.path.join(work, f))
    blocks, unstageable = plan(pkg)
    env = dict(os.environ, GOFLAGS=os.environ.get("GOFLAGS", "-mod=mod"))
    for _ in range(30):
        for f in os.listdir(work):
            if f.startswith("zz_"):
                os.remove(os.path.join(work, f))
        where = write(pkg, work, blocks)
        p = subprocess.run(
            ["go", "build", "-trimpath", "-ldflags=-s -w", "-o", os.path.abspath(outbin), "."],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        if p.returncode == 0:
            # Readable generated source for whoever debugs a case (formatting is cosmetic).
            subprocess.run(["gofmt", "-w", "."], cwd=work, capture_output=True)
            break
        bad = {}
        for m in re.finditer(r"^\./(zz_\w+\.go):(\d+):\d+: (.*)$", p.stderr, re.M):
            b = where.get((m.group(1), int(m.group(2))))
            if b is not None:
                bad.setdefault(id(b), (b, m.group(3)))
        if not bad:
            sys.stderr.write(p.stderr)
            return 1
        dropped = {id(b) for b, _ in bad.values()}
        for b, msg in bad.values():
            for key in b.keys:
                unstageable[key] = f"its Go code does not compile outside Helm's tests: {msg}"
        blocks = [b for b in blocks if id(b) not in dropped]
    else:
        sys.stderr.write(p.stderr)
        return 1
    with open(outbin + ".unstageable.json", "w", encoding="utf-8") as f:
        json.dump(unstageable, f, indent=1, sort_keys=True)
    return 0


HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "stage")


def cache_root():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "helm-rs", "helm-suite-stage")


def program_path(pkg):
    h = hashlib.sha256()
    h.update(os.path.realpath(pkg).encode())
    files = [os.path.join(SRC, f) for f in sorted(os.listdir(SRC)) if not f.startswith("zz_")]
    for f in files + [os.path.join(HERE, "stage.py"), os.path.join(HERE, "cases.py")]:
        h.update(os.path.basename(f).encode())
        with open(f, "rb") as fh:
            h.update(fh.read())
    return os.path.join(cache_root(), h.hexdigest()[:16], "stage")


def ensure(pkg):
    out = program_path(pkg)
    if os.access(out, os.X_OK) and os.path.exists(out + ".unstageable.json"):
        return 0
    if shutil.which("go") is None:
        print("helm-suite: no Go toolchain: the cases that need releases will be skipped")
        return 0
    root = cache_root()
    if os.path.isdir(root):
        for d in os.listdir(root):
            if d != os.path.basename(os.path.dirname(out)):
                shutil.rmtree(os.path.join(root, d), ignore_errors=True)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    rc = build(pkg, SRC, tmp)
    if rc != 0:
        print("helm-suite: building the stage program failed: the cases that need releases will be skipped")
        return 0
    os.replace(tmp + ".unstageable.json", out + ".unstageable.json")
    shutil.rmtree(out + ".src", ignore_errors=True)
    os.replace(tmp + ".src", out + ".src")
    os.replace(tmp, out)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "path":
        print(program_path(argv[1]))
        return 0
    if len(argv) == 2 and argv[0] == "ensure":
        return ensure(argv[1])
    if len(argv) == 3 and argv[0] == "gen":
        blocks, unstageable = plan(argv[1])
        os.makedirs(argv[2], exist_ok=True)
        write(argv[1], argv[2], blocks)
        with open(os.path.join(argv[2], "unstageable.json"), "w", encoding="utf-8") as f:
            json.dump(unstageable, f, indent=1, sort_keys=True)
        return 0
    if len(argv) == 4 and argv[0] == "build":
        return build(argv[1], argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
