//! Progress of downloads and uploads (cli/src/transfer.rs) as a person sees it: each command
//! runs with standard error on a pseudo-terminal (Python's `pty` module; standard output stays
//! a pipe so it can be compared byte for byte with the same command run without a terminal),
//! against a real HTTP chart repository on 127.0.0.1 and Debian's `docker-registry`.
//!
//! Checked: the bars name each repository and chart and end on the exact byte count of the
//! file; `--progress=plain` gives one line per event; `NO_COLOR=1` and `TERM=dumb` give no
//! colour sequences (dumb: no escape sequence at all); `--progress=none` and a standard error
//! that is not a terminal add nothing (standard output is unchanged either way).

mod repo_common;
use repo_common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `program args` with standard error on a pseudo-terminal of 120 columns and writes
/// what the terminal received to the file named by the first argument; standard output is
/// inherited, the exit status passed on.
const PTY_RUNNER: &str = r#"
import fcntl, os, pty, struct, subprocess, sys, termios
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stderr=slave)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
rc = p.wait()
with open(sys.argv[1], "wb") as f:
    f.write(data)
sys.exit(rc)
"#;

fn python() -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-I", "-c", "import pty, termios, fcntl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipping terminal progress tests: python3 with the pty module is absent");
    }
    ok.then_some("python3")
}

/// What one run gave: standard output, standard error (as the terminal received it, `\r\n`
/// made `\n`, when run on one) and whether it succeeded.
struct Run {
    stdout: String,
    stderr: String,
    ok: bool,
}

struct Env<'a> {
    home: &'a Home,
    vars: Vec<(&'static str, &'static str)>,
}

impl Env<'_> {
    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let h = self.home.path();
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(h)
            .env("HELM_REPOSITORY_CONFIG", h.join("home/repositories.yaml"))
            .env("HELM_REPOSITORY_CACHE", h.join("home/cache"))
            .env("HELM_REGISTRY_CONFIG", h.join("home/registry.json"))
            .env("HELM_CONFIG_HOME", h.join("home/config"))
            .env("HELM_CACHE_HOME", h.join("home/cachehome"))
            .env("HELM_DATA_HOME", h.join("home/data"))
            .env_remove("HELM_RS_PROGRESS")
            .env_remove("NO_COLOR")
            .env_remove("HELM_COLOR")
            .env("TERM", "xterm-256color");
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// Without a terminal.
    fn piped(&self, args: &[&str]) -> Run {
        let o = self
            .command(Path::new(env!("CARGO_BIN_EXE_helm-rs")), args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        run_of(o, None)
    }

    /// With standard error on a terminal.
    fn on_terminal(&self, python: &str, args: &[&str]) -> Run {
        let capture = tempfile::NamedTempFile::new().unwrap();
        // `-I`: the runner's own modules only (not a `pty.py` in the working directory).
        let mut full = vec![
            "-I",
            "-c",
            PTY_RUNNER,
            capture.path().to_str().unwrap(),
            env!("CARGO_BIN_EXE_helm-rs"),
        ];
        full.extend_from_slice(args);
        let o = self.command(Path::new(python), &full).output().unwrap();
        assert!(
            o.stderr.is_empty(),
            "the pty runner failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        run_of(o, Some(std::fs::read(capture.path()).unwrap()))
    }
}

fn run_of(o: Output, terminal: Option<Vec<u8>>) -> Run {
    let stderr = terminal.unwrap_or(o.stderr);
    Run {
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap().replace("\r\n", "\n"),
        ok: o.status.success(),
    }
}

/// The lines a terminal of 120 columns shows at the end of `captured` (a small emulator of
/// what indicatif relies on: `\r`, newlines, cursor up/down, clearing, and the pending wrap
/// of a line written to the last column), trailing blanks trimmed.
fn final_lines(captured: &str) -> Vec<String> {
    const WIDTH: usize = 120;
    let mut screen: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = captured.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                row += 1;
                col = 0;
            }
            '\r' => col = 0,
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    continue;
                }
                chars.next();
                let mut arg = String::new();
                let mut fin = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        fin = c;
                        break;
                    }
                    arg.push(c);
                }
                let n: usize = arg.parse().unwrap_or(1);
                match fin {
                    'A' => row = row.saturating_sub(n),
                    'B' => row += n,
                    'F' => {
                        row = row.saturating_sub(n);
                        col = 0;
                    }
                    'K' => {
                        if let Some(l) = screen.get_mut(row) {
                            if arg == "2" {
                                l.clear();
                            } else {
                                l.truncate(col);
                            }
                        }
                    }
                    'J' => screen.truncate(row + 1),
                    _ => {}
                }
                col = col.min(WIDTH);
            }
            c => {
                if col >= WIDTH {
                    row += 1;
                    col = 0;
                }
                while screen.len() <= row {
                    screen.push(Vec::new());
                }
                let line = &mut screen[row];
                while line.len() <= col {
                    line.push(' ');
                }
                line[col] = c;
                col += 1;
            }
        }
        while screen.len() <= row {
            screen.push(Vec::new());
        }
    }
    screen
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether `s` has a colour (SGR) sequence.
fn has_colour(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == 0x1b && b.get(i + 1) == Some(&b'[') && {
            let rest = &b[i + 2..];
            let n = rest
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b';')
                .count();
            rest.get(n) == Some(&b'm')
        }
    })
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

fn file_size_line(lines: &[String], want: &str) {
    assert!(
        lines.iter().any(|l| l == want),
        "no line {want:?} in {lines:#?}"
    );
}

/// An HTTP repository "stable" with mychart 0.1.0, and a chart `parent` depending on it.
fn http_setup(home: &Home) -> (PathBuf, PathBuf) {
    let repo = indexed_repo(home, &["0.1.0"]);
    let url = serve(&repo, None);
    home.ok(&["repo", "add", "stable", &url]);
    let parent = home.path().join("parent");
    std::fs::create_dir_all(parent.join("templates")).unwrap();
    std::fs::write(
        parent.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: mychart\n  version: 0.1.0\n  repository: {url}\n"
        ),
    )
    .unwrap();
    (repo, parent)
}

#[test]
fn repo_update_dependency_and_pull_show_bars_on_a_terminal() {
    let Some(py) = python() else { return };
    let home = Home::new();
    let (repo, parent) = http_setup(&home);
    let index_size = size(&repo.join("index.yaml"));
    let chart_size = size(&repo.join("mychart-0.1.0.tgz"));
    let env = Env {
        home: &home,
        vars: vec![],
    };

    // repo update: one bar for the repository, ending on the index's size; stdout is Helm's.
    let piped = env.piped(&["repo", "update"]);
    assert!(piped.ok);
    assert_eq!(piped.stderr, "", "nothing is added without a terminal");
    let tty = env.on_terminal(py, &["repo", "update"]);
    assert!(tty.ok, "{}", tty.stderr);
    assert_eq!(tty.stdout, piped.stdout);
    println!("repo update on a terminal:\n{:?}", tty.stderr);
    let lines = final_lines(&tty.stderr);
    file_size_line(
        &lines,
        &format!("✓ fetched index of \"stable\": {index_size} bytes"),
    );
    assert!(has_colour(&tty.stderr), "{:?}", tty.stderr);

    // dependency update, then build from the lock: the index, then the chart.
    let parent_s = parent.to_str().unwrap();
    let piped = env.piped(&["dependency", "update", parent_s]);
    assert!(piped.ok, "{}", piped.stderr);
    assert_eq!(piped.stderr, "");
    std::fs::remove_dir_all(parent.join("charts")).unwrap();
    for cmd in ["build", "update"] {
        let tty = env.on_terminal(py, &["dependency", cmd, parent_s]);
        assert!(tty.ok, "{}", tty.stderr);
        println!("dependency {cmd} on a terminal:\n{:?}", tty.stderr);
        let piped = env.piped(&["dependency", cmd, parent_s]);
        assert_eq!(tty.stdout, piped.stdout);
        assert_eq!(piped.stderr, "");
        let lines = final_lines(&tty.stderr);
        file_size_line(
            &lines,
            &format!("✓ downloaded chart mychart-0.1.0.tgz: {chart_size} bytes"),
        );
        file_size_line(
            &lines,
            &format!("✓ fetched index of \"stable\": {index_size} bytes"),
        );
        assert_eq!(size(&parent.join("charts/mychart-0.1.0.tgz")), chart_size);
    }

    // pull (and template of the same reference, which downloads through the same path).
    let dl = home.path().join("dl");
    let tty = env.on_terminal(py, &["pull", "stable/mychart", "-d", dl.to_str().unwrap()]);
    assert!(tty.ok, "{}", tty.stderr);
    println!("pull on a terminal:\n{:?}", tty.stderr);
    assert_eq!(tty.stdout, "");
    assert_eq!(size(&dl.join("mychart-0.1.0.tgz")), chart_size);
    file_size_line(
        &final_lines(&tty.stderr),
        &format!("✓ downloaded chart mychart-0.1.0.tgz: {chart_size} bytes"),
    );
    let tty = env.on_terminal(py, &["template", "r", "stable/mychart"]);
    assert!(tty.ok, "{}", tty.stderr);
    let piped = env.piped(&["template", "r", "stable/mychart"]);
    assert_eq!(tty.stdout, piped.stdout);
    assert_eq!(piped.stderr, "");
    file_size_line(
        &final_lines(&tty.stderr),
        &format!("✓ downloaded chart mychart-0.1.0.tgz: {chart_size} bytes"),
    );

    // A repository whose index is gone: its bar ends failed, and the command's own report
    // (stdout, and the error after the bars) is unchanged.
    let broken = home.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::copy(repo.join("index.yaml"), broken.join("index.yaml")).unwrap();
    let broken_url = serve(&broken, None);
    home.ok(&["repo", "add", "broken", &broken_url]);
    std::fs::remove_file(broken.join("index.yaml")).unwrap();
    let tty = env.on_terminal(py, &["repo", "update", "broken"]);
    let piped = env.piped(&["repo", "update", "broken"]);
    assert!(!tty.ok && !piped.ok);
    assert_eq!(tty.stdout, piped.stdout);
    let lines = final_lines(&tty.stderr);
    file_size_line(
        &lines,
        &format!("✗ failed to fetch index of \"broken\": failed to fetch {broken_url}/index.yaml : 404 Not Found"),
    );
    assert_eq!(
        lines.last().map(String::as_str),
        piped.stderr.lines().last()
    );
}

#[test]
fn plain_lines_no_colour_dumb_terminals_and_none() {
    let Some(py) = python() else { return };
    let home = Home::new();
    let (repo, _parent) = http_setup(&home);
    let index_size = size(&repo.join("index.yaml"));
    let chart_size = size(&repo.join("mychart-0.1.0.tgz"));
    let dl = home.path().join("dl");
    let pull = ["pull", "stable/mychart", "-d", dl.to_str().unwrap()];
    let plain = |vars: Vec<(&'static str, &'static str)>| Env { home: &home, vars };

    // --progress=plain: one line per event, on a terminal or not.
    let expected =
        format!("fetching index of \"stable\"\nfetched index of \"stable\": {index_size} bytes\n");
    let env = plain(vec![]);
    let tty = env.on_terminal(py, &["repo", "update", "--progress=plain"]);
    assert!(tty.ok);
    assert_eq!(tty.stderr, expected);
    let piped = env.piped(&["repo", "update", "--progress=plain"]);
    assert_eq!(piped.stderr, expected);
    assert_eq!(piped.stdout, tty.stdout);
    let env = plain(vec![("HELM_RS_PROGRESS", "plain")]);
    let mut args = pull.to_vec();
    let tty = env.on_terminal(py, &args);
    assert_eq!(
        tty.stderr,
        format!(
            "downloading chart mychart-0.1.0.tgz\ndownloaded chart mychart-0.1.0.tgz: {chart_size} bytes\n"
        )
    );

    // NO_COLOR: bars that redraw, without colour.
    let env = plain(vec![("NO_COLOR", "1")]);
    let tty = env.on_terminal(py, &args);
    assert!(tty.ok);
    assert!(
        tty.stderr.contains('\x1b'),
        "still redrawn: {:?}",
        tty.stderr
    );
    assert!(!has_colour(&tty.stderr), "{:?}", tty.stderr);
    file_size_line(
        &final_lines(&tty.stderr),
        &format!("✓ downloaded chart mychart-0.1.0.tgz: {chart_size} bytes"),
    );
    let env = plain(vec![]);
    let tty = env.on_terminal(
        py,
        &[
            "pull",
            "stable/mychart",
            "-d",
            dl.to_str().unwrap(),
            "--color",
            "never",
        ],
    );
    assert!(!has_colour(&tty.stderr), "{:?}", tty.stderr);

    // TERM=dumb: plain lines, no escape sequence at all.
    let env = plain(vec![("TERM", "dumb")]);
    let tty = env.on_terminal(py, &args);
    assert_eq!(
        tty.stderr,
        format!(
            "downloading chart mychart-0.1.0.tgz\ndownloaded chart mychart-0.1.0.tgz: {chart_size} bytes\n"
        )
    );

    // --progress=none on a terminal: nothing.
    let env = plain(vec![]);
    args.push("--progress=none");
    let tty = env.on_terminal(py, &args);
    assert!(tty.ok);
    assert_eq!(tty.stderr, "");
    let err = env.piped(&["repo", "update", "--progress=fancy"]);
    assert!(!err.ok);
    assert_eq!(err.stderr, "Error: invalid argument \"fancy\" for \"--progress\" flag: must be one of auto, table, plain, none\n");
}

#[test]
fn push_and_pull_of_an_oci_registry() {
    let Some(py) = python() else { return };
    let home = Home::new();
    let Some(reg) = start_registry(home.path(), None) else {
        return;
    };
    let charts = home.path().join("charts");
    make_chart(&home, "mychart", "0.1.0", &charts);
    let archive = charts.join("mychart-0.1.0.tgz");
    let chart_size = size(&archive);
    let remote = format!("oci://{}/ours", reg.host);
    let env = Env {
        home: &home,
        vars: vec![],
    };
    let push = ["push", archive.to_str().unwrap(), &remote, "--plain-http"];

    // push: the chart layer's bar ends on the archive's size; the Pushed/Digest report follows.
    let tty = env.on_terminal(py, &push);
    assert!(tty.ok, "{}", tty.stderr);
    println!("push on a terminal:\n{:?}", tty.stderr);
    let lines = final_lines(&tty.stderr);
    file_size_line(
        &lines,
        &format!("✓ uploaded chart mychart-0.1.0.tgz: {chart_size} bytes"),
    );
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("Pushed: {}/ours/mychart:0.1.0", reg.host)),
        "{lines:#?}"
    );
    // Pushed again: the registry has the blob, nothing is sent, and the line says so.
    let tty = env.on_terminal(py, &[&push[..], &["--progress=plain"]].concat());
    assert!(tty.stderr.starts_with(&format!(
        "uploading chart mychart-0.1.0.tgz ({chart_size} bytes)\nskipped chart mychart-0.1.0.tgz ({chart_size} bytes): already in the registry\nPushed: "
    )), "{:?}", tty.stderr);
    let piped = env.piped(&push);
    assert!(piped.stderr.starts_with("Pushed: "), "{:?}", piped.stderr);

    // pull: the layer's size is known from the manifest, so the plain line gives it first.
    let dl = home.path().join("dl");
    let pull = [
        "pull",
        &format!("{remote}/mychart"),
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
        dl.to_str().unwrap(),
    ]
    .map(String::from);
    let pull: Vec<&str> = pull.iter().map(String::as_str).collect();
    let tty = env.on_terminal(py, &pull);
    assert!(tty.ok, "{}", tty.stderr);
    println!("OCI pull on a terminal:\n{:?}", tty.stderr);
    file_size_line(
        &final_lines(&tty.stderr),
        &format!("✓ downloaded chart mychart-0.1.0.tgz: {chart_size} bytes"),
    );
    assert_eq!(size(&dl.join("mychart-0.1.0.tgz")), chart_size);
    let plain = env.on_terminal(py, &[&pull[..], &["--progress=plain"]].concat());
    let piped = env.piped(&pull);
    assert!(piped.stderr.starts_with("Pulled: "), "{:?}", piped.stderr);
    // (The size is announced when the manifest's descriptor gives it, else it comes with the
    // response's Content-Length, after the first line.)
    let (first, rest) = plain.stderr.split_once('\n').unwrap();
    assert!(
        first == "downloading chart mychart-0.1.0.tgz"
            || first == format!("downloading chart mychart-0.1.0.tgz ({chart_size} bytes)"),
        "{:?}",
        plain.stderr
    );
    assert_eq!(
        rest,
        format!(
            "downloaded chart mychart-0.1.0.tgz: {chart_size} bytes\n{}",
            piped.stderr
        )
    );
}
