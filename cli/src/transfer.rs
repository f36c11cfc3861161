//! What the commands that download or upload show while the bytes move, on standard error:
//! `repo add`/`repo update` (each repository's index), `dependency build|update` (indexes and
//! each chart), `pull` and a remote chart of `install`/`upgrade`/`template` (the chart and its
//! `.prov`), and `push` (the chart and `.prov` layers sent to the registry).
//!
//! Helm prints nothing while it transfers, and captured or piped output must stay Helm's byte
//! for byte, so the default (`auto`) shows progress only when standard error is a terminal:
//! - **bars**: one line per transfer, redrawn in place by indicatif — a spinner and the bytes
//!   so far while the size is unknown, a bar with bytes/total once Content-Length (or the
//!   blob's descriptor) tells it — and left behind as one final line (`✓ downloaded chart
//!   mychart-0.1.0.tgz: 3456 bytes`, or `✗ failed to …`). Stdout's own lines (Helm's
//!   "Downloading …", "...Successfully got an update …") come between bars, never under one,
//!   because transfers run one at a time and each bar is finished before the next line.
//! - **lines** (`--progress=plain`, and any progress on a `TERM=dumb` terminal, which cannot
//!   move the cursor): one line per event — started, finished, skipped or failed.
//! - **off**: `--progress=none`, or `auto` when standard error is not a terminal.
//!
//! The mode comes from the command's `--progress` (or `HELM_RS_PROGRESS`) as for release
//! actions ([`crate::progress::Mode`]); `--debug` adds no records here. Colour (green ✓, red
//! ✗) follows Helm's rules for standard error ([`crate::color::stderr_enabled`]); without it
//! the bars still redraw, with cursor movements only.
//!
//! The events come from the transport itself ([`helm_kube::repo::progress`]): this module only
//! draws them.

use crate::progress::Mode;
use crate::CmdError;
use helm_kube::repo::{Direction, TransferEvent, TransferKind, TransferObserver};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How transfers are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Bars,
    Lines,
    Off,
}

impl Style {
    /// The style for `--progress` (or `HELM_RS_PROGRESS`), whether standard error is a
    /// terminal, and whether that terminal is `dumb`.
    pub fn choose(flag: Option<&str>, terminal: bool, dumb: bool) -> Result<Style, String> {
        Ok(match Mode::choose(flag, false, terminal)? {
            Mode::Table if terminal && !dumb => Style::Bars,
            Mode::Table | Mode::Plain => Style::Lines,
            Mode::Debug | Mode::None => Style::Off,
        })
    }
}

/// The `--progress` of the running command (None: not given, `HELM_RS_PROGRESS` or `auto`).
static FLAG: OnceLock<Option<String>> = OnceLock::new();

/// Settles the command's `--progress`, refusing a value that is not a mode.
pub fn configure(flag: Option<&str>) -> Result<(), CmdError> {
    current_style(flag).map_err(CmdError)?;
    let _ = FLAG.set(flag.map(String::from));
    Ok(())
}

fn current_style(flag: Option<&str>) -> Result<Style, String> {
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    Style::choose(flag, std::io::stderr().is_terminal(), dumb)
}

/// The observer for the transport, or None when nothing is to be shown. A bad
/// `HELM_RS_PROGRESS` with no command flag to report it shows nothing.
pub fn observer() -> Option<TransferObserver> {
    let flag = FLAG.get().cloned().flatten();
    let style = current_style(flag.as_deref()).unwrap_or(Style::Off);
    if style == Style::Off {
        return None;
    }
    let r = Arc::new(Renderer {
        style,
        colour: crate::color::stderr_enabled(),
        bars: Mutex::new(HashMap::new()),
    });
    Some(Arc::new(move |ev: &TransferEvent| r.show(ev)))
}

/// What is moving, as a person says it: `index of "stable"`, `chart mychart-0.1.0.tgz`.
fn noun(kind: TransferKind, name: &str) -> String {
    match kind {
        TransferKind::Index => format!("index of {name:?}"),
        TransferKind::Chart => format!("chart {name}"),
        TransferKind::Provenance => format!("provenance {name}"),
    }
}

/// The verb of a transfer (present participle, past, infinitive).
fn verbs(kind: TransferKind, direction: Direction) -> (&'static str, &'static str, &'static str) {
    match (direction, kind) {
        (Direction::Upload, _) => ("uploading", "uploaded", "upload"),
        (Direction::Download, TransferKind::Index) => ("fetching", "fetched", "fetch"),
        (Direction::Download, _) => ("downloading", "downloaded", "download"),
    }
}

/// The first line of an error (bars are one line each).
fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// One event as a line, or None for the byte counts in between (lines mode, and the final
/// line of a bar).
pub fn line(ev: &TransferEvent) -> Option<String> {
    let t = ev.transfer();
    let what = noun(t.kind, &t.name);
    let (ing, ed, verb) = verbs(t.kind, t.direction);
    match ev {
        TransferEvent::Started { total, .. } => Some(match total {
            Some(n) => format!("{ing} {what} ({n} bytes)"),
            None => format!("{ing} {what}"),
        }),
        TransferEvent::Advanced { .. } => None,
        TransferEvent::Finished { bytes, .. } => Some(format!("{ed} {what}: {bytes} bytes")),
        TransferEvent::Skipped { bytes, reason, .. } => {
            Some(format!("skipped {what} ({bytes} bytes): {reason}"))
        }
        TransferEvent::Failed { error, .. } => {
            Some(format!("failed to {verb} {what}: {}", first_line(error)))
        }
    }
}

struct Renderer {
    style: Style,
    colour: bool,
    bars: Mutex<HashMap<u64, ProgressBar>>,
}

impl Renderer {
    fn show(&self, ev: &TransferEvent) {
        match self.style {
            Style::Off => {}
            Style::Lines => {
                if let Some(l) = line(ev) {
                    let _ = writeln!(std::io::stderr().lock(), "{l}");
                }
            }
            Style::Bars => self.bar(ev),
        }
    }

    fn paint(&self, s: &str, code: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn bar(&self, ev: &TransferEvent) {
        let t = ev.transfer();
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        match ev {
            TransferEvent::Started { total, .. } => {
                // Set up out of sight: a bar draws on every change, and its default style is
                // not ours.
                let pb = ProgressBar::hidden();
                pb.set_prefix(noun(t.kind, &t.name));
                pb.set_message(verbs(t.kind, t.direction).0);
                self.shape(&pb, *total);
                pb.set_draw_target(ProgressDrawTarget::stderr());
                pb.enable_steady_tick(Duration::from_millis(100));
                bars.insert(t.id, pb);
            }
            TransferEvent::Advanced { done, total, .. } => {
                if let Some(pb) = bars.get(&t.id) {
                    if total.is_some() && pb.length() != *total {
                        self.shape(pb, *total);
                    }
                    pb.set_position(*done);
                }
            }
            TransferEvent::Finished { .. }
            | TransferEvent::Skipped { .. }
            | TransferEvent::Failed { .. } => {
                let ok = !matches!(ev, TransferEvent::Failed { .. });
                let mark = if ok {
                    self.paint("✓", "32")
                } else {
                    self.paint("✗", "31")
                };
                let text = format!("{mark} {}", line(ev).unwrap_or_default());
                let pb = bars.remove(&t.id).unwrap_or_else(|| {
                    let pb = ProgressBar::hidden();
                    pb.set_draw_target(ProgressDrawTarget::stderr());
                    pb
                });
                pb.set_style(ProgressStyle::with_template("{wide_msg}").expect("template"));
                pb.finish_with_message(text);
            }
        }
    }

    /// A spinner with the bytes so far while the size is unknown; a bar once it is known.
    fn shape(&self, pb: &ProgressBar, total: Option<u64>) {
        let spinner = self.paint("{spinner}", "36");
        let template = match total {
            Some(n) => {
                pb.set_length(n);
                format!("{spinner} {{prefix}} {{msg}} [{{bar:30}}] {{bytes}}/{{total_bytes}}")
            }
            None => format!("{spinner} {{prefix}} {{msg}} {{bytes}}"),
        };
        let style = ProgressStyle::with_template(&template)
            .expect("template")
            .progress_chars("=> ");
        pb.set_style(style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helm_kube::repo::Transfer;

    fn t(kind: TransferKind, direction: Direction, name: &str) -> Transfer {
        Transfer {
            id: 1,
            kind,
            direction,
            name: name.into(),
        }
    }

    #[test]
    fn lines_name_the_transfer_and_its_bytes() {
        let index = t(TransferKind::Index, Direction::Download, "stable");
        let chart = t(TransferKind::Chart, Direction::Upload, "c-0.1.0.tgz");
        let cases = [
            (
                TransferEvent::Started {
                    transfer: index.clone(),
                    total: None,
                },
                Some("fetching index of \"stable\""),
            ),
            (
                TransferEvent::Advanced {
                    transfer: index.clone(),
                    done: 3,
                    total: None,
                },
                None,
            ),
            (
                TransferEvent::Finished {
                    transfer: index.clone(),
                    bytes: 12,
                },
                Some("fetched index of \"stable\": 12 bytes"),
            ),
            (
                TransferEvent::Failed {
                    transfer: index,
                    error: "404 Not Found\nmore".into(),
                },
                Some("failed to fetch index of \"stable\": 404 Not Found"),
            ),
            (
                TransferEvent::Started {
                    transfer: chart.clone(),
                    total: Some(9),
                },
                Some("uploading chart c-0.1.0.tgz (9 bytes)"),
            ),
            (
                TransferEvent::Skipped {
                    transfer: chart,
                    bytes: 9,
                    reason: "already in the registry".into(),
                },
                Some("skipped chart c-0.1.0.tgz (9 bytes): already in the registry"),
            ),
        ];
        for (ev, want) in cases {
            assert_eq!(line(&ev).as_deref(), want, "{ev:?}");
        }
    }

    #[test]
    fn styles() {
        assert_eq!(Style::choose(None, true, false), Ok(Style::Bars));
        assert_eq!(Style::choose(None, true, true), Ok(Style::Lines));
        assert_eq!(Style::choose(None, false, false), Ok(Style::Off));
        assert_eq!(Style::choose(Some("plain"), true, false), Ok(Style::Lines));
        assert_eq!(Style::choose(Some("plain"), false, false), Ok(Style::Lines));
        assert_eq!(Style::choose(Some("none"), true, false), Ok(Style::Off));
        assert!(Style::choose(Some("fancy"), true, false).is_err());
    }
}
