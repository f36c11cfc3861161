//! Our port of Go's gzip/DEFLATE compressor (`helm_core::gocompat::flate`) against Go itself:
//! for many inputs, every level Go accepts and several ways of splitting the writes, the bytes
//! must equal what Go's `compress/gzip` writes.
//!
//! Go's side is `tests/gocompat-flate/main.go`, built by `scripts/test.d/setup-gocompat-flate.sh`
//! into `~/.cache/helm-rs/gocompat-flate/<source hash>/gogzip`; without it these tests print
//! why and pass without comparing.
//!
//! The inputs aim at the compressor's decisions: tiny inputs (stored vs Huffman thresholds),
//! text and chart tarballs (lazy matching, dynamic tables), random bytes (stored blocks),
//! long runs of one byte and short periods (maximal matches, fixed tables), repeats at and
//! beyond the 32 KiB window, and sizes around the places Go cuts blocks (16384 tokens, the
//! 64 KiB window slide, 65535-byte stored blocks).

use helm_core::gocompat::flate::{GzipHeader, GzipWriter};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
}

/// The gogzip binary built from the current source, or `None` (after saying why).
fn gogzip() -> Option<PathBuf> {
    let src = root().join("tests/gocompat-flate/main.go");
    let text = std::fs::read(&src).expect("read main.go");
    let key = &hex::encode(Sha256::digest(&text))[..12];
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
        });
    let bin = cache
        .join("helm-rs/gocompat-flate")
        .join(key)
        .join("gogzip");
    if bin.is_file() {
        Some(bin)
    } else {
        eprintln!(
            "SKIP: {} is not built (scripts/test.d/setup-gocompat-flate.sh needs Go)",
            bin.display()
        );
        None
    }
}

const HELM_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

/// Go's bytes for `data` at `level`, written in pieces of `chunk` (0: one write).
fn go(bin: &PathBuf, data: &[u8], level: i32, chunk: usize, helm: bool) -> Vec<u8> {
    let mut cmd = Command::new(bin);
    cmd.arg(format!("-level={level}"))
        .arg(format!("-chunk={chunk}"));
    if helm {
        cmd.arg("-helm");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gogzip");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = data.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("gogzip output");
    feeder.join().expect("feeder").expect("write stdin");
    assert!(
        out.status.success(),
        "gogzip: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ours(data: &[u8], level: i32, chunk: usize, helm: bool) -> Vec<u8> {
    let header = if helm {
        GzipHeader {
            extra: Some(HELM_EXTRA.to_vec()),
            comment: "Helm".into(),
            ..GzipHeader::default()
        }
    } else {
        GzipHeader::default()
    };
    let mut z = GzipWriter::new(level, &header).expect("level");
    if chunk == 0 {
        z.write(data);
    } else {
        for c in data.chunks(chunk) {
            z.write(c);
        }
    }
    z.finish()
}

/// Compares one case; a description of the first difference when they differ.
fn compare(
    bin: &PathBuf,
    name: &str,
    data: &[u8],
    level: i32,
    chunk: usize,
    helm: bool,
) -> Option<String> {
    let want = go(bin, data, level, chunk, helm);
    let got = ours(data, level, chunk, helm);
    if want == got {
        return None;
    }
    let at = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
    Some(format!(
        "{name} ({} bytes) level {level} chunk {chunk}: Go wrote {} bytes, we wrote {}; first difference at byte {at}",
        data.len(),
        want.len(),
        got.len()
    ))
}

/// Deterministic pseudo-random bytes (xorshift) over `alphabet` values.
fn noise(n: usize, alphabet: u32, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ((seed >> 32) as u32 % alphabet) as u8
        })
        .collect()
}

/// YAML-like text with a long-tailed vocabulary, `n` bytes.
fn text(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "labels",
        "app.kubernetes.io/name",
        "spec",
        "replicas",
        "template",
        "containers",
        "image",
        "ports",
        "containerPort",
        "env",
        "value",
        "{{ .Values.image.repository }}",
        "{{- include \"chart.fullname\" . }}",
        "true",
        "false",
        "resources",
        "limits",
        "cpu",
        "memory",
        "100m",
        "128Mi",
        "selector",
        "matchLabels",
    ];
    let r = noise(n, 1 << 16, seed);
    let mut out = Vec::with_capacity(n + 64);
    let mut i = 0;
    while out.len() < n {
        let v = u32::from(r[i % r.len()]) * 251 + u32::from(r[(i + 1) % r.len()]);
        let depth = (v % 5) as usize;
        out.resize(out.len() + depth * 2, b' ');
        out.extend_from_slice(WORDS[(v as usize / 7) % WORDS.len()].as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(WORDS[(v as usize / 3) % WORDS.len()].as_bytes());
        if v % 11 == 0 {
            out.extend_from_slice(format!("-{}", v % 1000).as_bytes());
        }
        out.push(b'\n');
        i += 2;
    }
    out.truncate(n);
    out
}

/// The tar streams our `helm package` writes for `helm create` and, with `corpus_too` and
/// when present, for some charts of the shared conformance corpus (0.1–8 MB).
fn chart_tars(corpus_too: bool) -> Vec<(String, Vec<u8>)> {
    use helm_core::chart::{create, package};
    use std::io::Read;
    let scratch = std::env::temp_dir().join(format!(
        "helm-rs-flate-{}-{}",
        std::process::id(),
        u8::from(corpus_too)
    ));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("mkdir");
    let created = create::create("mychart", &scratch).expect("create");
    let mut dirs = vec![created.dir.clone()];
    let corpus = root().join("../../shared/conformance/charts");
    if corpus_too && !corpus.is_dir() {
        eprintln!("SKIP (charts part): ../shared/conformance is absent");
    }
    for c in [
        "prometheus-community__kube-prometheus-stack",
        "bitnami__argo-cd",
        "cert-manager__cert-manager",
        "grafana__loki-canary",
    ] {
        if corpus_too && corpus.join(c).is_dir() {
            dirs.push(corpus.join(c));
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        let opts = package::PackageOptions {
            destination: scratch.join("out"),
            ..Default::default()
        };
        let tgz = package::package_dir(&d, &opts).expect("package");
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&tgz).expect("open"))
            .read_to_end(&mut tar)
            .expect("gunzip");
        let name = d.file_name().expect("name").to_string_lossy().into_owned();
        out.push((format!("tar of {name}"), tar));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    out
}

/// Inputs of up to ~1.5 MB, compared at every level.
fn small_inputs() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("one byte".into(), b"x".to_vec()),
        ("16 bytes".into(), b"0123456789abcdef".to_vec()),
        ("17 bytes".into(), b"0123456789abcdefg".to_vec()),
        ("hello".into(), b"hello, hello, hello world\n".to_vec()),
        ("127 text".into(), text(127, 1)),
        ("128 text".into(), text(128, 1)),
        ("text 20k".into(), text(20_000, 2)),
        ("text 300k".into(), text(300_000, 3)),
        ("random 100k".into(), noise(100_000, 256, 4)),
        ("4 symbols 200k".into(), noise(200_000, 4, 5)),
        ("16 symbols 200k".into(), noise(200_000, 16, 6)),
        ("zeros 1M".into(), vec![0; 1 << 20]),
        ("a run 300k".into(), vec![b'a'; 300_000]),
        ("period 3".into(), b"abc".repeat(100_000)),
        ("period 259".into(), noise(259, 256, 7).repeat(1000)),
    ];
    // Repeats at the window's edge: distance 32768 (reachable) and 32769 (not).
    for d in [30_000usize, 32_768, 32_769, 40_000] {
        let block = noise(d, 256, d as u64);
        v.push((format!("random {d} twice"), block.repeat(3)));
    }
    // Around block cuts: 16384 literal tokens, the window slide, stored-block and window sizes.
    for n in [
        16_383usize,
        16_384,
        16_385,
        32_767,
        32_768,
        32_769,
        65_273,
        65_274,
        65_275,
        65_535,
        65_536,
        65_537,
        98_304,
        131_071,
        131_072,
        131_073,
    ] {
        v.push((format!("random {n}"), noise(n, 256, n as u64)));
        v.push((format!("text {n}"), text(n, n as u64)));
    }
    // Mostly incompressible data with sparse matches: blocks cut on token count while a stored
    // block is still possible, or not.
    let mut sparse = noise(400_000, 256, 11);
    for i in (0..sparse.len() - 64).step_by(997) {
        let (a, b) = sparse.split_at_mut(i + 32);
        b[..16].copy_from_slice(&a[i..i + 16]);
    }
    v.push(("sparse matches".into(), sparse));
    v.extend(chart_tars(false));
    v
}

#[test]
fn every_level_matches_go() {
    let Some(bin) = gogzip() else { return };
    let inputs = small_inputs();
    let mut differ = Vec::new();
    let mut cases = 0;
    for (name, data) in &inputs {
        for level in -2..=9 {
            cases += 1;
            differ.extend(compare(&bin, name, data, level, 0, false));
        }
    }
    eprintln!("{cases} cases, {} differ", differ.len());
    assert!(differ.is_empty(), "differ from Go:\n{}", differ.join("\n"));
}

#[test]
fn split_writes_match_go() {
    // Go runs a compression step before buffering each write, so where writes split shows in
    // the output; chart archives are written in tar's pieces.
    let Some(bin) = gogzip() else { return };
    let inputs: Vec<(String, Vec<u8>)> = vec![
        ("text 200k".into(), text(200_000, 21)),
        ("random 150k".into(), noise(150_000, 256, 22)),
        ("4 symbols 150k".into(), noise(150_000, 4, 23)),
        ("zeros 200k".into(), vec![0; 200_000]),
    ];
    let mut differ = Vec::new();
    let mut cases = 0;
    for (name, data) in &inputs {
        for level in [-2, 0, 1, 2, 4, 6, 9] {
            for chunk in [7usize, 512, 4096, 32_768, 65_536, 100_000] {
                cases += 1;
                differ.extend(compare(&bin, name, data, level, chunk, false));
            }
        }
    }
    let short = text(3000, 24);
    for level in [-1, 1, 9] {
        cases += 1;
        differ.extend(compare(
            &bin,
            "text 3000 byte by byte",
            &short,
            level,
            1,
            false,
        ));
    }
    eprintln!("{cases} cases, {} differ", differ.len());
    assert!(differ.is_empty(), "differ from Go:\n{}", differ.join("\n"));
}

#[test]
fn helm_header_and_large_inputs_match_go() {
    let Some(bin) = gogzip() else { return };
    // A few MB of mixed content: text, random stretches, runs, repeats far back.
    let mut mixed = Vec::new();
    for i in 0..120u64 {
        match i % 4 {
            0 => mixed.extend(text(60_000, i)),
            1 => mixed.extend(noise(30_000, 256, i)),
            2 => mixed.resize(mixed.len() + 20_000 + i as usize * 97, (i % 251) as u8),
            _ => {
                let back = mixed.len().saturating_sub(50_000);
                let piece = mixed[back..back + 25_000].to_vec();
                mixed.extend(piece);
            }
        }
    }
    let mut differ = Vec::new();
    let mut cases = 0;
    for level in [-1, 1, 9] {
        cases += 1;
        differ.extend(compare(&bin, "mixed", &mixed, level, 0, true));
    }
    for (name, data) in chart_tars(true) {
        for (level, chunk) in [(-1, 512), (-1, 0), (9, 0), (1, 0)] {
            cases += 1;
            differ.extend(compare(&bin, &name, &data, level, chunk, true));
        }
    }
    eprintln!(
        "{cases} cases ({} MB mixed), {} differ",
        mixed.len() >> 20,
        differ.len()
    );
    assert!(differ.is_empty(), "differ from Go:\n{}", differ.join("\n"));
}

#[test]
fn helm_release_record_is_recompressed_to_helms_bytes() {
    // `data.release` of the Secret Helm 4.1.4 stored for `helm install myrel mychart` (a
    // `helm create` chart): base64 of gzip (level 9) of the release JSON. Gzipping that JSON
    // again at level 9 must give Helm's gzip bytes exactly; this needs no Go toolchain.
    use base64::Engine as _;
    use std::io::Read;
    let payload = std::fs::read_to_string(root().join("tests/data/helm_release_record.b64"))
        .expect("read record");
    let gz = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .expect("base64");
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut json)
        .expect("gunzip");
    let ours =
        helm_core::gocompat::flate::gzip_compress(&json, 9, &GzipHeader::default()).expect("gzip");
    assert_eq!(ours.len(), gz.len());
    assert!(
        ours == gz,
        "level-9 gzip differs from Helm's release record"
    );
}
