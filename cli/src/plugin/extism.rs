//! The `extism/v1` runtime: a plugin is a WebAssembly module (`plugin.wasm` beside
//! `plugin.yaml`) built with an Extism PDK, run by Wasmtime, as Helm 4.1.4 runs it with
//! Extism's Go SDK (over wazero).
//!
//! One call per use: the module is instantiated with WASI (the environment Helm gives, and for
//! a CLI plugin helm-rs's standard streams), its reactor initialiser `_initialize` runs if it has
//! one, then its entry function (`runtimeConfig.entryFuncName`, default `helm_plugin_main`) is
//! called with the type's input message (JSON) as the Extism input; its Extism output is the
//! output message.
//!
//! Why not the `extism` crate: its current release (1.41) needs a newer Rust than the project
//! builds with, and the releases that build (1.30) create the WASI context themselves, with no
//! way to give the module an environment or standard input, which Helm gives every `extism/v1`
//! CLI plugin. So the Extism host interface (`extism:host/env`: the memory blocks, input,
//! output, error, config, vars, logs) is implemented here over Wasmtime and wasi-common, the
//! two crates the Extism Rust SDK itself is built on; the blocks live in host memory instead of
//! Extism's kernel module, which the guest cannot tell apart (it sees only offsets).
//!
//! Helm's answers are its SDK's and wazero's, and scripts see them, so they are kept:
//! `plugin error: …` for a failed call (`module closed with exit_code(N)`, `module closed with
//! context deadline exceeded`, `wasm error: unreachable` with wazero's stack trace of
//! `.name(params) results` frames, the plugin's own Extism error), wazero's `section memory:
//! min N pages (S) over limit of M pages (S)` for `memory.maxPages`, and the JSON decoding of
//! the output message into the type's Go struct (`reflect.Value: unexpected end of JSON
//! input`). A module is compiled once and kept in `$HELM_CACHE_HOME/wasmtime-build`, as Helm
//! keeps wazero's in `wazero-build`.
//!
//! Not done: HTTP requests from a plugin (`allowedHosts`): a request to a host that is not
//! allowed fails with Helm's message; one that is allowed fails too, saying helm-rs does not
//! make them. Helm offers no host functions (`hostFunctions` names one: Helm's error).

use super::loader::Plugin;
use super::metadata::ExtismConfig;
use std::path::Path;

/// The module file of an `extism/v1` plugin.
pub const WASM_FILE: &str = "plugin.wasm";

/// How the plugin's WASI standard streams are connected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stdio {
    /// helm-rs's own standard input, output and error (a CLI plugin).
    Inherit,
    /// Nothing to read; what is written is dropped (getters and post-renderers).
    None,
}

/// One call of a plugin.
pub struct Invocation {
    /// The input message, JSON.
    pub input: Vec<u8>,
    /// The WASI environment (later entries win, as Helm's `ParseEnv`).
    pub env: Vec<(String, String)>,
    pub stdio: Stdio,
    /// `--debug`: Helm's records of the input and output messages.
    pub debug: bool,
}

/// A call that did not succeed.
#[derive(Debug, PartialEq)]
pub enum InvokeError {
    /// The entry function returned this non-zero code and set no error.
    Exit(u32),
    /// Anything else, in Helm's words.
    Message(String),
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvokeError::Exit(code) => write!(f, "plugin exited with code {code}"),
            InvokeError::Message(m) => f.write_str(m),
        }
    }
}

/// Helm's check when it loads the plugin: the module must be there.
pub fn check_wasm(dir: &Path) -> Result<(), String> {
    let wasm = dir.join(WASM_FILE);
    match std::fs::metadata(&wasm) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "wasm binary missing for extism/v1 plugin: {:?}",
            wasm.display().to_string()
        )),
        Err(e) => Err(format!(
            "failed to stat extism/v1 plugin wasm binary {:?}: stat {}: {}",
            wasm.display().to_string(),
            wasm.display(),
            helm_core::gocompat::os::go_io_error(&e)
        )),
    }
}

/// Go's `json.Marshal` of a string (HTML characters escaped).
fn json_string(s: &str) -> String {
    let mut out = String::new();
    helm_core::values::json::write_string(&mut out, s, true);
    out
}

/// Go's `json.Marshal` of a `[]string` (`null` for a nil slice).
#[allow(clippy::option_if_let_else)]
fn json_strings(v: Option<&[String]>) -> String {
    match v {
        None => "null".into(),
        Some(v) => format!(
            "[{}]",
            v.iter()
                .map(|s| json_string(s))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// A `cli/v1` input message: the words after the plugin's name (Helm never sends null here).
pub fn cli_input(extra_args: &[String]) -> Vec<u8> {
    format!("{{\"extraArgs\":{}}}", json_strings(Some(extra_args))).into_bytes()
}

/// A `postrenderer/v1` input message. Helm's message holds the manifests as a `*bytes.Buffer`,
/// which Go's JSON encoder writes as an empty object (the buffer has no exported fields): the
/// plugin gets `{}`, never the manifests, and that is what Helm 4.1.4 sends.
pub fn postrenderer_input(args: &[String]) -> Vec<u8> {
    format!(
        "{{\"manifests\":{{}},\"extraArgs\":{}}}",
        json_strings(Some(args))
    )
    .into_bytes()
}

/// Helm's getter options (`schema.GetterOptionsV1`), as a getter plugin receives them.
#[derive(Clone, Debug, Default)]
pub struct GetterOptionsV1 {
    pub url: String,
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
    pub untar: bool,
    pub insecure_skip_verify_tls: bool,
    pub plain_http: bool,
    pub accept_header: String,
    pub username: String,
    pub password: String,
    pub pass_credentials_all: bool,
    pub user_agent: String,
    pub version: String,
    /// Nanoseconds (a Go `time.Duration`).
    pub timeout_ns: i64,
}

/// A `getter/v1` input message (the options' fields keep their Go names: the struct has no
/// JSON tags).
pub fn getter_input(href: &str, protocol: &str, o: &GetterOptionsV1) -> Vec<u8> {
    let q = |s: &str| json_string(s);
    format!(
        "{{\"href\":{},\"protocol\":{},\"options\":{{\"URL\":{},\"CertFile\":{},\"KeyFile\":{},\"CAFile\":{},\"UNTar\":{},\"InsecureSkipVerifyTLS\":{},\"PlainHTTP\":{},\"AcceptHeader\":{},\"Username\":{},\"Password\":{},\"PassCredentialsAll\":{},\"UserAgent\":{},\"Version\":{},\"Timeout\":{}}}}}",
        q(href),
        q(protocol),
        q(&o.url),
        q(&o.cert_file),
        q(&o.key_file),
        q(&o.ca_file),
        o.untar,
        o.insecure_skip_verify_tls,
        o.plain_http,
        q(&o.accept_header),
        q(&o.username),
        q(&o.password),
        o.pass_credentials_all,
        q(&o.user_agent),
        q(&o.version),
        o.timeout_ns
    )
    .into_bytes()
}

/// The plugin types' output messages, by the Go struct Helm decodes them into.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OutputKind {
    Cli,
    Getter,
    PostRenderer,
}

/// Go's JSON name for a value's kind, in its "cannot unmarshal" errors.
fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
    match v {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// Go's `encoding/json` syntax error for text serde_json refused (the common cases in Go's
/// words, the rest in serde's).
fn syntax_error(data: &[u8], e: &serde_json::Error) -> String {
    let first = data.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        None => "unexpected end of JSON input".into(),
        Some(c)
            if !matches!(
                c,
                b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
            ) =>
        {
            format!(
                "invalid character {} looking for beginning of value",
                go_quote_char(c)
            )
        }
        _ if e.is_eof() => "unexpected end of JSON input".into(),
        _ => e.to_string(),
    }
}

/// encoding/json's `quoteChar`: a byte in single quotes.
fn go_quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let q = helm_core::gocompat::strconv::go_quote(&(c as char).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Go's `base64.StdEncoding.DecodeString` (padding required), with its error text.
fn base64_std_decode(s: &str) -> Result<Vec<u8>, String> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    // Go skips newlines anywhere in the input.
    let bytes: Vec<(usize, u8)> = s
        .bytes()
        .enumerate()
        .filter(|(_, c)| *c != b'\n' && *c != b'\r')
        .collect();
    let illegal = |i: usize| format!("illegal base64 data at input byte {i}");
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        let mut n = 0;
        for (k, &(pos, c)) in chunk.iter().enumerate() {
            if c == b'=' {
                // Padding: only in the last quantum's last two places, and all the way.
                let pad = chunk.len() - k;
                let last = chunk.as_ptr()
                    == bytes
                        .chunks(4)
                        .last()
                        .map_or(std::ptr::null(), |l| l.as_ptr());
                if k < 2
                    || chunk.len() != 4
                    || !last
                    || chunk[k..].iter().any(|(_, c)| *c != b'=')
                    || pad > 2
                {
                    return Err(illegal(pos));
                }
                break;
            }
            let v = value(c).ok_or_else(|| illegal(pos))?;
            acc = acc << 6 | v;
            n += 1;
        }
        if n < 4 && chunk.len() < 4 {
            // A short last quantum without padding.
            return Err(illegal(
                bytes.len().min(chunk.last().map_or(0, |(p, _)| *p + 1)),
            ));
        }
        acc <<= 6 * (4 - n);
        let b = acc.to_be_bytes();
        out.extend_from_slice(&b[1..1 + (n * 6 / 8)]);
    }
    Ok(out)
}

/// Decodes a plugin's output message as Helm does (`json.Unmarshal` into the type's struct):
/// the getter's `data` (base64), else nothing (a CLI plugin's and a post-renderer's buffers
/// decode from objects, which carry nothing into Go's `bytes.Buffer`). The error is Helm's.
pub fn decode_output(kind: OutputKind, data: &[u8]) -> Result<Vec<u8>, String> {
    let wrap =
        |e: String| format!("failed to json marshal plugin output message: reflect.Value: {e}");
    let v: serde_json::Value =
        serde_json::from_slice(data).map_err(|e| wrap(syntax_error(data, &e)))?;
    let (go_type, field, field_type) = match kind {
        OutputKind::Cli => ("OutputMessageCLIV1", "data", "bytes.Buffer"),
        OutputKind::Getter => ("OutputMessageGetterV1", "data", "[]uint8"),
        OutputKind::PostRenderer => ("OutputMessagePostRendererV1", "manifests", "bytes.Buffer"),
    };
    let map = match &v {
        serde_json::Value::Null => return Ok(Vec::new()),
        serde_json::Value::Object(m) => m,
        other => {
            return Err(wrap(format!(
                "json: cannot unmarshal {} into Go value of type schema.{go_type}",
                json_kind(other)
            )))
        }
    };
    // Go matches field names without regard to case; the last match wins.
    let Some(value) = map
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(field))
        .map(|(_, v)| v)
        .last()
    else {
        return Ok(Vec::new());
    };
    let mismatch = |v: &serde_json::Value| {
        wrap(format!(
            "json: cannot unmarshal {} into Go struct field {go_type}.{field} of type {field_type}",
            json_kind(v)
        ))
    };
    match (kind, value) {
        (_, serde_json::Value::Null) => Ok(Vec::new()),
        (OutputKind::Getter, serde_json::Value::String(s)) => base64_std_decode(s).map_err(wrap),
        (OutputKind::Getter, serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_u64()
                    .filter(|n| *n <= 255)
                    .map(|n| n as u8)
                    .ok_or_else(|| mismatch(i))
            })
            .collect(),
        (OutputKind::Getter, other) => Err(mismatch(other)),
        (_, serde_json::Value::Object(_)) => Ok(Vec::new()),
        (_, other) => Err(mismatch(other)),
    }
}

/// Runs the plugin once: its output message (JSON bytes), or why not.
pub fn invoke(p: &Plugin, rc: &ExtismConfig, inv: Invocation) -> Result<Vec<u8>, InvokeError> {
    #[cfg(feature = "extism")]
    return imp::invoke(p, rc, inv);
    #[cfg(not(feature = "extism"))]
    {
        let _ = (p, rc, inv);
        Err(InvokeError::Message(
            "helm-rs was built without the extism/v1 runtime (the CLI's `extism` feature)".into(),
        ))
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn input_messages_are_go_json() {
        assert_eq!(cli_input(&[]), br#"{"extraArgs":[]}"#);
        assert_eq!(
            postrenderer_input(&["a".into(), "<b>".into()]),
            br#"{"manifests":{},"extraArgs":["a","\u003cb\u003e"]}"#
        );
        let o = GetterOptionsV1 {
            url: "x://h/c.tgz".into(),
            timeout_ns: 5,
            ..Default::default()
        };
        let s = String::from_utf8(getter_input("x://h/c.tgz", "x", &o)).unwrap();
        assert!(s.starts_with(
            r#"{"href":"x://h/c.tgz","protocol":"x","options":{"URL":"x://h/c.tgz","CertFile":"""#
        ));
        assert!(s.ends_with(r#""Version":"","Timeout":5}}"#));
    }

    #[test]
    fn output_messages_decode_as_go_does() {
        let err = |k, d: &str| decode_output(k, d.as_bytes()).unwrap_err();
        let prefix = "failed to json marshal plugin output message: reflect.Value: ";
        assert_eq!(
            err(OutputKind::Cli, ""),
            format!("{prefix}unexpected end of JSON input")
        );
        assert_eq!(
            err(OutputKind::Cli, "x"),
            format!("{prefix}invalid character 'x' looking for beginning of value")
        );
        assert_eq!(
            err(OutputKind::PostRenderer, r#"{"manifests":"a"}"#),
            format!("{prefix}json: cannot unmarshal string into Go struct field OutputMessagePostRendererV1.manifests of type bytes.Buffer")
        );
        assert_eq!(
            err(OutputKind::Getter, "[1]"),
            format!("{prefix}json: cannot unmarshal array into Go value of type schema.OutputMessageGetterV1")
        );
        assert_eq!(
            decode_output(OutputKind::Getter, br#"{"Data":"aGk="}"#).unwrap(),
            b"hi"
        );
        assert_eq!(
            decode_output(OutputKind::Getter, br#"{"data":null}"#).unwrap(),
            b""
        );
        assert_eq!(decode_output(OutputKind::Cli, b"{}").unwrap(), b"");
    }

    #[test]
    fn base64_is_go_std_encoding() {
        assert_eq!(base64_std_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_std_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64_std_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_std_decode("").unwrap(), b"");
        assert_eq!(
            base64_std_decode("aG!k").unwrap_err(),
            "illegal base64 data at input byte 2"
        );
        assert_eq!(
            base64_std_decode("aGk").unwrap_err(),
            "illegal base64 data at input byte 3"
        );
    }
}

#[cfg(feature = "extism")]
mod imp {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use wasmtime::{
        Caller, Config, Engine, Extern, Linker, Module, ResourceLimiter, Store, Trap, Val, ValType,
        WasmBacktrace,
    };

    /// Pages of Extism's kernel memory, which wazero checks against `memory.maxPages` before the
    /// plugin's own module (Helm's message names it when the limit is below it).
    const KERNEL_MIN_PAGES: u32 = 16;

    /// The most frames wazero puts in a stack trace.
    const MAX_FRAMES: usize = 30;

    /// wazero's rendering of a page count (`PagesToUnitOfBytes`).
    fn pages_text(pages: u32) -> String {
        let k = pages as u64 * 64;
        if k < 1024 {
            return format!("{k} Ki");
        }
        let m = k / 1024;
        if m < 1024 {
            return format!("{m} Mi");
        }
        let g = m / 1024;
        if g < 1024 {
            return format!("{g} Gi");
        }
        format!("{} Ti", g / 1024)
    }

    /// wazero's check of a memory's declared limits against `memory.maxPages`.
    fn check_memory(min: u64, max: Option<u64>, limit: u32) -> Result<(), String> {
        let over = |what: &str, n: u64| {
            let n = n.min(u32::MAX as u64) as u32;
            format!(
                "{what} {n} pages ({}) over limit of {limit} pages ({})",
                pages_text(n),
                pages_text(limit)
            )
        };
        match max {
            Some(max) if max > limit as u64 => Err(over("max", max)),
            _ if min > limit as u64 => Err(over("min", min)),
            _ => Ok(()),
        }
    }

    /// What the stack traces need from the module: each function's name and signature.
    #[derive(Default)]
    struct FunctionTable {
        /// By function index (imports first): wazero's `.name(params) results`.
        signatures: Vec<String>,
        /// The memory the module defines (min, max pages), if any.
        memory: Option<(u64, Option<u64>)>,
    }

    fn val_type_name(t: &wasmtime::wasmparser::ValType) -> &'static str {
        use wasmtime::wasmparser::ValType as V;
        match t {
            V::I32 => "i32",
            V::I64 => "i64",
            V::F32 => "f32",
            V::F64 => "f64",
            V::V128 => "v128",
            V::Ref(_) => "externref",
        }
    }

    /// Reads the type, import, function, memory and name sections (errors leave the table short,
    /// which only makes stack traces less precise).
    fn function_table(wasm: &[u8]) -> FunctionTable {
        use wasmtime::wasmparser::{
            CompositeInnerType, KnownCustom, Name, Parser, Payload, TypeRef,
        };
        let mut types: Vec<String> = Vec::new();
        let mut funcs: Vec<(Option<String>, u32)> = Vec::new();
        let mut names: BTreeMap<u32, String> = BTreeMap::new();
        let mut table = FunctionTable::default();
        let sig = |params: &[wasmtime::wasmparser::ValType],
                   results: &[wasmtime::wasmparser::ValType]| {
            let p: Vec<&str> = params.iter().map(val_type_name).collect();
            let r: Vec<&str> = results.iter().map(val_type_name).collect();
            let results = match r.len() {
                0 => String::new(),
                1 => format!(" {}", r[0]),
                _ => format!(" ({})", r.join(",")),
            };
            format!("({}){results}", p.join(","))
        };
        for payload in Parser::new(0).parse_all(wasm) {
            let Ok(payload) = payload else { break };
            match payload {
                Payload::TypeSection(r) => {
                    for group in r.into_iter().flatten() {
                        for ty in group.types() {
                            types.push(match &ty.composite_type.inner {
                                CompositeInnerType::Func(f) => sig(f.params(), f.results()),
                                _ => "()".into(),
                            });
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.into_imports().flatten() {
                        match imp.ty {
                            TypeRef::Func(t) => {
                                funcs.push((Some(format!("{}.{}", imp.module, imp.name)), t))
                            }
                            TypeRef::Memory(m) if table.memory.is_none() => {
                                table.memory = Some((m.initial, m.maximum))
                            }
                            _ => {}
                        }
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r.into_iter().flatten() {
                        funcs.push((None, t));
                    }
                }
                Payload::MemorySection(r) => {
                    if let Some(Ok(m)) = r.into_iter().next() {
                        if table.memory.is_none() {
                            table.memory = Some((m.initial, m.maximum));
                        }
                    }
                }
                Payload::CustomSection(c) => {
                    if let KnownCustom::Name(reader) = c.as_known() {
                        for name in reader.flatten() {
                            if let Name::Function(map) = name {
                                for n in map.into_iter().flatten() {
                                    names.insert(n.index, n.name.to_string());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        table.signatures = funcs
            .into_iter()
            .enumerate()
            .map(|(i, (import, t))| {
                let name = match (import, names.get(&(i as u32))) {
                    (Some(imported), _) => imported,
                    (None, Some(n)) => format!(".{n}"),
                    (None, None) => format!(".${i}"),
                };
                format!(
                    "{name}{}",
                    types.get(t as usize).map(String::as_str).unwrap_or("()")
                )
            })
            .collect();
        table
    }

    /// The Extism memory: blocks the guest allocates and addresses by offset (0 is no block).
    struct Blocks {
        bytes: Vec<u8>,
        /// Live blocks: offset → length.
        live: BTreeMap<u64, u64>,
        /// Freed blocks for reuse: (offset, length).
        free: Vec<(u64, u64)>,
        /// The most bytes the blocks may take (`memory.maxPages`, else wazero's 4 GiB).
        limit: u64,
    }

    impl Blocks {
        fn new(limit: u64) -> Blocks {
            Blocks {
                bytes: vec![0; 8],
                live: BTreeMap::new(),
                free: Vec::new(),
                limit,
            }
        }

        /// A new block of `n` bytes (zeroed), or 0 when there is no room.
        fn alloc(&mut self, n: u64) -> u64 {
            if n == 0 {
                return 0;
            }
            if let Some(i) = self.free.iter().position(|(_, len)| *len >= n) {
                let (offset, len) = self.free.swap_remove(i);
                if len > n {
                    self.free.push((offset + n, len - n));
                }
                self.bytes[offset as usize..(offset + n) as usize].fill(0);
                self.live.insert(offset, n);
                return offset;
            }
            let offset = (self.bytes.len() as u64).next_multiple_of(8);
            let end = offset + n;
            if end > self.limit {
                return 0;
            }
            self.bytes.resize(end as usize, 0);
            self.live.insert(offset, n);
            offset
        }

        fn alloc_bytes(&mut self, data: &[u8]) -> u64 {
            let offset = self.alloc(data.len() as u64);
            if offset != 0 {
                self.bytes[offset as usize..offset as usize + data.len()].copy_from_slice(data);
            }
            offset
        }

        fn free(&mut self, offset: u64) {
            if let Some(len) = self.live.remove(&offset) {
                self.free.push((offset, len));
            }
        }

        fn length(&self, offset: u64) -> u64 {
            self.live.get(&offset).copied().unwrap_or(0)
        }

        fn range(&self, offset: u64, n: u64) -> Result<std::ops::Range<usize>, HostFault> {
            let end = offset
                .checked_add(n)
                .filter(|e| *e <= self.bytes.len() as u64);
            match end {
                Some(end) => Ok(offset as usize..end as usize),
                None => Err(HostFault::Trap("out of bounds memory access")),
            }
        }

        /// The contents of the block at `offset` (empty for no block).
        fn block(&self, offset: u64) -> Vec<u8> {
            let len = self.length(offset);
            self.bytes[offset as usize..(offset + len) as usize].to_vec()
        }
    }

    /// A host function's failure: a Wasm trap wazero would raise in Extism's kernel, or a panic of
    /// the Go SDK's host function (wazero reports it `(recovered by wazero)`).
    #[derive(Debug)]
    enum HostFault {
        Trap(&'static str),
        Panic(String),
    }

    impl std::fmt::Display for HostFault {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                HostFault::Trap(t) => f.write_str(t),
                HostFault::Panic(p) => f.write_str(p),
            }
        }
    }

    impl std::error::Error for HostFault {}

    /// Which host function failed, for the first line of wazero's stack trace.
    #[derive(Debug)]
    struct InHost {
        fault: HostFault,
        signature: &'static str,
    }

    impl std::fmt::Display for InHost {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.fault.fmt(f)
        }
    }

    impl std::error::Error for InHost {}

    /// What a call's store holds.
    struct HostState {
        wasi: wasi_common::WasiCtx,
        blocks: Blocks,
        input: (u64, u64),
        output: (u64, u64),
        error: u64,
        config: BTreeMap<String, String>,
        vars: BTreeMap<String, Vec<u8>>,
        max_var_bytes: i64,
        allowed_hosts: Vec<String>,
        /// The most bytes the plugin's own memory may grow to.
        memory_limit: Option<usize>,
    }

    impl ResourceLimiter for HostState {
        fn memory_growing(
            &mut self,
            _current: usize,
            desired: usize,
            _maximum: Option<usize>,
        ) -> wasmtime::Result<bool> {
            Ok(self.memory_limit.is_none_or(|limit| desired <= limit))
        }

        fn table_growing(
            &mut self,
            _current: usize,
            _desired: usize,
            _maximum: Option<usize>,
        ) -> wasmtime::Result<bool> {
            Ok(true)
        }
    }

    fn fault(signature: &'static str, fault: HostFault) -> wasmtime::Error {
        wasmtime::Error::new(InHost { fault, signature })
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// `*` and `?` globs, as the Go SDK matches `allowedHosts` (gobwas/glob).
    fn glob_match(pattern: &[u8], s: &[u8]) -> bool {
        match pattern.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| glob_match(rest, &s[i..])),
            Some((b'?', rest)) => !s.is_empty() && glob_match(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && glob_match(rest, &s[1..]),
        }
    }

    /// The Extism host interface (`extism:host/env`), as the PDKs import it.
    fn define_extism_env(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
        const ENV: &str = "extism:host/env";
        linker.func_wrap(ENV, "alloc", |mut c: Caller<HostState>, n: u64| {
            c.data_mut().blocks.alloc(n)
        })?;
        linker.func_wrap(ENV, "free", |mut c: Caller<HostState>, p: u64| {
            c.data_mut().blocks.free(p)
        })?;
        linker.func_wrap(ENV, "length", |c: Caller<HostState>, p: u64| {
            c.data().blocks.length(p)
        })?;
        linker.func_wrap(ENV, "length_unsafe", |c: Caller<HostState>, p: u64| {
            c.data().blocks.length(p)
        })?;
        linker.func_wrap(
            ENV,
            "load_u8",
            |c: Caller<HostState>, p: u64| -> wasmtime::Result<u32> {
                let b = &c.data().blocks;
                let r = b
                    .range(p, 1)
                    .map_err(|e| fault("extism:host/env.load_u8(i64) i32", e))?;
                Ok(b.bytes[r][0] as u32)
            },
        )?;
        linker.func_wrap(
            ENV,
            "load_u64",
            |c: Caller<HostState>, p: u64| -> wasmtime::Result<u64> {
                let b = &c.data().blocks;
                let r = b
                    .range(p, 8)
                    .map_err(|e| fault("extism:host/env.load_u64(i64) i64", e))?;
                Ok(u64::from_le_bytes(b.bytes[r].try_into().expect("8 bytes")))
            },
        )?;
        linker.func_wrap(
            ENV,
            "store_u8",
            |mut c: Caller<HostState>, p: u64, v: u32| -> wasmtime::Result<()> {
                let b = &mut c.data_mut().blocks;
                let r = b
                    .range(p, 1)
                    .map_err(|e| fault("extism:host/env.store_u8(i64,i32)", e))?;
                b.bytes[r][0] = v as u8;
                Ok(())
            },
        )?;
        linker.func_wrap(
            ENV,
            "store_u64",
            |mut c: Caller<HostState>, p: u64, v: u64| -> wasmtime::Result<()> {
                let b = &mut c.data_mut().blocks;
                let r = b
                    .range(p, 8)
                    .map_err(|e| fault("extism:host/env.store_u64(i64,i64)", e))?;
                b.bytes[r].copy_from_slice(&v.to_le_bytes());
                Ok(())
            },
        )?;
        linker.func_wrap(ENV, "input_length", |c: Caller<HostState>| c.data().input.1)?;
        linker.func_wrap(ENV, "input_offset", |c: Caller<HostState>| c.data().input.0)?;
        linker.func_wrap(
            ENV,
            "input_load_u8",
            |c: Caller<HostState>, i: u64| -> wasmtime::Result<u32> {
                let s = c.data();
                let r = s
                    .blocks
                    .range(s.input.0 + i, 1)
                    .map_err(|e| fault("extism:host/env.input_load_u8(i64) i32", e))?;
                Ok(s.blocks.bytes[r][0] as u32)
            },
        )?;
        linker.func_wrap(
            ENV,
            "input_load_u64",
            |c: Caller<HostState>, i: u64| -> wasmtime::Result<u64> {
                let s = c.data();
                let r = s
                    .blocks
                    .range(s.input.0 + i, 8)
                    .map_err(|e| fault("extism:host/env.input_load_u64(i64) i64", e))?;
                Ok(u64::from_le_bytes(
                    s.blocks.bytes[r].try_into().expect("8 bytes"),
                ))
            },
        )?;
        linker.func_wrap(
            ENV,
            "output_set",
            |mut c: Caller<HostState>, p: u64, n: u64| {
                c.data_mut().output = (p, n);
            },
        )?;
        linker.func_wrap(ENV, "output_length", |c: Caller<HostState>| {
            c.data().output.1
        })?;
        linker.func_wrap(ENV, "output_offset", |c: Caller<HostState>| {
            c.data().output.0
        })?;
        linker.func_wrap(ENV, "error_set", |mut c: Caller<HostState>, p: u64| {
            c.data_mut().error = p;
        })?;
        linker.func_wrap(ENV, "error_get", |c: Caller<HostState>| c.data().error)?;
        linker.func_wrap(ENV, "config_get", |mut c: Caller<HostState>, p: u64| {
            let s = c.data_mut();
            let key = text(s.blocks.block(p));
            match s.config.get(&key).cloned() {
                Some(v) => s.blocks.alloc_bytes(v.as_bytes()),
                None => 0,
            }
        })?;
        linker.func_wrap(ENV, "var_get", |mut c: Caller<HostState>, p: u64| {
            let s = c.data_mut();
            let key = text(s.blocks.block(p));
            match s.vars.get(&key).cloned() {
                Some(v) => s.blocks.alloc_bytes(&v),
                None => 0,
            }
        })?;
        linker.func_wrap(
            ENV,
            "var_set",
            |mut c: Caller<HostState>, name: u64, value: u64| -> wasmtime::Result<()> {
                const SIG: &str = "extism:host/env.var_set(i64,i64)";
                let s = c.data_mut();
                if s.max_var_bytes == 0 {
                    return Err(fault(
                        SIG,
                        HostFault::Panic("Vars are disabled by this host".into()),
                    ));
                }
                let key = text(s.blocks.block(name));
                s.blocks.free(name);
                if value == 0 {
                    s.vars.remove(&key);
                    return Ok(());
                }
                let data = s.blocks.block(value);
                s.blocks.free(value);
                // The Go SDK's reckoning: each entry costs its bytes and a slice and a string header.
                const ENTRY: usize = 24 + 16;
                let size = ENTRY
                    + key.len()
                    + data.len()
                    + s.vars
                        .iter()
                        .map(|(k, v)| k.len() + v.len() + ENTRY)
                        .sum::<usize>();
                if size as i64 >= s.max_var_bytes {
                    return Err(fault(
                        SIG,
                        HostFault::Panic("Variable store is full".into()),
                    ));
                }
                s.vars.insert(key, data);
                Ok(())
            },
        )?;
        for level in [
            "log_trace",
            "log_debug",
            "log_info",
            "log_warn",
            "log_error",
        ] {
            // Helm sets no Extism log level, so the SDK logs nothing.
            linker.func_wrap(ENV, level, |_: Caller<HostState>, _p: u64| {})?;
        }
        // The Go SDK's `LogLevelOff`: PDKs skip logging below it.
        linker.func_wrap(ENV, "get_log_level", |_: Caller<HostState>| i32::MAX)?;
        linker.func_wrap(
            ENV,
            "http_request",
            |mut c: Caller<HostState>, req: u64, _body: u64| -> wasmtime::Result<u64> {
                const SIG: &str = "extism:host/env.http_request(i64,i64) i64";
                let s = c.data_mut();
                let raw = s.blocks.block(req);
                let url = serde_json::from_slice::<serde_json::Value>(&raw)
                    .ok()
                    .and_then(|v| v.get("url").and_then(|u| u.as_str()).map(String::from))
                    .unwrap_or_default();
                let host = url
                    .split_once("://")
                    .map(|(_, rest)| rest)
                    .unwrap_or("")
                    .split(['/', '?', '#'])
                    .next()
                    .unwrap_or("")
                    .rsplit('@')
                    .next()
                    .unwrap_or("");
                let host = host.split(':').next().unwrap_or(host);
                let allowed = s
                    .allowed_hosts
                    .iter()
                    .any(|a| a == host || glob_match(a.as_bytes(), host.as_bytes()));
                let msg = if allowed {
                    format!("HTTP request to '{url}' is not supported by helm-rs")
                } else {
                    format!("HTTP request to '{url}' is not allowed")
                };
                Err(fault(SIG, HostFault::Panic(msg)))
            },
        )?;
        linker.func_wrap(ENV, "http_status_code", |_: Caller<HostState>| 0i32)?;
        linker.func_wrap(ENV, "http_headers", |_: Caller<HostState>| 0u64)?;
        Ok(())
    }

    /// wazero's name for a Wasm trap.
    fn trap_text(t: &Trap) -> String {
        match t {
            Trap::UnreachableCodeReached => "unreachable".into(),
            Trap::MemoryOutOfBounds => "out of bounds memory access".into(),
            Trap::HeapMisaligned => "unaligned atomic".into(),
            Trap::TableOutOfBounds | Trap::IndirectCallToNull => "invalid table access".into(),
            Trap::BadSignature => "indirect call type mismatch".into(),
            Trap::IntegerOverflow => "integer overflow".into(),
            Trap::IntegerDivisionByZero => "integer divide by zero".into(),
            Trap::BadConversionToInteger => "invalid conversion to integer".into(),
            Trap::StackOverflow => "stack overflow".into(),
            other => other.to_string(),
        }
    }

    /// wazero's stack trace lines for a failed call.
    fn stack_lines(err: &wasmtime::Error, table: &FunctionTable, host: Option<&str>) -> String {
        let mut lines: Vec<String> = host.map(String::from).into_iter().collect();
        if let Some(bt) = err.downcast_ref::<WasmBacktrace>() {
            for frame in bt.frames() {
                let i = frame.func_index() as usize;
                lines.push(
                    table
                        .signatures
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!(".{}()", frame.func_name().unwrap_or_default())),
                );
            }
        }
        if lines.len() > MAX_FRAMES {
            lines.truncate(MAX_FRAMES);
            lines.push("... maybe followed by omitted frames".into());
        }
        lines.join("\n\t")
    }

    /// How a failed call reads in Helm (after `plugin error: `), or the WASI exit code it ended
    /// with (`Ok`).
    fn call_error(err: wasmtime::Error, table: &FunctionTable) -> Result<i32, String> {
        if let Some(exit) = err.downcast_ref::<wasi_common::I32Exit>() {
            return Ok(exit.0);
        }
        if let Some(h) = err.downcast_ref::<InHost>() {
            let stack = stack_lines(&err, table, Some(h.signature));
            return Err(match &h.fault {
                HostFault::Trap(t) => format!("wasm error: {t}\nwasm stack trace:\n\t{stack}"),
                HostFault::Panic(p) => {
                    format!("{p} (recovered by wazero)\nwasm stack trace:\n\t{stack}")
                }
            });
        }
        if let Some(trap) = err.downcast_ref::<Trap>() {
            if *trap == Trap::Interrupt {
                return Err("module closed with context deadline exceeded".into());
            }
            let stack = stack_lines(&err, table, None);
            return Err(format!(
                "wasm error: {}\nwasm stack trace:\n\t{stack}",
                trap_text(trap)
            ));
        }
        Err(format!("{err:#}"))
    }

    fn engine() -> Result<Engine, String> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        Engine::new(&config).map_err(|e| format!("{e:#}"))
    }

    /// The compiled module, from the cache when it has it (keyed by the module's hash and the
    /// engine's), else compiled and stored (a cache that cannot be written is skipped).
    fn load_module(engine: &Engine, wasm: &[u8]) -> Result<Module, String> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(wasm);
        {
            use std::hash::{Hash, Hasher};
            let mut eh = std::collections::hash_map::DefaultHasher::new();
            engine.precompile_compatibility_hash().hash(&mut eh);
            h.update(eh.finish().to_le_bytes());
        }
        let key = hex::encode(h.finalize());
        let dir = cache_dir();
        let file = dir.as_ref().map(|d| d.join(format!("{key}.cwasm")));
        if let Some(f) = &file {
            if f.is_file() {
                // SAFETY: the file is one this function wrote from Wasmtime's own serialisation,
                // named by the module's hash and the engine's compatibility hash.
                if let Ok(m) = unsafe { Module::deserialize_file(engine, f) } {
                    return Ok(m);
                }
            }
        }
        let module = Module::new(engine, wasm).map_err(|e| format!("{e:#}"))?;
        if let (Some(d), Some(f)) = (dir, file) {
            if let Ok(bytes) = module.serialize() {
                if std::fs::create_dir_all(&d).is_ok() {
                    let tmp = d.join(format!("{key}.{}.tmp", std::process::id()));
                    if std::fs::write(&tmp, bytes).is_ok() {
                        let _ = std::fs::rename(&tmp, &f);
                    }
                }
            }
        }
        Ok(module)
    }

    /// `$HELM_CACHE_HOME/wasmtime-build` (helm-rs exports its settings into its environment).
    fn cache_dir() -> Option<PathBuf> {
        let base = std::env::var_os("HELM_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME")
                    .filter(|v| !v.is_empty())
                    .map(|x| PathBuf::from(x).join("helm"))
            })
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/helm")))?;
        Some(base.join("wasmtime-build"))
    }

    /// A temporary directory removed when dropped (`fileSystem.createTempDir`).
    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Runs the plugin once: its output message (JSON bytes), or why not.
    pub(super) fn invoke(
        p: &Plugin,
        rc: &ExtismConfig,
        inv: Invocation,
    ) -> Result<Vec<u8>, InvokeError> {
        let msg = InvokeError::Message;
        if let Some(name) = rc.host_functions.first() {
            return Err(msg(format!(
                "plugin requested host function {name:?} not found"
            )));
        }
        let temp = if rc.create_temp_dir {
            let base = std::env::temp_dir();
            let dir = tempfile::Builder::new()
                .prefix("helm-plugin-")
                .tempdir_in(&base)
                .map_err(|e| {
                    msg(format!(
                        "failed to create temp dir for extism compilation cache: {e}"
                    ))
                })?;
            Some(TempDir(dir.keep()))
        } else {
            None
        };
        let wasm_path = p.dir.join(WASM_FILE);
        let wasm = std::fs::read(&wasm_path).map_err(|e| {
            msg(format!(
                "failed to create existing plugin: open {}: {}",
                wasm_path.display(),
                helm_core::gocompat::os::go_io_error(&e)
            ))
        })?;
        let create = |e: String| msg(format!("failed to create existing plugin: {e}"));
        let table = function_table(&wasm);
        if rc.max_pages > 0 {
            check_memory(KERNEL_MIN_PAGES as u64, None, rc.max_pages)
                .map_err(|e| create(format!("instantiating extism module: section memory: {e}")))?;
            if let Some((min, max)) = table.memory {
                check_memory(min, max, rc.max_pages)
                    .map_err(|e| create(format!("section memory: {e}")))?;
            }
        }
        let engine = engine().map_err(create)?;
        let module = load_module(&engine, &wasm).map_err(create)?;

        let mut wasi = wasi_common::sync::WasiCtxBuilder::new();
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in inv.env {
            if !k.is_empty() {
                env.insert(k, v);
            }
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        wasi.envs(&env).map_err(|e| create(e.to_string()))?;
        match inv.stdio {
            Stdio::Inherit => {
                wasi.inherit_stdio();
            }
            Stdio::None => {
                wasi.stdin(Box::new(
                    wasi_common::pipe::ReadPipe::from(Vec::<u8>::new()),
                ))
                .stdout(Box::new(wasi_common::pipe::WritePipe::new(std::io::sink())))
                .stderr(Box::new(wasi_common::pipe::WritePipe::new(std::io::sink())));
            }
        }
        if let Some(t) = &temp {
            let dir = wasi_common::sync::Dir::open_ambient_dir(
                &t.0,
                wasi_common::sync::ambient_authority(),
            )
            .map_err(|e| create(e.to_string()))?;
            wasi.preopened_dir(dir, "/tmp")
                .map_err(|e| create(e.to_string()))?;
        }
        let page = 65536usize;
        let limit_pages = if rc.max_pages > 0 {
            rc.max_pages as u64
        } else {
            65536
        };
        let mut state = HostState {
            wasi: wasi.build(),
            blocks: Blocks::new(limit_pages * page as u64),
            input: (0, 0),
            output: (0, 0),
            error: 0,
            config: rc.config.clone(),
            vars: BTreeMap::new(),
            max_var_bytes: rc.max_var_bytes,
            allowed_hosts: rc.allowed_hosts.clone(),
            memory_limit: (rc.max_pages > 0).then_some(rc.max_pages as usize * page),
        };
        let input_offset = state.blocks.alloc_bytes(&inv.input);
        state.input = (input_offset, inv.input.len() as u64);
        let mut store = Store::new(&engine, state);
        store.limiter(|s| s as &mut dyn ResourceLimiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_trap();

        let mut linker: Linker<HostState> = Linker::new(&engine);
        wasi_common::sync::add_to_linker(&mut linker, |s: &mut HostState| &mut s.wasi)
            .map_err(|e| create(format!("{e:#}")))?;
        define_extism_env(&mut linker).map_err(|e| create(format!("{e:#}")))?;

        // The timeout covers the module's start and the call, as the Go SDK's context does.
        let timer = (rc.timeout_ms > 0).then(|| {
            let engine = engine.clone();
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let ms = rc.timeout_ms;
            std::thread::spawn(move || {
                if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    rx.recv_timeout(std::time::Duration::from_millis(ms))
                {
                    engine.increment_epoch();
                }
            });
            tx
        });
        let name = &p.metadata.name;
        if inv.debug {
            crate::slog::debug(
                "plugin input",
                &[("plugin", name), ("inputData", &text(inv.input.clone()))],
            );
        }
        let result = run(&mut store, &linker, &module, &table, rc);
        drop(timer);
        let rc_code = result.map_err(|e| msg(format!("plugin error: {e}")))?;

        let s = store.data();
        if s.error != 0 {
            return Err(msg(format!(
                "plugin error: {}",
                text(s.blocks.block(s.error))
            )));
        }
        if rc_code != 0 {
            return Err(InvokeError::Exit(rc_code));
        }
        let (offset, len) = s.output;
        let output = s
            .blocks
            .range(offset, len)
            .map(|r| s.blocks.bytes[r].to_vec())
            .unwrap_or_default();
        if inv.debug {
            crate::slog::debug(
                "plugin output",
                &[
                    ("plugin", name),
                    ("exitCode", "0"),
                    ("outputData", &text(output.clone())),
                ],
            );
        }
        drop(temp);
        Ok(output)
    }

    /// Instantiates the module and calls the entry function: its return code.
    fn run(
        store: &mut Store<HostState>,
        linker: &Linker<HostState>,
        module: &Module,
        table: &FunctionTable,
        rc: &ExtismConfig,
    ) -> Result<u32, String> {
        let instance =
            linker
                .instantiate(&mut *store, module)
                .map_err(|e| match call_error(e, table) {
                    Ok(code) => format!("module closed with exit_code({code})"),
                    Err(e) => e,
                })?;
        let entry = if rc.entry_func_name.is_empty() {
            "helm_plugin_main"
        } else {
            rc.entry_func_name.as_str()
        };
        let Some(Extern::Func(func)) = instance.get_export(&mut *store, entry) else {
            return Err(format!("unknown function: {entry}"));
        };
        let ty = func.ty(&*store);
        if ty.results().len() > 1 {
            return Err(format!(
                "function {entry} has {} results, expected 0 or 1",
                ty.results().len()
            ));
        }
        if entry != "_initialize" && entry != "_start" {
            if let Some(init) = instance.get_func(&mut *store, "_initialize") {
                if let Err(e) = init.call(&mut *store, &[], &mut []) {
                    let e = match call_error(e, table) {
                        Ok(code) => format!("module closed with exit_code({code})"),
                        Err(e) => e,
                    };
                    return Err(format!("failed to initialize runtime: {e}"));
                }
            }
        }
        let params: Vec<Val> = ty.params().map(|t| zero(&t)).collect();
        let mut results: Vec<Val> = ty.results().map(|t| zero(&t)).collect();
        match func.call(&mut *store, &params, &mut results) {
            Ok(()) => Ok(match results.first() {
                Some(Val::I32(v)) => *v as u32,
                Some(Val::I64(v)) => *v as u32,
                _ => 0,
            }),
            Err(e) => match call_error(e, table) {
                Ok(0) => Ok(0),
                Ok(code) => Err(format!("module closed with exit_code({code})")),
                Err(e) => Err(e),
            },
        }
    }

    fn zero(t: &ValType) -> Val {
        match t {
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            _ => Val::I32(0),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn page_counts_read_as_wazero_writes_them() {
            assert_eq!(pages_text(4), "256 Ki");
            assert_eq!(pages_text(16), "1 Mi");
            assert_eq!(pages_text(44), "2 Mi");
            assert_eq!(pages_text(65536), "4 Gi");
            assert_eq!(
                check_memory(44, None, 40).unwrap_err(),
                "min 44 pages (2 Mi) over limit of 40 pages (2 Mi)"
            );
            assert!(check_memory(44, None, 44).is_ok());
            assert_eq!(
                check_memory(1, Some(100), 40).unwrap_err(),
                "max 100 pages (6 Mi) over limit of 40 pages (2 Mi)"
            );
        }

        #[test]
        fn blocks_are_reused_and_bounded() {
            let mut b = Blocks::new(64);
            let a = b.alloc_bytes(b"hello");
            assert_ne!(a, 0);
            assert_eq!(b.block(a), b"hello");
            assert_eq!(b.length(a + 1), 0);
            b.free(a);
            assert_eq!(b.length(a), 0);
            let c = b.alloc(3);
            assert_eq!(c, a, "a freed block is reused");
            assert_eq!(b.block(c), vec![0, 0, 0]);
            assert_eq!(b.alloc(1000), 0, "over the limit");
            assert_eq!(b.alloc(0), 0);
            assert!(b.range(1 << 40, 8).is_err());
        }

        #[test]
        fn hosts_match_as_globs() {
            assert!(glob_match(b"*.example.com", b"api.example.com"));
            assert!(!glob_match(b"*.example.com", b"example.org"));
            assert!(glob_match(b"h?st", b"host"));
        }
    }
}
