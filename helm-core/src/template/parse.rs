//! The parser: items → [`Tree`]s, following Go's `text/template/parse/parse.go` closely so that
//! what Go accepts we accept, and what it rejects we reject with the same message.
//!
//! One source gives one main tree plus one tree per `define`/`block`. Function names are
//! resolved against the [`FuncTable`] here (Go does it at parse time too), and variables are
//! given stack slots: a variable's slot is the number of variables in scope when it is declared,
//! and scopes close at `{{end}}`, which mirrors Go's run-time variable stack exactly.

use super::ast::*;
use super::error::TemplateError;
use super::funcs::FuncTable;
use super::lexer::{lex, Item, ItemKind};
use crate::gocompat::strconv::{go_quote, parse_int, parse_uint};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::Arc;

/// Trees live until the render ends, so their vectors should have no spare capacity; growing
/// a `Vec` and then shrinking it costs a realloc per node. Items are gathered on the stack
/// and moved into one allocation of the exact size.
fn exact<A: smallvec::Array>(v: SmallVec<A>) -> Vec<A::Item> {
    let mut v = v.into_vec();
    v.shrink_to_fit();
    v
}

/// Deepest nesting of control structures and pipelines accepted. Go has no limit (Helm's 5 MB
/// template file limit allows ~350,000 nested `{{if}}`s, and Helm parses 100,000 in a few
/// seconds); the recursion runs on growable stack segments ([`crate::values::deep`]) and this
/// only bounds memory for `tpl` strings beyond anything Go survives.
pub const MAX_PARSE_DEPTH: usize = 1_000_000;
/// Go's `maxStackDepth`: nested parenthesised expressions, `max expression depth exceeded`.
pub const MAX_PAREN_DEPTH: usize = 10_000;

type PResult<T> = Result<T, TemplateError>;

/// The slot of an assigned variable that was never declared (an error when executed).
pub const UNDEFINED_SLOT: usize = usize::MAX;

/// Parses `src` (named `name`) into its trees: the main one first, then each definition, in
/// source order. Mirrors Go's `parse.Parse` including "multiple definition" checks.
pub fn parse(
    name: &str,
    src: &str,
    funcs: &FuncTable,
    cache: &mut ParseShared,
) -> PResult<Vec<Tree>> {
    let items = lex(src);
    let source: Arc<str> = Arc::from(src);
    let parse_name: Arc<str> = Arc::from(name);
    let mut p = Parser {
        items,
        idx: 0,
        parse_name: parse_name.clone(),
        vars: vec![cache.intern("$")],
        funcs,
        cache,
        range_depth: 0,
        depth: 0,
        paren_depth: 0,
        action_line: 0,
        defs: Vec::new(),
        source: source.clone(),
    };
    let root = p.parse_top()?;
    let mut out = vec![Tree {
        name: parse_name.clone(),
        parse_name: parse_name.clone(),
        source: source.clone(),
        root: Arc::new(root),
    }];
    // Go's treeSet: within one parse, a later non-empty definition of the same name is an error,
    // an empty one is ignored.
    let mut seen: HashMap<Arc<str>, usize> = HashMap::new();
    seen.insert(parse_name.clone(), 0);
    for (def_name, root, line) in std::mem::take(&mut p.defs) {
        match seen.get(&def_name) {
            Some(&i) if !is_empty_list(&out[i].root, src) => {
                if !is_empty_list(&root, src) {
                    return Err(TemplateError::parse(
                        name,
                        line,
                        format!(
                            "template: multiple definition of template {}",
                            go_quote(&def_name)
                        ),
                    ));
                }
            }
            Some(&i) => out[i].root = Arc::new(root),
            None => {
                seen.insert(def_name.clone(), out.len());
                out.push(Tree {
                    name: def_name,
                    parse_name: parse_name.clone(),
                    source: source.clone(),
                    root: Arc::new(root),
                });
            }
        }
    }
    Ok(out)
}

/// What parses on one thread share: function lookups (so each name is wrapped once) and
/// the names met in templates (field, variable and function names repeat across a chart's
/// templates; one shared string each instead of an allocation per use).
#[derive(Default)]
pub struct ParseShared {
    /// Functions looked up by name, each wrapped once.
    funcs: FxHashMap<Arc<str>, FuncRef>,
    /// Interned names.
    names: FxHashSet<Arc<str>>,
}

impl ParseShared {
    pub fn clear(&mut self) {
        self.funcs.clear();
        self.names.clear();
    }

    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        self.names.insert(n.clone());
        n
    }
}

struct Parser<'a> {
    items: Vec<Item<'a>>,
    idx: usize,
    parse_name: Arc<str>,
    vars: Vec<Arc<str>>,
    funcs: &'a FuncTable,
    cache: &'a mut ParseShared,
    range_depth: usize,
    depth: usize,
    /// Parentheses open around the current term (Go counts these alone).
    paren_depth: usize,
    action_line: usize,
    /// Definitions found: (name, body, line of the define).
    defs: Vec<(Arc<str>, List, usize)>,
    #[allow(dead_code)]
    source: Arc<str>,
}

/// A statement-level result of `text_or_action`: a node, or the `{{end}}`/`{{else}}` markers.
enum Step {
    Node(Node),
    End,
    Else(usize),
}

impl<'a> Parser<'a> {
    // ----- token access (Go's next/peek/backup with space skipping) -----

    fn cur_line(&self) -> usize {
        let i = self.idx.saturating_sub(1);
        self.items
            .get(i)
            .or_else(|| self.items.last())
            .map_or(1, |t| t.line)
    }

    fn next(&mut self) -> Item<'a> {
        let it = self.items.get(self.idx).cloned().unwrap_or_else(|| Item {
            kind: ItemKind::Eof,
            pos: self.source.len(),
            val: std::borrow::Cow::Borrowed(""),
            line: self.items.last().map_or(1, |t| t.line),
        });
        if self.idx < self.items.len() {
            self.idx += 1;
        }
        it
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn peek(&self) -> ItemKind {
        self.items.get(self.idx).map_or(ItemKind::Eof, |t| t.kind)
    }

    fn peek_item(&self) -> Option<&Item<'a>> {
        self.items.get(self.idx)
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let t = self.next();
            if t.kind != ItemKind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> ItemKind {
        let t = self.next_non_space();
        self.backup();
        t.kind
    }

    fn err(&self, msg: impl Into<String>) -> TemplateError {
        TemplateError::parse(&self.parse_name, self.cur_line(), msg)
    }

    fn unexpected(&self, tok: &Item, context: &str) -> TemplateError {
        if tok.kind == ItemKind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != tok.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if tok.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return TemplateError::parse(
                &self.parse_name,
                tok.line,
                format!("{}{}", tok.val, extra),
            );
        }
        TemplateError::parse(
            &self.parse_name,
            tok.line,
            format!("unexpected {} in {}", tok.describe(), context),
        )
    }

    fn expect(&mut self, kind: ItemKind, context: &str) -> PResult<Item<'a>> {
        let t = self.next_non_space();
        if t.kind != kind {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_PARSE_DEPTH} levels")));
        }
        Ok(())
    }

    // ----- statements -----

    fn parse_top(&mut self) -> PResult<List> {
        let mut root: SmallVec<[Node; 16]> = SmallVec::new();
        while self.peek() != ItemKind::Eof {
            if self.peek() == ItemKind::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().kind == ItemKind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Step::Node(n) => root.push(n),
                Step::End => return Err(self.err("unexpected {{end}}")),
                Step::Else(_) => return Err(self.err("unexpected {{else}}")),
            }
        }
        if let Some(e) = self.items.iter().find(|i| i.kind == ItemKind::Error) {
            // Unreachable in practice (errors stop the loop above), kept for safety.
            return Err(TemplateError::parse(
                &self.parse_name,
                e.line,
                e.val.to_string(),
            ));
        }
        Ok(exact(root))
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let line = self.cur_line();
        let tok = self.next_non_space();
        let name = match tok.kind {
            ItemKind::String | ItemKind::RawString => self.unquote(&tok.val)?,
            _ => return Err(self.unexpected(&tok, context)),
        };
        self.expect(ItemKind::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![self.cache.intern("$")]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if let Step::Else(_) = end {
            return Err(self.err(format!("unexpected {{{{else}}}} in {context}")));
        }
        self.defs.push((Arc::from(name.as_str()), list, line));
        Ok(())
    }

    /// Parses nodes up to `{{end}}` or `{{else}}`, returning which one stopped it.
    fn item_list(&mut self) -> PResult<(List, Step)> {
        crate::values::deep::guard(|| self.item_list_here())
    }

    fn item_list_here(&mut self) -> PResult<(List, Step)> {
        self.enter()?;
        let mut list: SmallVec<[Node; 8]> = SmallVec::new();
        while self.peek_non_space() != ItemKind::Eof {
            match self.text_or_action()? {
                Step::Node(n) => list.push(n),
                other => {
                    self.depth -= 1;
                    return Ok((exact(list), other));
                }
            }
        }
        // An error item ends the stream early: report it rather than EOF.
        let t = self.next_non_space();
        if t.kind == ItemKind::Error {
            return Err(self.unexpected(&t, "input"));
        }
        Err(self.err("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Step> {
        let tok = self.next_non_space();
        match tok.kind {
            // Text items borrow the source at their position.
            ItemKind::Text => Ok(Step::Node(Node::Text(tok.pos..tok.pos + tok.val.len()))),
            ItemKind::LeftDelim => {
                self.action_line = tok.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => Err(self.unexpected(&tok, "input")),
        }
    }

    /// The rest of `{{break}}` or `{{continue}}` (`what`): the closing delimiter, and a
    /// `{{range}}` around it.
    fn loop_control(&mut self, what: &str) -> PResult<()> {
        let t = self.next_non_space();
        if t.kind != ItemKind::RightDelim {
            return Err(self.unexpected(&t, what));
        }
        if self.range_depth == 0 {
            return Err(self.err(format!("{what} outside {{{{range}}}}")));
        }
        Ok(())
    }

    fn action(&mut self) -> PResult<Step> {
        let tok = self.next_non_space();
        match tok.kind {
            ItemKind::Block => return self.block_control().map(Step::Node),
            ItemKind::Break => {
                self.loop_control("{{break}}")?;
                return Ok(Step::Node(Node::Break(tok.pos)));
            }
            ItemKind::Continue => {
                self.loop_control("{{continue}}")?;
                return Ok(Step::Node(Node::Continue(tok.pos)));
            }
            ItemKind::Else => {
                let pk = self.peek_non_space();
                if pk == ItemKind::If || pk == ItemKind::With {
                    return Ok(Step::Else(tok.pos));
                }
                self.expect(ItemKind::RightDelim, "else")?;
                return Ok(Step::Else(tok.pos));
            }
            ItemKind::End => {
                self.expect(ItemKind::RightDelim, "end")?;
                return Ok(Step::End);
            }
            ItemKind::If => return self.control("if").map(|c| Step::Node(Node::If(c))),
            ItemKind::Range => return self.control("range").map(|c| Step::Node(Node::Range(c))),
            ItemKind::With => return self.control("with").map(|c| Step::Node(Node::With(c))),
            ItemKind::Template => return self.template_control().map(Step::Node),
            _ => {}
        }
        self.backup();
        // Variables declared by an action persist until the enclosing {{end}}.
        let pipe = self.pipeline("command", ItemKind::RightDelim)?;
        Ok(Step::Node(Node::Action(pipe)))
    }

    fn control(&mut self, context: &str) -> PResult<Box<Control>> {
        let mark = self.vars.len();
        let r = self.control_inner(context, mark);
        self.vars.truncate(mark);
        r
    }

    fn control_inner(&mut self, context: &str, mark: usize) -> PResult<Box<Control>> {
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Step::Else(epos) = next {
            let _ = epos;
            if context == "if" && self.peek() == ItemKind::If {
                self.next();
                let c = self.control("if")?;
                else_list = Some(vec![Node::If(c)]);
            } else if context == "with" && self.peek() == ItemKind::With {
                self.next();
                let c = self.control("with")?;
                else_list = Some(vec![Node::With(c)]);
            } else if context == "if"
                && self.peek() == ItemKind::Space
                && self.peek_non_space() == ItemKind::If
            {
                self.next_non_space();
                let c = self.control("if")?;
                else_list = Some(vec![Node::If(c)]);
            } else if context == "with"
                && self.peek() == ItemKind::Space
                && self.peek_non_space() == ItemKind::With
            {
                self.next_non_space();
                let c = self.control("with")?;
                else_list = Some(vec![Node::With(c)]);
            } else {
                let (l, n2) = self.item_list()?;
                if let Step::Else(_) = n2 {
                    return Err(self.err("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        Ok(Box::new(Control {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
            mark,
        }))
    }

    fn template_name(&mut self, tok: &Item, context: &str) -> PResult<String> {
        match tok.kind {
            ItemKind::String | ItemKind::RawString => self.unquote(&tok.val),
            _ => Err(self.unexpected(tok, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let pipe = if self.next_non_space().kind != ItemKind::RightDelim {
            self.backup();
            Some(self.pipeline(context, ItemKind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template {
            pos: tok.pos,
            name: self.cache.intern(&name),
            pipe: pipe.map(Box::new),
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let line = tok.line;
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![self.cache.intern("$")]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (list, end) = r?;
        if let Step::Else(_) = end {
            return Err(self.err(format!("unexpected {{{{else}}}} in {context}")));
        }
        let name: Arc<str> = Arc::from(name.as_str());
        self.defs.push((name.clone(), list, line));
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe: Some(Box::new(pipe)),
        })
    }

    // ----- pipelines -----

    fn pipeline(&mut self, context: &str, end: ItemKind) -> PResult<Pipe> {
        crate::values::deep::guard(|| self.pipeline_here(context, end))
    }

    fn pipeline_here(&mut self, context: &str, end: ItemKind) -> PResult<Pipe> {
        self.enter()?;
        let pos = self.peek_item_non_space_pos();
        let mut pipe = Pipe {
            pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        let mut cmds: SmallVec<[Command; 4]> = SmallVec::new();
        // Variables declared here come into scope only after the pipeline is evaluated (Go pushes
        // them then), so `$x := f $x` reads the outer `$x`: their slots are given at the end.
        let mut declared: Vec<Arc<str>> = Vec::new();
        // Declarations or assignments.
        'decls: loop {
            let save = self.idx;
            let v = self.next_non_space();
            if v.kind != ItemKind::Variable {
                self.idx = save;
                break;
            }
            let after_var = self.idx;
            let next = self.next_non_space();
            match next.kind {
                ItemKind::Assign | ItemKind::Declare => {
                    pipe.is_assign = next.kind == ItemKind::Assign;
                    let var = if pipe.is_assign {
                        // Go reports an undefined variable here only at run time.
                        self.lookup_var(&v.val).unwrap_or(VarRef {
                            name: self.cache.intern(&v.val),
                            slot: UNDEFINED_SLOT,
                        })
                    } else {
                        let name = self.cache.intern(&v.val);
                        declared.push(name.clone());
                        VarRef {
                            name,
                            slot: UNDEFINED_SLOT,
                        }
                    };
                    pipe.decl.push(var);
                    break;
                }
                ItemKind::Char if next.val == "," => {
                    let name = self.cache.intern(&v.val);
                    declared.push(name.clone());
                    pipe.decl.push(VarRef {
                        name,
                        slot: UNDEFINED_SLOT,
                    });
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space() {
                            ItemKind::Variable | ItemKind::RightDelim | ItemKind::RightParen => {
                                continue 'decls
                            }
                            _ => return Err(self.err("range can only initialize variables")),
                        }
                    }
                    return Err(self.err(format!("too many declarations in {context}")));
                }
                _ => {
                    let _ = after_var;
                    self.idx = save;
                    break;
                }
            }
        }
        loop {
            let tok = self.next_non_space();
            if tok.kind == end {
                pipe.cmds = exact(std::mem::take(&mut cmds));
                self.check_pipeline(&pipe, context)?;
                let first_declared = pipe.decl.len() - declared.len();
                for (i, name) in declared.iter().enumerate() {
                    pipe.decl[first_declared + i] = self.declare_var(name);
                }
                self.depth -= 1;
                pipe.decl.shrink_to_fit();
                return Ok(pipe);
            }
            match tok.kind {
                ItemKind::Bool
                | ItemKind::CharConst
                | ItemKind::Complex
                | ItemKind::Dot
                | ItemKind::Field
                | ItemKind::Identifier
                | ItemKind::Number
                | ItemKind::Nil
                | ItemKind::RawString
                | ItemKind::String
                | ItemKind::Variable
                | ItemKind::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    cmds.push(c);
                }
                _ => return Err(self.unexpected(&tok, context)),
            }
        }
    }

    fn peek_item_non_space_pos(&mut self) -> usize {
        let t = self.next_non_space();
        self.backup();
        t.pos
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.err(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String { .. },
            ) = c.args.first()
            {
                return Err(self.err(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn declare_var(&mut self, name: &str) -> VarRef {
        let name = self.cache.intern(name);
        let slot = self.vars.len();
        self.vars.push(name.clone());
        VarRef { name, slot }
    }

    fn lookup_var(&self, name: &str) -> PResult<VarRef> {
        match self.vars.iter().rposition(|v| &**v == name) {
            Some(slot) => Ok(VarRef {
                name: self.vars[slot].clone(),
                slot,
            }),
            None => Err(self.err(format!("undefined variable {}", go_quote(name)))),
        }
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_item_non_space_pos();
        let mut args: SmallVec<[Arg; 4]> = SmallVec::new();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let tok = self.next();
            match tok.kind {
                ItemKind::Space => continue,
                ItemKind::RightDelim | ItemKind::RightParen => self.backup(),
                ItemKind::Pipe => {}
                _ => return Err(self.unexpected(&tok, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.err("empty command"));
        }
        Ok(Command {
            pos,
            args: exact(args),
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek() == ItemKind::Field {
            let pos = self.peek_item().map_or(0, |t| t.pos);
            // A field or variable chain is collected whole: `.a.b.c` is one node in Go too.
            let mut more: SmallVec<[Arc<str>; 4]> = match &node {
                Arg::Field { idents, .. } | Arg::Var { idents, .. } => {
                    idents.iter().cloned().collect()
                }
                _ => SmallVec::new(),
            };
            while self.peek() == ItemKind::Field {
                let t = self.next();
                // Go splits the field text on '.', the leading dot giving nothing.
                more.push(self.cache.intern(t.val.trim_start_matches('.')));
            }
            let fields = exact(more);
            // Go gives the merged node the position of the first added field.
            return match node {
                Arg::Field { .. } => Ok(Some(Arg::Field {
                    pos,
                    idents: fields,
                })),
                Arg::Var { var, .. } => Ok(Some(Arg::Var {
                    pos,
                    var,
                    idents: fields,
                })),
                Arg::Bool(..)
                | Arg::String { .. }
                | Arg::Number(..)
                | Arg::Nil(_)
                | Arg::Dot(_) => Err(self.err(format!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                ))),
                other => Ok(Some(Arg::Chain {
                    pos,
                    node: Box::new(other),
                    fields,
                })),
            };
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let tok = self.next_non_space();
        let pos = tok.pos;
        Ok(Some(match tok.kind {
            ItemKind::Identifier => {
                let func = self.resolve_func(&tok.val)?;
                Arg::Func {
                    pos,
                    name: self.cache.intern(&tok.val),
                    func,
                }
            }
            ItemKind::Dot => Arg::Dot(pos),
            ItemKind::Nil => Arg::Nil(pos),
            ItemKind::Variable => {
                let var = self.lookup_var(&tok.val)?;
                Arg::Var {
                    pos,
                    var,
                    idents: Vec::new(),
                }
            }
            ItemKind::Field => Arg::Field {
                pos,
                idents: vec![self.cache.intern(tok.val.trim_start_matches('.'))],
            },
            ItemKind::Bool => Arg::Bool(pos, tok.val == "true"),
            ItemKind::CharConst | ItemKind::Complex | ItemKind::Number => {
                Arg::Number(pos, Box::new(self.number(&tok)?))
            }
            ItemKind::LeftParen => {
                if self.paren_depth >= MAX_PAREN_DEPTH {
                    return Err(self.err("max expression depth exceeded"));
                }
                self.paren_depth += 1;
                let p = self.pipeline("parenthesized pipeline", ItemKind::RightParen);
                self.paren_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            ItemKind::String | ItemKind::RawString => {
                // Most literals need no unescaping: their value is the text between the quotes.
                let q = &*tok.val;
                let plain = q.len() >= 2
                    && match tok.kind {
                        ItemKind::String => !q[1..q.len() - 1].contains(['\\', '"', '\n']),
                        _ => !q.contains('\r'),
                    };
                // Template names in `include "x"` repeat across a chart: interned like names.
                let value = if plain {
                    self.cache.intern(&q[1..q.len() - 1])
                } else {
                    let v = self.unquote(q)?;
                    self.cache.intern(&v)
                };
                Arg::String {
                    pos,
                    quoted: self.cache.intern(q),
                    value,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn resolve_func(&mut self, name: &str) -> PResult<FuncRef> {
        if let Some(f) = self.cache.funcs.get(name) {
            return Ok(f.clone());
        }
        let f = match self.funcs.get(name) {
            Some(f) => FuncRef::Table(Arc::new(FunctionBox(f.clone()))),
            None => match name {
                "and" => FuncRef::And,
                "or" => FuncRef::Or,
                "call" => FuncRef::Call,
                _ => return Err(self.err(format!("function {} not defined", go_quote(name)))),
            },
        };
        let key = self.cache.intern(name);
        self.cache.funcs.insert(key, f.clone());
        Ok(f)
    }

    fn unquote(&self, s: &str) -> PResult<String> {
        unquote(s).ok_or_else(|| self.err("invalid syntax"))
    }

    fn number(&self, tok: &Item) -> PResult<Number> {
        let text = &*tok.val;
        let mut n = Number {
            text: Arc::from(text),
            int: None,
            uint: None,
            float: None,
            is_complex: false,
        };
        if tok.kind == ItemKind::CharConst {
            let inner = unquote_char(text)
                .ok_or_else(|| self.err(format!("malformed character constant: {text}")))?;
            let v = inner as i64;
            n.int = Some(v);
            n.uint = Some(v as u64);
            n.float = Some(v as f64);
            return Ok(n);
        }
        if tok.kind == ItemKind::Complex || text.ends_with('i') {
            // Imaginary numbers have no use in Helm templates; accept the syntax, keep the real
            // part only when it is exactly real (Go would carry a complex128).
            n.is_complex = true;
            return Ok(n);
        }
        let u = parse_uint(text);
        if let Some(u) = u {
            n.uint = Some(u);
        }
        if let Some(i) = parse_int(text) {
            n.int = Some(i);
            if i == 0 {
                n.uint = Some(0);
            }
        }
        if let Some(i) = n.int {
            n.float = Some(i as f64);
        } else if let Some(u) = n.uint {
            n.float = Some(u as f64);
        } else {
            match parse_go_float(text) {
                Some(f) => {
                    if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                        return Err(self.err(format!("integer overflow: {}", go_quote(text))));
                    }
                    n.float = Some(f);
                    if f.fract() == 0.0
                        && (-9.223372036854776e18..9.223372036854776e18).contains(&f)
                    {
                        n.int = Some(f as i64);
                    }
                    if f.fract() == 0.0 && (0.0..1.8446744073709552e19).contains(&f) {
                        n.uint = Some(f as u64);
                    }
                }
                None => return Err(self.err(format!("illegal number syntax: {}", go_quote(text)))),
            }
        }
        Ok(n)
    }
}

// ----- Go literal syntax -----

/// Go's `strconv.Unquote` for "..." and `...` strings.
pub fn unquote(s: &str) -> Option<String> {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        let inner = &s[1..s.len() - 1];
        // Go drops carriage returns from raw strings.
        return Some(inner.replace('\r', ""));
    }
    if s.len() < 2 || !s.starts_with('"') || !s.ends_with('"') {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = inner.chars().peekable();
    // Octal/hex escapes produce raw bytes; collect into a byte buffer, then validate lossily
    // (Go keeps invalid UTF-8 bytes; our strings are UTF-8, so we substitute U+FFFD).
    let flush = |bytes: &mut Vec<u8>, out: &mut String| {
        if !bytes.is_empty() {
            out.push_str(&String::from_utf8_lossy(bytes));
            bytes.clear();
        }
    };
    while let Some(c) = chars.next() {
        if c == '"' || c == '\n' {
            return None;
        }
        if c != '\\' {
            flush(&mut bytes, &mut out);
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        if !matches!(e, 'x' | '0'..='7') {
            flush(&mut bytes, &mut out);
        }
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            'x' => {
                let h: String = (0..2).filter_map(|_| chars.next()).collect();
                let v = u8::from_str_radix(&h, 16).ok().filter(|_| h.len() == 2)?;
                bytes.push(v);
                continue;
            }
            '0'..='7' => {
                let mut o = String::from(e);
                for _ in 0..2 {
                    o.push(chars.next()?);
                }
                let v = u32::from_str_radix(&o, 8).ok()?;
                if v > 255 {
                    return None;
                }
                bytes.push(v as u8);
                continue;
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let h: String = (0..n).filter_map(|_| chars.next()).collect();
                if h.len() != n {
                    return None;
                }
                let v = u32::from_str_radix(&h, 16).ok()?;
                flush(&mut bytes, &mut out);
                out.push(char::from_u32(v)?);
                continue;
            }
            _ => return None,
        }
        flush(&mut bytes, &mut out);
    }
    flush(&mut bytes, &mut out);
    Some(out)
}

fn unquote_char(s: &str) -> Option<char> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner == "\"" {
        return Some('"');
    }
    if let Some(esc) = inner.strip_prefix('\\') {
        if esc == "'" {
            return Some('\'');
        }
        if esc == "\"" {
            return None;
        }
        let s = unquote(&format!("\"{inner}\""))?;
        let mut cs = s.chars();
        let c = cs.next()?;
        return if cs.next().is_none() { Some(c) } else { None };
    }
    let mut cs = inner.chars();
    let c = cs.next()?;
    if cs.next().is_some() {
        return None;
    }
    Some(c)
}

fn parse_go_float(text: &str) -> Option<f64> {
    // Underscores only between digits.
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let prev = if i > 0 { b[i - 1] } else { b' ' };
            let next = b.get(i + 1).copied().unwrap_or(b' ');
            if !prev.is_ascii_alphanumeric()
                || !next.is_ascii_alphanumeric()
                || matches!(prev, b'e' | b'E' | b'p' | b'P')
                || matches!(next, b'e' | b'E' | b'p' | b'P')
            {
                return None;
            }
        }
    }
    let t: String = text.chars().filter(|&c| c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let (neg, body) = match lower.as_bytes().first()? {
        b'-' => (true, &lower[1..]),
        b'+' => (false, &lower[1..]),
        _ => (false, &lower[..]),
    };
    let v = if let Some(hex) = body.strip_prefix("0x") {
        crate::gocompat::strconv::hex_float_magnitude(hex)?
    } else {
        if body.is_empty()
            || !body
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '.')
        {
            return None;
        }
        if body.contains("inf") || body.contains("nan") {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_numbers() {
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("0o17"), Some(15));
        assert_eq!(parse_int("017"), Some(15));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("1_000"), Some(1000));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_go_float("1e3"), Some(1000.0));
        assert_eq!(parse_go_float("0x1p-2"), Some(0.25));
    }

    #[test]
    fn go_unquote() {
        assert_eq!(unquote(r#""a\tb\u00e9\x41""#).as_deref(), Some("a\tbéA"));
        assert_eq!(unquote("`a\\n`").as_deref(), Some("a\\n"));
        assert_eq!(unquote(r#""\q""#), None);
    }
}
