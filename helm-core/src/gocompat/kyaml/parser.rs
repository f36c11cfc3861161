//! yaml.v3's parser (tokens into events, carrying comments) and its composer (events into a
//! [`Node`] tree, as `yaml.Decoder.Decode(&node)` builds it).
//!
//! The parser is libyaml's state machine as yaml.v3 ports it, with yaml.v3's additions that
//! hand the scanner's comments to events (`unfold_comments`, the split of a document's head
//! comment at its last blank line, stem comments of nested block collections). The composer
//! moves foot comments between keys and values as yaml.v3's `decode.go` does. Both keep their
//! own stacks, so document depth costs heap, not call stack.

use super::node::{Kind, Node, Style};
use super::scanner::{Mark, RawError, SResult, ScalarStyle, Scanner, Tok, Token};
use super::YamlError;

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

#[derive(Debug)]
struct Event {
    typ: Ev,
    start: Mark,
    anchor: Vec<u8>,
    tag: Vec<u8>,
    value: Vec<u8>,
    scalar_style: ScalarStyle,
    flow: bool,
    head: Vec<u8>,
    line: Vec<u8>,
    foot: Vec<u8>,
}

impl Event {
    fn new(typ: Ev, start: Mark) -> Event {
        Event {
            typ,
            start,
            anchor: Vec::new(),
            tag: Vec::new(),
            value: Vec::new(),
            scalar_style: ScalarStyle::Plain,
            flow: false,
            head: Vec::new(),
            line: Vec::new(),
            foot: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

struct Parser {
    sc: Scanner,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    tag_directives: Vec<(Vec<u8>, Vec<u8>)>,
    head_comment: Vec<u8>,
    line_comment: Vec<u8>,
    foot_comment: Vec<u8>,
    stem_comment: Option<Vec<u8>>,
}

fn perr<T>(context: Option<Mark>, problem: &str, problem_mark: Mark) -> SResult<T> {
    Err(RawError {
        scanner: false,
        context_mark: context,
        problem_mark,
        problem: problem.to_string(),
    })
}

impl Parser {
    fn peek_token(&mut self) -> SResult<Token> {
        if !self.sc.token_available {
            self.sc.fetch_more_tokens()?;
        }
        let token = self.sc.tokens[self.sc.head].clone();
        self.unfold_comments(&token);
        Ok(token)
    }

    fn skip_token(&mut self) {
        self.sc.token_available = false;
        self.sc.tokens_parsed += 1;
        self.sc.head += 1;
    }

    fn unfold_comments(&mut self, token: &Token) {
        let sc = &mut self.sc;
        while sc.comments_head < sc.comments.len()
            && token.start.index >= sc.comments[sc.comments_head].token_mark.index
        {
            let comment = &mut sc.comments[sc.comments_head];
            if !comment.head.is_empty() {
                if token.typ == Tok::BlockEnd {
                    break;
                }
                if !self.head_comment.is_empty() {
                    self.head_comment.push(b'\n');
                }
                self.head_comment.extend_from_slice(&comment.head);
            }
            if !comment.foot.is_empty() {
                if !self.foot_comment.is_empty() {
                    self.foot_comment.push(b'\n');
                }
                self.foot_comment.extend_from_slice(&comment.foot);
            }
            if !comment.line.is_empty() {
                if !self.line_comment.is_empty() {
                    self.line_comment.push(b'\n');
                }
                self.line_comment.extend_from_slice(&comment.line);
            }
            *comment = Default::default();
            sc.comments_head += 1;
        }
        // Comments already handed over are not looked at again.
        if sc.comments_head > 256 && sc.comments_head * 2 > sc.comments.len() {
            // The scanner looks back at recent comments (unroll_indent, the sequence-entry
            // rewrite); keep the unconsumed ones and a few before them.
            let keep_from = sc.comments_head - 16;
            sc.comments.drain(..keep_from);
            sc.comments_head -= keep_from;
        }
    }

    fn set_event_comments(&mut self, ev: &mut Event) {
        ev.head = std::mem::take(&mut self.head_comment);
        ev.line = std::mem::take(&mut self.line_comment);
        ev.foot = std::mem::take(&mut self.foot_comment);
        self.stem_comment = None;
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    fn next_event(&mut self) -> SResult<Event> {
        match self.state {
            State::StreamStart => {
                let t = self.peek_token()?;
                if t.typ != Tok::StreamStart {
                    return perr(None, "did not find expected <stream-start>", t.start);
                }
                self.state = State::ImplicitDocumentStart;
                self.skip_token();
                Ok(Event::new(Ev::StreamStart, t.start))
            }
            State::ImplicitDocumentStart => self.document_start(true),
            State::DocumentStart => self.document_start(false),
            State::DocumentContent => {
                let t = self.peek_token()?;
                if matches!(
                    t.typ,
                    Tok::VersionDirective
                        | Tok::TagDirective
                        | Tok::DocumentStart
                        | Tok::DocumentEnd
                        | Tok::StreamEnd
                ) {
                    self.pop_state();
                    return Ok(empty_scalar(t.start));
                }
                self.parse_node(true, false)
            }
            State::DocumentEnd => {
                let t = self.peek_token()?;
                if t.typ == Tok::DocumentEnd {
                    self.skip_token();
                }
                self.tag_directives.clear();
                self.state = State::DocumentStart;
                let mut ev = Event::new(Ev::DocumentEnd, t.start);
                self.set_event_comments(&mut ev);
                if !ev.head.is_empty() && ev.foot.is_empty() {
                    ev.foot = std::mem::take(&mut ev.head);
                }
                Ok(ev)
            }
            State::BlockNode => self.parse_node(true, false),
            State::BlockSequenceFirstEntry => self.block_sequence_entry(true),
            State::BlockSequenceEntry => self.block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.block_mapping_key(true),
            State::BlockMappingKey => self.block_mapping_key(false),
            State::BlockMappingValue => self.block_mapping_value(),
            State::FlowSequenceFirstEntry => self.flow_sequence_entry(true),
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => {
                let t = self.peek_token()?;
                if !matches!(t.typ, Tok::Value | Tok::FlowEntry | Tok::FlowSequenceEnd) {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    return self.parse_node(false, false);
                }
                let mark = t.end;
                self.skip_token();
                self.state = State::FlowSequenceEntryMappingValue;
                Ok(empty_scalar(mark))
            }
            State::FlowSequenceEntryMappingValue => {
                let mut t = self.peek_token()?;
                if t.typ == Tok::Value {
                    self.skip_token();
                    t = self.peek_token()?;
                    if t.typ != Tok::FlowEntry && t.typ != Tok::FlowSequenceEnd {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.parse_node(false, false);
                    }
                }
                self.state = State::FlowSequenceEntryMappingEnd;
                Ok(empty_scalar(t.start))
            }
            State::FlowSequenceEntryMappingEnd => {
                let t = self.peek_token()?;
                self.state = State::FlowSequenceEntry;
                Ok(Event::new(Ev::MappingEnd, t.start))
            }
            State::FlowMappingFirstKey => self.flow_mapping_key(true),
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => self.flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(true),
            State::End => Ok(Event::new(Ev::StreamEnd, self.sc.mark)),
        }
    }

    fn document_start(&mut self, implicit: bool) -> SResult<Event> {
        let mut t = self.peek_token()?;
        if !implicit {
            while t.typ == Tok::DocumentEnd {
                self.skip_token();
                t = self.peek_token()?;
            }
        }
        if implicit
            && !matches!(
                t.typ,
                Tok::VersionDirective | Tok::TagDirective | Tok::DocumentStart | Tok::StreamEnd
            )
        {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            // A document's head comment is what comes before its last blank line; the rest
            // stays for the first node.
            let mut head = Vec::new();
            let hc = &self.head_comment;
            if !hc.is_empty() {
                let mut i = hc.len() - 1;
                while i > 0 {
                    if hc[i] == b'\n' {
                        if i == hc.len() - 1 {
                            head = hc[..i].to_vec();
                            self.head_comment = hc[i + 1..].to_vec();
                            break;
                        } else if hc[i - 1] == b'\n' {
                            head = hc[..i - 1].to_vec();
                            self.head_comment = hc[i + 1..].to_vec();
                            break;
                        }
                    }
                    i -= 1;
                }
            }
            let mut ev = Event::new(Ev::DocumentStart, t.start);
            ev.head = head;
            Ok(ev)
        } else if t.typ != Tok::StreamEnd {
            let start = t.start;
            self.process_directives()?;
            let t = self.peek_token()?;
            if t.typ != Tok::DocumentStart {
                return perr(None, "did not find expected <document start>", t.start);
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            self.skip_token();
            Ok(Event::new(Ev::DocumentStart, start))
        } else {
            self.state = State::End;
            self.skip_token();
            Ok(Event::new(Ev::StreamEnd, t.start))
        }
    }

    fn process_directives(&mut self) -> SResult<()> {
        let mut seen_version = false;
        let mut t = self.peek_token()?;
        while t.typ == Tok::VersionDirective || t.typ == Tok::TagDirective {
            if t.typ == Tok::VersionDirective {
                if seen_version {
                    return perr(None, "found duplicate %YAML directive", t.start);
                }
                if t.major != 1 || t.minor != 1 {
                    return perr(None, "found incompatible YAML document", t.start);
                }
                seen_version = true;
            } else {
                if self.tag_directives.iter().any(|(h, _)| *h == t.value) {
                    return perr(None, "found duplicate %TAG directive", t.start);
                }
                self.tag_directives
                    .push((t.value.clone(), t.prefix.clone()));
            }
            self.skip_token();
            t = self.peek_token()?;
        }
        for (h, p) in [(&b"!"[..], &b"!"[..]), (b"!!", b"tag:yaml.org,2002:")] {
            if !self.tag_directives.iter().any(|(x, _)| x == h) {
                self.tag_directives.push((h.to_vec(), p.to_vec()));
            }
        }
        Ok(())
    }

    fn parse_node(&mut self, block: bool, indentless_sequence: bool) -> SResult<Event> {
        let mut t = self.peek_token()?;
        if t.typ == Tok::Alias {
            self.pop_state();
            let mut ev = Event::new(Ev::Alias, t.start);
            ev.anchor = t.value.clone();
            self.set_event_comments(&mut ev);
            self.skip_token();
            return Ok(ev);
        }
        let mut start = t.start;
        let mut tag_token = false;
        let mut tag_handle = Vec::new();
        let mut tag_suffix = Vec::new();
        let mut anchor = Vec::new();
        let mut tag_mark = Mark::default();
        if t.typ == Tok::Anchor {
            anchor = t.value.clone();
            start = t.start;
            self.skip_token();
            t = self.peek_token()?;
            if t.typ == Tok::Tag {
                tag_token = true;
                tag_handle = t.value.clone();
                tag_suffix = t.suffix.clone();
                tag_mark = t.start;
                self.skip_token();
                t = self.peek_token()?;
            }
        } else if t.typ == Tok::Tag {
            tag_token = true;
            tag_handle = t.value.clone();
            tag_suffix = t.suffix.clone();
            start = t.start;
            tag_mark = t.start;
            self.skip_token();
            t = self.peek_token()?;
            if t.typ == Tok::Anchor {
                anchor = t.value.clone();
                self.skip_token();
                t = self.peek_token()?;
            }
        }
        let mut tag = Vec::new();
        if tag_token {
            if tag_handle.is_empty() {
                tag = tag_suffix;
            } else {
                match self.tag_directives.iter().find(|(h, _)| *h == tag_handle) {
                    Some((_, prefix)) => {
                        tag = prefix.clone();
                        tag.extend_from_slice(&tag_suffix);
                    }
                    None => {
                        return perr(Some(start), "found undefined tag handle", tag_mark);
                    }
                }
            }
        }

        if indentless_sequence && t.typ == Tok::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            let mut ev = Event::new(Ev::SequenceStart, start);
            ev.anchor = anchor;
            ev.tag = tag;
            return Ok(ev);
        }
        if t.typ == Tok::Scalar {
            self.pop_state();
            let mut ev = Event::new(Ev::Scalar, start);
            ev.anchor = anchor;
            ev.tag = tag;
            ev.value = t.value.clone();
            ev.scalar_style = t.style;
            self.set_event_comments(&mut ev);
            self.skip_token();
            return Ok(ev);
        }
        if t.typ == Tok::FlowSequenceStart || t.typ == Tok::FlowMappingStart {
            let seq = t.typ == Tok::FlowSequenceStart;
            self.state = if seq {
                State::FlowSequenceFirstEntry
            } else {
                State::FlowMappingFirstKey
            };
            let mut ev = Event::new(
                if seq {
                    Ev::SequenceStart
                } else {
                    Ev::MappingStart
                },
                start,
            );
            ev.anchor = anchor;
            ev.tag = tag;
            ev.flow = true;
            self.set_event_comments(&mut ev);
            return Ok(ev);
        }
        if block && (t.typ == Tok::BlockSequenceStart || t.typ == Tok::BlockMappingStart) {
            let seq = t.typ == Tok::BlockSequenceStart;
            self.state = if seq {
                State::BlockSequenceFirstEntry
            } else {
                State::BlockMappingFirstKey
            };
            let mut ev = Event::new(
                if seq {
                    Ev::SequenceStart
                } else {
                    Ev::MappingStart
                },
                start,
            );
            ev.anchor = anchor;
            ev.tag = tag;
            if let Some(stem) = self.stem_comment.take() {
                ev.head = stem;
            }
            return Ok(ev);
        }
        if !anchor.is_empty() || !tag.is_empty() {
            self.pop_state();
            let mut ev = Event::new(Ev::Scalar, start);
            ev.anchor = anchor;
            ev.tag = tag;
            return Ok(ev);
        }
        let context = if block {
            "while parsing a block node"
        } else {
            "while parsing a flow node"
        };
        let _ = context;
        perr(Some(start), "did not find expected node content", t.start)
    }

    fn split_stem_comment(&mut self, stem_len: usize) -> SResult<()> {
        if stem_len == 0 {
            return Ok(());
        }
        let t = self.peek_token()?;
        if t.typ != Tok::BlockSequenceStart && t.typ != Tok::BlockMappingStart {
            return Ok(());
        }
        let stem = self.head_comment[..stem_len.min(self.head_comment.len())].to_vec();
        if self.head_comment.len() <= stem_len {
            self.head_comment.clear();
        } else {
            self.head_comment = self.head_comment[stem_len + 1..].to_vec();
        }
        self.stem_comment = Some(stem);
        Ok(())
    }

    fn block_sequence_entry(&mut self, first: bool) -> SResult<Event> {
        if first {
            let t = self.peek_token()?;
            self.marks.push(t.start);
            self.skip_token();
        }
        let t = self.peek_token()?;
        if t.typ == Tok::BlockEntry {
            let mark = t.end;
            let prior = self.head_comment.len();
            self.skip_token();
            self.split_stem_comment(prior)?;
            let t = self.peek_token()?;
            if t.typ != Tok::BlockEntry && t.typ != Tok::BlockEnd {
                self.states.push(State::BlockSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Ok(empty_scalar(mark));
        }
        if t.typ == Tok::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip_token();
            return Ok(Event::new(Ev::SequenceEnd, t.start));
        }
        let cm = self.marks.pop();
        perr(cm, "did not find expected '-' indicator", t.start)
    }

    fn indentless_sequence_entry(&mut self) -> SResult<Event> {
        let t = self.peek_token()?;
        if t.typ == Tok::BlockEntry {
            let mark = t.end;
            let prior = self.head_comment.len();
            self.skip_token();
            self.split_stem_comment(prior)?;
            let t = self.peek_token()?;
            if !matches!(
                t.typ,
                Tok::BlockEntry | Tok::Key | Tok::Value | Tok::BlockEnd
            ) {
                self.states.push(State::IndentlessSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Ok(empty_scalar(mark));
        }
        self.pop_state();
        Ok(Event::new(Ev::SequenceEnd, t.start))
    }

    fn block_mapping_key(&mut self, first: bool) -> SResult<Event> {
        if first {
            let t = self.peek_token()?;
            self.marks.push(t.start);
            self.skip_token();
        }
        let t = self.peek_token()?;
        if t.typ == Tok::Key {
            let mark = t.end;
            self.skip_token();
            let t = self.peek_token()?;
            if !matches!(t.typ, Tok::Key | Tok::Value | Tok::BlockEnd) {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Ok(empty_scalar(mark));
        } else if t.typ == Tok::BlockEnd {
            self.pop_state();
            self.marks.pop();
            let mut ev = Event::new(Ev::MappingEnd, t.start);
            self.set_event_comments(&mut ev);
            self.skip_token();
            return Ok(ev);
        }
        let cm = self.marks.pop();
        perr(cm, "did not find expected key", t.start)
    }

    fn block_mapping_value(&mut self) -> SResult<Event> {
        let t = self.peek_token()?;
        if t.typ == Tok::Value {
            let mark = t.end;
            self.skip_token();
            let t = self.peek_token()?;
            if !matches!(t.typ, Tok::Key | Tok::Value | Tok::BlockEnd) {
                self.states.push(State::BlockMappingKey);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingKey;
            return Ok(empty_scalar(mark));
        }
        self.state = State::BlockMappingKey;
        Ok(empty_scalar(t.start))
    }

    fn flow_sequence_entry(&mut self, first: bool) -> SResult<Event> {
        if first {
            let t = self.peek_token()?;
            self.marks.push(t.start);
            self.skip_token();
        }
        let mut t = self.peek_token()?;
        if t.typ != Tok::FlowSequenceEnd {
            if !first {
                if t.typ == Tok::FlowEntry {
                    self.skip_token();
                    t = self.peek_token()?;
                } else {
                    let cm = self.marks.pop();
                    return perr(cm, "did not find expected ',' or ']'", t.start);
                }
            }
            if t.typ == Tok::Key {
                self.state = State::FlowSequenceEntryMappingKey;
                let mut ev = Event::new(Ev::MappingStart, t.start);
                ev.flow = true;
                self.skip_token();
                return Ok(ev);
            } else if t.typ != Tok::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        let mut ev = Event::new(Ev::SequenceEnd, t.start);
        self.set_event_comments(&mut ev);
        self.skip_token();
        Ok(ev)
    }

    fn flow_mapping_key(&mut self, first: bool) -> SResult<Event> {
        if first {
            let t = self.peek_token()?;
            self.marks.push(t.start);
            self.skip_token();
        }
        let mut t = self.peek_token()?;
        if t.typ != Tok::FlowMappingEnd {
            if !first {
                if t.typ == Tok::FlowEntry {
                    self.skip_token();
                    t = self.peek_token()?;
                } else {
                    let cm = self.marks.pop();
                    return perr(cm, "did not find expected ',' or '}'", t.start);
                }
            }
            if t.typ == Tok::Key {
                self.skip_token();
                let t = self.peek_token()?;
                if !matches!(t.typ, Tok::Value | Tok::FlowEntry | Tok::FlowMappingEnd) {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(empty_scalar(t.start));
            } else if t.typ != Tok::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        let mut ev = Event::new(Ev::MappingEnd, t.start);
        self.set_event_comments(&mut ev);
        self.skip_token();
        Ok(ev)
    }

    fn flow_mapping_value(&mut self, empty: bool) -> SResult<Event> {
        let mut t = self.peek_token()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Ok(empty_scalar(t.start));
        }
        if t.typ == Tok::Value {
            self.skip_token();
            t = self.peek_token()?;
            if t.typ != Tok::FlowEntry && t.typ != Tok::FlowMappingEnd {
                self.states.push(State::FlowMappingKey);
                return self.parse_node(false, false);
            }
        }
        self.state = State::FlowMappingKey;
        Ok(empty_scalar(t.start))
    }
}

fn empty_scalar(mark: Mark) -> Event {
    Event::new(Ev::Scalar, mark)
}

fn bytes_to_string(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// yaml.v3's `shortTag`.
pub(super) fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

/// The tag yaml.v3 resolves an untagged plain scalar to, as far as kyaml looks at it.
pub(super) fn resolve_plain_tag(value: &str) -> &'static str {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => "!!null",
        "<<" => "!!merge",
        _ => "",
    }
}

/// One collection being composed, with the index of the child whose foot comment may move.
struct Open {
    node: Node,
    block_map: bool,
}

/// yaml.v3's `Decoder.Decode` of one document into a `Node`: `Ok(None)` at the end of the
/// stream. Only the first document of `input` is read, as kyaml decodes each piece it split.
pub(super) fn decode_first_document(input: &str) -> Result<Option<Node>, YamlError> {
    let sc = Scanner::new(input).map_err(|e| e.to_yaml_error())?;
    let mut p = Parser {
        sc,
        state: State::StreamStart,
        states: Vec::new(),
        marks: Vec::new(),
        tag_directives: Vec::new(),
        head_comment: Vec::new(),
        line_comment: Vec::new(),
        foot_comment: Vec::new(),
        stem_comment: None,
    };
    compose(&mut p).map_err(|e| match e {
        ComposeError::Raw(r) => r.to_yaml_error(),
        ComposeError::Msg(m) => YamlError(format!("yaml: {m}")),
    })
}

enum ComposeError {
    Raw(RawError),
    Msg(String),
}

impl From<RawError> for ComposeError {
    fn from(e: RawError) -> Self {
        ComposeError::Raw(e)
    }
}

fn make_node(kind: Kind, default_tag: &str, ev: &mut Event) -> Node {
    let tag = String::from_utf8_lossy(&ev.tag).into_owned();
    let mut n = Node::new(kind);
    if !tag.is_empty() && tag != "!" {
        n.tag = short_tag(&tag);
        n.style |= Style::TAGGED;
    } else if !default_tag.is_empty() {
        n.tag = default_tag.to_string();
    } else if kind == Kind::Scalar {
        n.tag = resolve_plain_tag(std::str::from_utf8(&ev.value).unwrap_or("")).to_string();
    }
    n.line = ev.start.line + 1;
    n.column = ev.start.column + 1;
    n.head_comment = bytes_to_string(std::mem::take(&mut ev.head));
    n.line_comment = bytes_to_string(std::mem::take(&mut ev.line));
    n.foot_comment = bytes_to_string(std::mem::take(&mut ev.foot));
    n
}

fn compose(p: &mut Parser) -> Result<Option<Node>, ComposeError> {
    let mut anchors: std::collections::HashSet<String> = std::collections::HashSet::new();
    let ev = p.next_event()?;
    if ev.typ != Ev::StreamStart {
        return Err(ComposeError::Msg("expected STREAM-START".into()));
    }
    let mut ev = p.next_event()?;
    match ev.typ {
        Ev::StreamEnd => return Ok(None),
        Ev::DocumentStart => {}
        _ => return Err(ComposeError::Msg("expected DOCUMENT-START".into())),
    }
    let doc = make_node(Kind::Document, "", &mut ev);
    let mut stack: Vec<Open> = vec![Open {
        node: doc,
        block_map: false,
    }];
    loop {
        let mut ev = p.next_event()?;
        let child = match ev.typ {
            Ev::Scalar => {
                let style = match ev.scalar_style {
                    ScalarStyle::Double => Style::DOUBLE_QUOTED,
                    ScalarStyle::Single => Style::SINGLE_QUOTED,
                    ScalarStyle::Literal => Style::LITERAL,
                    ScalarStyle::Folded => Style::FOLDED,
                    ScalarStyle::Plain => Style::empty(),
                };
                let value = bytes_to_string(std::mem::take(&mut ev.value));
                let default_tag = if style.is_empty() {
                    if value == "<<" {
                        "!!merge"
                    } else {
                        ""
                    }
                } else {
                    "!!str"
                };
                ev.value = value.clone().into_bytes();
                let mut n = make_node(Kind::Scalar, default_tag, &mut ev);
                n.value = value;
                n.style |= style;
                if !ev.anchor.is_empty() {
                    n.anchor = bytes_to_string(ev.anchor);
                    anchors.insert(n.anchor.clone());
                }
                n
            }
            Ev::Alias => {
                let name = bytes_to_string(std::mem::take(&mut ev.anchor));
                let mut n = make_node(Kind::Alias, "", &mut ev);
                if !anchors.contains(&name) {
                    return Err(ComposeError::Msg(format!(
                        "unknown anchor '{name}' referenced"
                    )));
                }
                n.value = name;
                n
            }
            Ev::SequenceStart | Ev::MappingStart => {
                let map = ev.typ == Ev::MappingStart;
                let (kind, tag) = if map {
                    (Kind::Mapping, "!!map")
                } else {
                    (Kind::Sequence, "!!seq")
                };
                let mut n = make_node(kind, tag, &mut ev);
                if ev.flow {
                    n.style |= Style::FLOW;
                }
                if !ev.anchor.is_empty() {
                    n.anchor = bytes_to_string(ev.anchor);
                    anchors.insert(n.anchor.clone());
                }
                stack.push(Open {
                    block_map: map && !ev.flow,
                    node: n,
                });
                continue;
            }
            Ev::SequenceEnd | Ev::MappingEnd => {
                let Some(mut open) = stack.pop() else {
                    return Err(ComposeError::Msg("unbalanced collection".into()));
                };
                let n = &mut open.node;
                n.line_comment = bytes_to_string(std::mem::take(&mut ev.line));
                n.foot_comment = bytes_to_string(std::mem::take(&mut ev.foot));
                if ev.typ == Ev::MappingEnd
                    && !n.style.contains(Style::FLOW)
                    && !n.foot_comment.is_empty()
                    && n.content.len() > 1
                {
                    let i = n.content.len() - 2;
                    n.content[i].foot_comment = std::mem::take(&mut n.foot_comment);
                }
                open.node
            }
            Ev::DocumentEnd => {
                let Some(mut open) = stack.pop() else {
                    return Err(ComposeError::Msg("unbalanced document".into()));
                };
                open.node.foot_comment = bytes_to_string(std::mem::take(&mut ev.foot));
                return Ok(Some(open.node));
            }
            Ev::StreamStart | Ev::StreamEnd | Ev::DocumentStart => {
                return Err(ComposeError::Msg(
                    "attempted to go past the end of stream; corrupted value?".into(),
                ))
            }
        };
        // Attach the finished child to its parent, moving foot comments as decode.go does.
        let Some(parent) = stack.last_mut() else {
            return Err(ComposeError::Msg("node outside a document".into()));
        };
        let block_map = parent.block_map;
        let pn = &mut parent.node;
        pn.content.push(child);
        if pn.kind == Kind::Mapping {
            let len = pn.content.len();
            if len % 2 == 1 {
                // A key: its foot comment belongs to the previous value's key.
                if block_map && !pn.content[len - 1].foot_comment.is_empty() && len > 2 {
                    let foot = std::mem::take(&mut pn.content[len - 1].foot_comment);
                    pn.content[len - 3].foot_comment = foot;
                }
            } else {
                // A value: a foot comment moves to its key when the key has none.
                if pn.content[len - 2].foot_comment.is_empty()
                    && !pn.content[len - 1].foot_comment.is_empty()
                {
                    let foot = std::mem::take(&mut pn.content[len - 1].foot_comment);
                    pn.content[len - 2].foot_comment = foot;
                }
            }
        }
    }
}
