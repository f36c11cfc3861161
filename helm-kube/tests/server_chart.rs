//! examples/charts/helm-rs-server (the server's own chart) renders exactly as Helm 4.1.4
//! renders it, with and without TLS, with one replica and with three (a disruption budget,
//! spread replicas), and its ServiceAccount is bound to nothing.

mod common;

use std::process::Command;

fn ours(args: &[&str]) -> String {
    let chart = helm_core::chart::load(&common::root().join("examples/charts/helm-rs-server"))
        .expect("load");
    let mut values = helm_core::Value::empty_map();
    for a in args {
        helm_core::strvals::parse_set(a, &mut values).expect("set");
    }
    let opts = helm_core::render::TemplateOptions {
        release: helm_core::render::ReleaseOptions {
            name: "srv".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            is_install: true,
        },
        ..Default::default()
    };
    helm_core::render::template(chart, &values, &opts)
        .expect("render")
        .stdout
}

#[test]
fn server_chart_renders_as_helm() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    for sets in [vec![], vec!["server.tlsSecret=tls"], vec!["replicaCount=3"]] {
        let mut cmd = Command::new(&oracle);
        cmd.args(["template", "srv"])
            .arg(common::root().join("examples/charts/helm-rs-server"));
        for s in &sets {
            cmd.args(["--set", s]);
        }
        let out = cmd.output().expect("helm-oracle");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let helm = String::from_utf8_lossy(&out.stdout).to_string();
        let rendered = ours(&sets);
        assert_eq!(rendered, helm, "with {sets:?}");
        assert!(
            !rendered.contains("kind: Role") && !rendered.contains("kind: ClusterRole"),
            "no rights for the server's account"
        );
        // Scaled out: a disruption budget, replicas spread, each naming itself.
        let scaled = sets.contains(&"replicaCount=3");
        assert_eq!(rendered.contains("kind: PodDisruptionBudget"), scaled);
        assert_eq!(rendered.contains("podAntiAffinity"), scaled);
        assert!(rendered.contains("--replica-name=$(POD_NAME)"));
    }
}
