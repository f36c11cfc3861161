"""Helm's own command-line test cases, read from the Go source of `helm.sh/helm/v4/pkg/cmd`.

Helm's tests (`pkg/cmd/*_test.go`) are tables of `cmdTestCase{name, cmd, golden, wantError,
rels}` run in process against a fake release store and a fake kube client. This module finds
every such case and evaluates its `cmd` expression (string literals, `+`, `fmt.Sprintf`,
`filepath.Join`, and variables assigned from those in the same function or file), so that the
command line can be run as a process by both Helm and helm-rs. A case whose command is made at
run time (a test server's URL, a temporary file) or that needs releases in Helm's fake store
(`rels`) is returned with the reason it cannot be replayed as is; for the latter, the text of
its `rels` expression and the key of its literal (`file::function::index`) let `stage.py`
build those releases with Helm's own code, after which `run.py` can replay it. An empty
`rels` list needs nothing. When the test function sets Helm's global settings to a literal
(`settings.PluginsDirectory = "…"`), the case carries the environment variable that gives a
process the same setting.

Calls of Helm's helper checks that build cases from a command name (`checkFileCompletion`,
`checkReleaseCompletion`, `outputFlagCompletionTest`, `revisionFlagCompletionTest`) are
expanded for each call with a literal name, as Go runs them.
"""

import os
import re


def _skip_string(src, i):
    """Index after the Go string, raw string or rune literal starting at src[i]."""
    q = src[i]
    j = i + 1
    if q == "`":
        return src.index("`", j) + 1
    while j < len(src):
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == q:
            return j + 1
        j += 1
    return j


def _skip_comment(src, i):
    if src.startswith("//", i):
        n = src.find("\n", i)
        return len(src) if n < 0 else n
    if src.startswith("/*", i):
        return src.index("*/", i) + 2
    return i


def matching(src, i):
    """Index of the bracket closing the one at src[i] (strings and comments skipped)."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = [pairs[src[i]]]
    j = i + 1
    while j < len(src):
        c = src[j]
        if c in "\"'`":
            j = _skip_string(src, j)
            continue
        k = _skip_comment(src, j)
        if k != j:
            j = k
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif stack and c == stack[-1]:
            stack.pop()
            if not stack:
                return j
        j += 1
    raise ValueError("unbalanced")


def split_top(text, sep=","):
    """Splits at `sep` outside brackets and strings."""
    out, depth, start, j = [], 0, 0, 0
    while j < len(text):
        c = text[j]
        if c in "\"'`":
            j = _skip_string(text, j)
            continue
        k = _skip_comment(text, j)
        if k != j:
            j = k
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == sep and depth == 0:
            out.append(text[start:j])
            start = j + 1
        j += 1
    out.append(text[start:])
    return [p.strip() for p in out if p.strip()]


class Unevaluable(Exception):
    pass


#: Stands for `t.TempDir()` in a command; the runner replaces it with a new directory.
TEMP_DIR = "@TEMPDIR@"


_ESC = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "r": "\r"}


def _go_string(lit):
    if lit.startswith("`"):
        return lit[1:-1]
    body, out, j = lit[1:-1], [], 0
    while j < len(body):
        c = body[j]
        if c == "\\" and j + 1 < len(body):
            out.append(_ESC.get(body[j + 1], body[j + 1]))
            j += 2
        else:
            out.append(c)
            j += 1
    return "".join(out)


def _sprintf(fmt, args):
    out, ai, j = [], 0, 0
    while j < len(fmt):
        c = fmt[j]
        if c == "%" and j + 1 < len(fmt):
            verb = fmt[j + 1]
            if verb == "%":
                out.append("%")
            elif verb in "sdv":
                out.append(str(args[ai]))
                ai += 1
            elif verb == "q":
                out.append('"' + str(args[ai]).replace("\\", "\\\\").replace('"', '\\"') + '"')
                ai += 1
            else:
                raise Unevaluable("verb %" + verb)
            j += 2
        else:
            out.append(c)
            j += 1
    return "".join(out)


def evaluate(expr, scope):
    """The string value of a Go expression made of literals, `+`, variables in `scope`,
    `fmt.Sprintf` and `filepath.Join`; raises Unevaluable for anything else."""
    expr = expr.strip()
    parts = split_top(expr, "+")
    if len(parts) > 1:
        return "".join(evaluate(p, scope) for p in parts)
    if expr[:1] in "\"`":
        end = _skip_string(expr, 0)
        if end == len(expr):
            return _go_string(expr)
    m = re.fullmatch(r"(fmt\.Sprintf|filepath\.Join|path\.Join)\((.*)\)", expr, re.S)
    if m:
        args = [evaluate(a, scope) for a in split_top(m.group(2))]
        if m.group(1) == "fmt.Sprintf":
            return _sprintf(args[0], args[1:])
        return os.path.normpath("/".join(args))
    if re.fullmatch(r"[A-Za-z_]\w*", expr):
        if expr in scope:
            value = scope[expr]
            if isinstance(value, Unevaluable):
                raise value
            return value
        raise Unevaluable(f"{expr} is set at run time")
    if re.fullmatch(r"-?\d+", expr):
        return expr
    if expr == "t.TempDir()":
        # A fresh empty directory: the runner gives each case its own.
        return TEMP_DIR
    raise Unevaluable(f"made at run time: {expr[:60]}")


_ASSIGN = re.compile(r"^\s*(?:const\s+|var\s+)?([A-Za-z_]\w*)\s*(?::=|=)\s*(.+?)\s*$", re.M)


def _scope_of(text, outer):
    """Variables assigned one value in `text` (a function body or the file)."""
    scope = dict(outer)
    for m in _ASSIGN.finditer(text):
        name, expr = m.group(1), m.group(2)
        if expr.endswith("{") or expr.endswith("("):
            continue
        try:
            scope[name] = evaluate(expr, scope)
        except (Unevaluable, IndexError, ValueError) as e:
            scope[name] = e if isinstance(e, Unevaluable) else Unevaluable(str(e))
    return scope


def functions(src):
    """(name, params, body) of each top-level function."""
    for m in re.finditer(r"^func (\w+)\(([^)]*)\)[^{\n]*\{", src, re.M):
        start = m.end() - 1
        end = matching(src, start)
        yield m.group(1), m.group(2), src[start + 1 : end]


def _field(case, key):
    m = re.search(r"(?:^|\n)\s*" + key + r":\s*", case)
    if not m:
        return None
    rest = case[m.end() :]
    return split_top(rest)[0] if rest.strip() else None


def case_literals(body):
    """The text of each case in `[]cmdTestCase{{…}, {…}}` lists and `cmdTestCase{…}`
    literals of a function body."""
    for m in re.finditer(r"cmdTestCase\{", body):
        open_at = m.end() - 1
        end = matching(body, open_at)
        inner = body[open_at + 1 : end].strip()
        if m.start() >= 2 and body[m.start() - 2 : m.start()] == "[]":
            for item in split_top(inner):
                if item.startswith("{") and item.endswith("}"):
                    yield item[1:-1]
        else:
            yield inner


HELPERS = {
    "checkReleaseCompletion",
    "outputFlagCompletionTest",
    "revisionFlagCompletionTest",
}


def read_cases(pkg_dir):
    """Every case: dicts with file, test, name, cmd (or None), want_error, golden, reason
    (why it cannot be replayed as a process, or None)."""
    cases = []
    helper_bodies = {}
    calls = []
    for fname in sorted(os.listdir(pkg_dir)):
        if not fname.endswith("_test.go"):
            continue
        src = open(os.path.join(pkg_dir, fname), encoding="utf-8").read()
        file_scope = _scope_of(
            "\n".join(l for l in src.splitlines() if not l.startswith(("\t\t", "\t}"))), {}
        )
        for func, params, body in functions(src):
            if func in HELPERS or func == "checkFileCompletion":
                helper_bodies[func] = (fname, body)
                continue
            for m in re.finditer(
                r"\b(checkFileCompletion|" + "|".join(sorted(HELPERS)) + r")\(t, (\"[^\"]*\")", body
            ):
                calls.append((fname, func, m.group(1), _go_string(m.group(2))))
            if "cmdTestCase{" not in body:
                continue
            scope = _scope_of(body, file_scope)
            env = _env_of(body)
            for i, lit in enumerate(case_literals(body)):
                cases.append(_case(fname, func, lit, scope, f"{fname}::{func}::{i}", env, "t.TempDir()" in body))
    for fname, func, helper, cmd_name in calls:
        if helper == "checkFileCompletion":
            cases.append(
                {
                    "file": fname,
                    "test": func,
                    "name": f"file completion of {cmd_name!r}",
                    "cmd": f"__complete {cmd_name} ''",
                    "want_error": False,
                    "golden": None,
                    "reason": None,
                    "rels_key": None,
                    "rels": None,
                    "env": {},
                    "needs_stage": False,
                    "runtime_vars": [],
                }
            )
            continue
        hfile, body = helper_bodies[helper]
        scope = _scope_of(body, {"cmdName": cmd_name})
        for i, lit in enumerate(case_literals(body)):
            key = f"{hfile}::{helper}::{i}"
            cases.append(_case(hfile, f"{func} via {helper}", lit, scope, key, _env_of(body), "t.TempDir()" in body))
    return cases


#: Settings a test function assigns before running its cases, and the environment variable
#: that makes a process see the same setting.
SETTINGS_ENV = {
    "PluginsDirectory": "HELM_PLUGINS",
    "RepositoryConfig": "HELM_REPOSITORY_CONFIG",
    "RepositoryCache": "HELM_REPOSITORY_CACHE",
}


def _env_of(body):
    """Environment for the cases of a function that sets `settings.X = "literal"` (Helm's
    tests change the global settings in process; a process gets them from the environment)."""
    env = {}
    for m in re.finditer(r"\bsettings\.(\w+) = (\"[^\"\n]*\")", body):
        if m.group(1) in SETTINGS_ENV:
            env[SETTINGS_ENV[m.group(1)]] = _go_string(m.group(2))
    return env


#: The reason given to a case that needs releases in Helm's fake store.
NEEDS_RELEASES = "needs releases in Helm's in-process fake store (rels)"
#: The reason given to a case whose command names files the test makes at run time.
NEEDS_RUNTIME = "needs files the test makes at run time"
#: Stands for the value of a test's local variable made at run time; the stage program
#: reports it.
RUNTIME = "@RUNTIME:{}@"


def _case(fname, func, lit, scope, key, env, makes_files):
    name_expr = _field(lit, "name")
    cmd_expr = _field(lit, "cmd")
    try:
        name = evaluate(name_expr, scope) if name_expr else ""
    except Unevaluable:
        name = name_expr or ""
    case = {
        "file": fname,
        "test": func,
        "name": name,
        "cmd": None,
        "want_error": (_field(lit, "wantError") or "false") == "true",
        "golden": None,
        "reason": None,
        # Where the case literal is (`file::function::index`), naming its releases for the
        # stage program (scripts/helm-suite/stage), and the text of its `rels` expression.
        "rels_key": key,
        "rels": _field(lit, "rels"),
        "env": env,
        # Whether the stage program must run before the case (releases to write, or values
        # the test makes at run time), and the names of those values in `cmd` (RUNTIME).
        "needs_stage": False,
        "runtime_vars": [],
    }
    golden = _field(lit, "golden")
    if golden:
        try:
            case["golden"] = evaluate(golden, scope)
        except Unevaluable:
            pass
    if cmd_expr is None:
        case["reason"] = "no command"
        return case
    try:
        case["cmd"] = evaluate(cmd_expr, scope)
    except (Unevaluable, IndexError) as e:
        if not makes_files:
            case["reason"] = f"command built at run time ({e})"
            return case
        # A test that writes files into t.TempDir() names them in its commands through local
        # variables; the stage program runs the test's statements and reports their values.
        runtime_scope = {k: RUNTIME.format(k) if isinstance(v, Unevaluable) else v for k, v in scope.items()}
        try:
            case["cmd"] = evaluate(cmd_expr, runtime_scope)
        except (Unevaluable, IndexError):
            case["reason"] = f"command built at run time ({e})"
            return case
        case["runtime_vars"] = sorted(set(re.findall(RUNTIME.format(r"(\w+)"), case["cmd"])))
        case["needs_stage"] = True
        case["reason"] = NEEDS_RUNTIME + " (" + ", ".join(case["runtime_vars"]) + ")"
        return case
    if case["rels"] is not None and not re.fullmatch(r"\[\]\*release\.Release\{\s*\}", case["rels"]):
        case["needs_stage"] = True
        case["reason"] = NEEDS_RELEASES
    return case
