//! Throughput of our port of Go's gzip compressor (`helm_core::gocompat::flate`) next to
//! flate2 (miniz_oxide) at matching levels, on 20 MB of mixed input: chart-like YAML text,
//! random stretches, runs of one byte and repeats from up to 70 KB back. Go's choices are fixed
//! by the bytes we must reproduce, so this shows what byte-identical archives cost.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use helm_core::gocompat::flate::{gzip_compress, GzipHeader};
use std::io::Write;

/// Deterministic 20 MB of mixed content.
fn mixed(n: usize) -> Vec<u8> {
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const WORDS: &[&str] = &[
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: {{ include \"x.fullname\" . }}",
        "  labels:",
        "    app.kubernetes.io/name: web",
        "spec:",
        "  replicas: 3",
        "  template:",
        "      containers:",
        "      - name: app",
        "        image: nginx:1.27",
        "        ports:",
        "        - containerPort: 8080",
        "{{- if .Values.enabled }}",
        "{{- end }}",
    ];
    let mut out = Vec::with_capacity(n + 100_000);
    while out.len() < n {
        let r = next();
        match r % 10 {
            0..=5 => {
                for _ in 0..(r >> 8) % 400 + 10 {
                    out.extend_from_slice(WORDS[(next() % WORDS.len() as u64) as usize].as_bytes());
                    if next() % 7 == 0 {
                        out.extend_from_slice(format!(" # {}", next() % 100_000).as_bytes());
                    }
                    out.push(b'\n');
                }
            }
            6 | 7 => {
                for _ in 0..(r >> 8) % 20_000 + 100 {
                    out.push(next() as u8);
                }
            }
            8 => out.resize(out.len() + ((r >> 16) % 30_000) as usize, (r >> 8) as u8),
            _ => {
                let back = ((r >> 8) % 70_000) as usize;
                let start = out.len().saturating_sub(back);
                let len = (((r >> 32) % 30_000) as usize).min(out.len() - start);
                let piece = out[start..start + len].to_vec();
                out.extend(piece);
            }
        }
    }
    out.truncate(n);
    out
}

fn flate2_gzip(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
    e.write_all(data).expect("write");
    e.finish().expect("finish")
}

fn bench(c: &mut Criterion) {
    let data = mixed(20_000_000);
    let mut g = c.benchmark_group("gzip 20MB mixed");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    let h = GzipHeader::default();
    for (name, level, theirs) in [
        ("default (6)", -1, flate2::Compression::default()),
        ("best (9)", 9, flate2::Compression::best()),
        ("fast (1)", 1, flate2::Compression::fast()),
    ] {
        eprintln!(
            "{name}: go-port {} bytes, flate2 {} bytes",
            gzip_compress(&data, level, &h).expect("gzip").len(),
            flate2_gzip(&data, theirs).len()
        );
        g.bench_function(format!("go-port {name}"), |b| {
            b.iter(|| gzip_compress(&data, level, &h).expect("gzip"))
        });
        g.bench_function(format!("flate2 {name}"), |b| {
            b.iter(|| flate2_gzip(&data, theirs))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
