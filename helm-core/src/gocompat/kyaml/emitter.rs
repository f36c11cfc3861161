//! yaml.v3's encoder of `Node`s and its emitter, set up as kyaml's `yaml.NewEncoder` does
//! (indent 2, compact sequences: `- ` counts as indentation, unlimited line width).
//!
//! [`encode_documents`] first turns the nodes into events as yaml.v3's `encoder.node` does
//! (which tags survive, which scalars must be quoted, a key's foot comment carried to the next
//! key as a "tail" comment), then runs libyaml's emitter state machine over them, with
//! yaml.v3's comment writing: head comments above their node, line comments after it, foot
//! comments below it followed by a blank line before whatever comes next at that indentation.
//! Both passes keep explicit stacks, so nesting depth costs heap only.

use super::node::{Kind, Node, Style};
use super::parser::short_tag;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias,
    Scalar,
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SStyle {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

struct Event<'a> {
    typ: Ev,
    anchor: &'a str,
    tag: String,
    value: &'a str,
    implicit: bool,
    quoted_implicit: bool,
    style: SStyle,
    flow: bool,
    head: &'a str,
    line: &'a str,
    foot: &'a str,
    tail: &'a str,
}

impl<'a> Event<'a> {
    fn new(typ: Ev) -> Event<'a> {
        Event {
            typ,
            anchor: "",
            tag: String::new(),
            value: "",
            implicit: true,
            quoted_implicit: true,
            style: SStyle::Plain,
            flow: false,
            head: "",
            line: "",
            foot: "",
            tail: "",
        }
    }
}

/// Whether yaml.v3's `resolve("", value)` gives `!!str` (only needed for `!!str` nodes in
/// plain style, which kyaml creates when it replaces a value in place).
fn resolves_to_str(v: &str) -> bool {
    if matches!(
        v,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | "<<"
    ) {
        return false;
    }
    let b = v.as_bytes();
    let first = b[0];
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        // Numbers (yaml.v3's int forms and its float pattern) and timestamps.
        let body = v.trim_start_matches(['-', '+']);
        let is_int = !body.is_empty()
            && (body.bytes().all(|c| c.is_ascii_digit())
                || (body.len() > 2
                    && (body.starts_with("0x")
                        && body[2..].bytes().all(|c| c.is_ascii_hexdigit())
                        || body.starts_with("0o")
                            && body[2..].bytes().all(|c| (b'0'..=b'7').contains(&c))
                        || body.starts_with("0b")
                            && body[2..].bytes().all(|c| c == b'0' || c == b'1'))));
        if is_int || is_float(body) {
            return false;
        }
        if b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-' {
            return false;
        }
    }
    true
}

fn is_float(s: &str) -> bool {
    // ^(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ after the sign.
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn long_tag(tag: &str) -> String {
    match tag.strip_prefix("!!") {
        Some(rest) => format!("tag:yaml.org,2002:{rest}"),
        None => tag.to_string(),
    }
}

enum Task<'a> {
    Node(&'a Node, &'a str, bool),
    SeqEnd(&'a Node),
    MapEnd(&'a Node, &'a str),
    DocEnd(&'a Node),
}

/// yaml.v3's `encoder.node` for each root, as events.
fn events_of<'a>(roots: &'a [Node], out: &mut Vec<Event<'a>>) {
    let mut stack: Vec<Task<'a>> = Vec::new();
    for root in roots {
        if root.kind != Kind::Document {
            out.push(Event::new(Ev::DocumentStart));
        }
        stack.push(Task::Node(root, "", false));
        while let Some(task) = stack.pop() {
            match task {
                Task::SeqEnd(n) => {
                    let mut e = Event::new(Ev::SequenceEnd);
                    e.line = &n.line_comment;
                    e.foot = &n.foot_comment;
                    out.push(e);
                }
                Task::MapEnd(n, tail) => {
                    let mut e = Event::new(Ev::MappingEnd);
                    e.tail = tail;
                    e.line = &n.line_comment;
                    e.foot = &n.foot_comment;
                    out.push(e);
                }
                Task::DocEnd(n) => {
                    let mut e = Event::new(Ev::DocumentEnd);
                    e.foot = &n.foot_comment;
                    out.push(e);
                }
                Task::Node(n, tail, no_foot) => node_event(n, tail, no_foot, out, &mut stack),
            }
        }
        if root.kind != Kind::Document {
            out.push(Event::new(Ev::DocumentEnd));
        }
    }
}

fn node_event<'a>(
    n: &'a Node,
    tail: &'a str,
    no_foot: bool,
    out: &mut Vec<Event<'a>>,
    stack: &mut Vec<Task<'a>>,
) {
    let mut tag = n.tag.clone();
    let stag = short_tag(&tag);
    let mut force_quoting = false;
    if !tag.is_empty() && !n.style.contains(Style::TAGGED) {
        match n.kind {
            Kind::Scalar => {
                let quoted = n.style.contains(Style::SINGLE_QUOTED)
                    || n.style.contains(Style::DOUBLE_QUOTED)
                    || n.style.contains(Style::LITERAL)
                    || n.style.contains(Style::FOLDED);
                if stag == "!!str" && quoted {
                    tag.clear();
                } else if stag == "!!str" {
                    if !resolves_to_str(&n.value) {
                        force_quoting = true;
                    }
                    tag.clear();
                } else if stag != "!!merge" {
                    // Plain scalars resolve to the tag they were read with; a merge key does
                    // not (yaml.v3 resolves `<<` as a string), so its tag is written.
                    tag.clear();
                }
            }
            Kind::Mapping if stag == "!!map" => tag.clear(),
            Kind::Sequence if stag == "!!seq" => tag.clear(),
            _ => {}
        }
    }
    let foot: &'a str = if no_foot { "" } else { &n.foot_comment };
    match n.kind {
        Kind::Document => {
            let mut e = Event::new(Ev::DocumentStart);
            e.head = &n.head_comment;
            out.push(e);
            stack.push(Task::DocEnd(n));
            for c in n.content.iter().rev() {
                stack.push(Task::Node(c, "", false));
            }
        }
        Kind::Sequence => {
            let mut e = Event::new(Ev::SequenceStart);
            e.anchor = &n.anchor;
            e.implicit = tag.is_empty();
            e.tag = long_tag(&tag);
            e.flow = n.style.contains(Style::FLOW);
            e.head = &n.head_comment;
            out.push(e);
            stack.push(Task::SeqEnd(n));
            for c in n.content.iter().rev() {
                stack.push(Task::Node(c, "", false));
            }
        }
        Kind::Mapping => {
            let mut e = Event::new(Ev::MappingStart);
            e.anchor = &n.anchor;
            e.implicit = tag.is_empty();
            e.tag = long_tag(&tag);
            e.flow = n.style.contains(Style::FLOW);
            e.tail = tail;
            e.head = &n.head_comment;
            out.push(e);
            // A key's foot comment is written after its value, as the next key's tail (or
            // the mapping end's).
            let pairs = n.content.len() / 2;
            let last_tail: &'a str = if pairs > 0 {
                &n.content[(pairs - 1) * 2].foot_comment
            } else {
                ""
            };
            stack.push(Task::MapEnd(n, last_tail));
            for i in (0..pairs).rev() {
                let k = &n.content[2 * i];
                let v = &n.content[2 * i + 1];
                let t: &'a str = if i > 0 {
                    &n.content[2 * (i - 1)].foot_comment
                } else {
                    ""
                };
                stack.push(Task::Node(v, "", false));
                stack.push(Task::Node(k, t, true));
            }
        }
        Kind::Alias => {
            let mut e = Event::new(Ev::Alias);
            e.anchor = &n.value;
            e.head = &n.head_comment;
            e.line = &n.line_comment;
            e.foot = foot;
            out.push(e);
        }
        Kind::Scalar => {
            let style = if n.style.contains(Style::DOUBLE_QUOTED) {
                SStyle::Double
            } else if n.style.contains(Style::SINGLE_QUOTED) {
                SStyle::Single
            } else if n.style.contains(Style::LITERAL) {
                SStyle::Literal
            } else if n.style.contains(Style::FOLDED) {
                SStyle::Folded
            } else if n.value.contains('\n') {
                SStyle::Literal
            } else if force_quoting {
                SStyle::Double
            } else {
                SStyle::Plain
            };
            let mut e = Event::new(Ev::Scalar);
            e.anchor = &n.anchor;
            e.implicit = tag.is_empty();
            e.quoted_implicit = tag.is_empty();
            e.tag = long_tag(&tag);
            e.value = &n.value;
            e.style = style;
            e.head = &n.head_comment;
            e.line = &n.line_comment;
            e.foot = foot;
            e.tail = tail;
            out.push(e);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    StreamStart,
    FirstDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    FlowSequenceFirstItem,
    FlowSequenceTrailItem,
    FlowSequenceItem,
    FlowMappingFirstKey,
    FlowMappingTrailKey,
    FlowMappingKey,
    FlowMappingSimpleValue,
    FlowMappingValue,
    BlockSequenceFirstItem,
    BlockSequenceItem,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingSimpleValue,
    BlockMappingValue,
    End,
}

#[derive(Default)]
struct ScalarData {
    value: Vec<u8>,
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

struct Emitter {
    out: Vec<u8>,
    best_indent: i64,
    best_width: i64,
    compact_sequence_indent: bool,
    state: St,
    states: Vec<St>,
    indent: i64,
    indents: Vec<i64>,
    flow_level: i64,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
    column: i64,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    foot_indent: i64,
    head_comment: Vec<u8>,
    line_comment: Vec<u8>,
    foot_comment: Vec<u8>,
    tail_comment: Vec<u8>,
    key_line_comment: Vec<u8>,
    anchor: Option<(Vec<u8>, bool)>,
    tag_handle: Vec<u8>,
    tag_suffix: Vec<u8>,
    scalar: ScalarData,
    scalar_style: SStyle,
    tag_directives: Vec<(Vec<u8>, Vec<u8>)>,
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
        1
    }
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}
fn is_space(b: &[u8], i: usize) -> bool {
    at(b, i) == b' '
}
fn is_blank(b: &[u8], i: usize) -> bool {
    matches!(at(b, i), b' ' | b'\t')
}
fn is_break(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    c == b'\r'
        || c == b'\n'
        || (c == 0xC2 && at(b, i + 1) == 0x85)
        || (c == 0xE2 && at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0xA8 | 0xA9))
}
fn is_blankz(b: &[u8], i: usize) -> bool {
    is_blank(b, i) || is_break(b, i) || at(b, i) == 0
}
fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}
fn is_printable(b: &[u8], i: usize) -> bool {
    let (c0, c1, c2) = (at(b, i), at(b, i + 1), at(b, i + 2));
    c0 == 0x0A
        || (0x20..=0x7E).contains(&c0)
        || (c0 == 0xC2 && c1 >= 0xA0)
        || (c0 > 0xC2 && c0 < 0xED)
        || (c0 == 0xED && c1 < 0xA0)
        || c0 == 0xEE
        || (c0 == 0xEF
            && !(c1 == 0xBB && c2 == 0xBF)
            && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)))
}
fn is_bom(b: &[u8], i: usize) -> bool {
    at(b, i) == 0xEF && at(b, i + 1) == 0xBB && at(b, i + 2) == 0xBF
}

type EResult = Result<(), String>;

impl Emitter {
    fn put(&mut self, c: u8) {
        self.out.push(c);
        self.column += 1;
    }
    fn put_break(&mut self) {
        self.out.push(b'\n');
        self.column = 0;
        self.indention = true;
    }
    fn write(&mut self, s: &[u8], i: &mut usize) {
        let w = width(s[*i]).min(s.len() - *i);
        self.out.extend_from_slice(&s[*i..*i + w]);
        self.column += 1;
        *i += w;
    }
    fn write_all(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            self.write(s, &mut i);
        }
    }
    fn write_break(&mut self, s: &[u8], i: &mut usize) {
        if s[*i] == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(s, i);
            self.column = 0;
            self.indention = true;
        }
    }

    fn increase_indent_compact(&mut self, flow: bool, indentless: bool, compact_seq: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            if self.states.last() == Some(&St::BlockSequenceItem) {
                self.indent += 2;
            } else {
                self.indent =
                    self.best_indent * ((self.indent + self.best_indent) / self.best_indent);
                if compact_seq {
                    self.indent -= 2;
                }
            }
        }
    }
    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.increase_indent_compact(flow, indentless, false)
    }
    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }
    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(St::End);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.foot_indent == indent {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        self.foot_indent = -1;
    }

    fn write_indicator(&mut self, ind: &[u8], need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(b' ');
        }
        self.write_all(ind);
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn write_comment(&mut self, comment: &[u8]) {
        let mut breaks = false;
        let mut pound = false;
        let mut i = 0;
        while i < comment.len() {
            if is_break(comment, i) {
                self.write_break(comment, &mut i);
                breaks = true;
                pound = false;
            } else {
                if breaks {
                    self.write_indent();
                }
                if !pound {
                    if comment[i] != b'#' {
                        self.put(b'#');
                        self.put(b' ');
                    }
                    pound = true;
                }
                self.write(comment, &mut i);
                self.indention = false;
                breaks = false;
            }
        }
        if !breaks {
            self.put_break();
        }
        self.whitespace = true;
    }

    fn process_head_comment(&mut self) {
        if !self.tail_comment.is_empty() {
            self.write_indent();
            let t = std::mem::take(&mut self.tail_comment);
            self.write_comment(&t);
            self.foot_indent = self.indent.max(0);
        }
        if self.head_comment.is_empty() {
            return;
        }
        self.write_indent();
        let h = std::mem::take(&mut self.head_comment);
        self.write_comment(&h);
    }

    fn process_line_comment_linebreak(&mut self, linebreak: bool) {
        if self.line_comment.is_empty() {
            if linebreak {
                self.put_break();
            }
            return;
        }
        if !self.whitespace {
            self.put(b' ');
        }
        let l = std::mem::take(&mut self.line_comment);
        self.write_comment(&l);
    }

    fn process_line_comment(&mut self) {
        self.process_line_comment_linebreak(false)
    }

    fn process_foot_comment(&mut self) {
        if self.foot_comment.is_empty() {
            return;
        }
        self.write_indent();
        let f = std::mem::take(&mut self.foot_comment);
        self.write_comment(&f);
        self.foot_indent = self.indent.max(0);
    }

    fn comments_pending(&self) -> bool {
        !self.line_comment.is_empty()
            || !self.foot_comment.is_empty()
            || !self.tail_comment.is_empty()
    }

    // ----- event analysis -----

    fn analyze_event(&mut self, ev: &Event) -> EResult {
        self.anchor = None;
        self.tag_handle.clear();
        self.tag_suffix.clear();
        self.scalar.value.clear();
        if !ev.head.is_empty() {
            self.head_comment = ev.head.as_bytes().to_vec();
        }
        if !ev.line.is_empty() {
            self.line_comment = ev.line.as_bytes().to_vec();
        }
        if !ev.foot.is_empty() {
            self.foot_comment = ev.foot.as_bytes().to_vec();
        }
        if !ev.tail.is_empty() {
            self.tail_comment = ev.tail.as_bytes().to_vec();
        }
        match ev.typ {
            Ev::Alias => self.analyze_anchor(ev.anchor, true)?,
            Ev::Scalar | Ev::SequenceStart | Ev::MappingStart => {
                if !ev.anchor.is_empty() {
                    self.analyze_anchor(ev.anchor, false)?;
                }
                let explicit = if ev.typ == Ev::Scalar {
                    !ev.implicit && !ev.quoted_implicit
                } else {
                    !ev.implicit
                };
                if !ev.tag.is_empty() && explicit {
                    self.analyze_tag(ev.tag.as_bytes());
                }
                if ev.typ == Ev::Scalar {
                    self.analyze_scalar(ev.value.as_bytes());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn analyze_anchor(&mut self, anchor: &str, alias: bool) -> EResult {
        let what = if alias { "alias" } else { "anchor" };
        if anchor.is_empty() {
            return Err(format!("{what} value must not be empty"));
        }
        let b = anchor.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !is_alpha(b[i]) {
                return Err(format!(
                    "{what} value must contain alphanumerical characters only"
                ));
            }
            i += width(b[i]);
        }
        self.anchor = Some((b.to_vec(), alias));
        Ok(())
    }

    fn analyze_tag(&mut self, tag: &[u8]) {
        for (handle, prefix) in &self.tag_directives {
            if tag.starts_with(prefix) {
                self.tag_handle = handle.clone();
                self.tag_suffix = tag[prefix.len()..].to_vec();
                return;
            }
        }
        self.tag_suffix = tag.to_vec();
    }

    fn analyze_scalar(&mut self, value: &[u8]) {
        let s = &mut self.scalar;
        s.value = value.to_vec();
        if value.is_empty() {
            s.multiline = false;
            s.flow_plain_allowed = false;
            s.block_plain_allowed = true;
            s.single_quoted_allowed = true;
            s.block_allowed = false;
            return;
        }
        let (mut block_ind, mut flow_ind, mut line_breaks, mut special, mut tabs) =
            (false, false, false, false, false);
        let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
            (false, false, false, false);
        let (mut break_space, mut space_break, mut prev_space, mut prev_break) =
            (false, false, false, false);
        if value.len() >= 3 && (value.starts_with(b"---") || value.starts_with(b"...")) {
            block_ind = true;
            flow_ind = true;
        }
        let mut preceded_by_ws = true;
        let mut i = 0;
        while i < value.len() {
            let w = width(value[i]);
            let followed_by_ws = i + w >= value.len() || is_blank(value, i + w);
            let c = value[i];
            if i == 0 {
                match c {
                    b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>'
                    | b'\'' | b'"' | b'%' | b'@' | b'`' => {
                        flow_ind = true;
                        block_ind = true;
                    }
                    b'?' | b':' => {
                        flow_ind = true;
                        if followed_by_ws {
                            block_ind = true;
                        }
                    }
                    b'-' if followed_by_ws => {
                        flow_ind = true;
                        block_ind = true;
                    }
                    _ => {}
                }
            } else {
                match c {
                    b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow_ind = true,
                    b':' => {
                        flow_ind = true;
                        if followed_by_ws {
                            block_ind = true;
                        }
                    }
                    b'#' if preceded_by_ws => {
                        flow_ind = true;
                        block_ind = true;
                    }
                    _ => {}
                }
            }
            if c == b'\t' {
                tabs = true;
            } else if !is_printable(value, i) {
                special = true;
            }
            if is_space(value, i) {
                if i == 0 {
                    leading_space = true;
                }
                if i + w == value.len() {
                    trailing_space = true;
                }
                if prev_break {
                    break_space = true;
                }
                prev_space = true;
                prev_break = false;
            } else if is_break(value, i) {
                line_breaks = true;
                if i == 0 {
                    leading_break = true;
                }
                if i + w == value.len() {
                    trailing_break = true;
                }
                if prev_space {
                    space_break = true;
                }
                prev_space = false;
                prev_break = true;
            } else {
                prev_space = false;
                prev_break = false;
            }
            preceded_by_ws = is_blankz(value, i);
            i += w;
        }
        s.multiline = line_breaks;
        s.flow_plain_allowed = true;
        s.block_plain_allowed = true;
        s.single_quoted_allowed = true;
        s.block_allowed = true;
        if leading_space || leading_break || trailing_space || trailing_break {
            s.flow_plain_allowed = false;
            s.block_plain_allowed = false;
        }
        if trailing_space {
            s.block_allowed = false;
        }
        if break_space {
            s.flow_plain_allowed = false;
            s.block_plain_allowed = false;
            s.single_quoted_allowed = false;
        }
        if space_break || tabs || special {
            s.flow_plain_allowed = false;
            s.block_plain_allowed = false;
            s.single_quoted_allowed = false;
        }
        if space_break || special {
            s.block_allowed = false;
        }
        if line_breaks {
            s.flow_plain_allowed = false;
            s.block_plain_allowed = false;
        }
        if flow_ind {
            s.flow_plain_allowed = false;
        }
        if block_ind {
            s.block_plain_allowed = false;
        }
    }

    // ----- the state machine -----

    fn emit(&mut self, evs: &[Event], head: usize) -> EResult {
        let ev = &evs[head];
        match self.state {
            St::StreamStart => {
                if ev.typ != Ev::StreamStart {
                    return Err("expected STREAM-START".into());
                }
                self.indent = -1;
                self.column = 0;
                self.whitespace = true;
                self.indention = true;
                self.foot_indent = -1;
                self.state = St::FirstDocumentStart;
                Ok(())
            }
            St::FirstDocumentStart => self.document_start(ev, true),
            St::DocumentStart => self.document_start(ev, false),
            St::DocumentContent => {
                self.states.push(St::DocumentEnd);
                self.process_head_comment();
                self.emit_node(evs, head, true, false, false, false)?;
                self.process_line_comment();
                self.process_foot_comment();
                Ok(())
            }
            St::DocumentEnd => {
                if ev.typ != Ev::DocumentEnd {
                    return Err("expected DOCUMENT-END".into());
                }
                self.foot_indent = 0;
                self.process_foot_comment();
                self.foot_indent = -1;
                self.write_indent();
                self.state = St::DocumentStart;
                self.tag_directives.clear();
                Ok(())
            }
            St::FlowSequenceFirstItem => self.flow_sequence_item(evs, head, true, false),
            St::FlowSequenceTrailItem => self.flow_sequence_item(evs, head, false, true),
            St::FlowSequenceItem => self.flow_sequence_item(evs, head, false, false),
            St::FlowMappingFirstKey => self.flow_mapping_key(evs, head, true, false),
            St::FlowMappingTrailKey => self.flow_mapping_key(evs, head, false, true),
            St::FlowMappingKey => self.flow_mapping_key(evs, head, false, false),
            St::FlowMappingSimpleValue => self.flow_mapping_value(evs, head, true),
            St::FlowMappingValue => self.flow_mapping_value(evs, head, false),
            St::BlockSequenceFirstItem => self.block_sequence_item(evs, head, true),
            St::BlockSequenceItem => self.block_sequence_item(evs, head, false),
            St::BlockMappingFirstKey => self.block_mapping_key(evs, head, true),
            St::BlockMappingKey => self.block_mapping_key(evs, head, false),
            St::BlockMappingSimpleValue => self.block_mapping_value(evs, head, true),
            St::BlockMappingValue => self.block_mapping_value(evs, head, false),
            St::End => Err("expected nothing after STREAM-END".into()),
        }
    }

    fn document_start(&mut self, ev: &Event, first: bool) -> EResult {
        match ev.typ {
            Ev::DocumentStart => {
                for (h, p) in [(&b"!"[..], &b"!"[..]), (b"!!", b"tag:yaml.org,2002:")] {
                    if !self.tag_directives.iter().any(|(x, _)| x == h) {
                        self.tag_directives.push((h.to_vec(), p.to_vec()));
                    }
                }
                let implicit = first;
                if !implicit {
                    self.write_indent();
                    self.write_indicator(b"---", true, false, false);
                    self.write_indent();
                }
                if !self.head_comment.is_empty() {
                    self.process_head_comment();
                    self.put_break();
                }
                self.state = St::DocumentContent;
                Ok(())
            }
            Ev::StreamEnd => {
                self.state = St::End;
                Ok(())
            }
            _ => Err("expected DOCUMENT-START or STREAM-END".into()),
        }
    }

    fn flow_sequence_item(
        &mut self,
        evs: &[Event],
        head: usize,
        first: bool,
        trail: bool,
    ) -> EResult {
        let ev = &evs[head];
        if first {
            self.write_indicator(b"[", true, true, false);
            self.increase_indent(true, false);
            self.flow_level += 1;
        }
        if ev.typ == Ev::SequenceEnd {
            self.flow_level -= 1;
            self.pop_indent();
            if self.column == 0 {
                self.write_indent();
            }
            self.write_indicator(b"]", false, false, false);
            self.process_line_comment();
            self.process_foot_comment();
            self.pop_state();
            return Ok(());
        }
        if !first && !trail {
            self.write_indicator(b",", false, false, false);
        }
        self.process_head_comment();
        if self.column == 0 {
            self.write_indent();
        }
        if self.column > self.best_width {
            self.write_indent();
        }
        if self.comments_pending() {
            self.states.push(St::FlowSequenceTrailItem);
        } else {
            self.states.push(St::FlowSequenceItem);
        }
        self.emit_node(evs, head, false, true, false, false)?;
        if self.comments_pending() {
            self.write_indicator(b",", false, false, false);
        }
        self.process_line_comment();
        self.process_foot_comment();
        Ok(())
    }

    fn flow_mapping_key(
        &mut self,
        evs: &[Event],
        head: usize,
        first: bool,
        trail: bool,
    ) -> EResult {
        let ev = &evs[head];
        if first {
            self.write_indicator(b"{", true, true, false);
            self.increase_indent(true, false);
            self.flow_level += 1;
        }
        if ev.typ == Ev::MappingEnd {
            if (!self.head_comment.is_empty()
                || !self.foot_comment.is_empty()
                || !self.tail_comment.is_empty())
                && !first
                && !trail
            {
                self.write_indicator(b",", false, false, false);
            }
            self.process_head_comment();
            self.flow_level -= 1;
            self.pop_indent();
            self.write_indicator(b"}", false, false, false);
            self.process_line_comment();
            self.process_foot_comment();
            self.pop_state();
            return Ok(());
        }
        if !first && !trail {
            self.write_indicator(b",", false, false, false);
        }
        self.process_head_comment();
        if self.column == 0 {
            self.write_indent();
        }
        if self.column > self.best_width {
            self.write_indent();
        }
        if self.check_simple_key(evs, head) {
            self.states.push(St::FlowMappingSimpleValue);
            return self.emit_node(evs, head, false, false, true, true);
        }
        self.write_indicator(b"?", true, false, false);
        self.states.push(St::FlowMappingValue);
        self.emit_node(evs, head, false, false, true, false)
    }

    fn flow_mapping_value(&mut self, evs: &[Event], head: usize, simple: bool) -> EResult {
        if simple {
            self.write_indicator(b":", false, false, false);
        } else {
            if self.column > self.best_width {
                self.write_indent();
            }
            self.write_indicator(b":", true, false, false);
        }
        if self.comments_pending() {
            self.states.push(St::FlowMappingTrailKey);
        } else {
            self.states.push(St::FlowMappingKey);
        }
        self.emit_node(evs, head, false, false, true, false)?;
        if self.comments_pending() {
            self.write_indicator(b",", false, false, false);
        }
        self.process_line_comment();
        self.process_foot_comment();
        Ok(())
    }

    fn block_sequence_item(&mut self, evs: &[Event], head: usize, first: bool) -> EResult {
        let ev = &evs[head];
        if first {
            let seq = self.mapping_context
                && (self.column == 0 || !self.indention)
                && self.compact_sequence_indent;
            self.increase_indent_compact(false, false, seq);
        }
        if ev.typ == Ev::SequenceEnd {
            self.pop_indent();
            self.pop_state();
            return Ok(());
        }
        self.process_head_comment();
        self.write_indent();
        self.write_indicator(b"-", true, false, true);
        self.states.push(St::BlockSequenceItem);
        self.emit_node(evs, head, false, true, false, false)?;
        self.process_line_comment();
        self.process_foot_comment();
        Ok(())
    }

    fn block_mapping_key(&mut self, evs: &[Event], head: usize, first: bool) -> EResult {
        let ev = &evs[head];
        if first {
            self.increase_indent(false, false);
        }
        self.process_head_comment();
        if ev.typ == Ev::MappingEnd {
            self.pop_indent();
            self.pop_state();
            return Ok(());
        }
        self.write_indent();
        if !self.line_comment.is_empty() {
            self.key_line_comment = std::mem::take(&mut self.line_comment);
        }
        if self.check_simple_key(evs, head) {
            self.states.push(St::BlockMappingSimpleValue);
            return self.emit_node(evs, head, false, false, true, true);
        }
        self.write_indicator(b"?", true, false, true);
        self.states.push(St::BlockMappingValue);
        self.emit_node(evs, head, false, false, true, false)
    }

    fn block_mapping_value(&mut self, evs: &[Event], head: usize, simple: bool) -> EResult {
        let ev = &evs[head];
        if simple {
            self.write_indicator(b":", false, false, false);
        } else {
            self.write_indent();
            self.write_indicator(b":", true, false, true);
        }
        if !self.key_line_comment.is_empty() {
            if ev.typ == Ev::Scalar {
                if self.line_comment.is_empty() {
                    self.line_comment = std::mem::take(&mut self.key_line_comment);
                }
            } else if !(ev.typ == Ev::SequenceStart && ev.flow)
                && (ev.typ == Ev::MappingStart || ev.typ == Ev::SequenceStart)
            {
                std::mem::swap(&mut self.line_comment, &mut self.key_line_comment);
                self.process_line_comment();
                std::mem::swap(&mut self.line_comment, &mut self.key_line_comment);
            }
        }
        self.states.push(St::BlockMappingKey);
        self.emit_node(evs, head, false, false, true, false)?;
        self.process_line_comment();
        self.process_foot_comment();
        Ok(())
    }

    fn emit_node(
        &mut self,
        evs: &[Event],
        head: usize,
        root: bool,
        _sequence: bool,
        mapping: bool,
        simple_key: bool,
    ) -> EResult {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        let ev = &evs[head];
        match ev.typ {
            Ev::Alias => {
                self.process_anchor();
                self.pop_state();
                Ok(())
            }
            Ev::Scalar => {
                self.select_scalar_style(ev)?;
                self.process_anchor();
                self.process_tag();
                self.increase_indent(true, false);
                self.process_scalar();
                self.pop_indent();
                self.pop_state();
                Ok(())
            }
            Ev::SequenceStart => {
                self.process_anchor();
                self.process_tag();
                let empty = evs.get(head + 1).map(|e| e.typ) == Some(Ev::SequenceEnd);
                self.state = if self.flow_level > 0 || ev.flow || empty {
                    St::FlowSequenceFirstItem
                } else {
                    St::BlockSequenceFirstItem
                };
                Ok(())
            }
            Ev::MappingStart => {
                self.process_anchor();
                self.process_tag();
                let empty = evs.get(head + 1).map(|e| e.typ) == Some(Ev::MappingEnd);
                self.state = if self.flow_level > 0 || ev.flow || empty {
                    St::FlowMappingFirstKey
                } else {
                    St::BlockMappingFirstKey
                };
                Ok(())
            }
            other => Err(format!(
                "expected SCALAR, SEQUENCE-START, MAPPING-START, or ALIAS, but got {other:?}"
            )),
        }
    }

    fn check_simple_key(&self, evs: &[Event], head: usize) -> bool {
        let ev = &evs[head];
        let anchor_len = self.anchor.as_ref().map(|(a, _)| a.len()).unwrap_or(0);
        let tag_len = self.tag_handle.len() + self.tag_suffix.len();
        let next = evs.get(head + 1).map(|e| e.typ);
        let length = match ev.typ {
            Ev::Alias => anchor_len,
            Ev::Scalar => {
                if self.scalar.multiline {
                    return false;
                }
                anchor_len + tag_len + self.scalar.value.len()
            }
            Ev::SequenceStart => {
                if next != Some(Ev::SequenceEnd) {
                    return false;
                }
                anchor_len + tag_len
            }
            Ev::MappingStart => {
                if next != Some(Ev::MappingEnd) {
                    return false;
                }
                anchor_len + tag_len
            }
            _ => return false,
        };
        length <= 128
    }

    fn select_scalar_style(&mut self, ev: &Event) -> EResult {
        let no_tag = self.tag_handle.is_empty() && self.tag_suffix.is_empty();
        if no_tag && !ev.implicit && !ev.quoted_implicit {
            return Err("neither tag nor implicit flags are specified".into());
        }
        let mut style = ev.style;
        if self.simple_key_context && self.scalar.multiline {
            style = SStyle::Double;
        }
        if style == SStyle::Plain {
            if (self.flow_level > 0 && !self.scalar.flow_plain_allowed)
                || (self.flow_level == 0 && !self.scalar.block_plain_allowed)
            {
                style = SStyle::Single;
            }
            if self.scalar.value.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = SStyle::Single;
            }
            if no_tag && !ev.implicit {
                style = SStyle::Single;
            }
        }
        if style == SStyle::Single && !self.scalar.single_quoted_allowed {
            style = SStyle::Double;
        }
        if (style == SStyle::Literal || style == SStyle::Folded)
            && (!self.scalar.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = SStyle::Double;
        }
        if no_tag && !ev.quoted_implicit && style != SStyle::Plain {
            self.tag_handle = b"!".to_vec();
        }
        self.scalar_style = style;
        Ok(())
    }

    fn process_anchor(&mut self) {
        let Some((anchor, alias)) = self.anchor.take() else {
            return;
        };
        self.write_indicator(if alias { b"*" } else { b"&" }, true, false, false);
        self.write_all(&anchor);
        self.whitespace = false;
        self.indention = false;
    }

    fn process_tag(&mut self) {
        if self.tag_handle.is_empty() && self.tag_suffix.is_empty() {
            return;
        }
        if !self.tag_handle.is_empty() {
            if !self.whitespace {
                self.put(b' ');
            }
            let h = self.tag_handle.clone();
            self.write_all(&h);
            self.whitespace = false;
            self.indention = false;
            if !self.tag_suffix.is_empty() {
                let s = self.tag_suffix.clone();
                self.write_tag_content(&s, false);
            }
        } else {
            self.write_indicator(b"!<", true, false, false);
            let s = self.tag_suffix.clone();
            self.write_tag_content(&s, false);
            self.write_indicator(b">", false, false, false);
        }
    }

    fn write_tag_content(&mut self, value: &[u8], need_ws: bool) {
        if need_ws && !self.whitespace {
            self.put(b' ');
        }
        let mut i = 0;
        while i < value.len() {
            let c = value[i];
            let must_write = matches!(
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
                    | b'_'
                    | b'.'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b'['
                    | b']'
            ) || is_alpha(c);
            if must_write {
                self.write(value, &mut i);
            } else {
                let w = width(c).min(value.len() - i);
                for _ in 0..w {
                    let octet = value[i];
                    i += 1;
                    self.put(b'%');
                    for d in [octet >> 4, octet & 0x0f] {
                        self.put(if d < 10 { d + b'0' } else { d + b'A' - 10 });
                    }
                }
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn process_scalar(&mut self) {
        let value = std::mem::take(&mut self.scalar.value);
        let allow_breaks = !self.simple_key_context;
        match self.scalar_style {
            SStyle::Plain => self.write_plain(&value, allow_breaks),
            SStyle::Single => self.write_single(&value, allow_breaks),
            SStyle::Double => self.write_double(&value, allow_breaks),
            SStyle::Literal => self.write_literal(&value),
            SStyle::Folded => self.write_folded(&value),
        }
        self.scalar.value = value;
    }

    fn write_plain(&mut self, value: &[u8], allow_breaks: bool) {
        if !value.is_empty() && !self.whitespace {
            self.put(b' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && !is_space(value, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if !value.is_empty() {
            self.whitespace = false;
        }
        self.indention = false;
        if self.root_context {
            self.open_ended = true;
        }
    }

    fn write_single(&mut self, value: &[u8], allow_breaks: bool) {
        self.write_indicator(b"'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i < value.len() - 1
                    && !is_space(value, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if value[i] == b'\'' {
                    self.put(b'\'');
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator(b"'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &[u8], allow_breaks: bool) {
        let mut spaces = false;
        self.write_indicator(b"\"", true, false, false);
        let mut i = 0;
        while i < value.len() {
            if !is_printable(value, i)
                || is_bom(value, i)
                || is_break(value, i)
                || value[i] == b'"'
                || value[i] == b'\\'
            {
                let octet = value[i];
                let (mut w, mut v): (usize, u32) = if octet & 0x80 == 0 {
                    (1, (octet & 0x7F) as u32)
                } else if octet & 0xE0 == 0xC0 {
                    (2, (octet & 0x1F) as u32)
                } else if octet & 0xF0 == 0xE0 {
                    (3, (octet & 0x0F) as u32)
                } else {
                    (4, (octet & 0x07) as u32)
                };
                for k in 1..w {
                    v = (v << 6) + (at(value, i + k) as u32 & 0x3F);
                }
                i += w;
                self.put(b'\\');
                match v {
                    0x00 => self.put(b'0'),
                    0x07 => self.put(b'a'),
                    0x08 => self.put(b'b'),
                    0x09 => self.put(b't'),
                    0x0A => self.put(b'n'),
                    0x0B => self.put(b'v'),
                    0x0C => self.put(b'f'),
                    0x0D => self.put(b'r'),
                    0x1B => self.put(b'e'),
                    0x22 => self.put(b'"'),
                    0x5C => self.put(b'\\'),
                    0x85 => self.put(b'N'),
                    0xA0 => self.put(b'_'),
                    0x2028 => self.put(b'L'),
                    0x2029 => self.put(b'P'),
                    _ => {
                        if v <= 0xFF {
                            self.put(b'x');
                            w = 2;
                        } else if v <= 0xFFFF {
                            self.put(b'u');
                            w = 4;
                        } else {
                            self.put(b'U');
                            w = 8;
                        }
                        let mut k = (w as i64 - 1) * 4;
                        while k >= 0 {
                            let d = ((v >> k) & 0x0F) as u8;
                            self.put(if d < 10 { d + b'0' } else { d + b'A' - 10 });
                            k -= 4;
                        }
                    }
                }
                spaces = false;
            } else if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i < value.len() - 1
                {
                    self.write_indent();
                    if is_space(value, i + 1) {
                        self.put(b'\\');
                    }
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else {
                self.write(value, &mut i);
                spaces = false;
            }
        }
        self.write_indicator(b"\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn block_scalar_hints(&mut self, value: &[u8]) {
        if is_space(value, 0) || is_break(value, 0) {
            let hint = [b'0' + self.best_indent as u8];
            self.write_indicator(&hint, false, false, false);
        }
        self.open_ended = false;
        let mut chomp: Option<u8> = None;
        if value.is_empty() {
            chomp = Some(b'-');
        } else {
            let mut i = value.len() - 1;
            while i > 0 && value[i] & 0xC0 == 0x80 {
                i -= 1;
            }
            if !is_break(value, i) {
                chomp = Some(b'-');
            } else if i == 0 {
                chomp = Some(b'+');
                self.open_ended = true;
            } else {
                i -= 1;
                while i > 0 && value[i] & 0xC0 == 0x80 {
                    i -= 1;
                }
                if is_break(value, i) {
                    chomp = Some(b'+');
                    self.open_ended = true;
                }
            }
        }
        if let Some(c) = chomp {
            self.write_indicator(&[c], false, false, false);
        }
    }

    fn write_literal(&mut self, value: &[u8]) {
        self.write_indicator(b"|", true, false, false);
        self.block_scalar_hints(value);
        self.process_line_comment_linebreak(true);
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < value.len() {
            if is_break(value, i) {
                self.write_break(value, &mut i);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                breaks = false;
            }
        }
    }

    fn write_folded(&mut self, value: &[u8]) {
        self.write_indicator(b">", true, false, false);
        self.block_scalar_hints(value);
        self.process_line_comment_linebreak(true);
        self.whitespace = true;
        let mut breaks = true;
        let mut leading_spaces = true;
        let mut i = 0;
        while i < value.len() {
            if is_break(value, i) {
                if !breaks && !leading_spaces && value[i] == b'\n' {
                    // libyaml looks from the start of the value here.
                    let mut k = 0;
                    while is_break(value, k) {
                        k += width(value[k]);
                    }
                    if !is_blankz(value, k) {
                        self.put_break();
                    }
                }
                self.write_break(value, &mut i);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                    leading_spaces = is_blank(value, i);
                }
                if !breaks
                    && is_space(value, i)
                    && !is_space(value, i + 1)
                    && self.column > self.best_width
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// kyaml's `yaml.NewEncoder` writing each node with `Encode` and then `Close`: documents
/// separated by `---`. Errors are yaml.v3's emitter problems.
pub fn encode_documents(nodes: &[Node], _unused: bool) -> Result<String, String> {
    let mut evs: Vec<Event> = Vec::with_capacity(nodes.len() * 16);
    evs.push(Event::new(Ev::StreamStart));
    events_of(nodes, &mut evs);
    evs.push(Event::new(Ev::StreamEnd));
    let mut e = Emitter {
        out: Vec::new(),
        best_indent: 2,
        best_width: i64::MAX,
        compact_sequence_indent: true,
        state: St::StreamStart,
        states: Vec::new(),
        indent: -1,
        indents: Vec::new(),
        flow_level: 0,
        root_context: false,
        mapping_context: false,
        simple_key_context: false,
        column: 0,
        whitespace: true,
        indention: true,
        open_ended: false,
        foot_indent: -1,
        head_comment: Vec::new(),
        line_comment: Vec::new(),
        foot_comment: Vec::new(),
        tail_comment: Vec::new(),
        key_line_comment: Vec::new(),
        anchor: None,
        tag_handle: Vec::new(),
        tag_suffix: Vec::new(),
        scalar: ScalarData::default(),
        scalar_style: SStyle::Plain,
        tag_directives: Vec::new(),
    };
    for head in 0..evs.len() {
        e.analyze_event(&evs[head])?;
        e.emit(&evs, head)?;
    }
    Ok(String::from_utf8(e.out)
        .unwrap_or_else(|x| String::from_utf8_lossy(x.as_bytes()).into_owned()))
}
