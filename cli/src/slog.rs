//! Lines in the format of Go's `log/slog` text handler, which Helm 4 writes its warnings and
//! `--debug` records in (`level=DEBUG msg="Chart path" path=/abs/chart`).

/// A value as slog's text handler writes it: bare unless it is empty or has a space, `=`, `"`
/// or a character that is not printable, then quoted as Go quotes strings.
pub fn value(s: &str) -> String {
    let needs_quote = s.is_empty()
        || s.chars().any(|c| {
            c == ' '
                || c == '='
                || c == '"'
                || c.is_control()
                || !helm_core::gocompat::strconv::is_go_printable(c)
        });
    if needs_quote {
        helm_core::gocompat::strconv::go_quote(s)
    } else {
        s.to_string()
    }
}

/// A `level=DEBUG` record with its message and fields, on standard error.
pub fn debug(msg: &str, fields: &[(&str, &str)]) {
    let mut line = format!("level=DEBUG msg={}", value(msg));
    for (k, v) in fields {
        line.push_str(&format!(" {k}={}", value(v)));
    }
    eprintln!("{line}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_like_slog() {
        assert_eq!(super::value("abc"), "abc");
        assert_eq!(super::value(""), "\"\"");
        assert_eq!(super::value("a b"), "\"a b\"");
        assert_eq!(super::value("a=b"), "\"a=b\"");
    }
}
