//! `extism/v1` (WebAssembly) plugins compared with the reference Helm 4.1.4, which runs them
//! with Extism's Go SDK: `plugin list`, a `cli/v1` plugin (its arguments, environment, config
//! values, standard input, exit codes, a Go panic that traps, an Extism error, a missing
//! output message), the `runtimeConfig` settings (`timeout`, `memory.maxPages` below the
//! modules' memories and exceeded while running, `fileSystem.createTempDir`,
//! `entryFuncName`, `hostFunctions`), a `postrenderer/v1` plugin (`template --post-renderer`),
//! a `getter/v1` plugin serving charts for its scheme (`template`, `pull`, `show`, its failure
//! message), and a plugin whose `plugin.wasm` is missing.
//!
//! The plugins are real Extism plugins: Go sources in `tests/data/extism-plugins/`, built to
//! WASI reactor modules by `scripts/test.d/setup-extism-plugins.sh` into
//! `~/.cache/helm-rs/extism-plugins/current/`. Each case lays out a fresh directory (`@`: its
//! plugins under `plugins/` as `$HELM_PLUGINS`, a chart `mych/`, HOME `home/`) and runs each
//! step with helm-rs and with Helm, the same plugins directory for both, and compares exit
//! code, standard output and standard error. Both keep compiled modules in one cache shared by
//! the cases. Helm prints the address of a Go pointer in a getter's failure, and a Go plugin's
//! goroutine dump on a fatal error has addresses that depend on its environment's size (both
//! masked; the error before the dump and the Wasm trap after it are compared).
//!
//! Where Helm 4.1.4 crashes (a nil error dereferenced: a CLI plugin returning a non-zero code
//! without an error, a post-renderer answering without `manifests`), the step is marked `!`:
//! the test checks that Helm still crashes there and that helm-rs answers as Helm means to
//! (the plugin's exit code; empty output).
//!
//! The test skips (saying why) when the plugins are not built or the oracle is absent.

#[path = "../../helm-kube/tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A case: its name, the plugins it installs (`NAME KIND WASM` then the rest of plugin.yaml
/// after `runtime:`; `-` as WASM: no module) and its steps: `NAME=VALUE … :: ARGS` or `ARGS`
/// (words split on spaces, `@` the layout directory); `STDIN=TEXT` is written to the standard
/// input; a leading `!` marks one of Helm's crashes (see the module docs).
struct Case {
    name: &'static str,
    plugins: &'static [&'static str],
    steps: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "list",
        plugins: &[
            "wcli cli/v1 cli",
            "wpost postrenderer/v1 postrenderer",
            "wget getter/v1 getter\nconfig:\n  protocols: [wasmtest]",
            "nowasm cli/v1 -",
            "badrc cli/v1 cli\nruntimeConfig:\n  memory:\n    maxPages: lots",
        ],
        steps: &[
            "plugin list",
            "plugin list --type cli/v1",
            "plugin list --type getter/v1",
        ],
    },
    Case {
        name: "cli",
        plugins: &[
            "wcli cli/v1 cli\nconfig:\n  shortHelp: a wasm plugin\nruntimeConfig:\n  config:\n    greeting: hello <there>",
            "plain cli/v1 cli",
        ],
        steps: &[
            "wcli a --b -n ns c",
            "EXTISM_TEST_VAR=x=y HELM_NAMESPACE=envns :: wcli",
            "-n early --kube-context k plain z --debug",
            "wcli error boom",
            "wcli wasi-exit 3",
            "wcli wasi-exit 0",
            "wcli panic",
            "wcli no-output",
            "STDIN=piped\ninput :: wcli stdin",
            "wcli tmp",
            "!wcli exit 7",
        ],
    },
    Case {
        name: "runtime-config",
        plugins: &[
            "wtime cli/v1 cli\nruntimeConfig:\n  timeout: 1500",
            "wslow cli/v1 cli\nruntimeConfig:\n  timeout: 600000",
            "wmem cli/v1 cli\nruntimeConfig:\n  memory:\n    maxPages: 200",
            "wmid cli/v1 cli\nruntimeConfig:\n  memory:\n    maxPages: 40",
            "wtiny cli/v1 cli\nruntimeConfig:\n  memory:\n    maxPages: 4",
            "wtmp cli/v1 cli\nruntimeConfig:\n  fileSystem:\n    createTempDir: true",
            "wentry cli/v1 cli\nruntimeConfig:\n  entryFuncName: nosuch",
            "whost cli/v1 cli\nruntimeConfig:\n  hostFunctions: [kube_get]",
            "wunknown cli/v1 cli\nruntimeConfig:\n  somethingElse: 1\n  timeout: 600000",
        ],
        steps: &[
            "wtime spin",
            "wslow x",
            "wmem alloc 2",
            "wmem alloc 30",
            "wmid",
            "wtiny",
            "wtmp tmp",
            "wentry",
            "whost",
            "wunknown y",
        ],
    },
    Case {
        name: "missing-wasm",
        plugins: &["nowasm cli/v1 -", "nowasmpr postrenderer/v1 -"],
        steps: &[
            "plugin list",
            "nowasm",
            "template r @/mych --post-renderer nowasmpr",
        ],
    },
    Case {
        name: "postrenderer",
        plugins: &["wpost postrenderer/v1 postrenderer"],
        steps: &[
            "template r @/mych --post-renderer wpost",
            "template r @/mych --post-renderer wpost --post-renderer-args a --post-renderer-args <b>",
            "template r @/mych --post-renderer wpost --post-renderer-args object",
            "template r @/mych --post-renderer wpost --post-renderer-args echo",
            "!template r @/mych --post-renderer wpost --post-renderer-args missing",
            "template r @/mych --post-renderer nosuch",
        ],
    },
    Case {
        name: "getter",
        plugins: &[
            "wget getter/v1 getter\nconfig:\n  protocols: [wasmtest, wasmalt]\nruntimeConfig:\n  config:\n    note: via-wasm",
        ],
        steps: &[
            "template r wasmtest://host/foo-1.2.3.tgz",
            "template r wasmalt://host/x/bar-0.1.0.tgz --set greeting=hi",
            "show chart wasmtest://host/foo-1.2.3.tgz",
            "pull wasmtest://host/foo-1.2.3.tgz -d @/home",
            "template r wasmtest://host/missing-1.0.0.tgz",
            "pull wasmtest://host/echo-1.0.0.tgz --username u --password p<&> -d @/home",
            "template r wasmtest://host/nodash.tgz",
            "template r wasmnone://host/foo-1.0.0.tgz",
        ],
    },
];

/// The built plugin modules, or why not.
fn built_plugins() -> Result<PathBuf, String> {
    let dir = PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
        .join(".cache/helm-rs/extism-plugins/current");
    for name in ["cli", "postrenderer", "getter"] {
        if !dir.join(format!("{name}.wasm")).is_file() {
            return Err(format!(
                "{} is missing (scripts/test.d/setup-extism-plugins.sh builds it)",
                dir.join(format!("{name}.wasm")).display()
            ));
        }
    }
    Ok(dir)
}

fn setup(dir: &Path, wasm: &Path, plugins: &[&str]) {
    let _ = std::fs::remove_dir_all(dir);
    for sub in ["home", "plugins", "bin"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_helm-rs"), dir.join("bin/helm"))
        .expect("link helm");
    common::write_files(
        dir,
        &[
            ("mych/Chart.yaml", "apiVersion: v2\nname: mych\nversion: 0.1.0\n"),
            (
                "mych/templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  a: b\n",
            ),
        ],
    );
    for p in plugins {
        let (head, rest) = p.split_once('\n').unwrap_or((p, ""));
        let words: Vec<&str> = head.split(' ').collect();
        let [name, kind, module] = words[..] else {
            panic!("bad plugin line {p:?}")
        };
        let pdir = dir.join("plugins").join(name);
        std::fs::create_dir_all(&pdir).expect("mkdir");
        std::fs::write(
            pdir.join("plugin.yaml"),
            format!(
                "apiVersion: v1\nname: {name}\ntype: {kind}\nruntime: extism/v1\nversion: 0.1.0\n{rest}\n"
            ),
        )
        .expect("write plugin.yaml");
        if module != "-" {
            std::fs::copy(
                wasm.join(format!("{module}.wasm")),
                pdir.join("plugin.wasm"),
            )
            .expect("copy plugin.wasm");
        }
    }
}

/// One step's (exit code, stdout, stderr), with `program` as the helm.
fn run(program: &Path, dir: &Path, cache: &Path, step: &str) -> (i32, String, String) {
    let (vars, args) = match step.split_once(" :: ") {
        Some((v, a)) => (v, a),
        None => ("", step),
    };
    let mut stdin = String::new();
    let mut env: Vec<(String, String)> = Vec::new();
    if let Some(text) = vars.strip_prefix("STDIN=") {
        stdin = format!("{text}\n");
    } else {
        for kv in vars.split(' ').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').expect("NAME=VALUE");
            env.push((k.into(), v.into()));
        }
    }
    let d = dir.display().to_string();
    let args: Vec<String> = args.split(' ').map(|a| a.replace('@', &d)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = common::isolated(program, &args);
    c.current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("HELM_PLUGINS", dir.join("plugins"))
        .env("HELM_CACHE_HOME", cache)
        .env("HELM_CONFIG_HOME", dir.join("home/config"))
        .env("HELM_DATA_HOME", dir.join("home/data"))
        .env("HELM_ORACLE_CACHE", common::oracle_cache())
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("run helm");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    let out = child.wait_with_output().expect("wait");
    let mask = |s: &[u8]| {
        let s = String::from_utf8_lossy(s).replace(&d, "@");
        mask_pointers(&s)
    };
    (
        out.status.code().unwrap_or(-1),
        mask(&out.stdout),
        mask(&out.stderr),
    )
}

/// Go pointers (`0xc000123456`) as `0xc…`, and the goroutine dump of a Go plugin's own fatal
/// error (its addresses move with the size of the environment the plugin gets).
fn mask_pointers(s: &str) -> String {
    let re = regex::Regex::new(r"0xc[0-9a-f]{6,}").expect("regex");
    let s = re.replace_all(s, "0xc…");
    let dump = regex::Regex::new(r"(?s)\ngoroutine 1 gp=.*?\nError: ").expect("regex");
    dump.replace_all(&s, "\ngoroutine …\nError: ").into_owned()
}

fn show((code, out, err): &(i32, String, String)) -> String {
    format!("exit {code}\n--- stdout\n{out}--- stderr\n{err}")
}

/// Helm's crash on a nil error, and helm-rs's answer in its place.
fn check_crash(
    step: &str,
    helm: &(i32, String, String),
    ours: &(i32, String, String),
) -> Option<String> {
    let crashed = helm.0 == 2
        && helm
            .2
            .contains("panic: runtime error: invalid memory address or nil pointer dereference");
    let expected_ours = if step.contains("exit 7") {
        ours.0 == 7
            && ours
                .2
                .ends_with("Error: plugin \"wcli\" exited with error\n")
    } else {
        ours.0 == 1
            && ours
                .2
                .contains("post-renderer \"wpost\" produced empty output")
    };
    (!(crashed && expected_ours)).then(|| {
        format!(
            "{step}: expected Helm's crash and helm-rs's own answer\n== helm\n{}\n== helm-rs\n{}",
            show(helm),
            show(ours)
        )
    })
}

#[test]
fn extism_plugins_match_helm() {
    let wasm = match built_plugins() {
        Ok(w) => w,
        Err(why) => {
            eprintln!("SKIP: the extism/v1 test plugins are not built: {why}");
            return;
        }
    };
    let Some(oracle) = common::oracle() else {
        return;
    };
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-extism");
    let cache = root.join("cache");
    std::fs::create_dir_all(&cache).expect("mkdir cache");
    let mut differ = Vec::new();
    let mut steps = 0;
    for case in CASES {
        let dir = root.join(case.name);
        setup(&dir, &wasm, case.plugins);
        for step in case.steps {
            steps += 1;
            let (crash, step) = match step.strip_prefix('!') {
                Some(s) => (true, s),
                None => (false, *step),
            };
            let helm = run(&oracle, &dir, &cache, step);
            let ours = run(&dir.join("bin/helm"), &dir, &cache, step);
            if crash {
                differ.extend(
                    check_crash(step, &helm, &ours).map(|d| format!("[{}] {d}", case.name)),
                );
            } else if helm != ours {
                differ.push(format!(
                    "[{}] {step}\n== helm\n{}\n== helm-rs\n{}",
                    case.name,
                    show(&helm),
                    show(&ours)
                ));
            }
        }
    }
    common::assert_all_agree("extism/v1 plugin", steps, &differ);
}
