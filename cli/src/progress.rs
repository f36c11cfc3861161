//! What a release command shows while it runs, on standard error.
//!
//! Helm 4 prints nothing until an action ends, and a `--wait` that times out after minutes
//! says only which objects were not ready. helm-rs follows the action's progress events
//! ([`helm_kube::ProgressEvent`]) and shows them in one of three ways:
//! - **table** (the default on a terminal): one row per object of the release and per hook,
//!   redrawn in place as events arrive — applied, ready, not ready with kstatus' message and
//!   the reasons behind it (pods in CrashLoopBackOff with their last message, unschedulable
//!   pods, Warning events), deleted;
//! - **plain**: one line per event, for logs and CI (`--progress=plain`);
//! - **none**: nothing, as Helm (the default when standard error is not a terminal, so piped
//!   and captured output stays Helm's byte for byte).
//!
//! `--debug` off a terminal gives the plain lines as slog `level=DEBUG` records. The mode comes
//! from `--progress` or `HELM_RS_PROGRESS` (`auto`, `table`, `plain`, `none`).

use helm_core::gocompat::strconv::go_quote;
use helm_kube::{NotReady, ProgressEvent};
use std::io::Write;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Table,
    Plain,
    /// Plain lines as `level=DEBUG msg="…"` (Helm's `--debug` log format).
    Debug,
    None,
}

impl Mode {
    /// The mode for `--progress` (or `HELM_RS_PROGRESS`), `--debug` and whether standard error
    /// is a terminal.
    pub fn choose(flag: Option<&str>, debug: bool, terminal: bool) -> Result<Mode, String> {
        let env = std::env::var("HELM_RS_PROGRESS")
            .ok()
            .filter(|s| !s.is_empty());
        match flag.map(String::from).or(env).as_deref().unwrap_or("auto") {
            "table" => Ok(Mode::Table),
            "plain" => Ok(if terminal || !debug { Mode::Plain } else { Mode::Debug }),
            "none" => Ok(Mode::None),
            "auto" => Ok(if terminal {
                Mode::Table
            } else if debug {
                Mode::Debug
            } else {
                Mode::None
            }),
            other => Err(format!("invalid argument {other:?} for \"--progress\" flag: must be one of auto, table, plain, none")),
        }
    }
}

/// One row of the table: an object of the release or a hook.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    /// `Kind namespace/name` (`Kind name` when cluster-scoped).
    object: String,
    state: String,
    /// kstatus' message and the reasons behind it.
    why: Vec<String>,
}

/// The table's state, and how many lines the last drawing took (to draw over them).
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
    /// Lines other than rows (a release record written, an action failed), kept in order.
    notes: Vec<String>,
    drawn: usize,
}

fn object(kind: &str, namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {namespace}/{name}")
    }
}

impl Table {
    fn row(&mut self, object: String) -> &mut Row {
        if let Some(i) = self.rows.iter().position(|r| r.object == object) {
            return &mut self.rows[i];
        }
        self.rows.push(Row {
            object,
            state: String::new(),
            why: Vec::new(),
        });
        self.rows.last_mut().expect("just pushed")
    }

    /// Folds one event into the table.
    pub fn update(&mut self, ev: &ProgressEvent) {
        match ev {
            ProgressEvent::ResourceApplied {
                kind,
                namespace,
                name,
                ..
            } => {
                let r = self.row(object(kind, namespace, name));
                r.state = "applied".into();
                r.why.clear();
            }
            ProgressEvent::ResourceDeleted {
                kind,
                namespace,
                name,
                ..
            } => {
                let r = self.row(object(kind, namespace, name));
                r.state = "deleted".into();
                r.why.clear();
            }
            ProgressEvent::HookStarted {
                event,
                kind,
                name,
                weight,
            } => {
                let r = self.row(format!("{kind} {name} ({event} hook)"));
                r.state = "running".into();
                r.why = vec![format!("weight {weight}")];
            }
            ProgressEvent::HookSucceeded {
                event, kind, name, ..
            } => {
                let r = self.row(format!("{kind} {name} ({event} hook)"));
                r.state = "succeeded".into();
                r.why.clear();
            }
            ProgressEvent::HookFailed {
                event,
                kind,
                name,
                error,
                ..
            } => {
                let r = self.row(format!("{kind} {name} ({event} hook)"));
                r.state = "failed".into();
                r.why = vec![error.clone()];
            }
            ProgressEvent::Waiting { not_ready } => {
                let waiting: Vec<String> = not_ready
                    .iter()
                    .map(|n| object(&n.kind, &n.namespace, &n.name))
                    .collect();
                // The wait judges every applied object: those not in the set are ready.
                for r in self.rows.iter_mut().filter(|r| {
                    (r.state == "not ready" || r.state == "applied") && !waiting.contains(&r.object)
                }) {
                    r.state = "ready".into();
                    r.why.clear();
                }
                for n in not_ready {
                    let NotReady {
                        kind,
                        namespace,
                        name,
                        reason,
                        details,
                    } = n;
                    let r = self.row(object(kind, namespace, name));
                    r.state = "not ready".into();
                    r.why = std::iter::once(reason.clone())
                        .chain(details.iter().cloned())
                        .collect();
                }
            }
            ProgressEvent::Ready { .. } => {
                for r in self
                    .rows
                    .iter_mut()
                    .filter(|r| r.state == "not ready" || r.state == "applied")
                {
                    r.state = "ready".into();
                    r.why.clear();
                }
            }
            ProgressEvent::ActionFailed { .. } | ProgressEvent::InstallingInstead { .. } => {}
            ProgressEvent::ReleaseRecorded { .. } | ProgressEvent::ReleaseRecordDeleted { .. } => {
                self.notes.push(ev.to_string())
            }
        }
    }

    /// The table as lines no wider than `width`: the release records written so far, a header,
    /// then each row with its reasons indented below the first.
    pub fn lines(&self, width: usize) -> Vec<String> {
        let w_obj = self
            .rows
            .iter()
            .map(|r| r.object.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        let w_state = self
            .rows
            .iter()
            .map(|r| r.state.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        let mut out = self.notes.clone();
        out.push(format!(
            "{:<w_obj$}  {:<w_state$}  DETAIL",
            "OBJECT", "STATUS"
        ));
        for r in &self.rows {
            let mut why = r.why.iter();
            out.push(
                format!(
                    "{:<w_obj$}  {:<w_state$}  {}",
                    r.object,
                    r.state,
                    why.next().map(String::as_str).unwrap_or("")
                )
                .trim_end()
                .to_string(),
            );
            for more in why {
                out.push(format!("{:w$}{more}", "", w = w_obj + w_state + 4));
            }
        }
        out.into_iter().map(|l| clip(&l, width)).collect()
    }

    /// Draws the table over its previous drawing (ANSI: up to its first line, clear below).
    pub fn draw(&mut self, w: &mut impl Write, width: usize) {
        let lines = self.lines(width);
        let mut text = String::new();
        if self.drawn > 0 {
            text.push_str(&format!("\x1b[{}F\x1b[J", self.drawn));
        }
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        self.drawn = lines.len();
        let _ = w.write_all(text.as_bytes());
        let _ = w.flush();
    }
}

/// A line cut to `width` characters (a wrapped line would throw off the redrawing).
fn clip(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        line.to_string()
    } else {
        let mut s: String = line.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The terminal's width (standard error's), or 100 when it cannot be told.
pub fn terminal_width() -> usize {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: TIOCGWINSZ fills a winsize struct for a terminal file descriptor and fails
        // harmlessly for anything else.
        let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut ws) } == 0 && ws.ws_col > 0 {
            return ws.ws_col as usize;
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|c| *c > 0)
        .unwrap_or(100)
}

/// One event as a plain line (objects as `Kind namespace/name`).
pub fn plain_line(ev: &ProgressEvent) -> String {
    match (ev, ev.object()) {
        (ProgressEvent::ResourceApplied { .. }, Some(o)) => format!("applied {o}"),
        (ProgressEvent::ResourceDeleted { .. }, Some(o)) => format!("deleted {o}"),
        _ => ev.to_string(),
    }
}

/// Shows one event in `mode` (`table`: the table to fold it into and redraw).
pub fn show(mode: Mode, table: &std::sync::Mutex<Table>, ev: &ProgressEvent) {
    let mut err = std::io::stderr().lock();
    match mode {
        Mode::None => {}
        Mode::Plain => {
            let _ = writeln!(err, "{}", plain_line(ev));
        }
        Mode::Debug => {
            let _ = writeln!(err, "level=DEBUG msg={}", go_quote(&plain_line(ev)));
        }
        Mode::Table => {
            let mut t = table.lock().unwrap_or_else(|p| p.into_inner());
            t.update(ev);
            t.draw(&mut err, terminal_width());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nr(kind: &str, name: &str, reason: &str, details: &[&str]) -> NotReady {
        NotReady {
            kind: kind.into(),
            namespace: "ns".into(),
            name: name.into(),
            reason: reason.into(),
            details: details.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn rows_follow_the_events() {
        let mut t = Table::default();
        for (kind, name) in [("ConfigMap", "cfg"), ("Deployment", "web")] {
            t.update(&ProgressEvent::ResourceApplied {
                kind: kind.into(),
                namespace: "ns".into(),
                name: name.into(),
                resource: String::new(),
            });
        }
        t.update(&ProgressEvent::Waiting {
            not_ready: vec![nr(
                "Deployment",
                "web",
                "Available: 0/1",
                &["pod web-1: container app CrashLoopBackOff (last exit 1: boom)"],
            )],
        });
        assert_eq!(
            t.lines(200),
            vec![
                "OBJECT             STATUS     DETAIL",
                "ConfigMap ns/cfg   ready",
                "Deployment ns/web  not ready  Available: 0/1",
                "                              pod web-1: container app CrashLoopBackOff (last exit 1: boom)",
            ]
        );
        t.update(&ProgressEvent::Ready { count: 2 });
        assert_eq!(
            t.lines(200)[1..],
            ["ConfigMap ns/cfg   ready", "Deployment ns/web  ready"]
        );
        t.update(&ProgressEvent::ReleaseRecorded {
            name: "r".into(),
            namespace: "ns".into(),
            revision: 1,
            status: "deployed".into(),
            created: false,
        });
        assert_eq!(
            t.lines(200)[0],
            "updated release record sh.helm.release.v1.r.v1 (deployed)"
        );
        assert_eq!(t.lines(20)[3], "Deployment ns/web  …");
    }

    #[test]
    fn redrawing_goes_back_over_the_previous_table() {
        let mut t = Table::default();
        let mut buf = Vec::new();
        t.update(&ProgressEvent::ResourceApplied {
            kind: "ConfigMap".into(),
            namespace: "ns".into(),
            name: "c".into(),
            resource: String::new(),
        });
        t.draw(&mut buf, 80);
        t.update(&ProgressEvent::Ready { count: 1 });
        t.draw(&mut buf, 80);
        let text = String::from_utf8(buf).expect("utf8");
        assert!(text.contains("\x1b[2F\x1b[J"), "{text:?}");
        assert!(text.ends_with("ConfigMap ns/c  ready\n"), "{text:?}");
    }

    #[test]
    fn modes() {
        assert_eq!(Mode::choose(None, false, true), Ok(Mode::Table));
        assert_eq!(Mode::choose(None, false, false), Ok(Mode::None));
        assert_eq!(Mode::choose(None, true, false), Ok(Mode::Debug));
        assert_eq!(Mode::choose(Some("plain"), false, true), Ok(Mode::Plain));
        assert_eq!(Mode::choose(Some("none"), true, true), Ok(Mode::None));
        assert!(Mode::choose(Some("fancy"), false, true).is_err());
    }
}
