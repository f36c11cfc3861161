//! yaml.v3's scanner: characters into tokens, with the comments yaml.v3 collects on the way.
//!
//! The structure follows libyaml's scanner as yaml.v3 ports it (same function boundaries and
//! branch order) because the comment placement yaml.v3 adds depends on exactly when tokens are
//! queued, when indentation is unrolled and how far the scanner has looked ahead. The whole
//! input is in memory, followed by NUL bytes standing for the end of the stream, as yaml.v3's
//! reader leaves it.

use super::YamlError;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Mark {
    pub index: i64,
    pub line: i64,
    pub column: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(super) enum ScalarStyle {
    #[default]
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub typ: Tok,
    pub start: Mark,
    pub end: Mark,
    /// Scalar value, anchor/alias name, tag handle, or %TAG handle.
    pub value: Vec<u8>,
    /// Tag suffix.
    pub suffix: Vec<u8>,
    /// %TAG prefix.
    pub prefix: Vec<u8>,
    pub style: ScalarStyle,
    pub major: i8,
    pub minor: i8,
}

impl Token {
    fn new(typ: Tok, start: Mark, end: Mark) -> Token {
        Token {
            typ,
            start,
            end,
            value: Vec::new(),
            suffix: Vec::new(),
            prefix: Vec::new(),
            style: ScalarStyle::Plain,
            major: 0,
            minor: 0,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Comment {
    pub scan_mark: Mark,
    pub token_mark: Mark,
    pub start_mark: Mark,
    pub end_mark: Mark,
    pub head: Vec<u8>,
    pub line: Vec<u8>,
    pub foot: Vec<u8>,
}

#[derive(Clone, Copy, Debug, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: i64,
    mark: Mark,
}

/// A scanner or parser error: yaml.v3 prints `yaml: line N: problem`.
#[derive(Debug, Clone)]
pub(super) struct RawError {
    pub scanner: bool,
    pub context_mark: Option<Mark>,
    pub problem_mark: Mark,
    pub problem: String,
}

impl RawError {
    pub fn to_yaml_error(&self) -> YamlError {
        // yaml.v3's parser.fail: the context mark's line if it is not the first line, else the
        // problem mark's; scanner marks count lines from zero, parser marks from one... as
        // yaml.v3 adds one to scanner errors only.
        let mut line = 0;
        let cm = self.context_mark.unwrap_or_default();
        if cm.line != 0 {
            line = cm.line;
            if self.scanner {
                line += 1;
            }
        } else if self.problem_mark.line != 0 {
            line = self.problem_mark.line;
            if self.scanner {
                line += 1;
            }
        }
        let problem = if self.problem.is_empty() {
            "unknown problem parsing YAML content".to_string()
        } else {
            self.problem.clone()
        };
        if line != 0 {
            YamlError(format!("yaml: line {line}: {problem}"))
        } else {
            YamlError(format!("yaml: {problem}"))
        }
    }
}

pub(super) type SResult<T> = Result<T, RawError>;

const MAX_FLOW_LEVEL: i64 = 10000;
const MAX_INDENTS: usize = 10000;

pub(super) struct Scanner {
    b: Vec<u8>,
    pos: usize,
    pub mark: Mark,
    newlines: i64,

    stream_start_produced: bool,
    flow_level: i64,

    /// The token queue; `head` is the next token for the parser. Consumed tokens are kept a
    /// little (the comment logic looks at the last two queued tokens) and dropped in chunks.
    pub tokens: Vec<Token>,
    pub head: usize,
    pub tokens_parsed: i64,
    pub token_available: bool,

    indent: i64,
    indents: Vec<i64>,

    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    simple_keys_by_tok: HashMap<i64, usize>,

    pub comments: Vec<Comment>,
    pub comments_head: usize,
}

fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}
fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}
fn as_hex(c: u8) -> u32 {
    match c {
        b'A'..=b'F' => (c - b'A' + 10) as u32,
        b'a'..=b'f' => (c - b'a' + 10) as u32,
        _ => (c - b'0') as u32,
    }
}
fn width(c: u8) -> usize {
    if c & 0x80 == 0 {
        1
    } else if c & 0xE0 == 0xC0 {
        2
    } else if c & 0xF0 == 0xE0 {
        3
    } else if c & 0xF8 == 0xF0 {
        4
    } else {
        0
    }
}

impl Scanner {
    pub fn new(input: &str) -> SResult<Scanner> {
        // yaml.v3's reader drops a leading byte order mark and refuses control characters (it
        // checks as it reads; the whole input is checked here, which matters only for which of
        // two errors in one document is reported).
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        let allowed = |v: u32| {
            v == 0x09
                || v == 0x0A
                || v == 0x0D
                || (0x20..=0x7E).contains(&v)
                || v == 0x85
                || (0xA0..=0xD7FF).contains(&v)
                || (0xE000..=0xFFFD).contains(&v)
                || (0x10000..=0x10FFFF).contains(&v)
        };
        if !input.chars().all(|c| allowed(c as u32)) {
            return Err(RawError {
                scanner: false,
                context_mark: None,
                problem_mark: Mark::default(),
                problem: "control characters are not allowed".into(),
            });
        }
        let mut b = input.as_bytes().to_vec();
        b.extend_from_slice(&[0u8; 8]);
        Ok(Scanner {
            b,
            pos: 0,
            mark: Mark::default(),
            newlines: 0,
            stream_start_produced: false,
            flow_level: 0,
            tokens: Vec::new(),
            head: 0,
            tokens_parsed: 0,
            token_available: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            simple_keys_by_tok: HashMap::new(),
            comments: Vec::new(),
            comments_head: 0,
        })
    }

    // ----- character classes at an offset from the current position -----

    fn at(&self, k: usize) -> u8 {
        self.b.get(self.pos + k).copied().unwrap_or(0)
    }
    fn is_z(&self, k: usize) -> bool {
        self.at(k) == 0
    }
    fn is_blank(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t')
    }
    fn is_break(&self, k: usize) -> bool {
        let c = self.at(k);
        c == b'\r'
            || c == b'\n'
            || (c == 0xC2 && self.at(k + 1) == 0x85)
            || (c == 0xE2 && self.at(k + 1) == 0x80 && matches!(self.at(k + 2), 0xA8 | 0xA9))
    }
    fn is_breakz(&self, k: usize) -> bool {
        self.is_break(k) || self.is_z(k)
    }
    fn is_blankz(&self, k: usize) -> bool {
        self.is_blank(k) || self.is_breakz(k)
    }
    fn is_crlf(&self, k: usize) -> bool {
        self.at(k) == b'\r' && self.at(k + 1) == b'\n'
    }

    // ----- moving -----

    fn skip(&mut self) {
        if !self.is_blank(0) {
            self.newlines = 0;
        }
        self.mark.index += 1;
        self.mark.column += 1;
        self.pos += width(self.at(0)).max(1);
    }

    fn skip_line(&mut self) {
        if self.is_crlf(0) {
            self.mark.index += 2;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += 2;
            self.newlines += 1;
        } else if self.is_break(0) {
            self.mark.index += 1;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += width(self.at(0)).max(1);
            self.newlines += 1;
        }
    }

    fn read(&mut self, s: &mut Vec<u8>) {
        if !self.is_blank(0) {
            self.newlines = 0;
        }
        let w = width(self.at(0)).max(1);
        s.extend_from_slice(&self.b[self.pos..self.pos + w]);
        self.pos += w;
        self.mark.index += 1;
        self.mark.column += 1;
    }

    fn read_line(&mut self, s: &mut Vec<u8>) {
        let (c0, c1, c2) = (self.at(0), self.at(1), self.at(2));
        if c0 == b'\r' && c1 == b'\n' {
            s.push(b'\n');
            self.pos += 2;
            self.mark.index += 1;
        } else if c0 == b'\r' || c0 == b'\n' {
            s.push(b'\n');
            self.pos += 1;
        } else if c0 == 0xC2 && c1 == 0x85 {
            s.push(b'\n');
            self.pos += 2;
        } else if c0 == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9) {
            s.extend_from_slice(&self.b[self.pos..self.pos + 3]);
            self.pos += 3;
        } else {
            return;
        }
        self.mark.index += 1;
        self.mark.column = 0;
        self.mark.line += 1;
        self.newlines += 1;
    }

    /// yaml.v3's scanner error; the context text is not part of the message it prints.
    fn err<T>(&self, _context: &str, context_mark: Mark, problem: &str) -> SResult<T> {
        Err(RawError {
            scanner: true,
            // yaml.v3 keeps the context mark even where it has no context text.
            context_mark: Some(context_mark),
            problem_mark: self.mark,
            problem: problem.to_string(),
        })
    }

    fn insert_token(&mut self, pos: i64, token: Token) {
        if self.head >= 64 && self.head * 2 >= self.tokens.len() && self.tokens.len() >= 2 {
            let cut = self.head.min(self.tokens.len() - 2);
            self.tokens.drain(..cut);
            self.head -= cut;
        }
        if pos < 0 {
            self.tokens.push(token);
        } else {
            let at = (self.head as i64 + pos) as usize;
            let at = at.min(self.tokens.len());
            self.tokens.insert(at, token);
        }
    }

    // ----- the token queue -----

    /// yaml_parser_fetch_more_tokens.
    pub fn fetch_more_tokens(&mut self) -> SResult<()> {
        loop {
            if (self.head as i64) < self.tokens.len() as i64 - 2 {
                match self.simple_keys_by_tok.get(&self.tokens_parsed) {
                    None => break,
                    Some(&idx) => {
                        let mut sk = self.simple_keys[idx];
                        let valid = self.simple_key_is_valid(&mut sk)?;
                        self.simple_keys[idx] = sk;
                        if !valid {
                            break;
                        }
                    }
                }
            }
            if self.stream_end_produced_token() {
                break;
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    fn stream_end_produced_token(&self) -> bool {
        // Past STREAM-END nothing more can be fetched (yaml.v3 would read NULs again).
        self.tokens
            .last()
            .map(|t| t.typ == Tok::StreamEnd)
            .unwrap_or(false)
    }

    fn fetch_next_token(&mut self) -> SResult<()> {
        if !self.stream_start_produced {
            return self.fetch_stream_start();
        }
        let scan_mark = self.mark;
        self.scan_to_next_token()?;
        self.unroll_indent(self.mark.column, scan_mark);

        if self.is_z(0) {
            return self.fetch_stream_end();
        }
        let c = self.at(0);
        if self.mark.column == 0 && c == b'%' {
            return self.fetch_directive();
        }
        if self.mark.column == 0
            && c == b'-'
            && self.at(1) == b'-'
            && self.at(2) == b'-'
            && self.is_blankz(3)
        {
            return self.fetch_document_indicator(Tok::DocumentStart);
        }
        if self.mark.column == 0
            && c == b'.'
            && self.at(1) == b'.'
            && self.at(2) == b'.'
            && self.is_blankz(3)
        {
            return self.fetch_document_indicator(Tok::DocumentEnd);
        }

        let mut comment_mark = self.mark;
        if !self.tokens.is_empty()
            && ((self.flow_level == 0 && c == b':') || (self.flow_level > 0 && c == b','))
        {
            comment_mark = self.tokens[self.tokens.len() - 1].start;
        }

        self.fetch_token_at(c)?;

        if let Some(last) = self.tokens.last() {
            if last.typ == Tok::BlockEntry {
                return Ok(());
            }
        }
        self.scan_line_comment(comment_mark);
        Ok(())
    }

    fn fetch_token_at(&mut self, c: u8) -> SResult<()> {
        match c {
            b'[' => return self.fetch_flow_collection_start(Tok::FlowSequenceStart),
            b'{' => return self.fetch_flow_collection_start(Tok::FlowMappingStart),
            b']' => return self.fetch_flow_collection_end(Tok::FlowSequenceEnd),
            b'}' => return self.fetch_flow_collection_end(Tok::FlowMappingEnd),
            b',' => return self.fetch_flow_entry(),
            _ => {}
        }
        if c == b'-' && self.is_blankz(1) {
            return self.fetch_block_entry();
        }
        if c == b'?' && (self.flow_level > 0 || self.is_blankz(1)) {
            return self.fetch_key();
        }
        if c == b':' && (self.flow_level > 0 || self.is_blankz(1)) {
            return self.fetch_value();
        }
        match c {
            b'*' => return self.fetch_anchor(Tok::Alias),
            b'&' => return self.fetch_anchor(Tok::Anchor),
            b'!' => return self.fetch_tag(),
            b'|' if self.flow_level == 0 => return self.fetch_block_scalar(true),
            b'>' if self.flow_level == 0 => return self.fetch_block_scalar(false),
            b'\'' => return self.fetch_flow_scalar(true),
            b'"' => return self.fetch_flow_scalar(false),
            _ => {}
        }
        let indicator = matches!(
            c,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        if !(self.is_blankz(0) || indicator)
            || (c == b'-' && !self.is_blank(1))
            || (self.flow_level == 0 && (c == b'?' || c == b':') && !self.is_blankz(1))
        {
            return self.fetch_plain_scalar();
        }
        self.err(
            "while scanning for the next token",
            self.mark,
            "found character that cannot start any token",
        )
    }

    fn simple_key_is_valid(&self, sk: &mut SimpleKey) -> SResult<bool> {
        if !sk.possible {
            return Ok(false);
        }
        if sk.mark.line < self.mark.line || sk.mark.index + 1024 < self.mark.index {
            if sk.required {
                return self.err(
                    "while scanning a simple key",
                    sk.mark,
                    "could not find expected ':'",
                );
            }
            sk.possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    fn save_simple_key(&mut self) -> SResult<()> {
        let required = self.flow_level == 0 && self.indent == self.mark.column;
        if self.simple_key_allowed {
            let sk = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + (self.tokens.len() - self.head) as i64,
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let i = self.simple_keys.len() - 1;
            self.simple_keys[i] = sk;
            self.simple_keys_by_tok.insert(sk.token_number, i);
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> SResult<()> {
        let i = self.simple_keys.len() - 1;
        if self.simple_keys[i].possible {
            if self.simple_keys[i].required {
                return self.err(
                    "while scanning a simple key",
                    self.simple_keys[i].mark,
                    "could not find expected ':'",
                );
            }
            self.simple_keys[i].possible = false;
            self.simple_keys_by_tok
                .remove(&self.simple_keys[i].token_number);
        }
        Ok(())
    }

    fn increase_flow_level(&mut self) -> SResult<()> {
        self.simple_keys.push(SimpleKey {
            possible: false,
            required: false,
            token_number: self.tokens_parsed + (self.tokens.len() - self.head) as i64,
            mark: self.mark,
        });
        self.flow_level += 1;
        if self.flow_level > MAX_FLOW_LEVEL {
            let m = self.simple_keys[self.simple_keys.len() - 1].mark;
            return self.err(
                "while increasing flow level",
                m,
                &format!("exceeded max depth of {MAX_FLOW_LEVEL}"),
            );
        }
        Ok(())
    }

    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(last) = self.simple_keys.pop() {
                self.simple_keys_by_tok.remove(&last.token_number);
            }
        }
    }

    fn roll_indent(&mut self, column: i64, number: i64, typ: Tok, mark: Mark) -> SResult<()> {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
            if self.indents.len() > MAX_INDENTS {
                let m = self.simple_keys[self.simple_keys.len() - 1].mark;
                return self.err(
                    "while increasing indent level",
                    m,
                    &format!("exceeded max depth of {MAX_INDENTS}"),
                );
            }
            let token = Token::new(typ, mark, mark);
            let pos = if number > -1 {
                number - self.tokens_parsed
            } else {
                -1
            };
            self.insert_token(pos, token);
        }
        Ok(())
    }

    fn unroll_indent(&mut self, column: i64, scan_mark: Mark) {
        if self.flow_level > 0 {
            return;
        }
        let mut block_mark = scan_mark;
        block_mark.index -= 1;
        while self.indent > column {
            let mut stop_index = block_mark.index;
            for i in (0..self.comments.len()).rev() {
                let c = &self.comments[i];
                if c.end_mark.index < stop_index {
                    break;
                }
                if c.start_mark.column == self.indent + 1 {
                    block_mark = c.start_mark;
                }
                stop_index = c.scan_mark.index;
            }
            self.insert_token(-1, Token::new(Tok::BlockEnd, block_mark, block_mark));
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    fn fetch_stream_start(&mut self) -> SResult<()> {
        self.indent = -1;
        self.simple_keys.push(SimpleKey::default());
        self.simple_key_allowed = true;
        self.stream_start_produced = true;
        self.insert_token(-1, Token::new(Tok::StreamStart, self.mark, self.mark));
        Ok(())
    }

    fn fetch_stream_end(&mut self) -> SResult<()> {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1, self.mark);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.insert_token(-1, Token::new(Tok::StreamEnd, self.mark, self.mark));
        Ok(())
    }

    fn fetch_directive(&mut self) -> SResult<()> {
        self.unroll_indent(-1, self.mark);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let t = self.scan_directive()?;
        self.insert_token(-1, t);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, typ: Tok) -> SResult<()> {
        self.unroll_indent(-1, self.mark);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        self.insert_token(-1, Token::new(typ, start, self.mark));
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, typ: Tok) -> SResult<()> {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.insert_token(-1, Token::new(typ, start, self.mark));
        Ok(())
    }

    fn fetch_flow_collection_end(&mut self, typ: Tok) -> SResult<()> {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.insert_token(-1, Token::new(typ, start, self.mark));
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> SResult<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.insert_token(-1, Token::new(Tok::FlowEntry, start, self.mark));
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> SResult<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return self.err(
                    "",
                    self.mark,
                    "block sequence entries are not allowed in this context",
                );
            }
            self.roll_indent(self.mark.column, -1, Tok::BlockSequenceStart, self.mark)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.insert_token(-1, Token::new(Tok::BlockEntry, start, self.mark));
        Ok(())
    }

    fn fetch_key(&mut self) -> SResult<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return self.err(
                    "",
                    self.mark,
                    "mapping keys are not allowed in this context",
                );
            }
            self.roll_indent(self.mark.column, -1, Tok::BlockMappingStart, self.mark)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        let start = self.mark;
        self.skip();
        self.insert_token(-1, Token::new(Tok::Key, start, self.mark));
        Ok(())
    }

    fn fetch_value(&mut self) -> SResult<()> {
        let i = self.simple_keys.len() - 1;
        let mut sk = self.simple_keys[i];
        let valid = self.simple_key_is_valid(&mut sk)?;
        self.simple_keys[i] = sk;
        if valid {
            let t = Token::new(Tok::Key, sk.mark, sk.mark);
            self.insert_token(sk.token_number - self.tokens_parsed, t);
            self.roll_indent(
                sk.mark.column,
                sk.token_number,
                Tok::BlockMappingStart,
                sk.mark,
            )?;
            self.simple_keys[i].possible = false;
            self.simple_keys_by_tok.remove(&sk.token_number);
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return self.err(
                        "",
                        self.mark,
                        "mapping values are not allowed in this context",
                    );
                }
                self.roll_indent(self.mark.column, -1, Tok::BlockMappingStart, self.mark)?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        let start = self.mark;
        self.skip();
        self.insert_token(-1, Token::new(Tok::Value, start, self.mark));
        Ok(())
    }

    fn fetch_anchor(&mut self, typ: Tok) -> SResult<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let t = self.scan_anchor(typ)?;
        self.insert_token(-1, t);
        Ok(())
    }

    fn fetch_tag(&mut self) -> SResult<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let t = self.scan_tag()?;
        self.insert_token(-1, t);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, literal: bool) -> SResult<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let t = self.scan_block_scalar(literal)?;
        self.insert_token(-1, t);
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, single: bool) -> SResult<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let t = self.scan_flow_scalar(single)?;
        self.insert_token(-1, t);
        Ok(())
    }

    fn fetch_plain_scalar(&mut self) -> SResult<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let t = self.scan_plain_scalar()?;
        self.insert_token(-1, t);
        Ok(())
    }

    // ----- whitespace and comments -----

    fn scan_to_next_token(&mut self) -> SResult<()> {
        let scan_mark = self.mark;
        loop {
            while self.at(0) == b' '
                || ((self.flow_level > 0 || !self.simple_key_allowed) && self.at(0) == b'\t')
            {
                self.skip();
            }
            if !self.comments.is_empty() && self.tokens.len() > 1 {
                let a = self.tokens[self.tokens.len() - 2].typ;
                let b = self.tokens[self.tokens.len() - 1].typ;
                let at_break = self.is_break(0);
                let line_now = self.mark.line;
                let mark_now = self.mark;
                let last = self.comments.len() - 1;
                let c = &mut self.comments[last];
                if a == Tok::BlockSequenceStart
                    && b == Tok::BlockEntry
                    && !c.line.is_empty()
                    && !at_break
                {
                    c.head = std::mem::take(&mut c.line);
                    if c.start_mark.line == line_now - 1 {
                        c.token_mark = mark_now;
                    }
                }
            }
            if self.at(0) == b'#' {
                self.scan_comments(scan_mark);
            }
            if self.is_break(0) {
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    fn scan_line_comment(&mut self, token_mark: Mark) {
        if self.newlines > 0 {
            return;
        }
        let mut start_mark = Mark::default();
        let mut text = Vec::new();
        let mut peek = 0usize;
        while peek < 512 {
            if self.is_blank(peek) {
                peek += 1;
                continue;
            }
            if self.at(peek) == b'#' {
                let seen = self.mark.index + peek as i64;
                loop {
                    if self.is_breakz(0) {
                        if self.mark.index >= seen {
                            break;
                        }
                        self.skip_line();
                    } else if self.mark.index >= seen {
                        if text.is_empty() {
                            start_mark = self.mark;
                        }
                        self.read(&mut text);
                    } else {
                        self.skip();
                    }
                }
            }
            break;
        }
        if !text.is_empty() {
            self.comments.push(Comment {
                token_mark,
                start_mark,
                line: text,
                ..Default::default()
            });
        }
    }

    fn scan_comments(&mut self, scan_mark_in: Mark) {
        let mut scan_mark = scan_mark_in;
        let mut token = &self.tokens[self.tokens.len() - 1];
        if token.typ == Tok::FlowEntry && self.tokens.len() > 1 {
            token = &self.tokens[self.tokens.len() - 2];
        }
        let token_typ = token.typ;
        let mut token_mark = token.start;
        let mut start_mark = Mark::default();
        let mut next_indent = self.indent.max(0);
        let mut recent_empty = false;
        let mut first_empty = self.newlines <= 1;
        let mut line = self.mark.line;
        let mut column = self.mark.column;
        let mut text: Vec<u8> = Vec::new();

        let mut foot_line = -1;
        if scan_mark.line > 0 {
            foot_line = self.mark.line - self.newlines + 1;
            if self.newlines == 0 && self.mark.column > 1 {
                foot_line += 1;
            }
        }

        let mut peek: usize = 0;
        while peek < 512 {
            column += 1;
            if self.is_blank(peek) {
                peek += 1;
                continue;
            }
            let c = self.at(peek);
            let close_flow = self.flow_level > 0 && (c == b']' || c == b'}');
            if close_flow || self.is_breakz(peek) {
                if close_flow || !recent_empty {
                    if close_flow
                        || (first_empty
                            && ((start_mark.line == foot_line && token_typ != Tok::Value)
                                || start_mark.column - 1 < next_indent))
                    {
                        if !text.is_empty() {
                            if start_mark.column - 1 < next_indent {
                                token_mark = start_mark;
                            }
                            let end = Mark {
                                index: self.mark.index + peek as i64,
                                line,
                                column,
                            };
                            self.comments.push(Comment {
                                scan_mark,
                                token_mark,
                                start_mark,
                                end_mark: end,
                                foot: std::mem::take(&mut text),
                                ..Default::default()
                            });
                            scan_mark = end;
                            token_mark = scan_mark;
                        }
                    } else if !text.is_empty() && self.at(peek) != 0 {
                        text.push(b'\n');
                    }
                }
                if !self.is_break(peek) {
                    break;
                }
                first_empty = false;
                recent_empty = true;
                column = 0;
                line += 1;
                peek += 1;
                continue;
            }

            if !text.is_empty()
                && (close_flow || (column - 1 < next_indent && column != start_mark.column))
            {
                let end = Mark {
                    index: self.mark.index + peek as i64,
                    line,
                    column,
                };
                self.comments.push(Comment {
                    scan_mark,
                    token_mark,
                    start_mark,
                    end_mark: end,
                    foot: std::mem::take(&mut text),
                    ..Default::default()
                });
                scan_mark = end;
                token_mark = scan_mark;
            }

            if self.at(peek) != b'#' {
                break;
            }

            if text.is_empty() {
                start_mark = Mark {
                    index: self.mark.index + peek as i64,
                    line,
                    column,
                };
            } else {
                text.push(b'\n');
            }
            recent_empty = false;

            let seen = self.mark.index + peek as i64;
            loop {
                if self.is_breakz(0) {
                    if self.mark.index >= seen {
                        break;
                    }
                    self.skip_line();
                } else if self.mark.index >= seen {
                    self.read(&mut text);
                } else {
                    self.skip();
                }
            }
            // yaml.v3 resets peek to 0 and its loop then steps past the line break.
            peek = 1;
            column = 0;
            line = self.mark.line;
            next_indent = self.indent.max(0);
        }

        if !text.is_empty() {
            self.comments.push(Comment {
                scan_mark,
                token_mark: start_mark,
                start_mark,
                end_mark: Mark {
                    index: self.mark.index + peek as i64 - 1,
                    line,
                    column,
                },
                head: text,
                ..Default::default()
            });
        }
    }

    // ----- directives, anchors, tags -----

    fn scan_directive(&mut self) -> SResult<Token> {
        let start = self.mark;
        self.skip();
        let mut name = Vec::new();
        while is_alpha(self.at(0)) {
            self.read(&mut name);
        }
        if name.is_empty() {
            return self.err(
                "while scanning a directive",
                start,
                "could not find expected directive name",
            );
        }
        if !self.is_blankz(0) {
            return self.err(
                "while scanning a directive",
                start,
                "found unexpected non-alphabetical character",
            );
        }
        let mut token;
        if name == b"YAML" {
            while self.is_blank(0) {
                self.skip();
            }
            let major = self.scan_version_number(start)?;
            if self.at(0) != b'.' {
                return self.err(
                    "while scanning a %YAML directive",
                    start,
                    "did not find expected digit or '.' character",
                );
            }
            self.skip();
            let minor = self.scan_version_number(start)?;
            token = Token::new(Tok::VersionDirective, start, self.mark);
            token.major = major;
            token.minor = minor;
        } else if name == b"TAG" {
            while self.is_blank(0) {
                self.skip();
            }
            let handle = self.scan_tag_handle(true, start)?;
            if !self.is_blank(0) {
                return self.err(
                    "while scanning a %TAG directive",
                    start,
                    "did not find expected whitespace",
                );
            }
            while self.is_blank(0) {
                self.skip();
            }
            let prefix = self.scan_tag_uri(true, &[], start)?;
            if !self.is_blankz(0) {
                return self.err(
                    "while scanning a %TAG directive",
                    start,
                    "did not find expected whitespace or line break",
                );
            }
            token = Token::new(Tok::TagDirective, start, self.mark);
            token.value = handle;
            token.prefix = prefix;
        } else {
            return self.err(
                "while scanning a directive",
                start,
                "found unknown directive name",
            );
        }
        while self.is_blank(0) {
            self.skip();
        }
        if self.at(0) == b'#' {
            while !self.is_breakz(0) {
                self.skip();
            }
        }
        if !self.is_breakz(0) {
            return self.err(
                "while scanning a directive",
                start,
                "did not find expected comment or line break",
            );
        }
        if self.is_break(0) {
            self.skip_line();
        }
        Ok(token)
    }

    fn scan_version_number(&mut self, start: Mark) -> SResult<i8> {
        let mut value: i8 = 0;
        let mut length = 0;
        while self.at(0).is_ascii_digit() {
            length += 1;
            if length > 2 {
                return self.err(
                    "while scanning a %YAML directive",
                    start,
                    "found extremely long version number",
                );
            }
            value = value * 10 + (self.at(0) - b'0') as i8;
            self.skip();
        }
        if length == 0 {
            return self.err(
                "while scanning a %YAML directive",
                start,
                "did not find expected version number",
            );
        }
        Ok(value)
    }

    fn scan_anchor(&mut self, typ: Tok) -> SResult<Token> {
        let start = self.mark;
        self.skip();
        let mut s = Vec::new();
        while is_alpha(self.at(0)) {
            self.read(&mut s);
        }
        let end = self.mark;
        let c = self.at(0);
        if s.is_empty()
            || !(self.is_blankz(0)
                || matches!(c, b'?' | b':' | b',' | b']' | b'}' | b'%' | b'@' | b'`'))
        {
            let context = if typ == Tok::Anchor {
                "while scanning an anchor"
            } else {
                "while scanning an alias"
            };
            return self.err(
                context,
                start,
                "did not find expected alphabetic or numeric character",
            );
        }
        let mut t = Token::new(typ, start, end);
        t.value = s;
        Ok(t)
    }

    fn scan_tag(&mut self) -> SResult<Token> {
        let start = self.mark;
        let handle;
        let suffix;
        if self.at(1) == b'<' {
            self.skip();
            self.skip();
            suffix = self.scan_tag_uri(false, &[], start)?;
            if self.at(0) != b'>' {
                return self.err(
                    "while scanning a tag",
                    start,
                    "did not find the expected '>'",
                );
            }
            self.skip();
            handle = Vec::new();
        } else {
            let h = self.scan_tag_handle(false, start)?;
            if h[0] == b'!' && h.len() > 1 && h[h.len() - 1] == b'!' {
                suffix = self.scan_tag_uri(false, &[], start)?;
                handle = h;
            } else {
                let s = self.scan_tag_uri(false, &h, start)?;
                if s.is_empty() {
                    handle = Vec::new();
                    suffix = b"!".to_vec();
                } else {
                    handle = b"!".to_vec();
                    suffix = s;
                }
            }
        }
        if !self.is_blankz(0) {
            return self.err(
                "while scanning a tag",
                start,
                "did not find expected whitespace or line break",
            );
        }
        let mut t = Token::new(Tok::Tag, start, self.mark);
        t.value = handle;
        t.suffix = suffix;
        Ok(t)
    }

    fn tag_err<T>(&self, directive: bool, start: Mark, problem: &str) -> SResult<T> {
        let context = if directive {
            "while parsing a %TAG directive"
        } else {
            "while parsing a tag"
        };
        self.err(context, start, problem)
    }

    fn scan_tag_handle(&mut self, directive: bool, start: Mark) -> SResult<Vec<u8>> {
        if self.at(0) != b'!' {
            return self.tag_err(directive, start, "did not find expected '!'");
        }
        let mut s = Vec::new();
        self.read(&mut s);
        while is_alpha(self.at(0)) {
            self.read(&mut s);
        }
        if self.at(0) == b'!' {
            self.read(&mut s);
        } else if directive && s != b"!" {
            return self.tag_err(directive, start, "did not find expected '!'");
        }
        Ok(s)
    }

    fn scan_tag_uri(&mut self, directive: bool, head: &[u8], start: Mark) -> SResult<Vec<u8>> {
        let mut s = Vec::new();
        let mut has_tag = !head.is_empty();
        if head.len() > 1 {
            s.extend_from_slice(&head[1..]);
        }
        loop {
            let c = self.at(0);
            let ok = is_alpha(c)
                || matches!(
                    c,
                    b';' | b'/'
                        | b'?'
                        | b':'
                        | b'@'
                        | b'&'
                        | b'='
                        | b'+'
                        | b'$'
                        | b','
                        | b'.'
                        | b'!'
                        | b'~'
                        | b'*'
                        | b'\''
                        | b'('
                        | b')'
                        | b'['
                        | b']'
                        | b'%'
                );
            if !ok {
                break;
            }
            if c == b'%' {
                self.scan_uri_escapes(directive, start, &mut s)?;
            } else {
                self.read(&mut s);
            }
            has_tag = true;
        }
        if !has_tag {
            return self.tag_err(directive, start, "did not find expected tag URI");
        }
        Ok(s)
    }

    fn scan_uri_escapes(&mut self, directive: bool, start: Mark, s: &mut Vec<u8>) -> SResult<()> {
        let mut w = 1024usize;
        while w > 0 {
            if !(self.at(0) == b'%' && is_hex(self.at(1)) && is_hex(self.at(2))) {
                return self.tag_err(directive, start, "did not find URI escaped octet");
            }
            let octet = ((as_hex(self.at(1)) << 4) + as_hex(self.at(2))) as u8;
            if w == 1024 {
                w = width(octet);
                if w == 0 {
                    return self.tag_err(
                        directive,
                        start,
                        "found an incorrect leading UTF-8 octet",
                    );
                }
            } else if octet & 0xC0 != 0x80 {
                return self.tag_err(directive, start, "found an incorrect trailing UTF-8 octet");
            }
            s.push(octet);
            self.skip();
            self.skip();
            self.skip();
            w -= 1;
        }
        Ok(())
    }

    // ----- scalars -----

    fn scan_block_scalar(&mut self, literal: bool) -> SResult<Token> {
        let start = self.mark;
        self.skip();
        let mut chomping = 0i32;
        let mut increment = 0i64;
        let c = self.at(0);
        if c == b'+' || c == b'-' {
            chomping = if c == b'+' { 1 } else { -1 };
            self.skip();
            if self.at(0).is_ascii_digit() {
                if self.at(0) == b'0' {
                    return self.err(
                        "while scanning a block scalar",
                        start,
                        "found an indentation indicator equal to 0",
                    );
                }
                increment = (self.at(0) - b'0') as i64;
                self.skip();
            }
        } else if c.is_ascii_digit() {
            if c == b'0' {
                return self.err(
                    "while scanning a block scalar",
                    start,
                    "found an indentation indicator equal to 0",
                );
            }
            increment = (c - b'0') as i64;
            self.skip();
            let c = self.at(0);
            if c == b'+' || c == b'-' {
                chomping = if c == b'+' { 1 } else { -1 };
                self.skip();
            }
        }
        while self.is_blank(0) {
            self.skip();
        }
        if self.at(0) == b'#' {
            self.scan_line_comment(start);
            while !self.is_breakz(0) {
                self.skip();
            }
        }
        if !self.is_breakz(0) {
            return self.err(
                "while scanning a block scalar",
                start,
                "did not find expected comment or line break",
            );
        }
        if self.is_break(0) {
            self.skip_line();
        }
        let mut end = self.mark;
        let mut indent = 0i64;
        if increment > 0 {
            indent = if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            };
        }
        let mut s = Vec::new();
        let mut leading_break = Vec::new();
        let mut trailing_breaks = Vec::new();
        self.block_scalar_breaks(&mut indent, &mut trailing_breaks, start, &mut end)?;
        let mut leading_blank = false;
        while self.mark.column == indent && !self.is_z(0) {
            let trailing_blank = self.is_blank(0);
            if !literal
                && !leading_blank
                && !trailing_blank
                && leading_break.first() == Some(&b'\n')
            {
                if trailing_breaks.is_empty() {
                    s.push(b' ');
                }
            } else {
                s.extend_from_slice(&leading_break);
            }
            leading_break.clear();
            s.extend_from_slice(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = self.is_blank(0);
            while !self.is_breakz(0) {
                self.read(&mut s);
            }
            self.read_line(&mut leading_break);
            self.block_scalar_breaks(&mut indent, &mut trailing_breaks, start, &mut end)?;
        }
        if chomping != -1 {
            s.extend_from_slice(&leading_break);
        }
        if chomping == 1 {
            s.extend_from_slice(&trailing_breaks);
        }
        let mut t = Token::new(Tok::Scalar, start, end);
        t.value = s;
        t.style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        Ok(t)
    }

    fn block_scalar_breaks(
        &mut self,
        indent: &mut i64,
        breaks: &mut Vec<u8>,
        start: Mark,
        end: &mut Mark,
    ) -> SResult<()> {
        *end = self.mark;
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || self.mark.column < *indent) && self.at(0) == b' ' {
                self.skip();
            }
            if self.mark.column > max_indent {
                max_indent = self.mark.column;
            }
            if (*indent == 0 || self.mark.column < *indent) && self.at(0) == b'\t' {
                return self.err(
                    "while scanning a block scalar",
                    start,
                    "found a tab character where an indentation space is expected",
                );
            }
            if !self.is_break(0) {
                break;
            }
            self.read_line(breaks);
            *end = self.mark;
        }
        if *indent == 0 {
            *indent = max_indent;
            if *indent < self.indent + 1 {
                *indent = self.indent + 1;
            }
            if *indent < 1 {
                *indent = 1;
            }
        }
        Ok(())
    }

    fn at_document_indicator(&self) -> bool {
        self.mark.column == 0
            && ((self.at(0) == b'-' && self.at(1) == b'-' && self.at(2) == b'-')
                || (self.at(0) == b'.' && self.at(1) == b'.' && self.at(2) == b'.'))
            && self.is_blankz(3)
    }

    fn scan_flow_scalar(&mut self, single: bool) -> SResult<Token> {
        let start = self.mark;
        self.skip();
        let mut s = Vec::new();
        let mut leading_break = Vec::new();
        let mut trailing_breaks = Vec::new();
        let mut whitespaces = Vec::new();
        loop {
            if self.at_document_indicator() {
                return self.err(
                    "while scanning a quoted scalar",
                    start,
                    "found unexpected document indicator",
                );
            }
            if self.is_z(0) {
                return self.err(
                    "while scanning a quoted scalar",
                    start,
                    "found unexpected end of stream",
                );
            }
            let mut leading_blanks = false;
            while !self.is_blankz(0) {
                let c = self.at(0);
                if single && c == b'\'' && self.at(1) == b'\'' {
                    s.push(b'\'');
                    self.skip();
                    self.skip();
                } else if (single && c == b'\'') || (!single && c == b'"') {
                    break;
                } else if !single && c == b'\\' && self.is_break(1) {
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == b'\\' {
                    let mut code_length = 0;
                    match self.at(1) {
                        b'0' => s.push(0),
                        b'a' => s.push(0x07),
                        b'b' => s.push(0x08),
                        b't' | b'\t' => s.push(0x09),
                        b'n' => s.push(0x0A),
                        b'v' => s.push(0x0B),
                        b'f' => s.push(0x0C),
                        b'r' => s.push(0x0D),
                        b'e' => s.push(0x1B),
                        b' ' => s.push(0x20),
                        b'"' => s.push(b'"'),
                        b'\'' => s.push(b'\''),
                        b'\\' => s.push(b'\\'),
                        b'N' => s.extend_from_slice("\u{85}".as_bytes()),
                        b'_' => s.extend_from_slice("\u{a0}".as_bytes()),
                        b'L' => s.extend_from_slice("\u{2028}".as_bytes()),
                        b'P' => s.extend_from_slice("\u{2029}".as_bytes()),
                        b'x' => code_length = 2,
                        b'u' => code_length = 4,
                        b'U' => code_length = 8,
                        _ => {
                            return self.err(
                                "while parsing a quoted scalar",
                                start,
                                "found unknown escape character",
                            )
                        }
                    }
                    self.skip();
                    self.skip();
                    if code_length > 0 {
                        let mut value: u32 = 0;
                        for k in 0..code_length {
                            if !is_hex(self.at(k)) {
                                return self.err(
                                    "while parsing a quoted scalar",
                                    start,
                                    "did not find expected hexdecimal number",
                                );
                            }
                            value = (value << 4) + as_hex(self.at(k));
                        }
                        match char::from_u32(value) {
                            Some(ch) => {
                                let mut buf = [0u8; 4];
                                s.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            }
                            None => {
                                return self.err(
                                    "while parsing a quoted scalar",
                                    start,
                                    "found invalid Unicode character escape code",
                                )
                            }
                        }
                        for _ in 0..code_length {
                            self.skip();
                        }
                    }
                } else {
                    self.read(&mut s);
                }
            }
            let c = self.at(0);
            if (single && c == b'\'') || (!single && c == b'"') {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    if !leading_blanks {
                        self.read(&mut whitespaces);
                    } else {
                        self.skip();
                    }
                } else if !leading_blanks {
                    whitespaces.clear();
                    self.read_line(&mut leading_break);
                    leading_blanks = true;
                } else {
                    self.read_line(&mut trailing_breaks);
                }
            }
            if leading_blanks {
                if leading_break.first() == Some(&b'\n') {
                    if trailing_breaks.is_empty() {
                        s.push(b' ');
                    } else {
                        s.extend_from_slice(&trailing_breaks);
                    }
                } else {
                    s.extend_from_slice(&leading_break);
                    s.extend_from_slice(&trailing_breaks);
                }
                trailing_breaks.clear();
                leading_break.clear();
            } else {
                s.extend_from_slice(&whitespaces);
                whitespaces.clear();
            }
        }
        self.skip();
        let mut t = Token::new(Tok::Scalar, start, self.mark);
        t.value = s;
        t.style = if single {
            ScalarStyle::Single
        } else {
            ScalarStyle::Double
        };
        Ok(t)
    }

    fn scan_plain_scalar(&mut self) -> SResult<Token> {
        let mut s = Vec::new();
        let mut leading_break = Vec::new();
        let mut trailing_breaks = Vec::new();
        let mut whitespaces = Vec::new();
        let mut leading_blanks = false;
        let indent = self.indent + 1;
        let start = self.mark;
        let mut end = self.mark;
        loop {
            if self.at_document_indicator() {
                break;
            }
            if self.at(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if (c == b':' && self.is_blankz(1))
                    || (self.flow_level > 0 && matches!(c, b',' | b'?' | b'[' | b']' | b'{' | b'}'))
                {
                    break;
                }
                if leading_blanks || !whitespaces.is_empty() {
                    if leading_blanks {
                        if leading_break.first() == Some(&b'\n') {
                            if trailing_breaks.is_empty() {
                                s.push(b' ');
                            } else {
                                s.extend_from_slice(&trailing_breaks);
                            }
                        } else {
                            s.extend_from_slice(&leading_break);
                            s.extend_from_slice(&trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                        leading_blanks = false;
                    } else {
                        s.extend_from_slice(&whitespaces);
                        whitespaces.clear();
                    }
                }
                self.read(&mut s);
                end = self.mark;
            }
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    if leading_blanks && self.mark.column < indent && self.at(0) == b'\t' {
                        return self.err(
                            "while scanning a plain scalar",
                            start,
                            "found a tab character that violates indentation",
                        );
                    }
                    if !leading_blanks {
                        self.read(&mut whitespaces);
                    } else {
                        self.skip();
                    }
                } else if !leading_blanks {
                    whitespaces.clear();
                    self.read_line(&mut leading_break);
                    leading_blanks = true;
                } else {
                    self.read_line(&mut trailing_breaks);
                }
            }
            if self.flow_level == 0 && self.mark.column < indent {
                break;
            }
        }
        let mut t = Token::new(Tok::Scalar, start, end);
        t.value = s;
        t.style = ScalarStyle::Plain;
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(t)
    }
}
