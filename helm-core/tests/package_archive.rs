//! `helm package`: our `.tgz` is byte-identical to Helm 4.1.4's for the same files and mtimes
//! (the tar inside, and the gzip stream around it from our port of Go's compressor), the archive
//! is deterministic, and it loads back. The expected SHA-256s and Chart.yaml text come from
//! `helm package mychart -d out --version 1.2.3-rc.1 --app-version 2.0` run with the reference
//! Helm 4.1.4 on `helm create mychart` with every mtime set to @1600000000.

mod common;
use common::{scratch_dir, write_files};
use helm_core::chart::{self, create, package};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

fn set_mtimes(dir: &Path, secs: u64) {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            set_mtimes(&p, secs);
        } else {
            std::fs::File::options()
                .write(true)
                .open(&p)
                .and_then(|f| f.set_modified(t))
                .expect("set mtime");
        }
    }
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

fn scaffold(tag: &str) -> (PathBuf, PathBuf) {
    let d = scratch_dir(tag);
    let created = create::create("mychart", &d).expect("create");
    set_mtimes(&created.dir, 1_600_000_000);
    (d, created.dir)
}

#[test]
fn tgz_matches_helm_and_is_deterministic() {
    let (d, chart_dir) = scaffold("helm");
    let opts = package::PackageOptions {
        version: Some("1.2.3-rc.1".into()),
        app_version: Some("2.0".into()),
        destination: d.join("out"),
    };
    let written = package::package_dir(&chart_dir, &opts).expect("package");
    assert_eq!(written, d.join("out/mychart-1.2.3-rc.1.tgz"));
    let tar = gunzip(&written);
    assert_eq!(
        hex::encode(Sha256::digest(&tar)),
        "636f0159596696d7f83a13118ec809f2064645b64e601cb7a0c457aaf8c552b9"
    );
    let first = std::fs::read(&written).expect("read");
    assert_eq!(
        hex::encode(Sha256::digest(&first)),
        "b03627fb696c5afe91c5bf68b3c6b89278e7e4c27af4709c7103b5554ba6c578",
        "the .tgz differs from Helm's"
    );
    // Helm's gzip header: no mtime, OS 255, its extra field and the comment "Helm".
    assert!(first.starts_with(b"\x1f\x8b\x08\x14\x00\x00\x00\x00\x00\xff\x29\x00+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=Helm\x00"));
    let again = package::package_dir(&chart_dir, &opts).expect("package again");
    assert_eq!(std::fs::read(again).expect("read"), first);

    let loaded = chart::load(&written).expect("load back");
    assert_eq!(loaded.metadata.version, "1.2.3-rc.1");
    assert_eq!(loaded.metadata.app_version, "2.0");
    assert_eq!(loaded.templates.len(), 9);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn chart_yaml_is_reserialized_like_helm() {
    let (d, chart_dir) = scaffold("yaml");
    let c = chart::load(&chart_dir).expect("load");
    let mut md = c.metadata.clone();
    md.version = "1.2.3-rc.1".into();
    md.app_version = "2.0".into();
    assert_eq!(
        String::from_utf8(package::chart_yaml(&md).expect("yaml")).expect("utf8"),
        "apiVersion: v2\nappVersion: \"2.0\"\ndescription: A Helm chart for Kubernetes\nname: mychart\ntype: application\nversion: 1.2.3-rc.1\n"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_version_refused_like_helm() {
    let (d, chart_dir) = scaffold("badver");
    let opts = package::PackageOptions {
        version: Some("notsemver".into()),
        app_version: None,
        destination: d.clone(),
    };
    assert_eq!(
        package::package_dir(&chart_dir, &opts)
            .unwrap_err()
            .to_string(),
        "invalid semantic version"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn helm_made_archive_layout_loads() {
    // Entries named as Helm writes them (top directory = chart name) load with our loader.
    let entries = vec![
        package::Entry {
            name: "c/Chart.yaml".into(),
            data: b"apiVersion: v2\nname: c\nversion: 0.1.0\n".to_vec(),
            mtime: 1,
        },
        package::Entry {
            name: "c/values.yaml".into(),
            data: b"a: 1\n".to_vec(),
            mtime: 1,
        },
        package::Entry {
            name: "c/templates/x.yaml".into(),
            data: b"k: {{ .Values.a }}\n".to_vec(),
            mtime: 1,
        },
    ];
    let bytes = package::tgz(&entries).expect("tgz");
    let c = chart::load_archive_bytes(&bytes).expect("load");
    assert_eq!(c.metadata.name, "c");
    assert_eq!(c.templates.len(), 1);
}

#[test]
fn archived_subchart_is_repacked_as_a_directory_like_helm() {
    // Helm 4.1.4: `inner` (mtimes @1500000000) packaged into par/charts, `par` (mtimes
    // @1600000000) packaged; par-0.1.0.tgz and the tar inside have these SHA-256s. The subchart's
    // entries keep the inner archive's mtimes.
    let d = scratch_dir("sub");
    write_files(
        &d.join("inner"),
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: inner\nversion: 0.2.0\n",
            ),
            ("templates/b.yaml", "b: {{ .Values.v }}\n"),
            ("values.yaml", "v: 2\n"),
        ],
    );
    set_mtimes(&d.join("inner"), 1_500_000_000);
    let opts = package::PackageOptions {
        destination: d.join("par/charts"),
        ..Default::default()
    };
    package::package_dir(&d.join("inner"), &opts).expect("package inner");
    write_files(
        &d.join("par"),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: par\nversion: 0.1.0\ndependencies:\n  - name: inner\n    version: 0.2.0\n"),
            ("templates/a.yaml", "a: 1\n"),
        ],
    );
    set_mtimes(&d.join("par"), 1_600_000_000);
    let opts = package::PackageOptions {
        destination: d.join("out"),
        ..Default::default()
    };
    let written = package::package_dir(&d.join("par"), &opts).expect("package par");
    assert_eq!(
        hex::encode(Sha256::digest(gunzip(&written))),
        "abcf9b50f3bd6d1ccd7d540a54cb905d795ebffcb591c037969f432663391222"
    );
    assert_eq!(
        hex::encode(Sha256::digest(std::fs::read(&written).expect("read"))),
        "e62a4b3cd62f9d065c19702cd5aee8e15739ed7b66d5d82f531d59661d7ca200"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn chart_lock_carries_its_generated_time_like_helm() {
    // Helm 4.1.4 on this chart (every file @1600000000): the Chart.lock entry is dated by the
    // lock's `generated` (05:06:07.6+01:00 rounds to 04:06:08Z), not by the file; the whole
    // withlock-0.1.0.tgz has this SHA-256.
    let d = scratch_dir("lock");
    let chart_dir = d.join("withlock");
    write_files(
        &chart_dir,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: withlock\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    repository: file://../sub\n",
            ),
            (
                "Chart.lock",
                "dependencies:\n- name: sub\n  repository: file://../sub\n  version: 0.1.0\ndigest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\ngenerated: \"2021-03-04T05:06:07.6+01:00\"\n",
            ),
            ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
            ("templates/a.yaml", "a: {{ .Values.a }}\n"),
        ],
    );
    set_mtimes(&chart_dir, 1_600_000_000);
    let opts = package::PackageOptions {
        destination: d.join("out"),
        ..Default::default()
    };
    let written = package::package_dir(&chart_dir, &opts).expect("package");
    let tar = gunzip(&written);
    let mut archive = tar::Archive::new(&tar[..]);
    let times: Vec<(String, u64)> = archive
        .entries()
        .expect("entries")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.path().expect("path").display().to_string(),
                e.header().mtime().expect("mtime"),
            )
        })
        .collect();
    assert_eq!(
        times,
        [
            ("withlock/Chart.yaml".to_string(), 1_600_000_000),
            ("withlock/Chart.lock".to_string(), 1_614_830_768),
            ("withlock/templates/a.yaml".to_string(), 1_600_000_000),
            ("withlock/charts/sub/Chart.yaml".to_string(), 1_600_000_000),
        ]
    );
    assert_eq!(
        hex::encode(Sha256::digest(std::fs::read(&written).expect("read"))),
        "f2f8ca9bf913ef92073660a0a2ef1a71f5a47108479374cd8eea478e20174e00"
    );
    let _ = std::fs::remove_dir_all(&d);
}
