//! Whole-chart rendering in-process: load + coalesce + render + sort + print, as `helm template`
//! does, for two of the largest real charts of the conformance corpus (kube-prometheus-stack:
//! many subcharts and CRDs; bitnami milvus: heavy use of Bitnami's `common` helpers) and a
//! median one (bitnami grafana).
//!
//! Templates are parsed once per process and text (`helm_core::template::parse_cache`), so the
//! repeated renders measure what a server or a binding pays for the same chart again;
//! "parse cache cleared" measures a first render.
//!
//! Needs `../shared/conformance/charts`; without it the benchmarks are skipped.

use criterion::{criterion_group, criterion_main, Criterion};
use helm_core::chart;
use helm_core::render::{self, ReleaseOptions, TemplateOptions};
use helm_core::Value;
use std::path::PathBuf;

fn chart_dir(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/charts")
        .join(name);
    p.is_dir().then_some(p)
}

fn opts() -> TemplateOptions {
    TemplateOptions {
        release: ReleaseOptions {
            name: "rel".into(),
            namespace: "corpus-ns".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn bench_chart(c: &mut Criterion, name: &str) {
    let Some(dir) = chart_dir(name) else {
        eprintln!("skipped {name}: ../shared/conformance is absent");
        return;
    };
    let loaded = chart::load(&dir).expect("chart loads");
    let user = Value::empty_map();
    // Sanity: the chart renders (a bench of a failing render would measure the error path).
    render::template(loaded.clone(), &user, &opts()).expect("chart renders");

    let mut g = c.benchmark_group(name);
    g.sample_size(20);
    g.bench_function("load+render", |b| {
        b.iter(|| {
            let c = chart::load(&dir).unwrap();
            render::template(c, &user, &opts()).unwrap().stdout.len()
        })
    });
    // The same without the process's parse-tree cache (`template::parse_cache`): every
    // template parsed again, as in a one-shot process.
    g.bench_function("load+render (parse cache cleared)", |b| {
        b.iter(|| {
            helm_core::template::parse_cache::clear();
            let c = chart::load(&dir).unwrap();
            render::template(c, &user, &opts()).unwrap().stdout.len()
        })
    });
    g.bench_function("render (loaded)", |b| {
        b.iter(|| {
            render::template(loaded.clone(), &user, &opts())
                .unwrap()
                .stdout
                .len()
        })
    });
    g.finish();
}

fn charts(c: &mut Criterion) {
    bench_chart(c, "prometheus-community__kube-prometheus-stack");
    bench_chart(c, "bitnami__milvus");
    // A chart of the corpus's median size, the other chart the Go SDK comparison uses.
    bench_chart(c, "bitnami__grafana");
}

criterion_group!(benches, charts);
criterion_main!(benches);
