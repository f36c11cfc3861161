//! Helm's errors for a command given too few arguments (cobra's argument checks), as
//! `"helm get all" requires 1 argument` followed by the command's usage line.
//!
//! clap reports a missing positional argument in its own words; these are the texts Helm
//! 4.1.4 prints instead, one per command that requires arguments (printed by `helm COMMAND`
//! with no argument), with the program named as it was invoked.

/// The program's name as it was invoked (`helm` when helm-rs is installed as `helm`): Helm's
/// texts name it, and tools that exec `helm` parse them.
pub fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "helm-rs".into())
}

/// (command path, requirement, usage line after the program name).
const REQUIRED_ARGS: &[(&str, &str, &str)] = &[
    ("create", "requires 1 argument", "create NAME [flags]"),
    (
        "get all",
        "requires 1 argument",
        "get all RELEASE_NAME [flags]",
    ),
    (
        "get hooks",
        "requires 1 argument",
        "get hooks RELEASE_NAME [flags]",
    ),
    (
        "get manifest",
        "requires 1 argument",
        "get manifest RELEASE_NAME [flags]",
    ),
    (
        "get metadata",
        "requires 1 argument",
        "get metadata RELEASE_NAME [flags]",
    ),
    (
        "get notes",
        "requires 1 argument",
        "get notes RELEASE_NAME [flags]",
    ),
    (
        "get values",
        "requires 1 argument",
        "get values RELEASE_NAME [flags]",
    ),
    (
        "history",
        "requires 1 argument",
        "history RELEASE_NAME [flags]",
    ),
    (
        "install",
        "requires at least 1 argument",
        "install [NAME] [CHART] [flags]",
    ),
    ("lint", "requires at least 1 argument", "lint PATH [flags]"),
    (
        "plugin install",
        "requires 1 argument",
        "plugin install [options] <path|url> [flags]",
    ),
    (
        "plugin package",
        "requires 1 argument",
        "plugin package [PATH] [flags]",
    ),
    (
        "plugin verify",
        "requires 1 argument",
        "plugin verify [PATH] [flags]",
    ),
    (
        "pull",
        "requires at least 1 argument",
        "pull [chart URL | repo/chartname] [...] [flags]",
    ),
    (
        "push",
        "requires at least 2 arguments",
        "push [chart] [remote] [flags]",
    ),
    (
        "registry login",
        "requires at least 1 argument",
        "registry login [host] [flags]",
    ),
    (
        "registry logout",
        "requires at least 1 argument",
        "registry logout [host] [flags]",
    ),
    (
        "repo add",
        "requires 2 arguments",
        "repo add [NAME] [URL] [flags]",
    ),
    (
        "repo index",
        "requires 1 argument",
        "repo index [DIR] [flags]",
    ),
    (
        "repo remove",
        "requires at least 1 argument",
        "repo remove [REPO1 [REPO2 ...]] [flags]",
    ),
    (
        "rollback",
        "requires at least 1 argument",
        "rollback <RELEASE> [REVISION] [flags]",
    ),
    (
        "show all",
        "requires 1 argument",
        "show all [CHART] [flags]",
    ),
    (
        "show chart",
        "requires 1 argument",
        "show chart [CHART] [flags]",
    ),
    (
        "show crds",
        "requires 1 argument",
        "show crds [CHART] [flags]",
    ),
    (
        "show readme",
        "requires 1 argument",
        "show readme [CHART] [flags]",
    ),
    (
        "show values",
        "requires 1 argument",
        "show values [CHART] [flags]",
    ),
    (
        "status",
        "requires 1 argument",
        "status RELEASE_NAME [flags]",
    ),
    (
        "template",
        "requires at least 1 argument",
        "template [NAME] [CHART] [flags]",
    ),
    ("test", "requires 1 argument", "test [RELEASE] [flags]"),
    (
        "uninstall",
        "requires at least 1 argument",
        "uninstall RELEASE_NAME [...] [flags]",
    ),
    (
        "upgrade",
        "requires 2 arguments",
        "upgrade [RELEASE] [CHART] [flags]",
    ),
    ("verify", "requires 1 argument", "verify PATH [flags]"),
];

/// Helm's error for `args` (the program's arguments, without the program) naming a command
/// that lacks its required arguments; None when the command is not one of those.
pub fn missing_args_error(program: &str, args: &[String]) -> Option<String> {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    REQUIRED_ARGS
        .iter()
        .filter(|(path, _, _)| {
            let parts: Vec<&str> = path.split(' ').collect();
            words.len() >= parts.len() && words[..parts.len()] == parts[..]
        })
        .max_by_key(|(path, _, _)| path.len())
        .map(|(path, req, usage)| {
            format!("\"{program} {path}\" {req}\n\nUsage:  {program} {usage}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_deepest_command_and_the_program() {
        let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            missing_args_error("helm", &args("get all")).as_deref(),
            Some(
                "\"helm get all\" requires 1 argument\n\nUsage:  helm get all RELEASE_NAME [flags]"
            )
        );
        assert_eq!(
            missing_args_error("helm-rs", &args("--debug show values")).as_deref(),
            Some("\"helm-rs show values\" requires 1 argument\n\nUsage:  helm-rs show values [CHART] [flags]")
        );
        assert_eq!(missing_args_error("helm", &args("version")), None);
    }
}
