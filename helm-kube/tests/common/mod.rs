//! One real API server per test binary (`scripts/kube-testenv`), started on first use and
//! stopped when the test process exits (`HELM_RS_TESTENV_WATCH_PID`). Tests skip, printing one
//! line, when the environment's binaries are not built (`scripts/test.d/setup-kube.sh` builds
//! them) or it does not start.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub struct Env {
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
}

/// The checkout's root. Read at run time (cargo sets CARGO_MANIFEST_DIR for test processes):
/// checkouts sharing a target dir reuse each other's test binaries when the sources match, and
/// the compile-time value would then name the checkout that built them (tests in all files
/// look their data up this way, falling back to the compile-time value outside cargo).
pub fn root() -> PathBuf {
    PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .join("..")
}

fn binaries_present() -> bool {
    if std::env::var_os("HELM_RS_TESTENV_BIN").is_some() {
        return true;
    }
    let cache = std::env::var_os("HELM_RS_TESTENV_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
                });
            base.join("helm-rs/testenv")
        });
    std::fs::read_dir(&cache)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.path().join("bin/kube-apiserver").exists())
        })
        .unwrap_or(false)
}

/// The shared environment, or None (after printing why) when it cannot run here.
pub fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Option<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        if !binaries_present() {
            eprintln!(
                "SKIP: kube test environment binaries not built (run scripts/kube-testenv build)"
            );
            return None;
        }
        let dir = std::env::temp_dir().join(format!("helm-kube-tests-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        start_testenv("kube-testenv", &dir).map(|_| Env {
            kubeconfig: dir.join("kubeconfig"),
            dir,
        })
    })
    .as_ref()
}

/// Starts `scripts/SCRIPT start DIR`, stopped when this test process exits: its stdout, or
/// None (after printing why) when it does not start here.
pub fn start_testenv(script: &str, dir: &Path) -> Option<String> {
    start_testenv_with(script, dir, &[])
}

/// [`start_testenv`] with settings for the script (e.g. `HELM_RS_TESTENV_CONTROLLERS=0`).
pub fn start_testenv_with(script: &str, dir: &Path, vars: &[(&str, &str)]) -> Option<String> {
    let out = Command::new(root().join("scripts").join(script))
        .arg("start")
        .arg(dir)
        .env("HELM_RS_TESTENV_WATCH_PID", std::process::id().to_string())
        .envs(vars.iter().copied())
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => {
            eprintln!(
                "SKIP: {script} start failed: {}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            eprintln!("SKIP: cannot run scripts/{script}: {e}");
            None
        }
    }
}

/// Where helm-oracle keeps its unpacked Helm: the invoking user's cache. Tests run Helm with
/// a scratch HOME (its config must not leak between tests); without this the oracle would
/// unpack Helm again under that HOME, and two tests doing so at once fail ("Text file busy").
pub fn oracle_cache() -> PathBuf {
    if let Some(c) = std::env::var_os("HELM_ORACLE_CACHE") {
        return PathBuf::from(c);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
        })
        .join("helm-oracle")
}

/// Helm 4.1.4 (`../shared/tools/helm-oracle`), when present. The first call unpacks it (once
/// per test process, before tests run it side by side).
pub fn oracle() -> Option<PathBuf> {
    let p = root().join("../shared/tools/helm-oracle");
    if p.exists() {
        static UNPACKED: std::sync::Once = std::sync::Once::new();
        UNPACKED.call_once(|| {
            let _ = Command::new(&p)
                .arg("version")
                .env("HELM_ORACLE_CACHE", oracle_cache())
                .output();
        });
        Some(p)
    } else {
        eprintln!("SKIP: ../shared/tools/helm-oracle is absent");
        None
    }
}

/// `program ARGS` seeing none of the caller's kube and Helm settings (KUBECONFIG,
/// HELM_NAMESPACE, HELM_DRIVER): only what the test sets counts.
pub fn isolated(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .env_remove("KUBECONFIG")
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_DRIVER")
        .env_remove("HELM_RS_PROGRESS");
    c
}

/// [`isolated`] in a home of its own: `HOME` is `home`, and the Helm and XDG directory
/// variables, `HELM_PLUGINS` and `HELM_DEBUG` are unset, so that Helm's defaults under that
/// home apply (where `plugin install` puts its links). The oracle finds its unpacked copy.
pub fn isolated_home(program: impl AsRef<std::ffi::OsStr>, args: &[&str], home: &Path) -> Command {
    let mut c = isolated(program, args);
    c.env("HOME", home).env("HELM_ORACLE_CACHE", oracle_cache());
    for var in [
        "HELM_PLUGINS",
        "HELM_CONFIG_HOME",
        "HELM_CACHE_HOME",
        "HELM_DATA_HOME",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
        "HELM_DEBUG",
    ] {
        c.env_remove(var);
    }
    c
}

/// The steps of two transcripts that differ, each shown as helm-rs's then Helm's, for
/// [`assert_all_agree`].
pub fn differing(ours: &[String], theirs: &[String]) -> Vec<String> {
    ours.iter()
        .zip(theirs)
        .filter(|(o, t)| o != t)
        .map(|(o, t)| format!("helm-rs:\n{o}\nHelm:\n{t}"))
        .collect()
}

/// [`isolated`], on the environment's cluster (`--kubeconfig`).
pub fn on_cluster(program: impl AsRef<std::ffi::OsStr>, env: &Env, args: &[&str]) -> Command {
    let mut c = isolated(program, args);
    c.arg("--kubeconfig").arg(&env.kubeconfig);
    c
}

/// What Helm needs besides: the tests' shared scratch HOME and the unpacked oracle
/// ([`oracle_cache`]).
pub fn helm_home(c: &mut Command) -> &mut Command {
    c.env(
        "HOME",
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("helm-home"),
    )
    .env("HELM_ORACLE_CACHE", oracle_cache())
}

/// (exit ok, stdout, stderr) of a finished command.
pub fn outcome(o: std::process::Output) -> (bool, String, String) {
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// Runs Helm against the environment; (exit ok, stdout, stderr).
pub fn helm(env: &Env, oracle: &Path, args: &[&str]) -> (bool, String, String) {
    outcome(
        helm_home(&mut on_cluster(oracle, env, args))
            .output()
            .expect("run helm-oracle"),
    )
}

/// Writes `files` (paths relative to `dir`; their directories are created).
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a file in a directory")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// The oracle, when the environment variable `var` asks to record Helm's answers anew
/// (recording without the oracle fails).
pub fn recording<'a>(var: &str, oracle: &'a Option<PathBuf>) -> Option<&'a PathBuf> {
    std::env::var_os(var)
        .is_some()
        .then(|| oracle.as_ref().expect("recording needs the oracle"))
}

/// Ends a comparison of a table of cases with Helm: prints how many agree and fails with every
/// difference (`differ`, one description each) at once.
pub fn assert_all_agree(what: &str, cases: usize, differ: &[String]) {
    eprintln!(
        "{what} cases: {} agree, {} differ",
        cases - differ.len(),
        differ.len()
    );
    assert!(
        differ.is_empty(),
        "{} of {cases} cases differ from Helm:\n\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// A unique name for a test's namespace/release.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::SeqCst))
}

/// A Deployment (`RELEASE-d`, `.Values.replicas` replicas, default 1) that never becomes
/// ready here: the test environment has no nodes, so its pods are never scheduled.
pub const UNREADY_DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-d\nspec:\n  replicas: {{ .Values.replicas | default 1 }}\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n";

/// Writes a small chart: a ConfigMap whose data comes from `.Values.data`, an optional second
/// ConfigMap (`.Values.extra`), one kept by `helm.sh/resource-policy: keep` (`.Values.kept`),
/// a Service, and a pre-install/pre-upgrade hook ConfigMap deleted on success.
pub fn write_chart(dir: &Path, name: &str, version: &str) -> PathBuf {
    let c = dir.join(name);
    write_files(
        &c,
        &[
            ("Chart.yaml", &format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n")),
            ("values.yaml", "data: one\nextra: false\nkept: false\nhook: true\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  value: {{ .Values.data | quote }}\n  revision: {{ .Release.Revision | quote }}\n{{- if .Values.extra }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata:\n  a: b\n{{- end }}\n{{- if .Values.kept }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-kept\n  annotations:\n    helm.sh/resource-policy: keep\ndata:\n  a: b\n{{- end }}\n",
            ),
            ("templates/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\nspec:\n  ports:\n  - port: 80\n"),
            (
                "templates/hook.yaml",
                "{{- if .Values.hook }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: hook-succeeded\ndata:\n  a: b\n{{- end }}\n",
            ),
            ("templates/NOTES.txt", "Thanks for installing {{ .Release.Name }}.\n"),
        ],
    );
    c
}

/// A test's own directory under the system's temp dir (emptied first), removed when the test
/// passes and kept to look at when it fails.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("helm-rs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("mkdir");
        Scratch(d)
    }

    /// The path as a command-line argument.
    pub fn arg(&self) -> &str {
        self.0.to_str().expect("temp paths are UTF-8")
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("charts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// A chart directory packaged into `dir` as `helm package` would, base64-encoded as the release
/// server's `tgz_base64` takes it.
pub fn chart_tgz_base64(chart: &Path, dir: &Path) -> String {
    use base64::Engine;
    let opts = helm_core::chart::package::PackageOptions {
        version: None,
        app_version: None,
        destination: dir.to_path_buf(),
    };
    let tgz = helm_core::chart::package::package_dir(chart, &opts).expect("package");
    base64::engine::general_purpose::STANDARD.encode(std::fs::read(tgz).expect("read tgz"))
}

/// One request to the release server, with `token` as the bearer token: the status and the
/// JSON body (the text as a JSON string when it is not JSON).
pub async fn server_call(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}
