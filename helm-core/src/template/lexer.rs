//! The lexer: template source → items, as Go's `text/template/parse/lex.go` splits it.
//!
//! Go's lexer decides a few things that the parser relies on and that charts depend on: trim
//! markers (`{{- ` / ` -}}` need a space beside the dash, so `{{-3}}` is the number -3),
//! comments that must end right before the closing delimiter, `.5` being a number but `.a` a
//! field, and the set of characters that may follow an identifier. Errors carry Go's wording.

/// What kind of item was scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Error,
    Bool,
    Char,      // a single ASCII punctuation char such as ','
    CharConst, // 'a'
    Complex,
    Assign,  // =
    Declare, // :=
    Eof,
    Field, // .name
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Comment,
    // keywords
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemKind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemKind::Block
                | ItemKind::Break
                | ItemKind::Continue
                | ItemKind::Dot
                | ItemKind::Define
                | ItemKind::Else
                | ItemKind::End
                | ItemKind::If
                | ItemKind::Nil
                | ItemKind::Range
                | ItemKind::Template
                | ItemKind::With
        )
    }
}

/// One scanned item: kind, byte offset, text and the line it starts on (1-based).
#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub kind: ItemKind,
    pub pos: usize,
    /// The item's text, borrowed from the source (owned only for error messages).
    pub val: Cow<'a, str>,
    pub line: usize,
}

impl Item<'_> {
    /// Go's `item.String()`, used in "unexpected X in Y" messages.
    pub fn describe(&self) -> String {
        match self.kind {
            ItemKind::Eof => "EOF".into(),
            ItemKind::Error => self.val.to_string(),
            k if k.is_keyword() => format!("<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let short: String = self.val.chars().take(10).collect();
                    format!("{}...", go_quote(&short))
                } else {
                    go_quote(&self.val)
                }
            }
        }
    }
}

use crate::gocompat::strconv::is_go_printable;
use std::borrow::Cow;

// `template::error` quotes its texts through this path.
use crate::gocompat::strconv::go_quote;

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

/// Scans the whole input into items (the parser needs arbitrary look-back, so we collect).
pub fn lex(input: &str) -> Vec<Item<'_>> {
    let mut l = Lexer {
        input,
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
        items: Vec::new(),
        paren_depth: 0,
    };
    l.run();
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    items: Vec<Item<'a>>,
    paren_depth: usize,
}

/// Newlines in `s` (SIMD search: text between actions is most of a template).
fn count_newlines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_'
        || c.is_ascii_alphanumeric()
        || (!c.is_ascii() && (c.is_alphabetic() || c.is_numeric()))
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        // Template actions are almost all ASCII: skip UTF-8 decoding for those bytes.
        let b = *self.input.as_bytes().get(self.pos)?;
        if b < 0x80 {
            return Some(b as char);
        }
        self.rest().chars().next()
    }

    /// Advances over identifier characters (letters, digits, `_`); they never hold newlines.
    fn skip_word(&mut self) {
        let bytes = self.input.as_bytes();
        loop {
            while self.pos < bytes.len()
                && (bytes[self.pos].is_ascii_alphanumeric() || bytes[self.pos] == b'_')
            {
                self.pos += 1;
            }
            match self.peek() {
                Some(c) if !c.is_ascii() && is_alnum(c) => self.pos += c.len_utf8(),
                _ => return,
            }
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn backup(&mut self, c: char) {
        self.pos -= c.len_utf8();
        if c == '\n' {
            self.line -= 1;
        }
    }

    fn emit(&mut self, kind: ItemKind) {
        let val = Cow::Borrowed(self.input.get(self.start..self.pos).unwrap_or(""));
        self.items.push(Item {
            kind,
            pos: self.start,
            val,
            line: self.start_line,
        });
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, msg: String) {
        self.items.push(Item {
            kind: ItemKind::Error,
            pos: self.start,
            val: Cow::Owned(msg),
            line: self.start_line,
        });
    }

    /// Advances over `n` bytes of known ASCII/UTF-8 text, counting newlines.
    fn skip_bytes(&mut self, n: usize) {
        let s = self.input.get(self.pos..self.pos + n).unwrap_or("");
        self.line += count_newlines(s);
        self.pos += n;
    }

    fn run(&mut self) {
        // Alternates text and actions until EOF or an error.
        loop {
            if !self.lex_text() {
                return;
            }
            match self.lex_left_delim() {
                None => return,
                Some(false) => continue, // a comment: back to text
                Some(true) => {}
            }
            if !self.lex_inside_action() {
                return;
            }
        }
    }

    /// Scans text up to the next `{{`. Returns false at EOF (after emitting Eof).
    fn lex_text(&mut self) -> bool {
        match memchr::memmem::find(self.rest().as_bytes(), LEFT.as_bytes()) {
            Some(x) => {
                if x > 0 {
                    self.skip_bytes(x);
                    // Trim trailing space from the text if the delimiter is `{{- `.
                    let mut trim = 0;
                    if self.has_left_trim_marker(self.pos + LEFT.len()) {
                        let text = self.input.get(self.start..self.pos).unwrap_or("");
                        trim = text.len() - text.trim_end_matches(is_space).len();
                    }
                    self.pos -= trim;
                    self.items.push(Item {
                        kind: ItemKind::Text,
                        pos: self.start,
                        val: Cow::Borrowed(self.input.get(self.start..self.pos).unwrap_or("")),
                        line: self.start_line,
                    });
                    self.pos += trim;
                    self.start = self.pos;
                    self.start_line = self.line;
                }
                true
            }
            None => {
                self.pos = self.input.len();
                let rest = self.input.get(self.start..).unwrap_or("");
                self.line += count_newlines(rest);
                if self.pos > self.start {
                    self.emit(ItemKind::Text);
                }
                self.emit(ItemKind::Eof);
                false
            }
        }
    }

    /// Whether `{{` at the current delimiter is followed by "- " (a trim marker).
    fn has_left_trim_marker(&self, after_delim: usize) -> bool {
        let s = self.input.get(after_delim..).unwrap_or("");
        let mut cs = s.chars();
        cs.next() == Some('-') && cs.next().is_some_and(is_space)
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.input.as_bytes().get(self.pos..).unwrap_or(&[]);
        // " -}}" : trim marker (every space character is ASCII)
        if r.len() >= 4 && matches!(r[0], b' ' | b'\t' | b'\r' | b'\n') && &r[1..4] == b"-}}" {
            return (true, true);
        }
        if r.starts_with(RIGHT.as_bytes()) {
            return (true, false);
        }
        (false, false)
    }

    /// Returns Some(true) inside an action, Some(false) after a comment, None on error.
    fn lex_left_delim(&mut self) -> Option<bool> {
        self.skip_bytes(LEFT.len());
        let trim = self.has_left_trim_marker(self.start + LEFT.len());
        let after_marker = if trim { 2 } else { 0 };
        let after = self.input.get(self.pos + after_marker..).unwrap_or("");
        if after.starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return if self.lex_comment() {
                Some(false)
            } else {
                None
            };
        }
        self.emit(ItemKind::LeftDelim);
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        Some(true)
    }

    fn lex_comment(&mut self) -> bool {
        self.skip_bytes(LEFT_COMMENT.len());
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            self.error("unclosed comment".into());
            return false;
        };
        self.skip_bytes(x + RIGHT_COMMENT.len());
        let (delim, trim) = self.at_right_delim();
        if !delim {
            self.error("comment ends before closing delimiter".into());
            return false;
        }
        // Comments are dropped (Go emits them only in ParseComments mode).
        if trim {
            self.skip_bytes(1 + "-".len());
        }
        self.skip_bytes(RIGHT.len());
        if trim {
            self.skip_trim_space();
        }
        self.ignore();
        true
    }

    fn skip_trim_space(&mut self) {
        let r = self.rest();
        let n = r.len() - r.trim_start_matches(is_space).len();
        self.skip_bytes(n);
    }

    fn lex_right_delim(&mut self, trim: bool) -> bool {
        if trim {
            self.skip_bytes(1);
            self.ignore();
            self.skip_bytes(1); // the '-'
            self.ignore();
        }
        self.skip_bytes(RIGHT.len());
        self.emit(ItemKind::RightDelim);
        if trim {
            self.skip_trim_space();
            self.ignore();
        }
        true
    }

    /// Scans the elements inside an action. Returns false on error/EOF.
    fn lex_inside_action(&mut self) -> bool {
        loop {
            let (delim, trim) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    return self.lex_right_delim(trim);
                }
                self.error("unclosed left paren".into());
                return false;
            }
            let Some(c) = self.next() else {
                self.error("unclosed action".into());
                return false;
            };
            match c {
                c if is_space(c) => {
                    // Spaces are items (the parser needs them to tell `$x :=` from `$x foo`),
                    // but a space before a trim marker belongs to the marker.
                    self.backup(c);
                    self.lex_space();
                }
                '=' => self.emit(ItemKind::Assign),
                ':' => {
                    if self.next() != Some('=') {
                        self.error("expected :=".into());
                        return false;
                    }
                    self.emit(ItemKind::Declare);
                }
                '|' => self.emit(ItemKind::Pipe),
                '"' => {
                    if !self.lex_quote() {
                        return false;
                    }
                }
                '`' => {
                    if !self.lex_raw_quote() {
                        return false;
                    }
                }
                '$' => self.lex_variable_or_field(ItemKind::Variable),
                '\'' => {
                    if !self.lex_char() {
                        return false;
                    }
                }
                '.' => {
                    // ".field" unless a digit follows (then it starts a number).
                    match self.peek() {
                        Some(d) if d.is_ascii_digit() => {
                            self.backup('.');
                            if !self.lex_number() {
                                return false;
                            }
                        }
                        _ => self.lex_variable_or_field(ItemKind::Field),
                    }
                }
                '+' | '-' | '0'..='9' => {
                    self.backup(c);
                    if !self.lex_number() {
                        return false;
                    }
                }
                c if is_alnum(c) => {
                    self.backup(c);
                    if !self.lex_identifier() {
                        return false;
                    }
                }
                '(' => {
                    self.emit(ItemKind::LeftParen);
                    self.paren_depth += 1;
                }
                ')' => {
                    if self.paren_depth == 0 {
                        self.error("unexpected right paren".into());
                        return false;
                    }
                    self.paren_depth -= 1;
                    self.emit(ItemKind::RightParen);
                }
                c if c.is_ascii() && c as u32 >= 0x20 && c as u32 != 0x7f => {
                    self.emit(ItemKind::Char)
                }
                c => {
                    self.error(format!(
                        "unrecognized character in action: {}",
                        go_char_u(c)
                    ));
                    return false;
                }
            }
        }
    }

    fn lex_space(&mut self) {
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.next();
            n += 1;
            // Stop before " -}}": that space belongs to the trim marker.
            if self
                .input
                .as_bytes()
                .get(self.pos..)
                .is_some_and(|r| r.starts_with(b"-}}"))
                && n > 0
            {
                self.backup(c);
                n -= 1;
                break;
            }
        }
        if n > 0 || self.pos > self.start {
            self.emit(ItemKind::Space);
        }
    }

    fn lex_identifier(&mut self) -> bool {
        self.skip_word();
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\0');
            self.error(format!("bad character {}", go_char_u(c)));
            return false;
        }
        let word = self.input.get(self.start..self.pos).unwrap_or("");
        let kind = match word {
            "block" => ItemKind::Block,
            "break" => ItemKind::Break,
            "continue" => ItemKind::Continue,
            "define" => ItemKind::Define,
            "else" => ItemKind::Else,
            "end" => ItemKind::End,
            "if" => ItemKind::If,
            "range" => ItemKind::Range,
            "nil" => ItemKind::Nil,
            "template" => ItemKind::Template,
            "with" => ItemKind::With,
            "true" | "false" => ItemKind::Bool,
            _ => ItemKind::Identifier,
        };
        self.emit(kind);
        true
    }

    /// `$name`, `$`, `.name` or a lone `.`.
    fn lex_variable_or_field(&mut self, kind: ItemKind) {
        if self.at_terminator() {
            self.emit(if kind == ItemKind::Variable {
                ItemKind::Variable
            } else {
                ItemKind::Dot
            });
            return;
        }
        self.skip_word();
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\0');
            self.error(format!("bad character {}", go_char_u(c)));
            return;
        }
        self.emit(kind);
    }

    fn at_terminator(&self) -> bool {
        let Some(c) = self.peek() else { return true };
        if is_space(c) {
            return true;
        }
        if matches!(c, '.' | ',' | '|' | ':' | ')' | '(') {
            return true;
        }
        self.input
            .as_bytes()
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(RIGHT.as_bytes()))
    }

    fn lex_char(&mut self) -> bool {
        self.lex_escaped_until('\'', ItemKind::CharConst, "unterminated character constant")
    }

    fn lex_quote(&mut self) -> bool {
        self.lex_escaped_until('"', ItemKind::String, "unterminated quoted string")
    }

    /// The rest of a character constant or quoted string, up to the closing `close`: a
    /// backslash escapes the next character, and a newline or the end of input before `close`
    /// is the error `unterminated`.
    fn lex_escaped_until(&mut self, close: char, kind: ItemKind, unterminated: &str) -> bool {
        loop {
            match self.next() {
                Some('\\') => {
                    if self.next().is_some_and(|c| c != '\n') {
                        continue;
                    }
                    self.error(unterminated.into());
                    return false;
                }
                None | Some('\n') => {
                    self.error(unterminated.into());
                    return false;
                }
                Some(c) if c == close => break,
                Some(_) => {}
            }
        }
        self.emit(kind);
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        match self.rest().find('`') {
            Some(x) => {
                self.skip_bytes(x + 1);
                self.emit(ItemKind::RawString);
                true
            }
            None => {
                self.error("unterminated raw quoted string".into());
                false
            }
        }
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek() {
            if valid.contains(c) {
                self.next();
                return true;
            }
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn lex_number(&mut self) -> bool {
        if !self.scan_number() {
            let text = self
                .input
                .get(self.start..self.pos)
                .unwrap_or("")
                .to_string();
            self.error(format!("bad number syntax: {}", go_quote(&text)));
            return false;
        }
        if let Some('+' | '-') = self.peek() {
            // complex: 1+2i
            if !self.scan_number() || self.input.get(self.pos - 1..self.pos) != Some("i") {
                let text = self
                    .input
                    .get(self.start..self.pos)
                    .unwrap_or("")
                    .to_string();
                self.error(format!("bad number syntax: {}", go_quote(&text)));
                return false;
            }
            self.emit(ItemKind::Complex);
        } else {
            self.emit(ItemKind::Number);
        }
        true
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 10 + 1 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 16 + 6 + 1 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek() {
            if is_alnum(c) {
                self.next();
                return false;
            }
        }
        true
    }
}

/// Go's `%#U` for a rune: `U+0023 '#'`.
pub fn go_char_u(c: char) -> String {
    if is_go_printable(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(ItemKind, String)> {
        lex(src)
            .into_iter()
            .map(|i| (i.kind, i.val.to_string()))
            .collect()
    }

    #[test]
    fn trim_markers_and_numbers() {
        let k = kinds("a  {{- 3 -}}  b{{-3}}");
        assert_eq!(k[0], (ItemKind::Text, "a".into()));
        assert_eq!(k[2], (ItemKind::Number, "3".into()));
        assert_eq!(k[4], (ItemKind::Text, "b".into()));
        assert_eq!(k[6], (ItemKind::Number, "-3".into()));
    }

    #[test]
    fn comments_are_dropped() {
        let k = kinds("a {{- /* c */ -}} b");
        assert_eq!(
            k,
            vec![
                (ItemKind::Text, "a".into()),
                (ItemKind::Text, "b".into()),
                (ItemKind::Eof, "".into())
            ]
        );
    }

    #[test]
    fn fields_and_variables() {
        let k = kinds("{{$x.a .b.c $}}");
        let ks: Vec<ItemKind> = k.iter().map(|x| x.0).collect();
        assert_eq!(
            ks,
            vec![
                ItemKind::LeftDelim,
                ItemKind::Variable,
                ItemKind::Field,
                ItemKind::Space,
                ItemKind::Field,
                ItemKind::Field,
                ItemKind::Space,
                ItemKind::Variable,
                ItemKind::RightDelim,
                ItemKind::Eof
            ]
        );
    }
}
