//! Helm 4's colours: bold table headers, cyan namespaces and statuses by meaning (green
//! deployed; red failed and unknown; yellow pending and uninstalling) in `list`, `status` and
//! the release printed by install, upgrade, `get all` and `test`.
//!
//! The mode is Helm's: `--color`/`--colour`, else `NO_COLOR` (any non-empty value: never),
//! else `HELM_COLOR`, else `auto`. `auto` colours only when standard output is a terminal and
//! `TERM` is not `dumb` (fatih/color's test); piped output is plain, byte for byte Helm's.
//! What helm-rs draws on standard error (transfer bars) asks the same of standard error.

use std::io::IsTerminal;
use std::sync::OnceLock;

static ENABLED: OnceLock<bool> = OnceLock::new();
static STDERR_ENABLED: OnceLock<bool> = OnceLock::new();

fn decide(mode: &str, terminal: bool) -> bool {
    match mode {
        "always" => true,
        "auto" => {
            terminal
                && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
                && std::env::var("NO_COLOR")
                    .map(|v| v.is_empty())
                    .unwrap_or(true)
        }
        _ => false,
    }
}

/// Settles whether output is coloured, from the validated mode (`never`, `auto`, `always`).
pub fn init(mode: &str) {
    let _ = ENABLED.set(decide(mode, std::io::stdout().is_terminal()));
    let _ = STDERR_ENABLED.set(decide(mode, std::io::stderr().is_terminal()));
}

/// Whether what helm-rs draws on standard error may be coloured.
pub fn stderr_enabled() -> bool {
    STDERR_ENABLED.get().copied().unwrap_or(false)
}

fn enabled() -> bool {
    ENABLED.get().copied().unwrap_or(false)
}

fn paint(s: &str, start: &str, end: &str) -> String {
    if enabled() {
        format!("\x1b[{start}m{s}\x1b[{end}m")
    } else {
        s.to_string()
    }
}

/// A table header or a heading: bold.
pub fn header(s: &str) -> String {
    paint(s, "1", "22")
}

/// A namespace: cyan.
pub fn namespace(s: &str) -> String {
    paint(s, "36", "0")
}

/// A release status (Helm's text, `deployed`, `pending-upgrade`…) coloured by what it means.
pub fn status(s: &str) -> String {
    match s {
        "deployed" => paint(s, "32", "0"),
        "failed" | "unknown" => paint(s, "31", "0"),
        "pending-install" | "pending-upgrade" | "pending-rollback" | "uninstalling" => {
            paint(s, "33", "0")
        }
        _ => s.to_string(),
    }
}

/// The width a cell takes on screen: its characters without the colour sequences.
pub fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_ignore_colour() {
        assert_eq!(visible_width("\x1b[1mNAME\x1b[22m"), 4);
        assert_eq!(visible_width("\x1b[32mdeployed\x1b[0m"), 8);
        assert_eq!(visible_width("plain"), 5);
    }
}
