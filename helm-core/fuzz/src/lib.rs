//! The fuzz targets of helm-core: one function per parser of untrusted input, each taking the
//! fuzzer's bytes and driving the public API the way the CLI, the renderer or the release
//! server does.
//!
//! Why a plain library: the same functions run under libFuzzer (the binaries in
//! `fuzz_targets/`, built with coverage instrumentation by `../run`) and in the ordinary test
//! `helm-core/tests/fuzz_replay.rs`, which includes this file by path and replays every seed
//! and saved reproducer, so CI checks the corpus without building instrumented code.
//!
//! A target returns normally for any input, accepted or refused; a failure is a panic, a
//! hang, a stack overflow or an allocation over libFuzzer's RSS limit. Inputs that pack
//! several texts (template + values, Chart.yaml + values + schema) separate them with a NUL
//! byte, which none of the formats can contain meaningfully.
//!
//! Only `helm_core`, `std` and three of helm-core's own dependencies (`flate2`, `base64`,
//! `serde_json`) are
//! used here, so the replay test, which may use those, needs no extra dependency.

use helm_core::chart::File;
use helm_core::template::{funcs::FuncTable, Engine, Limits};
use helm_core::values::{json, yaml, Value};

/// Every target by name, as the fuzz binaries and corpus directories are named.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("template", template),
    ("yaml", yaml_reader),
    ("strvals", strvals),
    ("chart_files", chart_files),
    ("chart_archive", chart_archive),
    ("repo_index", repo_index),
    ("oci_manifest", oci_manifest),
    ("release_decode", release_decode),
    ("server_request", server_request),
    ("provenance", provenance),
];

/// Splits `data` at NUL bytes into at most `n` texts (missing ones are empty); invalid UTF-8
/// is replaced, as the loaders do with file contents.
fn parts(data: &[u8], n: usize) -> Vec<String> {
    let mut out: Vec<String> = data
        .splitn(n, |&b| b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    out.resize(n, String::new());
    out
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Functions left out of the template target: they make keys or hash passwords on purpose
/// slowly (an RSA key takes seconds), which says nothing about parsing and would only be
/// reported as timeouts.
const SLOW_FUNCS: &[&str] = &[
    "bcrypt",
    "htpasswd",
    "derivePassword",
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
];

/// Template source (before the first NUL) parsed and executed with Helm's functions, on a
/// small data map whose `.Values` come from the YAML after the NUL (or a fixed map). Limits
/// are small so that `range 100000000` ends quickly with its error.
pub fn template(data: &[u8]) {
    let p = parts(data, 2);
    let mut funcs = FuncTable::helm();
    for f in SLOW_FUNCS {
        funcs.remove(f);
    }
    let mut engine = Engine::new(funcs);
    engine.set_limits(Limits {
        max_steps: 20_000,
        max_output: 1 << 20,
        max_depth: 200,
        max_include_nesting: 50,
        max_tpl_nesting: 20,
    });
    engine
        .parse("_helpers.tpl", r#"{{ define "t" }}[{{ . }}]{{ end }}"#)
        .expect("fixed helper parses");
    if engine.parse("chart/templates/main.yaml", &p[0]).is_err() {
        return;
    }
    let values = match yaml::from_str(&p[1]) {
        Ok(v @ Value::Map(_)) => v,
        _ => yaml::from_str("a: [1, x, {b: c}]\ns: '{{ .Values.a }}'\nn: 3\nt: true\n")
            .expect("fixed values"),
    };
    let root =
        yaml::from_str("Release: {Name: r, Namespace: ns}\nChart: {Name: c, Version: 1.0.0}\n")
            .expect("fixed root");
    if let Some(m) = root.as_map() {
        m.insert("Values", values);
    }
    let _ = engine.execute("chart/templates/main.yaml", &root);
    engine.set_missing_key_error(true);
    let _ = engine.execute("chart/templates/main.yaml", &root);
}

/// YAML as values files, Chart.yaml and manifests are read, and the writer on what was read:
/// what it prints must read back to the same data (known gaps, Helm's too: LS/PS/BOM/NEL inside text).
pub fn yaml_reader(data: &[u8]) {
    let src = text(data);
    let _ = yaml::from_str_all(&src);
    let _ = yaml::from_str_map(&src);
    let _ = yaml::from_str_list(&src);
    let _ = helm_core::values::file::read_values(&src);
    let _ = yaml::reencode_v2(&src, true);
    let Ok(v) = yaml::from_str(&src) else { return };
    let _ = json::to_string(&v);
    let Ok(written) = yaml::to_string(&v) else {
        return;
    };
    // Also when an escape (`"\L"`) put one of them into the data. NEL (U+0085, `"\N"`) is
    // written raw inside a folded single-quoted scalar, where the reader folds it to a space:
    // Helm 4.1.4 writes and reads it so too (`fromYaml (toYaml .)` differs there as well).
    if src.contains(['\u{2028}', '\u{2029}', '\u{feff}'])
        || written.contains(['\u{2028}', '\u{2029}', '\u{feff}'])
        || json::to_string(&v).contains('\u{85}')
    {
        return;
    }
    let back = yaml::from_str(&written)
        .unwrap_or_else(|e| panic!("re-read of {written:?} (from {src:?}): {e}"));
    // An empty map and a null document both read back as an empty map; a negative zero float
    // is written as `0`, as Helm writes it, and reads back as the integer 0.
    let as_json = json::to_string(&v);
    if !(as_json == "null" || written == "null\n" || as_json.contains("-0")) {
        assert_eq!(
            json::to_string(&back),
            json::to_string(&v),
            "{src:?} wrote {written:?}"
        );
    }
}

/// `--set` and its family; the first byte picks the flavour.
pub fn strvals(data: &[u8]) {
    use helm_core::strvals as sv;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let s = text(rest);
    let mut dest = yaml::from_str("a: {b: [1, 2]}\nc: x\n").expect("fixed base");
    let _ = match mode % 6 {
        0 => sv::parse_set(&s, &mut dest),
        1 => sv::parse_set_string(&s, &mut dest),
        2 => sv::parse_set_json(&s, &mut dest),
        3 => sv::parse_set_literal(&s, &mut dest),
        4 => sv::parse_set_file(&s, &mut dest, &mut |path: &str| Ok(Value::str(path))),
        _ => {
            let _ = sv::typed_val(&s);
            Ok(())
        }
    };
    let _ = yaml::to_string(&dest);
}

/// A chart made of Chart.yaml, values.yaml and values.schema.json (NUL-separated): loaded,
/// its dependencies processed, values coalesced and validated against the schema, as the
/// renderer does before any template runs.
pub fn chart_files(data: &[u8]) {
    let p = parts(data, 3);
    let file = |name: &str, text: &str| File {
        name: name.into(),
        data: text.as_bytes().into(),
        modtime: None,
    };
    let mut files = vec![file("Chart.yaml", &p[0]), file("values.yaml", &p[1])];
    if !p[2].is_empty() {
        files.push(file("values.schema.json", &p[2]));
    }
    let Ok(mut chart) = helm_core::chart::loader::load_files(files) else {
        return;
    };
    let _ = chart.metadata.clone().validate();
    let _ = chart.chart_value(true);
    let user = yaml::from_str("a: 1\nb: {c: [x]}\n").expect("fixed user values");
    let Ok(_) = helm_core::chart_values::dependencies::process_dependencies(&mut chart, &user)
    else {
        return;
    };
    let Ok(values) = helm_core::chart_values::coalesce::coalesce_values(&chart, &user) else {
        return;
    };
    let _ = helm_core::chart_values::schema::validate_chart(&chart, &values);
    if let Some(schema) = &chart.schema {
        let _ = helm_core::chart_values::schema::validate_single(&user, schema);
    }
}

/// A chart archive. Input that is not gzip is taken as the tar inside and compressed here
/// first (at the fastest level), so that the fuzzer mutates tar headers and file contents
/// instead of failing gzip checksums.
pub fn chart_archive(data: &[u8]) {
    use std::io::Write;
    let gz;
    let bytes = if helm_core::chart::archive::is_gzip(data) {
        data
    } else {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).expect("in-memory write");
        gz = enc.finish().expect("in-memory gzip");
        &gz[..]
    };
    let Ok(chart) = helm_core::chart::loader::load_archive_bytes(bytes) else {
        return;
    };
    let _ = chart.chart_value(true);
    let _ = chart.check_dependencies();
}

/// Repository `index.yaml` (downloaded from any repository URL) and `repositories.yaml`.
pub fn repo_index(data: &[u8]) {
    use helm_core::repo::{IndexFile, RepoFile};
    if let Ok(mut idx) = IndexFile::load(data, "index.yaml") {
        idx.sort_entries();
        let _ = idx.chart_names_text();
        if let Ok(text) = idx.to_yaml() {
            let _ = IndexFile::load(text.as_bytes(), "written");
        }
    }
    if let Ok(rf) = RepoFile::load(data, "repositories.yaml") {
        let _ = rf.to_yaml();
    }
}

/// An OCI manifest as a registry returns it, plus the other registry texts: references,
/// tags and the credentials file (the first line is the reference / host, the rest the JSON).
pub fn oci_manifest(data: &[u8]) {
    use helm_core::repo::oci;
    let s = text(data);
    let _ = oci::chart_layers(data);
    let (first, rest) = s.split_once('\n').unwrap_or((&s, ""));
    if let Ok(r) = oci::Reference::parse(first) {
        let _ = r.chart_name();
        let _ = r.display_with_tag("1.0.0");
    }
    let tags: Vec<String> = rest.lines().take(64).map(str::to_string).collect();
    let _ = oci::select_tag(&tags, first);
    let _ = oci::version_to_tag(first);
    let _ = oci::credentials::get(rest, first);
    let _ = oci::credentials::set(rest, first, "u", "p");
    let _ = oci::credentials::remove(rest, first);
}

/// A stored release record (base64 of gzipped JSON) as read back from Secrets, ConfigMaps or
/// SQL: written by Helm, but anyone who may edit those objects controls it.
pub fn release_decode(data: &[u8]) {
    use base64::Engine as _;
    let encode = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    // Half the inputs are taken as the record's text, half as the JSON inside it (encoded
    // here), so that the fuzzer reaches the JSON decoder without producing base64 itself.
    if data.first() == Some(&b'{') {
        let _ = helm_core::release::codec::decode(&encode(data));
    } else {
        let _ = helm_core::release::codec::decode(&text(data));
    }
}

/// The release server's request bodies, as far as helm-core parses them: the JSON body, the
/// action's options (every option struct of [`helm_core::release::api`], with their custom
/// duration fields), `values` converted to chart values and `values_yaml` read as a values file
/// and merged, as helm-kube's `ActionRequest::parse` and `user_values` do. (The `chart` field's
/// `ChartSource` is helm-kube's own serde type, not covered here; an uploaded archive goes
/// through the `chart_archive` target's loader.)
pub fn server_request(data: &[u8]) {
    use helm_core::release::api::{
        InstallOptions, ListOptions, RecoverOptions, RollbackOptions, UninstallOptions,
        UpgradeOptions,
    };
    use helm_core::release::record::{core_to_json, json_to_core};
    let Ok(serde_json::Value::Object(mut body)) = serde_json::from_slice::<serde_json::Value>(data)
    else {
        return;
    };
    body.remove("async");
    body.remove("chart");
    let mut values = Value::empty_map();
    if let Some(serde_json::Value::String(y)) = body.remove("values_yaml") {
        match helm_core::chart::loader::load_values(&y) {
            Ok(v) => values = v,
            Err(_) => return,
        }
    }
    if let Some(v @ serde_json::Value::Object(_)) = body.remove("values") {
        let given = json_to_core(&v);
        if let (Some(a), Some(b)) = (values.as_map(), given.as_map()) {
            values = Value::Map(helm_core::values::file::merge_maps(a, b));
        }
        let _ = core_to_json(&values);
    }
    let rest = serde_json::Value::Object(body);
    let _ = serde_json::from_value::<InstallOptions>(rest.clone());
    let _ = serde_json::from_value::<UpgradeOptions>(rest.clone());
    let _ = serde_json::from_value::<RollbackOptions>(rest.clone());
    let _ = serde_json::from_value::<RecoverOptions>(rest.clone());
    let _ = serde_json::from_value::<UninstallOptions>(rest.clone());
    let _ = serde_json::from_value::<ListOptions>(rest);
}

/// A provenance file (`.prov`, before the first NUL) checked against a public keyring (the
/// bytes after it, binary or armored) for an archive `c-0.1.0.tgz` with the digest of the
/// one the seeds were signed for (so that a seed verifies completely), as
/// `helm verify` and `pull --verify` do: the cleartext-signature framing, the OpenPGP packets
/// of keys and signature, and the signed YAML with the archive's sum are all the sender's.
pub fn provenance(data: &[u8]) {
    let (prov, keyring) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let _ = helm_core::repo::provenance::verify_signed(
        "c-0.1.0.tgz",
        "ee914ee33b7a993af8f377ab17be252bfaa4ddd036ec19b0b98b6605da53191a",
        &text(prov),
        keyring,
    );
}
