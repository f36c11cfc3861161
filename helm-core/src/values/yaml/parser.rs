//! YAML text → node tree (the part libyaml's scanner and parser do for yaml.v2).
//!
//! A recursive-descent reader over characters: block structure is decided by columns, flow
//! collections by brackets. It returns untyped nodes (scalars keep their text and style) with
//! anchors already substituted; typing plain scalars is `resolve`'s job.
//!
//! Errors mimic yaml.v2's messages and its odd line numbers: scanner errors report the 1-based
//! line, parser errors the 0-based line of the offending token (and omit the line when it is 0).

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

/// How a scalar was written; only plain scalars are resolved to bool/int/float/null.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Debug)]
pub(crate) enum Node {
    Scalar {
        text: String,
        style: Style,
        tag: Option<String>,
    },
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
    /// A use of an anchored node (`*a`) with the node's expanded size; yaml.v2 treats aliases
    /// specially in merges (`<<: *a` must name a mapping).
    Alias(Rc<Node>, usize),
}

impl Drop for Node {
    /// Iterative, so the deepest document the limits allow drops in constant stack. Shared
    /// nodes (anchors) are only taken apart by their last owner.
    fn drop(&mut self) {
        fn take(n: &mut Node, pending: &mut Vec<Rc<Node>>) {
            match n {
                Node::Seq(items) => pending.append(items),
                Node::Map(entries) => {
                    for (k, v) in entries.drain(..) {
                        pending.push(k);
                        pending.push(v);
                    }
                }
                Node::Alias(..) | Node::Scalar { .. } => {}
            }
        }
        if matches!(self, Node::Scalar { .. } | Node::Alias(..)) {
            return;
        }
        let mut pending = Vec::new();
        take(self, &mut pending);
        while let Some(rc) = pending.pop() {
            if let Ok(mut n) = Rc::try_unwrap(rc) {
                take(&mut n, &mut pending);
            }
        }
    }
}

/// A reading failure, already formatted as yaml.v2 formats it (without sigs.k8s.io's prefix).
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    /// 1-based line for our API.
    pub line: usize,
    pub column: usize,
    /// Go's text, e.g. `yaml: line 3: mapping values are not allowed in this context`.
    pub message: String,
}

type PResult<T> = Result<T, ParseError>;

/// yaml.v2's scanner limits: at most this many nested flow collections (`[[[…]]]`), and
/// separately this many block indentation levels. Deeper input fails with Go's
/// `exceeded max depth of 10000`; the recursion itself runs on growable stack segments
/// ([`crate::values::deep`]).
const MAX_DEPTH: usize = 10_000;
/// Our node nesting counts the document root and the scalar leaf too, which yaml.v2's
/// indentation stack does not.
const MAX_BLOCK_NODES: usize = MAX_DEPTH + 2;
/// Total nodes alias expansion may produce per document before we call it a billion-laughs bomb.
const MAX_ALIAS_EXPANSION: usize = 2_000_000;

/// The source as the parser reads it. ASCII sources (nearly every values file and rendered
/// manifest) are read in place as bytes, one byte a character, with no copy unless CR line
/// breaks need normalising; others are decoded once into chars. A `Vec<char>` of every source
/// cost 4 bytes per input byte (page faults on large files) and a char-by-char copy.
enum Text<'a> {
    Ascii(Cow<'a, [u8]>),
    Wide(Vec<char>),
}

impl Text<'_> {
    #[inline]
    fn get(&self, i: usize) -> Option<char> {
        match self {
            Text::Ascii(b) => b.get(i).map(|&b| b as char),
            Text::Wide(c) => c.get(i).copied(),
        }
    }
    fn len(&self) -> usize {
        match self {
            Text::Ascii(b) => b.len(),
            Text::Wide(c) => c.len(),
        }
    }
    /// Whether every character in `range` passes `f` (true when the range is out of bounds).
    fn all(&self, range: std::ops::Range<usize>, f: impl Fn(char) -> bool) -> bool {
        match self {
            Text::Ascii(b) => b.get(range).is_none_or(|r| r.iter().all(|&b| f(b as char))),
            Text::Wide(c) => c.get(range).is_none_or(|r| r.iter().all(|&c| f(c))),
        }
    }
    /// The characters in `range` as a string (empty when out of bounds).
    fn string(&self, range: std::ops::Range<usize>) -> String {
        match self {
            Text::Ascii(b) => b
                .get(range)
                .map(|r| r.iter().map(|&b| b as char).collect())
                .unwrap_or_default(),
            Text::Wide(c) => c.get(range).map(|r| r.iter().collect()).unwrap_or_default(),
        }
    }
}

pub(crate) struct Parser<'a> {
    s: Text<'a>,
    pos: usize,
    /// Start offset of every line, for line/column reporting.
    line_starts: Vec<usize>,
    anchors: HashMap<String, (Rc<Node>, usize)>,
    depth: usize,
    alias_nodes: usize,
    /// Column of the innermost block collection (libyaml's `parser.indent`), -1 at top level.
    block_indent: i64,
    /// Nesting of flow collections.
    flow: usize,
    /// Columns of the enclosing block mappings (innermost last).
    seq_parent_map_cols: Vec<i64>,
    /// A tab met in indentation while skipping space, reported by the next token read.
    tab_error: Option<(usize, &'static str)>,
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ') | Some('\t'))
}
fn is_blankz(c: Option<char>) -> bool {
    matches!(c, None | Some(' ') | Some('\t') | Some('\n') | Some('\r'))
}
fn is_flow_ind(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

fn node_size(n: &Node) -> usize {
    match n {
        Node::Scalar { .. } => 1,
        Node::Alias(_, size) => *size,
        Node::Seq(items) => 1 + items.iter().map(|i| node_size(i)).sum::<usize>(),
        Node::Map(items) => {
            1 + items
                .iter()
                .map(|(k, v)| node_size(k) + node_size(v))
                .sum::<usize>()
        }
    }
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str) -> Parser<'a> {
        // Normalise CRLF/CR/NEL line breaks to LF; drop a leading BOM. An ASCII source is
        // read in place (copied only to replace CRs); any other is decoded into chars, with
        // bytes below 0x80 taken without UTF-8 decoding.
        let src = src.trim_start_matches('\u{feff}');
        let bytes = src.as_bytes();
        if bytes.is_ascii() {
            let text: Cow<'a, [u8]> = if memchr::memchr(b'\r', bytes).is_none() {
                Cow::Borrowed(bytes)
            } else {
                // CRLF and lone CR both become LF.
                let mut out = Vec::with_capacity(bytes.len());
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i] == b'\r' {
                        out.push(b'\n');
                        i += if bytes.get(i + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        };
                    } else {
                        out.push(bytes[i]);
                        i += 1;
                    }
                }
                Cow::Owned(out)
            };
            let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
            line_starts.push(0);
            line_starts.extend(memchr::memchr_iter(b'\n', &text).map(|i| i + 1));
            return Parser::with_text(Text::Ascii(text), line_starts);
        }
        let mut s: Vec<char> = Vec::with_capacity(src.len());
        let mut line_starts = Vec::with_capacity(src.len() / 32 + 1);
        line_starts.push(0);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                i += 1;
                let c = match b {
                    b'\r' => {
                        if bytes.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                        '\n'
                    }
                    _ => b as char,
                };
                s.push(c);
                if c == '\n' {
                    line_starts.push(s.len());
                }
                continue;
            }
            let c = src[i..].chars().next().unwrap_or('\u{fffd}');
            i += c.len_utf8();
            if c == '\u{85}' {
                // NEL is a YAML 1.1 line break; libyaml reads it as '\n'.
                s.push('\n');
                line_starts.push(s.len());
            } else {
                s.push(c);
            }
        }
        Parser::with_text(Text::Wide(s), line_starts)
    }

    fn with_text(s: Text<'a>, line_starts: Vec<usize>) -> Parser<'a> {
        Parser {
            s,
            pos: 0,
            line_starts,
            anchors: HashMap::new(),
            depth: 0,
            alias_nodes: 0,
            block_indent: -1,
            flow: 0,
            seq_parent_map_cols: Vec::new(),
            tab_error: None,
        }
    }

    // ----- position helpers -------------------------------------------------------------

    fn peek(&self) -> Option<char> {
        self.s.get(self.pos)
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.pos + k)
    }
    fn line0_of(&self, pos: usize) -> usize {
        match self.line_starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
    fn col_of(&self, pos: usize) -> usize {
        let l = self.line0_of(pos);
        pos - self.line_starts.get(l).copied().unwrap_or(0)
    }
    fn col(&self) -> usize {
        self.col_of(self.pos)
    }
    fn at_line_start_marker(&self, pos: usize, marker: char) -> bool {
        // The characters first: they rule out almost every position without a line lookup.
        self.s.get(pos) == Some(marker)
            && self.s.get(pos + 1) == Some(marker)
            && self.s.get(pos + 2) == Some(marker)
            && is_blankz(self.s.get(pos + 3))
            && (pos == 0 || self.s.get(pos - 1) == Some('\n'))
    }
    /// `---` or `...` at the start of a line.
    fn at_doc_marker(&self, pos: usize) -> bool {
        self.at_line_start_marker(pos, '-') || self.at_line_start_marker(pos, '.')
    }

    /// A scanner error: yaml.v2 prints the 1-based line.
    fn scan_err<T>(&self, pos: usize, msg: &str) -> PResult<T> {
        let l0 = self.line0_of(pos);
        let line = l0 + 1;
        let message = if l0 == 0 {
            format!("yaml: {msg}")
        } else {
            format!("yaml: line {line}: {msg}")
        };
        Err(ParseError {
            line,
            column: self.col_of(pos) + 1,
            message,
        })
    }
    /// A required simple key that expired without its ':'. At the end of the stream libyaml
    /// first moves to a fresh line (when the last one has no line break), then notices.
    fn expired_key_err<T>(&self) -> PResult<T> {
        let p = self.pos;
        let mut l0 = self.line0_of(p);
        if p >= self.s.len() && self.col_of(p) != 0 {
            l0 += 1;
        }
        let line = l0 + 1;
        let msg = "could not find expected ':'";
        let message = if l0 == 0 {
            format!("yaml: {msg}")
        } else {
            format!("yaml: line {line}: {msg}")
        };
        Err(ParseError {
            line,
            column: 1,
            message,
        })
    }
    /// A parser error: yaml.v2 prints the 0-based line of the token (or of the context).
    fn parse_err<T>(&self, pos: usize, ctx: usize, msg: &str) -> PResult<T> {
        let mut l = self.line0_of(pos);
        // libyaml puts the stream end on a fresh line.
        if pos >= self.s.len() && self.col_of(pos) != 0 {
            l += 1;
        }
        if l == 0 {
            l = self.line0_of(ctx);
        }
        let message = if l == 0 {
            format!("yaml: {msg}")
        } else {
            format!("yaml: line {l}: {msg}")
        };
        Err(ParseError {
            line: self.line0_of(pos) + 1,
            column: self.col_of(pos) + 1,
            message,
        })
    }
    fn plain_err<T>(&self, pos: usize, msg: &str) -> PResult<T> {
        Err(ParseError {
            line: self.line0_of(pos) + 1,
            column: self.col_of(pos) + 1,
            message: format!("yaml: {msg}"),
        })
    }

    /// Skips spaces/tabs, comments and line breaks; returns whether a line break was crossed.
    fn skip_space(&mut self) -> bool {
        let mut crossed = false;
        loop {
            match self.peek() {
                Some('\t')
                    if self.flow == 0 && self.at_line_indent() && self.tab_error.is_none() =>
                {
                    // libyaml refuses tabs where indentation is read.
                    let mut q = self.pos;
                    while matches!(self.s.get(q), Some(' ') | Some('\t')) {
                        q += 1;
                    }
                    let msg = if matches!(self.s.get(q), None | Some('\n') | Some('#')) {
                        "found a tab character that violates indentation"
                    } else {
                        "found character that cannot start any token"
                    };
                    self.tab_error = Some((self.pos, msg));
                    self.pos += 1;
                }
                Some(' ') | Some('\t') => self.pos += 1,
                Some('\n') => {
                    self.pos += 1;
                    crossed = true;
                }
                Some('#') => {
                    while !matches!(self.peek(), None | Some('\n')) {
                        self.pos += 1;
                    }
                }
                _ => return crossed,
            }
        }
    }
    /// Whether only spaces/tabs precede the position on its line.
    fn at_line_indent(&self) -> bool {
        let l = self.line0_of(self.pos);
        let ls = self.line_starts.get(l).copied().unwrap_or(0);
        let end = self.pos.min(self.s.len());
        self.s.all(ls.min(end)..end, |c| c == ' ' || c == '\t')
    }

    /// Reports a tab found in indentation by `skip_space` (which cannot return errors).
    fn take_tab_error(&mut self) -> PResult<()> {
        if let Some((p, msg)) = self.tab_error.take() {
            return self.scan_err(p, msg);
        }
        Ok(())
    }

    /// libyaml scans the token after the first document's root before stopping: its scanner
    /// errors (an unterminated quote, a bad block scalar header, a tab) still fail the read.
    fn check_next_token(&mut self) -> PResult<()> {
        self.skip_space();
        self.take_tab_error()?;
        // Right after a node on the same line, no simple key or block indicator may start.
        if !self.at_line_indent() && self.flow == 0 && is_blankz(self.peek_at(1)) {
            match self.peek() {
                Some('?') => {
                    return self.plain_err(self.pos, "mapping keys are not allowed in this context")
                }
                Some('-') => {
                    return self.plain_err(
                        self.pos,
                        "block sequence entries are not allowed in this context",
                    )
                }
                _ => {}
            }
        }
        match self.peek() {
            None => Ok(()),
            Some('*') | Some('&') => {
                self.pos += 1;
                self.read_anchor_checked().map(|_| ())
            }
            Some('\'') => self.parse_quoted(false).map(|_| ()),
            Some('"') => self.parse_quoted(true).map(|_| ()),
            Some('|') | Some('>') => {
                self.pos += 1;
                while matches!(self.peek(), Some('+') | Some('-') | Some('1'..='9')) {
                    self.pos += 1;
                }
                self.skip_inline_space();
                match self.peek() {
                    None | Some('\n') => Ok(()),
                    _ => {
                        let p = self.pos;
                        self.scan_err(p, "did not find expected comment or line break")
                    }
                }
            }
            Some('@') | Some('`') => {
                let p = self.pos;
                self.scan_err(p, "found character that cannot start any token")
            }
            Some('%') if self.col() > 0 => {
                let p = self.pos;
                self.scan_err(p, "found character that cannot start any token")
            }
            _ => Ok(()),
        }
    }

    /// Moves to the token at which libyaml notices that a required simple key has no `:`: past
    /// the rest of the line and any plain-scalar continuation lines indented beyond `indent`.
    fn skip_expired_key(&mut self, indent: i64) {
        let mut in_plain = !matches!(self.peek(), Some('"') | Some('\''));
        loop {
            while !matches!(self.peek(), None | Some('\n')) {
                if self.peek() == Some('#')
                    && self.pos > 0
                    && matches!(self.s.get(self.pos - 1), Some(' ') | Some('\t'))
                {
                    in_plain = false;
                }
                self.pos += 1;
            }
            self.skip_space();
            self.tab_error = None;
            let continues = in_plain
                && self.peek().is_some()
                && !self.at_doc_marker(self.pos)
                && self.col() as i64 > indent
                && !self.at_line_start_comment();
            if !continues {
                return;
            }
        }
    }

    fn at_line_start_comment(&self) -> bool {
        self.peek() == Some('#')
    }

    /// Skips spaces/tabs and a comment on the current line only.
    fn skip_inline_space(&mut self) {
        self.skip_blanks();
        if self.peek() == Some('#') {
            while !matches!(self.peek(), None | Some('\n')) {
                self.pos += 1;
            }
        }
    }

    // ----- documents -------------------------------------------------------------------------

    /// Reads the documents of the stream (none for an empty stream; `None` for an empty
    /// document). With `only_first`, stops after the first as yaml.v2's Unmarshal does.
    pub(crate) fn parse_stream(&mut self, only_first: bool) -> PResult<Vec<Option<Rc<Node>>>> {
        let mut docs = Vec::new();
        loop {
            self.skip_space();
            // Directives.
            let mut had_directive = false;
            while self.peek() == Some('%') && self.col() == 0 {
                had_directive = true;
                let start = self.pos;
                self.pos += 1;
                let name_start = self.pos;
                while !is_blankz(self.peek()) {
                    self.pos += 1;
                }
                if self.pos == name_start {
                    return self.scan_err(start, "could not find expected directive name");
                }
                while !matches!(self.peek(), None | Some('\n')) {
                    self.pos += 1;
                }
                self.skip_space();
            }
            if self.peek().is_none() {
                if had_directive {
                    return self.parse_err(
                        self.pos,
                        self.pos,
                        "did not find expected <document start>",
                    );
                }
                return Ok(docs);
            }
            if self.at_line_start_marker(self.pos, '-') {
                self.pos += 3;
            } else if self.at_line_start_marker(self.pos, '.') {
                self.pos += 3;
                self.skip_inline_space();
                continue;
            } else if had_directive {
                return self.parse_err(
                    self.pos,
                    self.pos,
                    "did not find expected <document start>",
                );
            }
            self.anchors.clear();
            self.alias_nodes = 0;
            self.block_indent = -1;
            let node = self.parse_node(-1, Ctx::Top)?;
            docs.push(node);
            if only_first {
                self.check_next_token()?;
                return Ok(docs);
            }
            self.skip_space();
            if self.peek().is_none() {
                return Ok(docs);
            }
            if self.at_line_start_marker(self.pos, '.') {
                self.pos += 3;
                self.skip_inline_space();
                continue;
            }
            if self.at_line_start_marker(self.pos, '-') {
                continue;
            }
            let p = self.pos;
            return self.parse_err(p, p, "did not find expected <document start>");
        }
    }

    // ----- nodes -------------------------------------------------------------------------------

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.flow >= MAX_DEPTH || self.depth - self.flow.min(self.depth) > MAX_BLOCK_NODES {
            let p = self.pos;
            return self.scan_err(p, &format!("exceeded max depth of {MAX_DEPTH}"));
        }
        Ok(())
    }

    /// Parses a block node whose content must be indented more than `parent` (a column, -1 at
    /// top level). Returns `None` for an empty node (null).
    fn parse_node(&mut self, parent: i64, ctx: Ctx) -> PResult<Option<Rc<Node>>> {
        if let Err(e) = self.enter() {
            self.depth -= 1;
            return Err(e);
        }
        let r = crate::values::deep::guard(|| self.parse_node_inner(parent, ctx));
        self.depth -= 1;
        r
    }

    fn parse_node_inner(&mut self, parent: i64, ctx: Ctx) -> PResult<Option<Rc<Node>>> {
        let start_line = self.line0_of(self.pos);
        let mut crossed = self.skip_space();
        self.take_tab_error()?;
        let mut anchor: Option<String> = None;
        let mut tag: Option<String> = None;
        let mut props_col: Option<usize> = None;
        let mut props_start: Option<usize> = None;
        loop {
            if self.peek().is_none() || self.at_doc_marker(self.pos) {
                return Ok(self.finish_empty(anchor, tag));
            }
            let c = self.col() as i64;
            let same_line = self.line0_of(self.pos) == start_line && !crossed;
            // A block sequence may sit at the parent's column when it is a mapping value.
            let seq_here = self.peek() == Some('-') && is_blankz(self.peek_at(1));
            // libyaml lets a block scalar sit at the key's column (it cannot be a simple key).
            let block_scalar_here = matches!(self.peek(), Some('|') | Some('>'));
            let ok_col = c > parent
                || (ctx == Ctx::MapValue
                    && (seq_here || block_scalar_here)
                    && c == parent
                    && !same_line);
            if !ok_col && (!same_line || ctx == Ctx::Top) {
                return Ok(self.finish_empty(anchor, tag));
            }
            match self.peek() {
                Some('&') => {
                    let p = self.pos;
                    self.pos += 1;
                    let name = self.read_anchor_checked()?;
                    anchor = Some(name);
                    props_col.get_or_insert(c as usize);
                    props_start.get_or_insert(p);
                    crossed |= self.skip_space();
                    self.take_tab_error()?;
                }
                Some('!') => {
                    props_start.get_or_insert(self.pos);
                    let t = self.read_tag();
                    tag = Some(t);
                    props_col.get_or_insert(c as usize);
                    crossed |= self.skip_space();
                    self.take_tab_error()?;
                }
                _ => break,
            }
        }
        // `&a key: v`: the properties belong to the key, the mapping starts at them.
        if let Some(ps) = props_start {
            if self.line0_of(ps) == self.line0_of(self.pos) && self.line_is_key()? {
                let pc = self.col_of(ps) as i64;
                // The properties (anchor, tag) sit on the node's own start line.
                let same = self.line0_of(ps) == start_line;
                if same && ctx == Ctx::MapValue {
                    let p = self.find_colon_pos();
                    return self.scan_err(p, "mapping values are not allowed in this context");
                }
                self.pos = ps;
                let node = Rc::new(self.parse_block_map(pc, None)?);
                return Ok(Some(node));
            }
        }
        let c = self.col() as i64;
        let same_line = self.line0_of(self.pos) == start_line && !crossed;
        let ch = self.peek();
        if self.flow == 0
            && matches!(ch, Some(',') | Some(']') | Some('}'))
            && (anchor.is_some() || tag.is_some())
        {
            return Ok(self.finish_empty(anchor, tag));
        }
        if same_line && ctx == Ctx::MapValue && ch == Some('?') && is_blankz(self.peek_at(1)) {
            let p = self.pos;
            return self.scan_err(p, "mapping keys are not allowed in this context");
        }
        let node: Rc<Node> = match ch {
            Some('-') if is_blankz(self.peek_at(1)) => {
                if same_line && ctx == Ctx::MapValue {
                    let p = self.pos;
                    return self
                        .scan_err(p, "block sequence entries are not allowed in this context");
                }
                Rc::new(self.parse_block_seq(c)?)
            }
            Some('*') if anchor.is_some() || tag.is_some() => {
                // An alias cannot carry properties: libyaml ends the node before it.
                let p = self.pos;
                let in_map = self.seq_parent_map_cols.last() == Some(&self.block_indent);
                let msg = if in_map {
                    "did not find expected key"
                } else {
                    "did not find expected '-' indicator"
                };
                return self.parse_err(p, p, msg);
            }
            Some('*') => {
                let p = self.pos;
                self.pos += 1;
                let name = self.read_anchor_checked()?;
                let node = self.alias(p, &name)?;
                // An alias used as a mapping key: `*a : value`.
                let save = self.pos;
                self.skip_blanks();
                if self.peek() == Some(':')
                    && is_blankz(self.peek_at(1))
                    && !(same_line && ctx == Ctx::MapValue)
                {
                    self.pos = save;
                    Rc::new(self.parse_block_map(c, Some((node, p)))?)
                } else {
                    self.pos = save;
                    node
                }
            }
            Some('|') | Some('>') => {
                let lit = ch == Some('|');
                let text = self.parse_block_scalar(lit, parent)?;
                Rc::new(Node::Scalar {
                    text,
                    style: if lit { Style::Literal } else { Style::Folded },
                    tag: tag.clone(),
                })
            }
            _ => {
                // A mapping if the first thing on this line is a key followed by `:`.
                if self.line_is_key()? {
                    if same_line && ctx == Ctx::MapValue {
                        let p = self.find_colon_pos();
                        return self.scan_err(p, "mapping values are not allowed in this context");
                    }
                    Rc::new(self.parse_block_map(c, None)?)
                } else if self.peek() == Some('?') && is_blankz(self.peek_at(1)) {
                    Rc::new(self.parse_block_map(c, None)?)
                } else {
                    let n = self.parse_scalar_or_flow(parent)?;
                    Rc::new(self.apply_tag(n, &tag))
                }
            }
        };
        Ok(Some(self.with_properties(node, &tag, anchor)))
    }

    fn finish_empty(&mut self, anchor: Option<String>, tag: Option<String>) -> Option<Rc<Node>> {
        if anchor.is_none() && tag.is_none() {
            return None;
        }
        let n = Rc::new(Node::Scalar {
            text: String::new(),
            style: Style::Plain,
            tag,
        });
        if let Some(a) = anchor {
            self.anchors.insert(a, (n.clone(), 1));
        }
        Some(n)
    }

    /// A parsed node with its properties: `tag` applied to a scalar, and the node recorded as
    /// `anchor`'s.
    fn with_properties(
        &mut self,
        node: Rc<Node>,
        tag: &Option<String>,
        anchor: Option<String>,
    ) -> Rc<Node> {
        let node = match (&*node, tag) {
            (Node::Scalar { .. }, Some(_)) => Rc::new(self.apply_tag_rc(&node, tag)),
            _ => node,
        };
        if let Some(a) = anchor {
            let size = node_size(&node);
            self.anchors.insert(a, (node.clone(), size));
        }
        node
    }

    fn apply_tag(&self, mut n: Node, tag: &Option<String>) -> Node {
        if let (Node::Scalar { tag: slot, .. }, Some(t)) = (&mut n, tag) {
            *slot = Some(t.clone());
        }
        n
    }
    fn apply_tag_rc(&self, n: &Rc<Node>, tag: &Option<String>) -> Node {
        match &**n {
            Node::Scalar { text, style, .. } => Node::Scalar {
                text: text.clone(),
                style: *style,
                tag: tag.clone(),
            },
            _ => Node::Seq(Vec::new()),
        }
    }

    /// A node's properties, `&anchor` and `!tag` in either order, each followed by the space
    /// `skip` passes over (blanks in block context, white space and comments in flow context).
    fn read_properties(
        &mut self,
        skip: fn(&mut Self),
    ) -> PResult<(Option<String>, Option<String>)> {
        let (mut anchor, mut tag) = (None, None);
        loop {
            match self.peek() {
                Some('&') => {
                    self.pos += 1;
                    anchor = Some(self.read_anchor_checked()?);
                }
                Some('!') => tag = Some(self.read_tag()),
                _ => return Ok((anchor, tag)),
            }
            skip(self);
        }
    }

    fn skip_blanks(&mut self) {
        while is_blank(self.peek()) {
            self.pos += 1;
        }
    }

    fn read_anchor_checked(&mut self) -> PResult<String> {
        let name = self.read_anchor_name();
        if name.is_empty() {
            let p = self.pos;
            return self.scan_err(p, "did not find expected alphabetic or numeric character");
        }
        Ok(name)
    }

    /// An anchor or alias name: libyaml accepts only ASCII letters, digits, `_` and `-`, and
    /// the name must be followed by a blank or an indicator.
    fn read_anchor_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if !(c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        let next = self.peek();
        if !(is_blankz(next)
            || matches!(
                next,
                Some('?')
                    | Some(':')
                    | Some(',')
                    | Some(']')
                    | Some('}')
                    | Some('%')
                    | Some('@')
                    | Some('`')
            ))
        {
            // Signal the error through an empty name (callers report it).
            return String::new();
        }
        name
    }

    /// Reads `!tag`, `!!tag`, `!<verbatim>`; returns the resolved long form for `!!x`.
    fn read_tag(&mut self) -> String {
        let mut t = String::new();
        while let Some(c) = self.peek() {
            if is_blankz(Some(c)) || (self.flow > 0 && is_flow_ind(c)) {
                break;
            }
            t.push(c);
            self.pos += 1;
        }
        if let Some(rest) = t.strip_prefix("!!") {
            format!("tag:yaml.org,2002:{rest}")
        } else if let Some(v) = t.strip_prefix("!<").and_then(|x| x.strip_suffix('>')) {
            v.to_string()
        } else {
            t
        }
    }

    /// Whether the token at `pos` starts a `key:` on this line (a simple key).
    fn line_is_key(&mut self) -> PResult<bool> {
        let save = self.pos;
        let r = self.scan_key_end();
        self.pos = save;
        Ok(r.is_some())
    }
    fn find_colon_pos(&mut self) -> usize {
        let save = self.pos;
        let r = self.scan_key_end().unwrap_or(save);
        self.pos = save;
        r
    }

    /// After a quoted or flow key (spaces skipped): where its `:` stands when a mapping value
    /// indicator (`:` and a blank) follows.
    fn colon_after_key(&mut self) -> Option<usize> {
        self.skip_blanks();
        if self.peek() == Some(':') && is_blankz(self.peek_at(1)) {
            Some(self.pos)
        } else {
            None
        }
    }

    /// Scans a would-be simple key from the current position; returns the position of its `:`.
    fn scan_key_end(&mut self) -> Option<usize> {
        match self.peek() {
            Some('"') | Some('\'') => {
                let q = self.peek()?;
                self.pos += 1;
                loop {
                    match self.peek() {
                        None | Some('\n') => return None,
                        Some('\\') if q == '"' => self.pos += 2,
                        Some(c) if c == q => {
                            if q == '\'' && self.peek_at(1) == Some('\'') {
                                self.pos += 2;
                                continue;
                            }
                            self.pos += 1;
                            break;
                        }
                        _ => self.pos += 1,
                    }
                }
                self.colon_after_key()
            }
            Some('[') | Some('{') => {
                // A flow collection used as a key: find the matching bracket on this line.
                let mut depth = 0i32;
                loop {
                    match self.peek() {
                        None | Some('\n') => return None,
                        Some('[') | Some('{') => depth += 1,
                        Some(']') | Some('}') => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                self.colon_after_key()
            }
            Some('#' | '|' | '>' | '%' | '@' | '`' | ',' | ']' | '}') => None,
            Some(_) => {
                let first = self.peek()?;
                if matches!(first, '-' | '?' | ':') && is_blankz(self.peek_at(1)) {
                    return None;
                }
                loop {
                    match self.peek() {
                        None | Some('\n') => return None,
                        Some(':') if is_blankz(self.peek_at(1)) => return Some(self.pos),
                        Some('#') if is_blank(self.s.get(self.pos.wrapping_sub(1))) => return None,
                        _ => self.pos += 1,
                    }
                }
            }
            None => None,
        }
    }

    // ----- block collections -----------------------------------------------------------

    fn parse_block_seq(&mut self, indent: i64) -> PResult<Node> {
        let saved = self.block_indent;
        self.block_indent = indent;
        let mut items = Vec::new();
        let start = self.pos;
        loop {
            // At `-`.
            self.pos += 1;
            if self.peek() == Some('\t') {
                let p = self.pos;
                return self.scan_err(p, "found character that cannot start any token");
            }
            let item = self.parse_node(indent, Ctx::SeqItem)?;
            items.push(item.unwrap_or_else(null_node));
            let Some(c) = self.next_entry_column(indent) else {
                break;
            };
            if c == indent && self.peek() == Some('-') && is_blankz(self.peek_at(1)) {
                continue;
            }
            if c == indent {
                // Same column but not an entry: ends the sequence (e.g. `key:\n- a\nnext: b`),
                // unless the sequence is the top-level node.
                if self.block_indent_is_map_value(indent) {
                    break;
                }
                // At the sequence's column a simple key is required: a line that is not a
                // `key:` fails when that key expires (at the next token).
                if !self.line_is_key()?
                    && !matches!(
                        self.peek(),
                        Some(
                            '?' | '#'
                                | '['
                                | '{'
                                | ']'
                                | '}'
                                | ','
                                | '|'
                                | '>'
                                | '*'
                                | '&'
                                | '!'
                                | '\''
                                | '"'
                        )
                    )
                {
                    self.block_indent = saved;
                    self.skip_expired_key(indent);
                    return self.expired_key_err();
                }
            }
            let p = self.pos;
            self.block_indent = saved;
            return self.parse_err(p, start, "did not find expected '-' indicator");
        }
        self.block_indent = saved;
        Ok(Node::Seq(items))
    }

    fn block_indent_is_map_value(&self, indent: i64) -> bool {
        // The enclosing block (saved indent) is a mapping at the same column when the sequence
        // is an unindented mapping value; we detect that by the character at the column being
        // a key, which the caller (the mapping loop) will verify.
        indent >= 0 && self.seq_parent_map_cols.last() == Some(&indent)
    }

    fn parse_block_map(
        &mut self,
        indent: i64,
        first_key: Option<(Rc<Node>, usize)>,
    ) -> PResult<Node> {
        let saved = self.block_indent;
        self.block_indent = indent;
        self.seq_parent_map_cols.push(indent);
        let r = self.parse_block_map_inner(indent, first_key);
        self.seq_parent_map_cols.pop();
        self.block_indent = saved;
        r
    }

    fn parse_block_map_inner(
        &mut self,
        indent: i64,
        mut first_key: Option<(Rc<Node>, usize)>,
    ) -> PResult<Node> {
        let mut entries = Vec::new();
        let start = self.pos;
        loop {
            let key_pos = self.pos;
            let explicit =
                first_key.is_none() && self.peek() == Some('?') && is_blankz(self.peek_at(1));
            let key: Rc<Node> = if let Some((k, _)) = first_key.take() {
                k
            } else if explicit {
                // Explicit key.
                self.pos += 1;
                let k = self
                    .parse_node(indent, Ctx::SeqItem)?
                    .unwrap_or_else(null_node);
                self.skip_space();
                if self.col() as i64 == indent
                    && self.peek() == Some(':')
                    && is_blankz(self.peek_at(1))
                {
                    // value follows below
                } else {
                    entries.push((k, null_node()));
                    if self.peek().is_none()
                        || self.at_doc_marker(self.pos)
                        || (self.col() as i64) < indent
                    {
                        break;
                    }
                    continue;
                }
                k
            } else if self.peek() == Some('*') {
                let p = self.pos;
                self.pos += 1;
                let name = self.read_anchor_checked()?;
                match self.anchors.get(&name) {
                    Some((n, size)) => Rc::new(Node::Alias(n.clone(), *size)),
                    None => {
                        return self.plain_err(p, &format!("unknown anchor '{name}' referenced"))
                    }
                }
            } else {
                // Properties on a key: `&a key: v`.
                let (anchor, tag) = self.read_properties(Self::skip_blanks)?;
                let k = match self.peek() {
                    Some('[') | Some('{') => self.parse_flow_collection()?,
                    Some(':') if is_blankz(self.peek_at(1)) => Node::Scalar {
                        text: String::new(),
                        style: Style::Plain,
                        tag: None,
                    },
                    _ => self.parse_key_scalar()?,
                };
                let k = Rc::new(self.apply_tag(k, &tag));
                if let Some(a) = anchor {
                    self.anchors.insert(a, (k.clone(), 1));
                }
                k
            };
            // Expect `:`.
            self.skip_blanks();
            if self.peek() != Some(':') || !is_blankz(self.peek_at(1)) {
                // libyaml notices the missing ':' when the simple key expires: at the next token.
                self.skip_expired_key(indent);
                return self.expired_key_err();
            }
            let colon = self.pos;
            self.pos += 1;
            let _ = key_pos;
            // After an explicit key, `: ` starts a line like `- ` does: compact collections may
            // follow on the same line.
            let value = self.parse_node(
                indent,
                if explicit {
                    Ctx::SeqItem
                } else {
                    Ctx::MapValue
                },
            )?;
            // A value on the colon's line followed by more content at deeper indentation.
            entries.push((key, value.unwrap_or_else(null_node)));
            let _ = colon;
            let Some(c) = self.next_entry_column(indent) else {
                break;
            };
            if c == indent {
                if self.peek() == Some('-') && is_blankz(self.peek_at(1)) {
                    let p = self.pos;
                    return self.parse_err(p, start, "did not find expected key");
                }
                continue;
            }
            let p = self.pos;
            // Deeper content after a complete value.
            if self.line_is_key()? {
                return self.parse_err(p, start, "did not find expected key");
            }
            return self.parse_err(p, start, "did not find expected key");
        }
        Ok(Node::Map(entries))
    }

    /// After an entry of a block collection at `indent`: the column of the next content, or
    /// None when the collection ends there (end of input, a document marker, or content less
    /// indented than the collection).
    fn next_entry_column(&mut self, indent: i64) -> Option<i64> {
        self.skip_space();
        if self.peek().is_none() || self.at_doc_marker(self.pos) {
            return None;
        }
        let c = self.col() as i64;
        (c >= indent).then_some(c)
    }

    /// A key on one line: quoted or plain, ending before `:`.
    fn parse_key_scalar(&mut self) -> PResult<Node> {
        match self.peek() {
            Some('"') => {
                let t = self.parse_quoted(true)?;
                Ok(Node::Scalar {
                    text: t,
                    style: Style::Double,
                    tag: None,
                })
            }
            Some('\'') => {
                let t = self.parse_quoted(false)?;
                Ok(Node::Scalar {
                    text: t,
                    style: Style::Single,
                    tag: None,
                })
            }
            _ => {
                self.check_first_plain_char()?;
                let start = self.pos;
                loop {
                    match self.peek() {
                        None | Some('\n') => break,
                        Some(':') if is_blankz(self.peek_at(1)) => break,
                        _ => self.pos += 1,
                    }
                }
                let end = self.pos.min(self.s.len());
                let text: String = self
                    .s
                    .string(start.min(end)..end)
                    .trim_end_matches([' ', '\t'])
                    .to_string();
                Ok(Node::Scalar {
                    text,
                    style: Style::Plain,
                    tag: None,
                })
            }
        }
    }

    // ----- scalars ---------------------------------------------------------------------

    fn parse_scalar_or_flow(&mut self, parent: i64) -> PResult<Node> {
        match self.peek() {
            Some('[') | Some('{') => {
                let n = self.parse_flow_collection()?;
                self.check_trailing(parent)?;
                Ok(n)
            }
            Some('"') => {
                let t = self.parse_quoted(true)?;
                self.check_trailing(parent)?;
                Ok(Node::Scalar {
                    text: t,
                    style: Style::Double,
                    tag: None,
                })
            }
            Some('\'') => {
                let t = self.parse_quoted(false)?;
                self.check_trailing(parent)?;
                Ok(Node::Scalar {
                    text: t,
                    style: Style::Single,
                    tag: None,
                })
            }
            _ => {
                let t = self.parse_plain(parent)?;
                Ok(Node::Scalar {
                    text: t,
                    style: Style::Plain,
                    tag: None,
                })
            }
        }
    }

    /// After a quoted scalar or flow collection in block context only a comment may follow.
    fn check_trailing(&mut self, parent: i64) -> PResult<()> {
        if parent < 0 {
            // After the first root node yaml.v2 stops parsing (only scanner errors surface),
            // except that a `key:` later on the same line turns the node into a bad simple key.
            let mut q = self.pos;
            while let Some(c) = self.s.get(q) {
                if c == '\n'
                    || (c == '#' && matches!(self.s.get(q.wrapping_sub(1)), Some(' ') | Some('\t')))
                {
                    break;
                }
                if c == ':' && is_blankz(self.s.get(q + 1)) {
                    let p = self.pos;
                    return self.plain_err(p, "did not find expected key");
                }
                q += 1;
            }
            return Ok(());
        }
        let save = self.pos;
        self.skip_blanks();
        if self.pos > save && self.peek() == Some('#') {
            return Ok(());
        }
        match self.peek() {
            None | Some('\n') | Some('#') => Ok(()),
            Some(':') if is_blankz(self.peek_at(1)) => {
                let p = self.pos;
                self.scan_err(p, "mapping values are not allowed in this context")
            }
            _ => {
                let p = self.pos;
                let in_map = self.seq_parent_map_cols.last() == Some(&self.block_indent);
                let msg = if in_map {
                    "did not find expected key"
                } else {
                    "did not find expected '-' indicator"
                };
                self.parse_err(p, p, msg)
            }
        }
    }

    fn check_first_plain_char(&self) -> PResult<()> {
        let c = self.peek();
        if self.flow == 0 && matches!(c, Some(',') | Some(']') | Some('}')) {
            let ctx = if self.seq_parent_map_cols.is_empty() {
                "did not find expected node content"
            } else {
                "did not find expected key"
            };
            return self.parse_err(self.pos, self.pos, ctx);
        }
        if self.flow == 0 && matches!(c, Some('|') | Some('>')) {
            // A block scalar header must end its line.
            let mut q = self.pos + 1;
            while matches!(self.s.get(q), Some('+') | Some('-') | Some('0'..='9')) {
                q += 1;
            }
            while matches!(self.s.get(q), Some(' ') | Some('\t')) {
                q += 1;
            }
            if !matches!(self.s.get(q), None | Some('\n') | Some('#')) {
                return self.scan_err(q, "did not find expected comment or line break");
            }
            // A valid block scalar where a key is expected.
            let in_map = self.seq_parent_map_cols.last() == Some(&self.block_indent);
            let msg = if in_map {
                "did not find expected key"
            } else {
                "did not find expected '-' indicator"
            };
            return self.parse_err(self.pos, self.pos, msg);
        }
        let bad = matches!(c, Some('@') | Some('`') | Some('%') | Some('\t'));
        if bad {
            return self.scan_err(self.pos, "found character that cannot start any token");
        }
        Ok(())
    }

    /// A plain scalar, possibly spanning lines indented deeper than `parent`.
    fn parse_plain(&mut self, parent: i64) -> PResult<String> {
        self.check_first_plain_char()?;
        let start = self.pos;
        let mut out = String::new();
        let mut pending_breaks = 0usize; // line breaks since the last text
        let mut first = true;
        let mut before_break = self.pos;
        loop {
            // Read one line's worth of text.
            let line_start_save = before_break;
            let mut line = String::new();
            let mut last_non_blank = 0usize;
            loop {
                let c = match self.peek() {
                    None | Some('\n') => break,
                    Some(c) => c,
                };
                if c == ':' {
                    let n = self.peek_at(1);
                    if is_blankz(n) || (self.flow > 0 && n.map(is_flow_ind).unwrap_or(false)) {
                        break;
                    }
                }
                if self.flow > 0 && is_flow_ind(c) {
                    break;
                }
                if c == '#'
                    && self
                        .s
                        .get(self.pos.wrapping_sub(1))
                        .map(|p| matches!(p, ' ' | '\t' | '\n'))
                        .unwrap_or(true)
                {
                    break;
                }
                line.push(c);
                if c != ' ' && c != '\t' {
                    last_non_blank = line.len();
                }
                self.pos += 1;
            }
            line.truncate(last_non_blank);
            if !line.is_empty() {
                if !first {
                    if pending_breaks == 1 {
                        out.push(' ');
                    } else {
                        for _ in 1..pending_breaks {
                            out.push('\n');
                        }
                    }
                }
                out.push_str(&line);
                first = false;
            }
            // Stop at `: ` or `#` or flow indicators.
            if self.flow == 0 && self.peek() == Some(':') && line.is_empty() && !first {
                // `: ` opening a continuation line ends the scalar before that line.
                self.pos = line_start_save;
                break;
            }
            if self.flow == 0 && self.peek() == Some(':') {
                let p = self.pos;
                return self.scan_err(p, "mapping values are not allowed in this context");
            }
            match self.peek() {
                Some('\n') => {}
                _ => break,
            }
            // Look ahead across line breaks for a continuation line.
            let save = self.pos;
            let mut breaks = 0usize;
            let mut p = self.pos;
            loop {
                if self.s.get(p) == Some('\n') {
                    breaks += 1;
                    p += 1;
                    while matches!(self.s.get(p), Some(' ') | Some('\t')) {
                        p += 1;
                    }
                    continue;
                }
                break;
            }
            let col = self.col_of(p) as i64;
            let next = self.s.get(p);
            let cont = next.is_some()
                && next != Some('\n')
                && !self.at_doc_marker(p)
                && (self.flow > 0 || col > parent)
                && next != Some('#');
            if !cont {
                self.pos = save;
                break;
            }
            // Indentation made of tabs only is not allowed in block context, but we accept it.
            pending_breaks = breaks;
            before_break = save;
            self.pos = p;
        }
        if out.is_empty() && self.pos == start {
            let p = self.pos;
            return self.parse_err(p, p, "did not find expected node content");
        }
        Ok(out)
    }

    /// A single- (`double` false) or double-quoted scalar, from its opening quote: libyaml's
    /// flow scalar scanner. `''` is a quote in the one, backslash escapes work in the other,
    /// and line breaks fold alike.
    fn parse_quoted(&mut self, double: bool) -> PResult<String> {
        let close = if double { '"' } else { '\'' };
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return self.scan_err(self.pos, "found unexpected end of stream"),
                Some('\'') if !double && self.peek_at(1) == Some('\'') => {
                    out.push('\'');
                    self.pos += 2;
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') if double => self.parse_escape(&mut out)?,
                Some('\n') => self.fold_quoted_break(&mut out, start, double)?,
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// Folds a line break inside a quoted scalar: trailing blanks dropped, one break → space,
    /// n breaks → n-1 newlines, leading blanks of the next line dropped.
    fn fold_quoted_break(&mut self, out: &mut String, start: usize, double: bool) -> PResult<()> {
        // Drop the raw blanks that end the line, not blanks written as escapes (`\t`, `\ `).
        let mut n = 0;
        let mut q = self.pos.min(self.s.len());
        while q > start + 1 && matches!(self.s.get(q - 1), Some(' ') | Some('\t')) {
            q -= 1;
            n += 1;
        }
        if double && n > 0 {
            let mut backslashes = 0;
            let mut r = q;
            while r > start + 1 && self.s.get(r - 1) == Some('\\') {
                r -= 1;
                backslashes += 1;
            }
            if backslashes % 2 == 1 {
                n -= 1;
            }
        }
        for _ in 0..n {
            out.pop();
        }
        let mut breaks = 0;
        while matches!(self.peek(), Some('\n') | Some(' ') | Some('\t')) {
            if self.peek() == Some('\n') {
                breaks += 1;
                if self.at_doc_marker(self.pos + 1) {
                    return self.plain_err(start, "found unexpected document indicator");
                }
            }
            self.pos += 1;
        }
        if self.peek().is_none() {
            let _ = start;
            return self.scan_err(self.pos, "found unexpected end of stream");
        }
        if breaks == 1 {
            out.push(' ');
        } else {
            for _ in 1..breaks {
                out.push('\n');
            }
        }
        Ok(())
    }

    /// A backslash escape of a double-quoted scalar (at the backslash), its character pushed
    /// to `out`; an escaped line break joins the lines without a space.
    fn parse_escape(&mut self, out: &mut String) -> PResult<()> {
        let e = self.peek_at(1);
        self.pos += 2;
        let simple = match e {
            Some('0') => Some('\0'),
            Some('a') => Some('\x07'),
            Some('b') => Some('\x08'),
            Some('t') | Some('\t') => Some('\t'),
            Some('n') => Some('\n'),
            Some('v') => Some('\x0b'),
            Some('f') => Some('\x0c'),
            Some('r') => Some('\r'),
            Some('e') => Some('\x1b'),
            Some(' ') => Some(' '),
            Some('"') => Some('"'),
            Some('/') => Some('/'),
            Some('\'') => Some('\''),
            Some('\\') => Some('\\'),
            Some('N') => Some('\u{85}'),
            Some('_') => Some('\u{a0}'),
            Some('L') => Some('\u{2028}'),
            Some('P') => Some('\u{2029}'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return Ok(());
        }
        let len = match e {
            Some('x') => 2,
            Some('u') => 4,
            Some('U') => 8,
            Some('\n') => {
                // Escaped line break: join without a space.
                self.skip_blanks();
                while self.peek() == Some('\n') {
                    out.push('\n');
                    self.pos += 1;
                    self.skip_blanks();
                }
                return Ok(());
            }
            _ => {
                let p = self.pos.saturating_sub(2);
                return self.scan_err(p, "found unknown escape character");
            }
        };
        let mut v: u32 = 0;
        for _ in 0..len {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    v = v * 16 + d;
                    self.pos += 1;
                }
                None => {
                    let p = self.pos;
                    return self.scan_err(p, "did not find expected hexdecimal number");
                }
            }
        }
        match char::from_u32(v) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => {
                let p = self.pos;
                self.scan_err(p, "found invalid Unicode character escape code")
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar, libyaml's algorithm.
    fn parse_block_scalar(&mut self, literal: bool, _parent: i64) -> PResult<String> {
        let start = self.pos;
        self.pos += 1;
        let mut chomp: i8 = 0;
        let mut increment: usize = 0;
        for _ in 0..2 {
            match self.peek() {
                Some('+') if chomp == 0 => {
                    chomp = 1;
                    self.pos += 1;
                }
                Some('-') if chomp == 0 => {
                    chomp = -1;
                    self.pos += 1;
                }
                Some(d @ '0'..='9') if increment == 0 => {
                    if d == '0' {
                        let p = self.pos;
                        return self.scan_err(p, "found an indentation indicator equal to 0");
                    }
                    increment = d as usize - '0' as usize;
                    self.pos += 1;
                }
                _ => break,
            }
        }
        self.skip_inline_space();
        match self.peek() {
            None | Some('\n') => {}
            _ => {
                let p = self.pos;
                return self.scan_err(p, "did not find expected comment or line break");
            }
        }
        if self.peek() == Some('\n') {
            self.pos += 1;
        }
        let block = self.block_indent;
        let mut indent: i64 = if increment > 0 {
            if block >= 0 {
                block + increment as i64
            } else {
                increment as i64
            }
        } else {
            0
        };
        let mut out = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        // Determine indentation and read leading breaks.
        self.block_scalar_breaks(&mut indent, &mut trailing_breaks, block, start)?;
        let mut leading_blank = false;
        while self.col() as i64 == indent && self.peek().is_some() && !self.at_doc_marker(self.pos)
        {
            let trailing_blank = is_blank(self.peek());
            if !literal && leading_break.starts_with('\n') && !leading_blank && !trailing_blank {
                if trailing_breaks.is_empty() {
                    out.push(' ');
                }
                leading_break.clear();
            } else {
                out.push_str(&leading_break);
                leading_break.clear();
            }
            out.push_str(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = is_blank(self.peek());
            while let Some(c) = self.peek() {
                if c == '\n' {
                    break;
                }
                out.push(c);
                self.pos += 1;
            }
            if self.peek().is_none() {
                break;
            }
            leading_break.push('\n');
            self.pos += 1;
            self.block_scalar_breaks(&mut indent, &mut trailing_breaks, block, start)?;
        }
        if chomp != -1 {
            out.push_str(&leading_break);
        }
        if chomp == 1 {
            out.push_str(&trailing_breaks);
        }
        // Leave the position at the start of the line that ended the scalar.
        let l = self.line0_of(self.pos);
        if let Some(ls) = self.line_starts.get(l) {
            if self.pos > *ls && self.s.all(*ls..self.pos, |c| c == ' ') {
                self.pos = *ls;
            }
        }
        Ok(out)
    }

    fn block_scalar_breaks(
        &mut self,
        indent: &mut i64,
        breaks: &mut String,
        block: i64,
        _start: usize,
    ) -> PResult<()> {
        let mut max_indent: i64 = 0;
        loop {
            while (*indent == 0 || (self.col() as i64) < *indent) && self.peek() == Some(' ') {
                self.pos += 1;
            }
            if self.col() as i64 > max_indent {
                max_indent = self.col() as i64;
            }
            if (*indent == 0 || (self.col() as i64) < *indent) && self.peek() == Some('\t') {
                let p = self.pos;
                return self.scan_err(
                    p,
                    "found a tab character where an indentation space is expected",
                );
            }
            if self.peek() != Some('\n') {
                break;
            }
            breaks.push('\n');
            self.pos += 1;
        }
        if *indent == 0 {
            *indent = max_indent;
            if *indent < block + 1 {
                *indent = block + 1;
            }
            if *indent < 1 {
                *indent = 1;
            }
        }
        Ok(())
    }

    // ----- flow collections --------------------------------------------------------------

    fn parse_flow_collection(&mut self) -> PResult<Node> {
        if let Err(e) = self.enter() {
            self.depth -= 1;
            return Err(e);
        }
        self.flow += 1;
        let r = crate::values::deep::guard(|| {
            if self.peek() == Some('[') {
                self.parse_flow_seq()
            } else {
                self.parse_flow_map()
            }
        });
        self.flow -= 1;
        self.depth -= 1;
        r
    }

    fn skip_flow_space(&mut self) {
        self.skip_space();
    }

    fn parse_flow_seq(&mut self) -> PResult<Node> {
        let entries = self.parse_flow_entries(']')?;
        // `[a: b]` → a single-pair mapping.
        let items = entries.into_iter().map(|(item, value)| match value {
            Some(v) => Rc::new(Node::Map(vec![(item, v)])),
            None => item,
        });
        Ok(Node::Seq(items.collect()))
    }

    fn parse_flow_map(&mut self) -> PResult<Node> {
        let entries = self.parse_flow_entries('}')?;
        Ok(Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_else(null_node)))
                .collect(),
        ))
    }

    /// The entries of a flow sequence (`close` is `]`) or mapping (`}`), from its opening
    /// bracket to its closing one: each a node and the value after its `:`, if any.
    fn parse_flow_entries(&mut self, close: char) -> PResult<Vec<(Rc<Node>, Option<Rc<Node>>)>> {
        let start = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_flow_space();
            match self.peek() {
                None => {
                    return self.parse_err(self.pos, start, "did not find expected node content")
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(entries);
                }
                _ => {}
            }
            entries.push(self.parse_flow_entry(start, close)?);
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(c) if c == close => {}
                _ => {
                    let p = self.pos;
                    return self.parse_err(
                        p,
                        start,
                        &format!("did not find expected ',' or '{close}'"),
                    );
                }
            }
        }
    }

    /// One entry of a flow collection opened at `start`: its node (the key), and after a `:`
    /// the value (null when none follows). In a mapping an entry may start with `? ` and the
    /// key may be left out. Leaves the position after the entry's trailing space.
    fn parse_flow_entry(
        &mut self,
        start: usize,
        close: char,
    ) -> PResult<(Rc<Node>, Option<Rc<Node>>)> {
        let in_map = close == '}';
        if in_map && self.peek() == Some('?') && is_blankz(self.peek_at(1)) {
            self.pos += 1;
            self.skip_flow_space();
        }
        let key_start = self.pos;
        let key = if in_map && self.peek() == Some(':') {
            null_node()
        } else {
            self.parse_flow_node()?
        };
        let key_end_line = self.line0_of(self.pos);
        self.skip_flow_space();
        // A simple key must sit on one line, with its `:`.
        if self.peek() == Some(':')
            && (self.line0_of(key_start) != key_end_line || self.line0_of(self.pos) != key_end_line)
        {
            let p = self.pos;
            return self.parse_err(p, start, &format!("did not find expected ',' or '{close}'"));
        }
        if self.peek() != Some(':') {
            return Ok((key, None));
        }
        self.pos += 1;
        self.skip_flow_space();
        let value = if self.peek() == Some(',') || self.peek() == Some(close) {
            null_node()
        } else {
            self.parse_flow_node()?
        };
        self.skip_flow_space();
        Ok((key, Some(value)))
    }

    /// The node the alias `*name` (at `p`) stands for; its size counts against the expansion
    /// limit.
    fn alias(&mut self, p: usize, name: &str) -> PResult<Rc<Node>> {
        match self.anchors.get(name) {
            Some((n, size)) => {
                self.alias_nodes += *size;
                if self.alias_nodes > MAX_ALIAS_EXPANSION {
                    return self.plain_err(p, "document contains excessive aliasing");
                }
                Ok(Rc::new(Node::Alias(n.clone(), *size)))
            }
            None => self.plain_err(p, &format!("unknown anchor '{name}' referenced")),
        }
    }

    fn parse_flow_node(&mut self) -> PResult<Rc<Node>> {
        let (anchor, tag) = self.read_properties(Self::skip_flow_space)?;
        let node: Rc<Node> = match self.peek() {
            Some('[') | Some('{') => Rc::new(self.parse_flow_collection()?),
            Some('"') => Rc::new(Node::Scalar {
                text: self.parse_quoted(true)?,
                style: Style::Double,
                tag: tag.clone(),
            }),
            Some('\'') => Rc::new(Node::Scalar {
                text: self.parse_quoted(false)?,
                style: Style::Single,
                tag: tag.clone(),
            }),
            Some('*') => {
                let p = self.pos;
                self.pos += 1;
                let name = self.read_anchor_checked()?;
                self.alias(p, &name)?
            }
            Some(',') | Some(']') | Some('}') => Rc::new(Node::Scalar {
                text: String::new(),
                style: Style::Plain,
                tag: tag.clone(),
            }),
            None => {
                let p = self.pos;
                return self.plain_err(p, "found unexpected end of stream");
            }
            _ => {
                let t = self.parse_plain(-1)?;
                Rc::new(Node::Scalar {
                    text: t,
                    style: Style::Plain,
                    tag: tag.clone(),
                })
            }
        };
        Ok(self.with_properties(node, &tag, anchor))
    }
}

fn null_node() -> Rc<Node> {
    Rc::new(Node::Scalar {
        text: String::new(),
        style: Style::Plain,
        tag: None,
    })
}

/// Where a node sits, which decides what may start on the same line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ctx {
    Top,
    MapValue,
    SeqItem,
}
