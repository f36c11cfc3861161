//! Provenance: `package --sign`, `verify`, `pull --verify`, with a key made by `gpg` in the
//! test (skipped with a printed line when gpg is absent), interoperating with Helm 4.1.4 both
//! ways when `../shared/tools/helm-oracle` exists.

mod repo_common;
use repo_common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh GnuPG home with an RSA signing key "Helm Test <helm@example.com>"; returns
/// (secret keyring, public keyring) exported in GnuPG's binary format.
fn gpg_keyrings(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if Command::new("gpg").arg("--version").output().is_err() {
        println!("skipping provenance tests: gpg is absent");
        return None;
    }
    let gnupg = dir.join("gnupg");
    std::fs::create_dir_all(&gnupg).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let o = Command::new("gpg")
            .env("GNUPGHOME", &gnupg)
            .args(["--batch", "--yes"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "Helm Test <helm@example.com>",
        "rsa2048",
        "sign",
        "never",
    ]);
    let secring = dir.join("secring.gpg");
    let pubring = dir.join("pubring.gpg");
    std::fs::write(&secring, gpg(&["--export-secret-keys"])).unwrap();
    std::fs::write(&pubring, gpg(&["--export"])).unwrap();
    Some((secring, pubring))
}

#[test]
fn sign_verify_and_pull_verify() {
    let home = Home::new();
    let Some((secring, pubring)) = gpg_keyrings(home.path()) else {
        return;
    };
    let (sec, pubr) = (secring.to_str().unwrap(), pubring.to_str().unwrap());
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    assert!(Command::new(env!("CARGO_BIN_EXE_helm-rs"))
        .args(["create", "mychart"])
        .current_dir(&work)
        .output()
        .unwrap()
        .status
        .success());
    let repo_dir = home.path().join("repo");
    std::fs::create_dir_all(&repo_dir).unwrap();
    let chart = work.join("mychart");
    home.ok(&[
        "package",
        chart.to_str().unwrap(),
        "-d",
        repo_dir.to_str().unwrap(),
        "--sign",
        "--key",
        "Helm Test",
        "--keyring",
        sec,
    ]);
    let archive = repo_dir.join("mychart-0.1.0.tgz");
    let prov = std::fs::read_to_string(repo_dir.join("mychart-0.1.0.tgz.prov")).unwrap();
    assert!(
        prov.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\n"),
        "{prov}"
    );
    assert!(
        prov.contains("\nname: mychart\n")
            && prov.contains("\n...\nfiles:\n  mychart-0.1.0.tgz: sha256:"),
        "{prov}"
    );
    let verified = home.ok(&["verify", archive.to_str().unwrap(), "--keyring", pubr]);
    assert!(
        verified
            .starts_with("Signed by: Helm Test <helm@example.com>\nUsing Key With Fingerprint: "),
        "{verified}"
    );
    assert!(
        verified.ends_with(&format!(
            "Chart Hash Verified: sha256:{}\n",
            sha256_hex(&archive)
        )),
        "{verified}"
    );

    // A tampered archive or an unknown key fails.
    let tampered = home.path().join("tampered");
    std::fs::create_dir_all(&tampered).unwrap();
    let t = tampered.join("mychart-0.1.0.tgz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&t, bytes).unwrap();
    std::fs::write(tampered.join("mychart-0.1.0.tgz.prov"), &prov).unwrap();
    let e = home.err(&["verify", t.to_str().unwrap(), "--keyring", pubr]);
    assert!(
        e.contains("sha256 sum does not match for mychart-0.1.0.tgz"),
        "{e}"
    );
    let other = home.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    if let Some((_, other_pub)) = gpg_keyrings(&other) {
        let e = home.err(&[
            "verify",
            archive.to_str().unwrap(),
            "--keyring",
            other_pub.to_str().unwrap(),
        ]);
        assert!(e.contains("signature made by unknown entity"), "{e}");
    }

    // pull --verify from an HTTP repository: the chart and its .prov land only when verified.
    home.ok(&["repo", "index", repo_dir.to_str().unwrap()]);
    let url = serve(&repo_dir, None);
    home.ok(&["repo", "add", "signed", &url]);
    let dl = home.path().join("dl");
    let out = home.ok(&[
        "pull",
        "signed/mychart",
        "--verify",
        "--keyring",
        pubr,
        "-d",
        dl.to_str().unwrap(),
    ]);
    assert_eq!(out, verified);
    assert!(dl.join("mychart-0.1.0.tgz").is_file() && dl.join("mychart-0.1.0.tgz.prov").is_file());

    let Some(helm) = oracle() else { return };
    // Helm verifies what we signed (same report), and we verify what Helm signed.
    assert_eq!(
        home.helm_ok(
            &helm,
            &["verify", archive.to_str().unwrap(), "--keyring", pubr]
        ),
        verified
    );
    let helm_dir = home.path().join("helm-signed");
    std::fs::create_dir_all(&helm_dir).unwrap();
    home.helm_ok(
        &helm,
        &[
            "package",
            chart.to_str().unwrap(),
            "-d",
            helm_dir.to_str().unwrap(),
            "--sign",
            "--key",
            "Helm Test",
            "--keyring",
            sec,
        ],
    );
    let helm_archive = helm_dir.join("mychart-0.1.0.tgz");
    let ours = home.ok(&["verify", helm_archive.to_str().unwrap(), "--keyring", pubr]);
    assert_eq!(
        ours,
        home.helm_ok(
            &helm,
            &["verify", helm_archive.to_str().unwrap(), "--keyring", pubr]
        )
    );
    // The signed text is the same statement (metadata and digest) Helm writes.
    let helm_prov = std::fs::read_to_string(helm_dir.join("mychart-0.1.0.tgz.prov")).unwrap();
    let body = |p: &str| {
        p.split("-----BEGIN PGP SIGNATURE-----")
            .next()
            .unwrap()
            .split("\n\n")
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n\n")
            .trim_end()
            .to_string()
    };
    assert_eq!(
        body(&prov).replace(&sha256_hex(&archive), "X"),
        body(&helm_prov).replace(&sha256_hex(&helm_archive), "X")
    );
    // Helm pulls with --verify from our repository.
    let helm_dl = home.path().join("helm-dl");
    std::fs::create_dir_all(&helm_dl).unwrap();
    home.helm_ok(&helm, &["repo", "add", "signed", &url]);
    let helm_out = home.helm_ok(
        &helm,
        &[
            "pull",
            "signed/mychart",
            "--verify",
            "--keyring",
            pubr,
            "-d",
            helm_dl.to_str().unwrap(),
        ],
    );
    assert_eq!(helm_out, verified);
}

fn sha256_hex(p: &Path) -> String {
    let o = Command::new("sha256sum").arg(p).output().unwrap();
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
