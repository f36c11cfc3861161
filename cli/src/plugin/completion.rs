//! A CLI plugin's `completion.yaml`: the sub-commands, first-argument choices and flags its
//! author declares, so that shell completion can offer them without running the plugin.
//!
//! Helm reads the file only when completing (`__complete`, `completion SHELL`) and turns it
//! into cobra commands under the plugin's command: each entry a sub-command, `validArgs` its
//! first argument's choices, `flags` boolean flags (one letter: a shorthand, paired in order
//! with the long names). A plugin command without sub-commands asks the plugin's
//! `plugin.complete` program for the rest; one with sub-commands never does. The file is read
//! as `sigs.k8s.io/yaml` reads it (YAML turned into JSON, then Go's `encoding/json`: keys match
//! the field names case-insensitively, a value of the wrong type fails the whole file), and a
//! missing or invalid file means no static completion at all, as in Helm.

use helm_core::values::yaml;
use helm_core::Value;
use std::path::Path;

/// One command of a `completion.yaml` (the file itself is the plugin's own command, whose
/// `name` Helm replaces with the plugin's name).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompletionSpec {
    pub name: String,
    pub valid_args: Vec<String>,
    pub flags: Vec<String>,
    /// `None` when the file has no `commands` (or `commands: null`): only then does the
    /// command ask `plugin.complete`.
    pub commands: Option<Vec<CompletionSpec>>,
}

/// Nesting deeper than this is refused as invalid (a hostile file must not exhaust the stack).
const MAX_DEPTH: usize = 64;

/// Reads `DIR/completion.yaml`; the error is Helm's debug text for why there is none.
pub fn load(plugin_dir: &Path) -> Result<CompletionSpec, String> {
    let path = format!("{}/completion.yaml", plugin_dir.display());
    let text = std::fs::read_to_string(&path).map_err(|_| {
        format!("file ({path}) not provided by plugin. No plugin auto-completion possible")
    })?;
    parse(&text)
}

/// Parses the text of a `completion.yaml`.
pub fn parse(text: &str) -> Result<CompletionSpec, String> {
    let doc = yaml::from_str(text).map_err(|e| e.message.clone())?;
    if doc.as_map().is_none() && !matches!(doc, Value::Nil) {
        return Err(format!(
            "{DECODE}cannot unmarshal {} into Go value of type cmd.pluginCommand",
            json_kind(&doc)
        ));
    }
    spec(&doc, "pluginCommand", 0)
}

/// How `sigs.k8s.io/yaml` prefixes encoding/json's errors.
const DECODE: &str = "error unmarshaling JSON: while decoding JSON: json: ";

/// A command at `path` (the Go struct-field path encoding/json names in its errors).
fn spec(v: &Value, path: &str, depth: usize) -> Result<CompletionSpec, String> {
    if depth > MAX_DEPTH {
        return Err("completion.yaml: commands nested too deeply".into());
    }
    let mut out = CompletionSpec::default();
    let Some(map) = v.as_map() else {
        return match v {
            Value::Nil => Ok(out),
            other => Err(type_error(other, path, "cmd.pluginCommand")),
        };
    };
    // The YAML becomes a JSON object with sorted keys; encoding/json sets a field from every
    // key that matches its name case-insensitively, in that order, and reports the first
    // value of the wrong type.
    let mut entries = map.entries();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, value) in entries {
        match key.to_ascii_lowercase().as_str() {
            "name" => out.name = string(&value, &format!("{path}.name"))?,
            "validargs" => out.valid_args = strings(&value, &format!("{path}.validArgs"))?,
            "flags" => out.flags = strings(&value, &format!("{path}.flags"))?,
            "commands" => {
                let path = format!("{path}.commands");
                out.commands = match (&value, value.as_list()) {
                    (Value::Nil, _) => None,
                    (_, Some(items)) => Some(
                        items
                            .iter()
                            .map(|c| spec(c, &path, depth + 1))
                            .collect::<Result<_, _>>()?,
                    ),
                    (other, None) => return Err(type_error(other, &path, "[]cmd.pluginCommand")),
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A scalar for a Go `string` field: `sigs.k8s.io/yaml` turns YAML numbers and booleans into
/// their text when the field is a string.
fn string(v: &Value, path: &str) -> Result<String, String> {
    match v {
        Value::Nil => Ok(String::new()),
        Value::String(s) => Ok(s.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Int(i) | Value::Int64(i) => Ok(i.to_string()),
        Value::Uint(u) => Ok(u.to_string()),
        Value::Float(f) => Ok(yaml::format_go_float_g(*f, false)),
        other => Err(type_error(other, path, "string")),
    }
}

fn strings(v: &Value, path: &str) -> Result<Vec<String>, String> {
    match (v, v.as_list()) {
        (Value::Nil, _) => Ok(Vec::new()),
        (_, Some(items)) => items.iter().map(|i| string(i, path)).collect(),
        (other, None) => Err(type_error(other, path, "[]string")),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "array",
        _ => "object",
    }
}

/// encoding/json's complaint about a value of the wrong JSON type for a field.
fn type_error(v: &Value, path: &str, go_type: &str) -> String {
    format!(
        "{DECODE}cannot unmarshal {} into Go struct field {path} of type {go_type}",
        json_kind(v)
    )
}

/// The boolean flags Helm defines for a command's `flags` entries, as (long, shorthand): the
/// one-letter entries are shorthands, paired in order with the longer ones; extra shorthands
/// get a long name equal to themselves. pflag refuses a name defined twice, so a repeated
/// entry is left out.
pub fn fake_flags(flags: &[String]) -> Vec<(String, String)> {
    let shorts: Vec<&String> = flags.iter().filter(|f| f.chars().count() == 1).collect();
    let longs: Vec<&String> = flags.iter().filter(|f| f.chars().count() != 1).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    if longs.len() >= shorts.len() {
        for (i, long) in longs.iter().enumerate() {
            let short = shorts.get(i).map(|s| s.to_string()).unwrap_or_default();
            out.push((long.to_string(), short));
        }
    } else {
        for (i, short) in shorts.iter().enumerate() {
            let long = longs.get(i).unwrap_or(short);
            out.push((long.to_string(), short.to_string()));
        }
    }
    let mut seen_long = std::collections::HashSet::new();
    let mut seen_short = std::collections::HashSet::new();
    out.retain(|(l, s)| {
        seen_long.insert(l.clone()) && (s.is_empty() || seen_short.insert(s.clone()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_commands_args_and_flags() {
        let s = parse(
            "name: ignored\ncommands:\n- name: full\n  commands:\n  - name: more\n    validArgs: [one, two]\n    flags: [b, ball]\n- name: empty\nflags: [z, q]\n",
        )
        .unwrap();
        assert_eq!(s.flags, ["z", "q"]);
        let cmds = s.commands.unwrap();
        assert_eq!(cmds[0].name, "full");
        let more = &cmds[0].commands.as_ref().unwrap()[0];
        assert_eq!(more.valid_args, ["one", "two"]);
        assert_eq!(cmds[1].commands, None);
    }

    #[test]
    fn keys_match_case_insensitively_and_types_are_checked() {
        let s = parse("Name: x\nVALIDARGS: [a]\n").unwrap();
        assert_eq!((s.name.as_str(), s.valid_args.len()), ("x", 1));
        assert_eq!(
            parse("flags: 3\n").unwrap_err(),
            format!("{DECODE}cannot unmarshal number into Go struct field pluginCommand.flags of type []string")
        );
        assert_eq!(
            parse("commands:\n- commands:\n  - name: {}\n").unwrap_err(),
            format!("{DECODE}cannot unmarshal object into Go struct field pluginCommand.commands.commands.name of type string")
        );
        // Sorted keys: `flags` is decoded before `name`.
        assert!(parse("name: [x]\nflags: x\n")
            .unwrap_err()
            .contains("pluginCommand.flags of type []string"));
        assert!(parse("commands: [3]\n")
            .unwrap_err()
            .ends_with("pluginCommand.commands of type cmd.pluginCommand"));
        assert!(parse("- a\n")
            .unwrap_err()
            .ends_with("Go value of type cmd.pluginCommand"));
        // Scalars become the text of a string field.
        assert_eq!(
            parse("validArgs: [1, true, 2.5]\n").unwrap().valid_args,
            ["1", "true", "2.5"]
        );
        assert_eq!(parse("").unwrap(), CompletionSpec::default());
    }

    #[test]
    fn flags_pair_shorthands_with_long_names() {
        let f = |v: &[&str]| fake_flags(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            f(&["a", "all", "log"]),
            [("all".into(), "a".into()), ("log".into(), String::new())]
        );
        assert_eq!(f(&["b", "ball"]), [("ball".to_string(), "b".to_string())]);
        assert_eq!(
            f(&["a", "b"]),
            [("a".into(), "a".into()), ("b".into(), "b".into())]
        );
        assert_eq!(
            f(&["z", "q", "zz"]),
            [("zz".into(), "z".into()), ("q".into(), "q".into())]
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("{}- commands:\n", "  ".repeat(i)));
        }
        let text = format!("commands:\n{text}");
        assert!(parse(&text).is_err());
    }
}
