//! Helpers shared by the repository tests: an isolated Helm home, the oracle, a static HTTP
//! server on 127.0.0.1, and chart archives made by `helm-rs create` + `package`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn workspace_root() -> PathBuf {
    Path::new(
        &std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .parent()
    .unwrap()
    .to_path_buf()
}

pub fn oracle() -> Option<PathBuf> {
    let p = workspace_root().join("../shared/tools/helm-oracle");
    if p.exists() {
        Some(p)
    } else {
        println!("skipping Helm interop: ../shared/tools/helm-oracle is absent");
        None
    }
}

/// An isolated Helm home: repositories file, cache and registry config in a temp dir.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn cmd(&self, program: &Path, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(self.path())
            .env(
                "HELM_REPOSITORY_CONFIG",
                self.path().join("home/repositories.yaml"),
            )
            .env("HELM_REPOSITORY_CACHE", self.path().join("home/cache"))
            .env(
                "HELM_REGISTRY_CONFIG",
                self.path().join("home/registry.json"),
            )
            .env("HELM_CONFIG_HOME", self.path().join("home/config"))
            .env("HELM_CACHE_HOME", self.path().join("home/cachehome"))
            .env("HELM_DATA_HOME", self.path().join("home/data"))
            .output()
            .unwrap()
    }
    pub fn ours(&self, args: &[&str]) -> Output {
        self.cmd(Path::new(env!("CARGO_BIN_EXE_helm-rs")), args)
    }
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.ours(args);
        assert!(
            o.status.success(),
            "helm-rs {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
    pub fn err(&self, args: &[&str]) -> String {
        let o = self.ours(args);
        assert!(!o.status.success(), "helm-rs {args:?} should fail");
        String::from_utf8(o.stderr).unwrap()
    }
    pub fn helm_ok(&self, helm: &Path, args: &[&str]) -> String {
        let o = self.cmd(helm, args);
        assert!(
            o.status.success(),
            "helm {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
}

pub fn b64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A static file server for `root` on 127.0.0.1, optionally requiring basic auth. It serves
/// until the test process ends (each test has its own port and directory).
pub fn serve(root: &Path, auth: Option<(&str, &str)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let root = root.to_path_buf();
    let expected = auth.map(|(u, p)| format!("Basic {}", b64(format!("{u}:{p}").as_bytes())));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let expected = expected.clone();
            std::thread::spawn(move || handle(stream, &root, expected.as_deref()));
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn handle(mut stream: TcpStream, root: &Path, auth: Option<&str>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
        }
    }
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let (status, body) = if auth.is_some() && authorization.as_deref() != auth {
        ("401 Unauthorized", b"unauthorized\n".to_vec())
    } else if path.contains("..") {
        ("404 Not Found", Vec::new())
    } else {
        match std::fs::read(root.join(path.trim_start_matches('/'))) {
            Ok(d) => ("200 OK", d),
            Err(_) => ("404 Not Found", b"not found\n".to_vec()),
        }
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
    let _ = stream.flush();
    let mut sink = Vec::new();
    let _ = reader.read_to_end(&mut sink);
}

/// `helm-rs create NAME` + `helm-rs package` into `repo_dir`; returns the archive name.
pub fn make_chart(home: &Home, name: &str, version: &str, repo_dir: &Path) -> String {
    let work = home.path().join("src");
    std::fs::create_dir_all(&work).unwrap();
    let chart_dir = work.join(name);
    if !chart_dir.exists() {
        let o = Command::new(env!("CARGO_BIN_EXE_helm-rs"))
            .arg("create")
            .arg(name)
            .current_dir(&work)
            .output()
            .unwrap();
        assert!(o.status.success());
    }
    std::fs::create_dir_all(repo_dir).unwrap();
    home.ok(&[
        "package",
        chart_dir.to_str().unwrap(),
        "--version",
        version,
        "-d",
        repo_dir.to_str().unwrap(),
    ]);
    format!("{name}-{version}.tgz")
}

/// A repository directory `repo` in `home` with `mychart` packaged at each of `versions` and
/// indexed by `helm-rs repo index`.
pub fn indexed_repo(home: &Home, versions: &[&str]) -> PathBuf {
    let repo_dir = home.path().join("repo");
    for v in versions {
        make_chart(home, "mychart", v, &repo_dir);
    }
    home.ok(&["repo", "index", repo_dir.to_str().unwrap()]);
    repo_dir
}

/// A registry process, killed when dropped.
pub struct RegistryProcess {
    child: std::process::Child,
    pub host: String,
}

impl Drop for RegistryProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_registry() -> Option<String> {
    for name in ["docker-registry", "registry"] {
        if Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(name.to_string());
        }
    }
    println!("skipping OCI tests: docker-registry is not installed (scripts/test.d/setup-repo.sh installs it)");
    None
}

/// Debian's `docker-registry` (the CNCF distribution registry) on a free 127.0.0.1 port with
/// its storage in `dir`, over plain HTTP; with `htpasswd` = (user, password) it requires basic
/// auth. `None` (with a note) when the registry is not installed.
pub fn start_registry(dir: &Path, htpasswd: Option<(&str, &str)>) -> Option<RegistryProcess> {
    let bin = find_registry()?;
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
        dir.join("data").display()
    );
    if let Some((u, p)) = htpasswd {
        let hash = bcrypt::hash(p, 5).unwrap();
        std::fs::write(dir.join("htpasswd"), format!("{u}:{hash}\n")).unwrap();
        config.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
            dir.join("htpasswd").display()
        ));
    }
    std::fs::write(dir.join("config.yml"), config).unwrap();
    let mut child = Command::new(bin)
        .args(["serve", dir.join("config.yml").to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let host = format!("127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(&host).is_ok() {
            return Some(RegistryProcess { child, host });
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("docker-registry did not start on {host}");
}
