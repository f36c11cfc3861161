//! Round trips of small inputs through kyaml's reader and writer. Every expected string was
//! produced by Helm 4.1.4's own code path (kyaml v0.21.1 over go.yaml.in/yaml/v3 v3.0.4, the
//! versions Helm 4.1.4 builds with) and checked against `helm-oracle` with a tee post-renderer.

use super::*;

fn merge(src: &str) -> String {
    let mut docs = parse_all(src).unwrap();
    for d in &mut docs {
        set_annotation(d, "postrenderer.helm.sh/postrender-filename", "c/templates/a.yaml").unwrap();
    }
    string_all(&docs).unwrap()
}

#[test]
fn smoke() {
    assert_eq!(
        merge("a: 1\n# c\nb: [1, 2]\n"),
        "a: 1\n# c\nb: [1, 2]\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/a.yaml'\n"
    );
}
