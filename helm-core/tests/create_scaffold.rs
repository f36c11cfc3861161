//! `helm create`: the scaffold must be byte-identical to Helm 4.1.4's. The SHA-256 of each file
//! was taken from `helm create mychart` run with the reference Helm 4.1.4.

mod common;
use common::scratch_dir;
use helm_core::chart::create;
use sha2::{Digest, Sha256};

const HELM_MYCHART_SHA256: &[(&str, &str)] = &[
    (
        ".helmignore",
        "bb987e6a8ef45a99255d1d632812482d5f0f3255ea841520b4d90342df5fe2b3",
    ),
    (
        "Chart.yaml",
        "ee85daa504a8a7e43ddbe072bc9305b63a1609c4cc0b2c7a262d73913e4b3c60",
    ),
    (
        "templates/NOTES.txt",
        "990f50c08eca2cf2f86fc2bc822dbf65c66f1b63ec0dc2a40f8dcb4862004907",
    ),
    (
        "templates/_helpers.tpl",
        "546ee1e34174b8c820eb10bc4bf8336d8d0070f22be927508b77e5e2edb80cc4",
    ),
    (
        "templates/deployment.yaml",
        "525dcf57259cca4ce2d4039cc154165a6a0a0644570825f14bee151cac2d126b",
    ),
    (
        "templates/hpa.yaml",
        "6381a8fe4ce04b1deaf46f7362d4faab64d1769729f9aa47b59b37a404e19bff",
    ),
    (
        "templates/httproute.yaml",
        "74f0074b491eae2ef8dc4dd716ec6470719ca5f7c75f37e21956434d80ac67d2",
    ),
    (
        "templates/ingress.yaml",
        "90a479b012f49d1c45329958eab8cc0e23d2f895ae5f495a05cc49ef247c806e",
    ),
    (
        "templates/service.yaml",
        "648e24640e8f4802c38c6c6d406cb89b27fadc5b6491ed9de0a60bc4659f1336",
    ),
    (
        "templates/serviceaccount.yaml",
        "0710c8f5f98d21dfa54450c2ca7c37d5db460f5d4d52d2951abf4b82dc4607ff",
    ),
    (
        "templates/tests/test-connection.yaml",
        "a5492f475a5e30466e0610d3479e6d86e20664570ac75985d69c6d670728792e",
    ),
    (
        "values.yaml",
        "b66f94c8d0b8fd09b1fff7375b8d8f81e61d8e512ee2d9dfa02ccb6664796551",
    ),
];

#[test]
fn scaffold_is_byte_identical_to_helm() {
    let d = scratch_dir("ident");
    let created = create::create("mychart", &d).expect("create");
    assert!(created.warnings.is_empty());
    assert!(created.dir.join("charts").is_dir());
    for (name, sum) in HELM_MYCHART_SHA256 {
        let data = std::fs::read(created.dir.join(name)).expect(name);
        assert_eq!(hex::encode(Sha256::digest(&data)), *sum, "{name}");
    }
    assert_eq!(create::SCAFFOLD.len(), HELM_MYCHART_SHA256.len());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn second_create_warns_in_helms_order() {
    let d = scratch_dir("warn");
    create::create("c1", &d).expect("create");
    let again = create::create("c1", &d).expect("create again");
    let dir = again.dir.display().to_string();
    // Helm 4.1.4 prints these lines, in this order, when the files exist.
    let expected: Vec<String> = [
        "Chart.yaml",
        "values.yaml",
        ".helmignore",
        "templates/ingress.yaml",
        "templates/httproute.yaml",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/serviceaccount.yaml",
        "templates/hpa.yaml",
        "templates/NOTES.txt",
        "templates/_helpers.tpl",
        "templates/tests/test-connection.yaml",
    ]
    .iter()
    .map(|f| format!("WARNING: File \"{dir}/{f}\" already exists. Overwriting."))
    .collect();
    assert_eq!(again.warnings, expected);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn errors_are_helms() {
    let d = scratch_dir("err");
    assert_eq!(
        create::create("a b", &d).unwrap_err().to_string(),
        "chart name must match the regular expression \"^[a-zA-Z0-9._-]+$\""
    );
    let missing = d.join("nope");
    assert_eq!(
        create::create("x", &missing).unwrap_err().to_string(),
        format!("stat {}: no such file or directory", missing.display())
    );
    std::fs::write(d.join("afile"), "").expect("write");
    assert_eq!(
        create::create("afile", &d).unwrap_err().to_string(),
        format!(
            "file {}/afile already exists and is not a directory",
            d.display()
        )
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn created_chart_loads_and_renders() {
    let d = scratch_dir("render");
    let created = create::create("zz", &d).expect("create");
    let c = helm_core::chart::load(&created.dir).expect("load");
    assert_eq!(c.metadata.name, "zz");
    let out = helm_core::render::template(
        c,
        &helm_core::Value::Map(Default::default()),
        &Default::default(),
    )
    .expect("render");
    // First lines of `helm template zz` from Helm 4.1.4.
    assert!(out.stdout.starts_with("---\n# Source: zz/templates/serviceaccount.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: release-name-zz\n"), "{}", out.stdout);
    let _ = std::fs::remove_dir_all(&d);
}
