//! OCI registries: Debian's `docker-registry` (the CNCF distribution registry) started by each
//! test on a free 127.0.0.1 port with its own storage, over plain HTTP; and Helm 4.1.4 pushing
//! and pulling against the same registry when `../shared/tools/helm-oracle` exists.

mod repo_common;
use repo_common::*;

fn stderr_of(home: &Home, args: &[&str]) -> String {
    let o = home.ours(args);
    assert!(
        o.status.success(),
        "helm-rs {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stderr).unwrap()
}

#[test]
fn push_pull_template_and_helm_interop() {
    let home = Home::new();
    let Some(reg) = start_registry(home.path(), None) else {
        return;
    };
    let charts = home.path().join("charts");
    make_chart(&home, "mychart", "0.1.0", &charts);
    make_chart(&home, "mychart", "0.2.0", &charts);
    make_chart(&home, "mychart", "0.3.0-rc.1", &charts);
    let remote = format!("oci://{}/ours", reg.host);
    let mut digests = Vec::new();
    for v in ["0.1.0", "0.2.0", "0.3.0-rc.1"] {
        let archive = charts.join(format!("mychart-{v}.tgz"));
        let out = stderr_of(
            &home,
            &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
        );
        assert!(
            out.starts_with(&format!(
                "Pushed: {}/ours/mychart:{v}\nDigest: sha256:",
                reg.host
            )),
            "{out}"
        );
        digests.push(
            out.lines()
                .nth(1)
                .unwrap()
                .trim_start_matches("Digest: ")
                .to_string(),
        );
    }
    // Without --version: the newest stable version; with a constraint: the newest match.
    let dl = home.path().join("dl");
    let out = stderr_of(
        &home,
        &[
            "pull",
            &format!("{remote}/mychart"),
            "--plain-http",
            "-d",
            dl.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out,
        format!(
            "Pulled: {}/ours/mychart:0.2.0\nDigest: {}\n",
            reg.host, digests[1]
        )
    );
    stderr_of(
        &home,
        &[
            "pull",
            &format!("{remote}/mychart"),
            "--version",
            "~0.1",
            "--plain-http",
            "-d",
            dl.to_str().unwrap(),
        ],
    );
    stderr_of(
        &home,
        &[
            "pull",
            &format!("{remote}/mychart:0.3.0-rc.1"),
            "--plain-http",
            "-d",
            dl.to_str().unwrap(),
        ],
    );
    let by_digest = format!("{remote}/mychart@{}", digests[0]);
    let out = stderr_of(
        &home,
        &[
            "pull",
            &by_digest,
            "--plain-http",
            "-d",
            dl.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out,
        format!(
            "Pulled: {}/ours/mychart@{}\nDigest: {}\n",
            reg.host, digests[0], digests[0]
        )
    );
    for v in ["0.1.0", "0.2.0", "0.3.0-rc.1"] {
        assert_eq!(
            std::fs::read(dl.join(format!("mychart-{v}.tgz"))).unwrap(),
            std::fs::read(charts.join(format!("mychart-{v}.tgz"))).unwrap()
        );
    }
    assert!(dl
        .join(format!("mychart@{}.tgz", digests[0].replace(':', "-")))
        .is_file());
    let e = home.err(&[
        "pull",
        &format!("{remote}/mychart"),
        "--version",
        "9",
        "--plain-http",
        "-d",
        dl.to_str().unwrap(),
    ]);
    assert_eq!(
        e,
        "Error: could not locate a version matching provided version string 9\n"
    );
    let rendered = home.ok(&[
        "template",
        "rel",
        &format!("{remote}/mychart"),
        "--version",
        "0.1.0",
        "--plain-http",
    ]);
    let local = home.ok(&[
        "template",
        "rel",
        charts.join("mychart-0.1.0.tgz").to_str().unwrap(),
    ]);
    assert_eq!(rendered, local);
    home.ok(&[
        "pull",
        &format!("{remote}/mychart"),
        "--plain-http",
        "--untar",
        "--untardir",
        home.path().join("untar").to_str().unwrap(),
    ]);
    assert!(home.path().join("untar/mychart/Chart.yaml").is_file());

    let Some(helm) = oracle() else { return };
    // Helm pulls what we pushed, byte for byte.
    let helm_dl = home.path().join("helm-dl");
    std::fs::create_dir_all(&helm_dl).unwrap();
    let o = home.cmd(
        &helm,
        &[
            "pull",
            &format!("{remote}/mychart"),
            "--version",
            "0.2.0",
            "--plain-http",
            "-d",
            helm_dl.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "Pulled: {}/ours/mychart:0.2.0\nDigest: {}\n",
            reg.host, digests[1]
        )
    );
    assert_eq!(
        std::fs::read(helm_dl.join("mychart-0.2.0.tgz")).unwrap(),
        std::fs::read(charts.join("mychart-0.2.0.tgz")).unwrap()
    );
    let helm_rendered = home.helm_ok(
        &helm,
        &[
            "template",
            "rel",
            &format!("{remote}/mychart"),
            "--version",
            "0.1.0",
            "--plain-http",
        ],
    );
    assert_eq!(helm_rendered, rendered);
    // Helm pushes the same archive: the same manifest digest (same config, layers, annotations).
    let o = home.cmd(
        &helm,
        &[
            "push",
            charts.join("mychart-0.1.0.tgz").to_str().unwrap(),
            &format!("oci://{}/theirs", reg.host),
            "--plain-http",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "Pushed: {}/theirs/mychart:0.1.0\nDigest: {}\n",
            reg.host, digests[0]
        )
    );
    // And we pull what Helm pushed.
    let ours_dl = home.path().join("from-helm");
    stderr_of(
        &home,
        &[
            "pull",
            &format!("oci://{}/theirs/mychart", reg.host),
            "--plain-http",
            "-d",
            ours_dl.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(ours_dl.join("mychart-0.1.0.tgz")).unwrap(),
        std::fs::read(charts.join("mychart-0.1.0.tgz")).unwrap()
    );
}

#[test]
fn registry_login_logout_with_basic_auth() {
    let home = Home::new();
    let Some(reg) = start_registry(home.path(), Some(("bob", "hunter2"))) else {
        return;
    };
    let charts = home.path().join("charts");
    make_chart(&home, "mychart", "1.0.0", &charts);
    let archive = charts.join("mychart-1.0.0.tgz");
    let remote = format!("oci://{}/private", reg.host);
    let e = home.err(&["push", archive.to_str().unwrap(), &remote, "--plain-http"]);
    assert!(e.contains("401"), "{e}");
    let e = home.err(&[
        "registry",
        "login",
        &reg.host,
        "-u",
        "bob",
        "-p",
        "wrong",
        "--plain-http",
    ]);
    assert!(
        e.starts_with(&format!("Error: login attempt to {} failed:", reg.host)),
        "{e}"
    );
    assert_eq!(
        stderr_of(
            &home,
            &[
                "registry",
                "login",
                &reg.host,
                "-u",
                "bob",
                "-p",
                "hunter2",
                "--plain-http"
            ]
        ),
        "Login Succeeded\n"
    );
    stderr_of(
        &home,
        &["push", archive.to_str().unwrap(), &remote, "--plain-http"],
    );
    stderr_of(
        &home,
        &[
            "pull",
            &format!("{remote}/mychart"),
            "--plain-http",
            "-d",
            home.path().join("dl").to_str().unwrap(),
        ],
    );
    if let Some(helm) = oracle() {
        // Helm reads the credentials we stored.
        let dir = home.path().join("helm-dl");
        std::fs::create_dir_all(&dir).unwrap();
        home.helm_ok(
            &helm,
            &[
                "pull",
                &format!("{remote}/mychart"),
                "--plain-http",
                "-d",
                dir.to_str().unwrap(),
            ],
        );
        assert!(dir.join("mychart-1.0.0.tgz").is_file());
    }
    assert_eq!(
        stderr_of(&home, &["registry", "logout", &reg.host]),
        format!("Removing login credentials for {}\n", reg.host)
    );
    let e = home.err(&[
        "pull",
        &format!("{remote}/mychart"),
        "--plain-http",
        "-d",
        home.path().join("dl2").to_str().unwrap(),
    ]);
    assert!(e.contains("401"), "{e}");
}
