//! The executor: walks a compiled [`Tree`] with data, as Go's `text/template/exec.go` does.
//!
//! Go semantics kept on purpose, because charts depend on them:
//! - Helm runs templates with `missingkey=zero`: a missing map key gives a nil *interface*
//!   value. Reading a field of that value fails (`nil pointer evaluating interface {}.b`),
//!   while a nil produced by a pipeline (`(.a).b`, `$x.b`) is "invalid" and reading through it
//!   quietly gives nil. [`V::iface`] carries that difference.
//! - Each pipeline stage's result is passed as the last argument of the next; arguments are
//!   checked against the function's [`Param`]s (number literals convert per parameter type).
//! - `and`/`or` short-circuit and return the deciding value; `break`/`continue` in `range`.
//! - Printing uses Go's `%v` ([`gofmt::format_v`]), nil printing as `<no value>`.
//!
//! Safety limits (Go has none, but a server must not hang or run out of memory):
//! [`Limits::max_output`] bytes of output per execution, [`Limits::max_steps`] loop iterations
//! plus actions per execution, and [`Limits::max_depth`] nested template calls (Go's own
//! limit). Deep nesting recurses on growable stack segments ([`crate::values::deep`]).

use super::ast::*;
use super::error::{ErrorKind, TemplateError};
use super::funcs::{FuncError, Host, Param};
use super::Engine;
use crate::gocompat::fmt as gofmt;
use crate::gocompat::strconv::go_quote;
use crate::values::{GoMapType, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Resource limits of one execution.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum bytes of output of one `execute` (includes and `tpl` results count too).
    pub max_output: usize,
    /// Maximum number of range iterations plus actions evaluated by one `execute`.
    pub max_steps: u64,
    /// Maximum nesting of `template`/`include`/`tpl` calls (Go's `maxExecDepth`, 100,000).
    pub max_depth: usize,
    /// Helm's limit on nested `include`s of one name (`recursionMaxNums`).
    pub max_include_nesting: usize,
    /// Nested `tpl` calls. Helm has no limit: a `tpl` that renders itself runs until Go's
    /// stack overflows (15 s, 4.7 GB, a crash); real charts nest a few deep.
    pub max_tpl_nesting: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output: 512 << 20,
            max_steps: 200_000_000,
            max_depth: 100_000,
            max_include_nesting: 1000,
            max_tpl_nesting: 1000,
        }
    }
}

/// A value with Go's "came out of an interface{} slot" bit (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct V {
    pub v: Value,
    pub iface: bool,
}

impl V {
    fn plain(v: Value) -> V {
        V { v, iface: false }
    }
}

/// An error raised while walking, before it is given its location.
pub(crate) enum Fail {
    /// A Go execution error at a node: (byte offset of the node, node text, message).
    At(usize, String, String),
    /// A function call that failed at a node (Go's `error calling NAME: …`): (byte offset of
    /// the node, node text, the call's error).
    Call(usize, String, CallError),
    /// An error already complete (from a nested template): propagates unchanged.
    Done(TemplateError),
    Break,
    Continue,
}

type R<T> = Result<T, Fail>;

/// Why a function call failed.
pub(crate) struct CallError {
    function: String,
    /// The function's error text; with a cause, its words before the nested error (empty
    /// when it returned the nested error itself).
    message: String,
    cause: Option<Box<TemplateError>>,
}

/// A template error raised inside `include`/`tpl`, kept for the call that failed with it.
struct Nested {
    /// The function's words around it (`error during tpl function execution for "…"`).
    words: Option<String>,
    error: TemplateError,
}

fn at(pos: usize, node: &dyn std::fmt::Display, msg: impl Into<String>) -> Fail {
    Fail::At(pos, node.to_string(), msg.into())
}

/// The state of one `execute` call (shared by the nested templates it runs).
pub(crate) struct State<'e> {
    pub engine: &'e Engine,
    /// Templates defined by `tpl` texts being executed (innermost last).
    pub overlays: Vec<Arc<HashMap<Arc<str>, Arc<Tree>>>>,
    pub depth: usize,
    pub steps: u64,
    pub output: usize,
    pub include_counts: HashMap<String, usize>,
    /// The template error an `include`/`tpl` just failed with: functions return text
    /// ([`FuncError`]), so the executor takes the structured error from here.
    nested: Option<Nested>,
    /// Set when `tpl` calls went deeper than the limit: every enclosing `tpl` then fails with
    /// this message alone instead of wrapping the one below (a thousand nested "error calling
    /// tpl" layers would make a message of ~100 kB).
    tpl_too_deep: Option<String>,
}

/// One running template: its tree and variable stack.
struct Frame {
    vars: Vec<V>,
    /// The tree's source, which its text nodes index.
    source: Arc<str>,
}

impl<'e> State<'e> {
    pub fn new(engine: &'e Engine) -> Self {
        State {
            engine,
            overlays: Vec::new(),
            depth: 0,
            steps: 0,
            output: 0,
            include_counts: HashMap::new(),
            nested: None,
            tpl_too_deep: None,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.engine.templates.get(name).cloned()
    }

    /// Runs `tree` with `dot` into a new string. The top-level template runs at depth 0 and
    /// each nested call one deeper; Go refuses a call made at its 100,000th level.
    ///
    /// Nested templates (`template`, `include`, `tpl`) and nested control structures recurse
    /// on the native stack, continuing on fresh stack segments when it runs low
    /// ([`crate::values::deep`]), so Go's 100,000 nested template calls and Helm's 1000
    /// nested `include`s need no large stack reserved up front.
    pub fn run(&mut self, tree: &Tree, dot: V) -> Result<String, TemplateError> {
        if self.depth > self.engine.limits.max_depth {
            return Err(TemplateError::other(
                &tree.name,
                format!(
                    "exceeded maximum template depth ({})",
                    self.engine.limits.max_depth
                ),
            ));
        }
        crate::values::deep::guard(|| self.run_here(tree, dot))
    }

    fn run_here(&mut self, tree: &Tree, dot: V) -> Result<String, TemplateError> {
        self.depth += 1;
        let mut frame = Frame {
            vars: vec![dot.clone()],
            source: tree.source.clone(),
        };
        let mut out = String::new();
        let r = self.walk_list(&mut frame, &dot, &tree.root, &mut out);
        self.depth -= 1;
        match r {
            Ok(()) => Ok(out),
            Err(Fail::Done(e)) => Err(e),
            Err(Fail::At(pos, ctx, msg)) => Err(locate(tree, pos, ctx, None, msg, None)),
            Err(Fail::Call(pos, ctx, c)) => {
                Err(locate(tree, pos, ctx, Some(c.function), c.message, c.cause))
            }
            Err(Fail::Break | Fail::Continue) => Ok(out),
        }
    }

    fn step(&mut self, pos: usize, node: &dyn std::fmt::Display) -> R<()> {
        self.steps += 1;
        if self.steps > self.engine.limits.max_steps {
            return Err(at(
                pos,
                node,
                format!(
                    "exceeded the limit of {} execution steps",
                    self.engine.limits.max_steps
                ),
            ));
        }
        Ok(())
    }

    fn write(
        &mut self,
        out: &mut String,
        s: &str,
        pos: usize,
        node: &dyn std::fmt::Display,
    ) -> R<()> {
        self.output += s.len();
        if self.output > self.engine.limits.max_output {
            return Err(at(
                pos,
                node,
                format!(
                    "output exceeds the limit of {} bytes",
                    self.engine.limits.max_output
                ),
            ));
        }
        out.push_str(s);
        Ok(())
    }

    // ----- statements -----

    fn walk_list(&mut self, fr: &mut Frame, dot: &V, list: &[Node], out: &mut String) -> R<()> {
        for n in list {
            self.walk(fr, dot, n, out)?;
        }
        Ok(())
    }

    fn walk(&mut self, fr: &mut Frame, dot: &V, node: &Node, out: &mut String) -> R<()> {
        match node {
            Node::Text(t) => self.write(out, fr.source.get(t.clone()).unwrap_or(""), 0, &""),
            Node::Action(pipe) => {
                self.step(pipe.pos, pipe)?;
                let v = self.eval_pipeline(fr, dot, pipe)?;
                if pipe.decl.is_empty() {
                    let s = match &v {
                        Value::Nil => "<no value>".to_string(),
                        Value::Object(o) => o.print_string(),
                        other => gofmt::format_v(other),
                    };
                    self.write(out, &s, pipe.pos, pipe)?;
                }
                Ok(())
            }
            Node::If(_) | Node::With(_) | Node::Range(_) => {
                crate::values::deep::guard(|| self.walk_control(fr, dot, node, out))
            }
            Node::Template { pos, name, pipe } => {
                let Some(tree) = self.lookup(name) else {
                    return Err(at(
                        *pos,
                        &TemplateNodeText(name, pipe.as_deref()),
                        format!("template {} not defined", go_quote(name)),
                    ));
                };
                let d = match pipe {
                    Some(p) => V::plain(self.eval_pipeline(fr, dot, p)?),
                    None => V::default(),
                };
                if self.depth > self.engine.limits.max_depth {
                    return Err(at(
                        *pos,
                        &TemplateNodeText(name, pipe.as_deref()),
                        format!(
                            "exceeded maximum template depth ({})",
                            self.engine.limits.max_depth
                        ),
                    ));
                }
                let s = self.run(&tree, d).map_err(Fail::Done)?;
                // Output size was already counted while running the nested template.
                out.push_str(&s);
                Ok(())
            }
            Node::Break(_) => Err(Fail::Break),
            Node::Continue(_) => Err(Fail::Continue),
        }
    }

    /// `if`, `with` and `range` (a nesting level: one guarded step of the walk).
    fn walk_control(&mut self, fr: &mut Frame, dot: &V, node: &Node, out: &mut String) -> R<()> {
        match node {
            Node::If(c) | Node::With(c) => {
                let is_with = matches!(node, Node::With(_));
                let v = self.eval_pipeline(fr, dot, &c.pipe)?;
                let r = if v.is_truthy() {
                    if is_with {
                        self.walk_list(fr, &V::plain(v), &c.list, out)
                    } else {
                        self.walk_list(fr, dot, &c.list, out)
                    }
                } else if let Some(el) = &c.else_list {
                    self.walk_list(fr, dot, el, out)
                } else {
                    Ok(())
                };
                fr.vars.truncate(c.mark);
                r
            }
            Node::Range(c) => {
                let r = self.walk_range(fr, dot, c, out);
                fr.vars.truncate(c.mark);
                r
            }
            _ => Ok(()),
        }
    }

    fn walk_range(&mut self, fr: &mut Frame, dot: &V, c: &Control, out: &mut String) -> R<()> {
        let val = self.eval_pipeline(fr, dot, &c.pipe)?;
        let mark = fr.vars.len();
        let decl = &c.pipe.decl;
        // One iteration: set the variables, run the body, handle break/continue.
        // Returns Ok(true) to stop the loop.
        macro_rules! iterate {
            ($index:expr, $elem:expr) => {{
                self.step(c.pos, &c.pipe)?;
                let elem: V = $elem;
                if !decl.is_empty() {
                    if decl.len() > 1 {
                        set_slot(fr, decl[0].slot, $index);
                        set_slot(fr, decl[1].slot, elem.clone());
                    } else {
                        set_slot(fr, decl[0].slot, elem.clone());
                    }
                }
                let r = self.walk_list(fr, &elem, &c.list, out);
                fr.vars
                    .truncate(mark.max(decl.iter().map(|d| d.slot + 1).max().unwrap_or(0)));
                match r {
                    Ok(()) | Err(Fail::Continue) => false,
                    Err(Fail::Break) => true,
                    Err(e) => return Err(e),
                }
            }};
        }
        let mut ran = false;
        match &val {
            Value::List(items) if !items.is_empty() => {
                ran = true;
                for (i, item) in items.iter().enumerate() {
                    if iterate!(
                        V::plain(Value::Int(i as i64)),
                        V {
                            v: item.clone(),
                            iface: true
                        }
                    ) {
                        break;
                    }
                }
            }
            Value::Map(m) if !m.is_empty() => {
                ran = true;
                for (k, v) in m.entries() {
                    if iterate!(V::plain(Value::String(k)), V { v, iface: true }) {
                        break;
                    }
                }
            }
            Value::Bytes(b) if !b.is_empty() => {
                ran = true;
                for (i, item) in b.iter().enumerate() {
                    if iterate!(
                        V::plain(Value::Int(i as i64)),
                        V::plain(Value::Uint(*item as u64))
                    ) {
                        break;
                    }
                }
            }
            Value::Int(_) | Value::Int64(_) | Value::Uint(_) => {
                if decl.len() > 1 {
                    let (p, ctx) = last_node(&c.pipe);
                    return Err(Fail::At(
                        p,
                        ctx,
                        format!(
                            "can't use {} to iterate over more than one variable",
                            gofmt::format_v(&val)
                        ),
                    ));
                }
                let n: i128 = match &val {
                    Value::Uint(u) => *u as i128,
                    other => other.as_i64().unwrap_or(0) as i128,
                };
                let mut i: i128 = 0;
                while i < n {
                    ran = true;
                    let v = match &val {
                        Value::Int(_) => Value::Int(i as i64),
                        Value::Int64(_) => Value::Int64(i as i64),
                        _ => Value::Uint(i as u64),
                    };
                    if iterate!(V::default(), V::plain(v)) {
                        break;
                    }
                    i += 1;
                }
            }
            Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Nil => {}
            Value::Object(o) => {
                let data = o.to_data();
                match data {
                    Value::List(items) if o.kind_name() == "slice" => {
                        for (i, item) in items.iter().enumerate() {
                            ran = true;
                            if iterate!(
                                V::plain(Value::Int(i as i64)),
                                V {
                                    v: item.clone(),
                                    iface: true
                                }
                            ) {
                                break;
                            }
                        }
                    }
                    // A Go map type (e.g. Helm's `files` from `.Files.Glob`): its entries in key order.
                    Value::Map(m) if o.kind_name() == "map" => {
                        for (k, v) in m.entries() {
                            ran = true;
                            if iterate!(V::plain(Value::String(k)), V { v, iface: true }) {
                                break;
                            }
                        }
                    }
                    _ => {
                        let (p, ctx) = last_node(&c.pipe);
                        return Err(Fail::At(
                            p,
                            ctx,
                            format!("range can't iterate over {}", gofmt::format_v(&val)),
                        ));
                    }
                }
            }
            other => {
                let (p, ctx) = last_node(&c.pipe);
                return Err(Fail::At(
                    p,
                    ctx,
                    format!("range can't iterate over {}", gofmt::format_v(other)),
                ));
            }
        }
        if !ran {
            if let Some(el) = &c.else_list {
                fr.vars.truncate(mark);
                return self.walk_list(fr, dot, el, out);
            }
        }
        Ok(())
    }

    // ----- pipelines and commands -----

    fn eval_pipeline(&mut self, fr: &mut Frame, dot: &V, pipe: &Pipe) -> R<Value> {
        crate::values::deep::guard(|| self.eval_pipeline_here(fr, dot, pipe))
    }

    fn eval_pipeline_here(&mut self, fr: &mut Frame, dot: &V, pipe: &Pipe) -> R<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(fr, dot, cmd, value)?.v);
        }
        let value = value.unwrap_or_default();
        for d in &pipe.decl {
            if d.slot == super::parse::UNDEFINED_SLOT {
                let (p, ctx) = last_node(pipe);
                return Err(Fail::At(p, ctx, format!("undefined variable: {}", d.name)));
            }
            if pipe.is_assign {
                set_slot(fr, d.slot, V::plain(value.clone()));
            } else {
                // A declaration pushes a new variable (a re-declaration shadows in a new slot).
                fr.vars.truncate(d.slot);
                set_slot(fr, d.slot, V::plain(value.clone()));
            }
        }
        Ok(value)
    }

    fn eval_command(&mut self, fr: &mut Frame, dot: &V, cmd: &Command, fin: Option<Value>) -> R<V> {
        let Some(first) = cmd.args.first() else {
            return Err(at(cmd.pos, cmd, "empty command"));
        };
        match first {
            Arg::Field { pos, idents } => {
                self.eval_field_chain(fr, dot, dot.clone(), *pos, first, idents, &cmd.args, fin)
            }
            Arg::Chain { pos, node, fields } => {
                if let Arg::Nil(_) = **node {
                    return Err(at(
                        *pos,
                        first,
                        format!("indirection through explicit nil in {first}"),
                    ));
                }
                let recv = self.eval_arg_any(fr, dot, node)?;
                self.eval_field_chain(fr, dot, recv, *pos, first, fields, &cmd.args, fin)
                    .map_err(|e| relocate_to_last(e, node))
            }
            Arg::Func { pos, name, func } => self
                .eval_function(fr, dot, *pos, name, func, cmd, &cmd.args, fin)
                .map(V::plain),
            Arg::Pipe(p) => {
                not_a_function(&cmd.args, &fin)?;
                self.eval_pipeline(fr, dot, p).map(V::plain)
            }
            Arg::Var { pos, var, idents } => {
                let value = fr.vars.get(var.slot).cloned().unwrap_or_default();
                if idents.is_empty() {
                    not_a_function(&cmd.args, &fin)?;
                    return Ok(value);
                }
                self.eval_field_chain(fr, dot, value, *pos, first, idents, &cmd.args, fin)
            }
            _ => {
                not_a_function(&cmd.args, &fin)?;
                match first {
                    Arg::Bool(_, b) => Ok(V::plain(Value::Bool(*b))),
                    Arg::Dot(_) => Ok(dot.clone()),
                    Arg::Nil(pos) => Err(at(*pos, first, "nil is not a command")),
                    Arg::Number(pos, n) => ideal_constant(*pos, n).map(V::plain),
                    Arg::String { value, .. } => Ok(V::plain(Value::String(value.clone()))),
                    _ => Err(at(
                        first.pos(),
                        first,
                        format!("can't evaluate command {}", go_quote(&first.to_string())),
                    )),
                }
            }
        }
    }

    /// Evaluates `.a.b.c` starting at `receiver`; the last field gets the command's arguments.
    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        fr: &mut Frame,
        dot: &V,
        mut receiver: V,
        pos: usize,
        node: &Arg,
        idents: &[Arc<str>],
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<V> {
        let n = idents.len();
        for (i, ident) in idents.iter().enumerate() {
            if i + 1 < n {
                receiver = self.eval_field(fr, dot, ident, pos, node, &[], None, receiver)?;
            } else {
                return self.eval_field(fr, dot, ident, pos, node, args, fin, receiver);
            }
        }
        Ok(receiver)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        fr: &mut Frame,
        dot: &V,
        name: &str,
        pos: usize,
        node: &Arg,
        args: &[Arg],
        fin: Option<Value>,
        receiver: V,
    ) -> R<V> {
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver.v {
            Value::Nil => {
                if receiver.iface {
                    return Err(at(
                        pos,
                        node,
                        format!("nil pointer evaluating interface {{}}.{name}"),
                    ));
                }
                if self.engine.missing_key_error {
                    return Err(at(
                        pos,
                        node,
                        format!("nil data; no entry for key {}", go_quote(name)),
                    ));
                }
                Ok(V::default())
            }
            Value::Map(m) => {
                // Helm's `common.Values` (the root context, `.Values`): its methods come before
                // its keys, as Go looks methods up first.
                if m.go_type() == GoMapType::HelmValues {
                    if let Some(want) = super::helm_values::arity(name) {
                        let got = args.len().saturating_sub(1) + usize::from(fin.is_some());
                        if got != want {
                            return Err(at(
                                pos,
                                node,
                                format!("wrong number of args for {name}: want {want} got {got}"),
                            ));
                        }
                        let mut argv = Vec::new();
                        for a in args.iter().skip(1) {
                            if name == "Encode" {
                                // Its parameter is an io.Writer, which no template value is.
                                return Err(at(
                                    a.pos(),
                                    a,
                                    format!("can't handle {a} for arg of type io.Writer"),
                                ));
                            }
                            argv.push(self.eval_arg(fr, dot, Param::String, a)?);
                        }
                        if let Some(f) = fin {
                            argv.push(f);
                        }
                        return match super::helm_values::call(m, name, &argv) {
                            Ok(v) => Ok(V::plain(v)),
                            Err(e) => Err(call_failed(pos, node, name, e)),
                        };
                    }
                }
                if has_args {
                    return Err(at(
                        pos,
                        node,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                match m.get(name) {
                    Some(v) => Ok(V { v, iface: true }),
                    None => {
                        if self.engine.missing_key_error {
                            return Err(at(
                                pos,
                                node,
                                format!("map has no entry for key {}", go_quote(name)),
                            ));
                        }
                        Ok(V {
                            v: Value::Nil,
                            iface: true,
                        })
                    }
                }
            }
            Value::Object(o) => {
                if o.has_method(name) {
                    let mut argv = Vec::new();
                    for a in args.iter().skip(1) {
                        argv.push(self.eval_arg(fr, dot, Param::Any, a)?);
                    }
                    if let Some(f) = fin {
                        argv.push(f);
                    }
                    return match o.call_method(name, &argv) {
                        Ok(v) => Ok(V::plain(v)),
                        Err(e) => Err(call_failed(pos, node, name, e.to_string())),
                    };
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(at(
                                pos,
                                node,
                                format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                        Ok(V::plain(v))
                    }
                    None => Err(at(
                        pos,
                        node,
                        format!("can't evaluate field {name} in type {}", o.type_name()),
                    )),
                }
            }
            other => {
                let ty = if receiver.iface {
                    "interface {}".to_string()
                } else {
                    other.go_type_name()
                };
                Err(at(
                    pos,
                    node,
                    format!("can't evaluate field {name} in type {ty}"),
                ))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        fr: &mut Frame,
        dot: &V,
        pos: usize,
        name: &Arc<str>,
        func: &FuncRef,
        cmd: &dyn std::fmt::Display,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let args = args.get(1..).unwrap_or(&[]);
        let num_in = args.len() + usize::from(fin.is_some());
        match func {
            FuncRef::And | FuncRef::Or => {
                if num_in < 1 {
                    return Err(at(
                        pos,
                        name,
                        format!("wrong number of args for {name}: want at least 1 got 0"),
                    ));
                }
                let want = matches!(func, FuncRef::Or);
                let mut v = Value::Nil;
                for a in args {
                    v = self.eval_arg(fr, dot, Param::Any, a)?;
                    if v.is_truthy() == want {
                        return Ok(v);
                    }
                }
                if let Some(f) = fin {
                    v = f;
                }
                Ok(v)
            }
            FuncRef::Call => {
                if num_in < 1 {
                    return Err(at(
                        pos,
                        name,
                        "wrong number of args for call: want at least 1 got 0",
                    ));
                }
                let (fname, fv) = match args.first() {
                    Some(a) => (a.to_string(), self.eval_arg(fr, dot, Param::Any, a)?),
                    None => ("<nil>".to_string(), fin.unwrap_or_default()),
                };
                let msg = if fv.is_nil() {
                    "call of nil".to_string()
                } else {
                    format!("non-function {fname} of type {}", fv.go_type_name())
                };
                Err(call_failed(pos, cmd, "call", msg))
            }
            FuncRef::Table(fb) => {
                let f = &fb.0;
                let num_fixed = f.params.len();
                if f.variadic.is_some() {
                    if num_in < num_fixed {
                        return Err(at(
                            pos,
                            name,
                            format!(
                                "wrong number of args for {name}: want at least {num_fixed} got {}",
                                args.len()
                            ),
                        ));
                    }
                } else if num_in != num_fixed {
                    return Err(at(
                        pos,
                        name,
                        format!("wrong number of args for {name}: want {num_fixed} got {num_in}"),
                    ));
                }
                let mut argv = Vec::with_capacity(num_in);
                for (i, a) in args.iter().enumerate() {
                    let p = f
                        .params
                        .get(i)
                        .copied()
                        .or(f.variadic)
                        .unwrap_or(Param::Any);
                    argv.push(self.eval_arg(fr, dot, p, a)?);
                }
                if let Some(fv) = fin {
                    // The piped value arrives as a bare reflect.Value: a missing one makes the
                    // builtin len panic inside reflect, which Go reports as the call's error.
                    if fv.is_nil() && &**name == "len" {
                        return Err(call_failed(
                            pos,
                            cmd,
                            "len",
                            "reflect: call of reflect.Value.Type on zero Value".into(),
                        ));
                    }
                    let i = args.len();
                    let p = f
                        .params
                        .get(i)
                        .copied()
                        .or(f.variadic)
                        .unwrap_or(Param::Any);
                    // Go blames the node it visited last: the last explicit argument, if any.
                    let v = validate(fv, p).map_err(|m| match args.last() {
                        Some(Arg::Pipe(lp)) => {
                            let (lpos, lctx) = last_node(lp);
                            Fail::At(lpos, lctx, m)
                        }
                        Some(n) => Fail::At(n.pos(), n.to_string(), m),
                        None => at(pos, name, m),
                    })?;
                    argv.push(v);
                }
                let imp = f.imp.clone();
                let r = imp(self, &argv);
                let nested = self.nested.take();
                match r {
                    Ok(v) => Ok(v),
                    Err(e) => Err(Fail::Call(
                        pos,
                        cmd.to_string(),
                        match nested {
                            Some(n) => CallError {
                                function: name.to_string(),
                                message: n.words.unwrap_or_default(),
                                cause: Some(Box::new(n.error)),
                            },
                            None => CallError {
                                function: name.to_string(),
                                message: e.0,
                                cause: None,
                            },
                        },
                    )),
                }
            }
        }
    }

    /// Evaluates an argument as `interface{}` would receive it.
    fn eval_arg_any(&mut self, fr: &mut Frame, dot: &V, arg: &Arg) -> R<V> {
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Field { pos, idents } => self.eval_field_chain(
                fr,
                dot,
                dot.clone(),
                *pos,
                arg,
                idents,
                std::slice::from_ref(arg),
                None,
            ),
            Arg::Var { pos, var, idents } => {
                let value = fr.vars.get(var.slot).cloned().unwrap_or_default();
                if idents.is_empty() {
                    return Ok(value);
                }
                self.eval_field_chain(
                    fr,
                    dot,
                    value,
                    *pos,
                    arg,
                    idents,
                    std::slice::from_ref(arg),
                    None,
                )
            }
            Arg::Chain { pos, node, fields } => {
                if let Arg::Nil(_) = **node {
                    return Err(at(
                        *pos,
                        arg,
                        format!("indirection through explicit nil in {arg}"),
                    ));
                }
                let recv = self.eval_arg_any(fr, dot, node)?;
                self.eval_field_chain(
                    fr,
                    dot,
                    recv,
                    *pos,
                    arg,
                    fields,
                    std::slice::from_ref(arg),
                    None,
                )
                .map_err(|e| relocate_to_last(e, node))
            }
            Arg::Pipe(p) => self.eval_pipeline(fr, dot, p).map(V::plain),
            Arg::Func { pos, name, func } => self
                .eval_function(
                    fr,
                    dot,
                    *pos,
                    name,
                    func,
                    arg,
                    std::slice::from_ref(arg),
                    None,
                )
                .map(V::plain),
            Arg::Nil(_) => Ok(V::default()),
            Arg::Bool(_, b) => Ok(V::plain(Value::Bool(*b))),
            Arg::Number(pos, n) => ideal_constant(*pos, n).map(V::plain),
            Arg::String { value, .. } => Ok(V::plain(Value::String(value.clone()))),
        }
    }

    /// Go's `evalArg`: evaluates `arg` for a parameter of type `param`.
    fn eval_arg(&mut self, fr: &mut Frame, dot: &V, param: Param, arg: &Arg) -> R<Value> {
        let pos = arg.pos();
        match arg {
            Arg::Dot(_)
            | Arg::Field { .. }
            | Arg::Var { .. }
            | Arg::Pipe(_)
            | Arg::Func { .. }
            | Arg::Chain { .. } => {
                let v = self.eval_arg_any(fr, dot, arg)?;
                // A nil read straight out of a map (a missing key under `missingkey=zero`, or a
                // null value) is a typed nil interface in Go: not assignable to any concrete type.
                if v.iface && v.v.is_nil() && param != Param::Any {
                    return Err(at(
                        pos,
                        arg,
                        format!(
                            "wrong type for value; expected {}; got interface {{}}",
                            param_type_name(param)
                        ),
                    ));
                }
                validate(v.v, param).map_err(|m| match arg {
                    // Go blames the last node it evaluated inside the parentheses.
                    Arg::Pipe(p) => {
                        let (p, ctx) = last_node(p);
                        Fail::At(p, ctx, m)
                    }
                    _ => at(pos, arg, m),
                })
            }
            Arg::Nil(_) => match param {
                Param::Any | Param::Map | Param::List | Param::StringList | Param::Bytes => {
                    Ok(validate(Value::Nil, param).unwrap_or_default())
                }
                _ => Err(at(
                    pos,
                    arg,
                    format!("cannot assign nil to {}", param_type_name(param)),
                )),
            },
            Arg::Bool(_, b) => match param {
                Param::Bool | Param::Any => Ok(Value::Bool(*b)),
                _ => Err(literal_mismatch(param, arg)),
            },
            Arg::String { value, .. } => match param {
                Param::String | Param::Any => Ok(Value::String(value.clone())),
                _ => Err(literal_mismatch(param, arg)),
            },
            Arg::Number(_, n) => match param {
                Param::Any => ideal_constant(pos, n),
                Param::Int => n
                    .int
                    .map(Value::Int)
                    .ok_or_else(|| literal_mismatch(param, arg)),
                Param::Int64 => n
                    .int
                    .map(Value::Int64)
                    .ok_or_else(|| literal_mismatch(param, arg)),
                Param::Uint => n
                    .uint
                    .map(Value::Uint)
                    .ok_or_else(|| literal_mismatch(param, arg)),
                Param::Float64 => n
                    .float
                    .map(Value::Float)
                    .ok_or_else(|| literal_mismatch(param, arg)),
                _ => Err(literal_mismatch(param, arg)),
            },
        }
    }
}

/// The node Go's executor last visited after evaluating `pipe` successfully (Go reports
/// later errors, such as a bad range value or a field of a chain, at that node).
fn last_node(pipe: &Pipe) -> (usize, String) {
    let mut pipe = pipe;
    loop {
        let Some(cmd) = pipe.cmds.last() else {
            return (pipe.pos, pipe.to_string());
        };
        let Some(last) = cmd.args.last() else {
            return (cmd.pos, cmd.to_string());
        };
        let node = if cmd.args.len() > 1 || matches!(last, Arg::Pipe(_)) {
            last
        } else {
            &cmd.args[0]
        };
        match node {
            Arg::Pipe(p) => pipe = p,
            n => return (n.pos(), n.to_string()),
        }
    }
}

/// Moves an error raised by reading fields of a chain's value to the node Go blames.
fn relocate_to_last(e: Fail, node: &Arg) -> Fail {
    let blamed = || match node {
        Arg::Pipe(p) => last_node(p),
        n => (n.pos(), n.to_string()),
    };
    match e {
        Fail::At(_, _, msg) => {
            let (pos, ctx) = blamed();
            Fail::At(pos, ctx, msg)
        }
        Fail::Call(_, _, call) => {
            let (pos, ctx) = blamed();
            Fail::Call(pos, ctx, call)
        }
        other => other,
    }
}

/// A function's own error at a node.
fn call_failed(pos: usize, node: &dyn std::fmt::Display, function: &str, message: String) -> Fail {
    Fail::Call(
        pos,
        node.to_string(),
        CallError {
            function: function.to_string(),
            message,
            cause: None,
        },
    )
}

fn set_slot(fr: &mut Frame, slot: usize, v: V) {
    if slot < fr.vars.len() {
        fr.vars[slot] = v;
    } else {
        while fr.vars.len() < slot {
            fr.vars.push(V::default());
        }
        fr.vars.push(v);
    }
}

fn not_a_function(args: &[Arg], fin: &Option<Value>) -> R<()> {
    if args.len() > 1 || fin.is_some() {
        if let Some(a) = args.first() {
            return Err(at(
                a.pos(),
                a,
                format!("can't give argument to non-function {a}"),
            ));
        }
    }
    Ok(())
}

/// The message Go gives when a literal does not suit the parameter type.
fn literal_mismatch(param: Param, arg: &Arg) -> Fail {
    let what = match param {
        Param::Bool => "expected bool",
        Param::Int | Param::Int64 => "expected integer",
        Param::Uint => "expected unsigned integer",
        Param::Float64 => "expected float",
        Param::String => "expected string",
        _ => {
            return at(
                arg.pos(),
                arg,
                format!(
                    "can't handle {arg} for arg of type {}",
                    param_type_name(param)
                ),
            );
        }
    };
    at(arg.pos(), arg, format!("{what}; found {arg}"))
}

/// Go's `idealConstant`: the value of a number literal where any type is accepted.
fn ideal_constant(pos: usize, n: &Number) -> R<Value> {
    let t = &*n.text;
    if n.is_complex {
        return Err(at(pos, &t, format!("complex number {t} is not supported")));
    }
    let is_hex_int = t.len() > 2
        && t.starts_with('0')
        && matches!(t.as_bytes()[1], b'x' | b'X')
        && !t.contains(['p', 'P']);
    let is_rune = t.starts_with('\'');
    if let Some(f) = n.float {
        if !is_hex_int && !is_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(f));
        }
    }
    if let Some(i) = n.int {
        return Ok(Value::Int(i));
    }
    if n.uint.is_some() {
        return Err(at(pos, &t, format!("{t} overflows int")));
    }
    Ok(Value::Nil)
}

/// Go's type name for a parameter kind (used in messages).
pub fn param_type_name(p: Param) -> &'static str {
    match p {
        Param::Any => "interface {}",
        Param::String => "string",
        Param::Int => "int",
        Param::Int64 => "int64",
        Param::Float64 => "float64",
        Param::Uint => "uint64",
        Param::Bool => "bool",
        Param::Map => "map[string]interface {}",
        Param::List => "[]interface {}",
        Param::StringList => "[]string",
        Param::Bytes => "[]uint8",
    }
}

/// Go's `validateType` for a computed value against a parameter type.
pub fn validate(v: Value, p: Param) -> Result<Value, String> {
    let ok = match (&v, p) {
        (_, Param::Any) => true,
        (Value::Nil, Param::Map) => return Ok(Value::Map(Map::new())),
        // A common.Values converts to map[string]interface{} on the call (so `merge` returns the
        // plain type); a map[string]string does not convert at all.
        (Value::Map(m), Param::Map) => match m.go_type() {
            GoMapType::Interface => true,
            GoMapType::HelmValues => return Ok(Value::Map(m.with_go_type(GoMapType::Interface))),
            GoMapType::StringMap | GoMapType::NilStringMap => false,
        },
        (Value::Nil, Param::List | Param::StringList) => return Ok(Value::list(Vec::new())),
        (Value::Nil, Param::Bytes) => return Ok(Value::Bytes(Arc::from(Vec::new()))),
        (Value::Nil, _) => return Err(format!("invalid value; expected {}", param_type_name(p))),
        (Value::String(_), Param::String)
        | (Value::Int(_), Param::Int)
        | (Value::Int64(_), Param::Int64)
        | (Value::Uint(_), Param::Uint)
        | (Value::Float(_), Param::Float64)
        | (Value::Bool(_), Param::Bool)
        | (Value::List(_), Param::List)
        | (Value::Bytes(_), Param::Bytes) => true,
        (Value::List(l), Param::StringList) => l.iter().all(|x| matches!(x, Value::String(_))),
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        Err(format!(
            "wrong type for value; expected {}; got {}",
            param_type_name(p),
            v.go_type_name()
        ))
    }
}

/// Turns a node position into Go's `FILE:LINE:COL` error.
fn locate(
    tree: &Tree,
    pos: usize,
    context: String,
    function: Option<String>,
    message: String,
    cause: Option<Box<TemplateError>>,
) -> TemplateError {
    let src = &*tree.source;
    let pos = pos.min(src.len());
    let before = src.get(..pos).unwrap_or("");
    let line = 1 + before.matches('\n').count();
    let column = match before.rfind('\n') {
        Some(nl) => pos - (nl + 1),
        None => pos,
    };
    TemplateError {
        kind: ErrorKind::Exec,
        template: tree.parse_name.to_string(),
        line,
        column,
        executing: tree.name.to_string(),
        context,
        function,
        message,
        cause,
    }
}

/// `template "name" pipeline` as Go prints a TemplateNode.
struct TemplateNodeText<'a>(&'a str, Option<&'a Pipe>);

impl std::fmt::Display for TemplateNodeText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(p) => write!(f, "{{{{template {} {}}}}}", go_quote(self.0), p),
            None => write!(f, "{{{{template {}}}}}", go_quote(self.0)),
        }
    }
}

// ----- include / tpl: the engine side of Helm's functions -----

impl State<'_> {
    /// Keeps the template error `include`/`tpl` failed with (see [`State::nested`]) and gives
    /// the function Go's text of it, after the function's own `words` if any.
    fn failed_inside(&mut self, words: Option<String>, error: TemplateError) -> FuncError {
        let text = match &words {
            Some(w) => format!("{w}: {error}"),
            None => error.to_string(),
        };
        self.nested = Some(Nested { words, error });
        FuncError(text)
    }
}

impl Host for State<'_> {
    fn include(&mut self, name: &str, data: &Value) -> Result<String, FuncError> {
        let limit = self.engine.limits.max_include_nesting;
        let count = self.include_counts.entry(name.to_string()).or_insert(0);
        if *count > limit {
            return Err(FuncError(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        *count += 1;
        let r = match self.lookup(name) {
            Some(tree) => self
                .run(&tree, V::plain(data.clone()))
                .map_err(|e| self.failed_inside(None, e)),
            None => {
                let missing = format!(
                    "no template {} associated with template {}",
                    go_quote(name),
                    go_quote(&self.engine.root_name)
                );
                Err(self.failed_inside(None, TemplateError::other("", missing)))
            }
        };
        if let Some(c) = self.include_counts.get_mut(name) {
            *c = c.saturating_sub(1);
        }
        r
    }

    fn tpl(&mut self, text: &str, data: &Value) -> Result<String, FuncError> {
        let limit = self.engine.limits.max_tpl_nesting;
        if self.overlays.len() >= limit {
            let message = format!(
                "error during tpl function execution for {}: tpl calls nested more than {limit} deep",
                go_quote(text)
            );
            self.tpl_too_deep = Some(message.clone());
            return Err(FuncError(message));
        }
        let trees = match self.engine.parse_tpl(text) {
            Ok(t) => t,
            Err(e) => {
                return Err(self
                    .failed_inside(Some(format!("cannot parse template {}", go_quote(text))), e))
            }
        };
        let mut set: HashMap<Arc<str>, Arc<Tree>> = HashMap::new();
        let mut main = None;
        for (i, t) in trees.iter().cloned().enumerate() {
            if i == 0 {
                main = Some(t.clone());
            }
            // An empty definition does not replace an existing non-empty one (Go's associate).
            if is_empty_list(&t.root, &t.source) {
                if let Some(old) = self.lookup(&t.name) {
                    if !is_empty_list(&old.root, &old.source) {
                        continue;
                    }
                }
            }
            set.insert(t.name.clone(), t);
        }
        let Some(main) = main else {
            return Ok(String::new());
        };
        self.overlays.push(Arc::new(set));
        let r = self.run(&main, V::plain(data.clone()));
        self.overlays.pop();
        match r {
            Ok(s) => Ok(s.replace("<no value>", "")),
            Err(_) if self.tpl_too_deep.is_some() => {
                Err(FuncError(self.tpl_too_deep.clone().unwrap_or_default()))
            }
            Err(e) => Err(self.failed_inside(
                Some(format!(
                    "error during tpl function execution for {}",
                    go_quote(text)
                )),
                e,
            )),
        }
    }
}
