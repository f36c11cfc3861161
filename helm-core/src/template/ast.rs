//! The compiled form of a template: Go's parse tree with names resolved.
//!
//! Compared with Go's `parse.Tree`, functions are looked up once at parse time (Go reports
//! `function "x" not defined` then too), variables are stack slots instead of names, and number
//! literals carry every interpretation Go's `NumberNode` keeps (int / uint / float), because
//! the executor converts them per parameter type. `Display` reproduces Go's `Node.String()`,
//! which error messages quote (`executing "x" at <include "a" .>`).

use crate::template::funcs::Function;
use std::fmt;
use std::sync::Arc;

/// One parsed template (a file or a `define`). Cloning shares the parsed nodes.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The template's own name (`define` name, or the file name).
    pub name: Arc<str>,
    /// The name of the file it was parsed from (Go's `ParseName`, used in error locations).
    pub parse_name: Arc<str>,
    /// The whole source it was parsed from, to turn byte offsets into line:column.
    pub source: Arc<str>,
    /// Shared by the trees of every file with the same text (see [`Tree::parsed_as`]).
    pub root: Arc<List>,
}

impl Tree {
    /// This tree as the same text parsed under the file name `parse_name`: parsing depends on
    /// the name only through the names it gives the file's own tree and error locations, so a
    /// file whose text is another's (a subchart under several aliases, copies of one library
    /// chart) reuses the other's nodes.
    pub fn parsed_as(&self, parse_name: &Arc<str>) -> Tree {
        let name = if self.name == self.parse_name {
            parse_name.clone()
        } else {
            self.name.clone()
        };
        Tree {
            name,
            parse_name: parse_name.clone(),
            source: self.source.clone(),
            root: self.root.clone(),
        }
    }
}

pub type List = Vec<Node>;

/// A statement-level node.
#[derive(Debug)]
pub enum Node {
    /// Literal text: a byte range of the tree's `source` (no copy per text run).
    Text(std::ops::Range<usize>),
    Action(Pipe),
    // Boxed so that a `Node` (mostly `Text`) stays small.
    If(Box<Control>),
    With(Box<Control>),
    Range(Box<Control>),
    /// `{{template "name" pipeline}}` (and the call site of a `block`).
    Template {
        pos: usize,
        name: Arc<str>,
        pipe: Option<Box<Pipe>>,
    },
    Break(usize),
    Continue(usize),
}

/// `if`, `with` and `range`: the pipeline, the body, the `else` part.
#[derive(Debug)]
pub struct Control {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
    /// The number of variable slots in scope before this control (popped at its end).
    pub mark: usize,
}

/// A pipeline: optional declarations, then commands joined by `|`.
#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<VarRef>,
    pub cmds: Vec<Command>,
}

/// A variable reference resolved to a stack slot.
#[derive(Debug, Clone)]
pub struct VarRef {
    pub name: Arc<str>,
    pub slot: usize,
}

#[derive(Debug)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// What a function name refers to.
#[derive(Debug, Clone)]
pub enum FuncRef {
    /// `and` / `or`: short-circuit special forms.
    And,
    Or,
    /// `call`: calls a function value (we have none, so it always errors as Go would).
    Call,
    Table(Arc<FunctionBox>),
}

/// A function from the table, held by the compiled tree.
pub struct FunctionBox(pub Function);

impl fmt::Debug for FunctionBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function({})", self.0.name)
    }
}

/// A number literal with each interpretation Go's `NumberNode` computes.
#[derive(Debug, Clone)]
pub struct Number {
    pub text: Arc<str>,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    pub is_complex: bool,
}

/// An operand.
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`
    Field {
        pos: usize,
        idents: Vec<Arc<str>>,
    },
    /// `$x` or `$x.a.b`
    Var {
        pos: usize,
        var: VarRef,
        idents: Vec<Arc<str>>,
    },
    /// `(pipeline).a.b`
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<Arc<str>>,
    },
    Func {
        pos: usize,
        name: Arc<str>,
        func: FuncRef,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    /// Boxed: the largest operand, and rare; keeps every `Arg` small.
    Number(usize, Box<Number>),
    /// A string literal: its quoted source text and its value.
    String {
        pos: usize,
        quoted: Arc<str>,
        value: Arc<str>,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Var { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Func { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _)
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Var { var, idents, .. } => {
                write!(f, "{}", var.name)?;
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for i in fields {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Func { name, .. } => write!(f, "{name}"),
            Arg::Dot(_) => write!(f, "."),
            Arg::Nil(_) => write!(f, "nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => write!(f, "{}", n.text),
            Arg::String { quoted, .. } => write!(f, "{quoted}"),
            Arg::Pipe(p) => crate::values::deep::guard(|| write!(f, "{p}")),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            if let Arg::Pipe(_) = a {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{}", v.name)?;
            }
            write!(f, " {} ", if self.is_assign { "=" } else { ":=" })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Go's `parse.IsEmptyTree`: only whitespace text (an empty `define` does not replace a
/// non-empty template of the same name). `source` is the text the list was parsed from.
pub fn is_empty_list(list: &List, source: &str) -> bool {
    list.iter().all(
        |n| matches!(n, Node::Text(t) if source.get(t.clone()).is_none_or(|s| s.trim().is_empty())),
    )
}

// Dropping a tree is iterative: Helm parses 100,000 nested `{{if}}`s and 10,000 nested
// parentheses, and the compiler's recursive drop of such a tree would exhaust the stack.
// Each `Drop` moves the nested parts into a heap work list and drops them one level at a time.

/// Parts of a tree waiting to be dropped.
#[derive(Default)]
struct Pending {
    nodes: Vec<Node>,
    args: Vec<Arg>,
}

impl Pending {
    fn take_pipe(&mut self, p: &mut Pipe) {
        for mut c in std::mem::take(&mut p.cmds) {
            self.args.append(&mut c.args);
        }
    }
    fn drain(&mut self) {
        loop {
            if let Some(n) = self.nodes.pop() {
                match n {
                    Node::If(mut c) | Node::With(mut c) | Node::Range(mut c) => {
                        self.nodes.append(&mut c.list);
                        if let Some(mut e) = c.else_list.take() {
                            self.nodes.append(&mut e);
                        }
                        self.take_pipe(&mut c.pipe);
                    }
                    Node::Action(mut p) => self.take_pipe(&mut p),
                    Node::Template {
                        pipe: Some(mut p), ..
                    } => self.take_pipe(&mut p),
                    _ => {}
                }
            } else if let Some(a) = self.args.pop() {
                match a {
                    Arg::Pipe(mut p) => self.take_pipe(&mut p),
                    Arg::Chain { node, .. } => self.args.push(*node),
                    _ => {}
                }
            } else {
                return;
            }
        }
    }
}

/// Whether an operand holds a nested pipeline (only those make dropping recursive).
fn nests(a: &Arg) -> bool {
    matches!(a, Arg::Pipe(_) | Arg::Chain { .. })
}

impl Drop for Control {
    fn drop(&mut self) {
        let nested = |l: &List| {
            l.iter()
                .any(|n| matches!(n, Node::If(_) | Node::With(_) | Node::Range(_)))
        };
        if !nested(&self.list) && !self.else_list.as_ref().is_some_and(nested) {
            return;
        }
        let mut p = Pending::default();
        p.nodes.append(&mut self.list);
        if let Some(mut e) = self.else_list.take() {
            p.nodes.append(&mut e);
        }
        p.drain();
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        if !self.cmds.iter().any(|c| c.args.iter().any(nests)) {
            return;
        }
        let mut p = Pending::default();
        p.take_pipe(self);
        p.drain();
    }
}
