//! `helm-rs dependency list|update|build` with an HTTP repository on 127.0.0.1 and a
//! `file://` dependency; Helm 4.1.4 builds from the Chart.lock we write and we build from its.

mod repo_common;
use repo_common::*;
use std::path::Path;

fn parent_chart(home: &Home, url: &str) -> std::path::PathBuf {
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    for name in ["parent", "localsub"] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_helm-rs"))
            .args(["create", name])
            .current_dir(&work)
            .output()
            .unwrap();
        assert!(o.status.success());
    }
    let cy = work.join("parent/Chart.yaml");
    let mut text = std::fs::read_to_string(&cy).unwrap();
    text.push_str(&format!(
        "dependencies:\n- name: mychart\n  version: \"~0.1.0\"\n  repository: {url}\n- name: localsub\n  version: \">=0.0.1\"\n  repository: file://../localsub\n  condition: localsub.enabled\n"
    ));
    std::fs::write(&cy, text).unwrap();
    work.join("parent")
}

fn lock_without_time(p: &Path) -> String {
    std::fs::read_to_string(p.join("Chart.lock"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("generated:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dependency_update_build_list() {
    let home = Home::new();
    let repo_dir = indexed_repo(&home, &["0.1.0", "0.1.5", "0.2.0"]);
    let url = serve(&repo_dir, None);
    let parent = parent_chart(&home, &url);
    let p = parent.to_str().unwrap();

    // A repository named by URL only is used as an "unmanaged" repository (Helm 4's output).
    assert_eq!(
        home.ok(&["dependency", "update", p]),
        format!("Getting updates for unmanaged Helm repositories...\n...Successfully got an update from the \"{url}\" chart repository\nSaving 2 charts\nDownloading mychart from repo {url}\nDeleting outdated charts\n")
    );
    std::fs::remove_file(parent.join("Chart.lock")).unwrap();
    std::fs::remove_dir_all(parent.join("charts")).unwrap();
    home.ok(&["repo", "add", "myrepo", &url]);
    assert_eq!(
        home.ok(&["dependency", "list", p]),
        format!("NAME    \tVERSION\tREPOSITORY{pad}\tSTATUS \nmychart \t~0.1.0 \t{url}\tmissing\nlocalsub\t>=0.0.1\tfile://../localsub{pad2}\tmissing\n\n",
            pad = " ".repeat(url.len() - 10), pad2 = " ".repeat(url.len() - 18))
    );
    assert_eq!(
        home.ok(&["dependency", "update", p]),
        format!("Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the \"myrepo\" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\nSaving 2 charts\nDownloading mychart from repo {url}\nDeleting outdated charts\n")
    );
    assert!(
        parent.join("charts/mychart-0.1.5.tgz").is_file()
            && parent.join("charts/localsub-0.1.0.tgz").is_file()
    );
    let lock = std::fs::read_to_string(parent.join("Chart.lock")).unwrap();
    assert!(lock.starts_with(&format!("dependencies:\n- name: mychart\n  repository: {url}\n  version: 0.1.5\n- name: localsub\n  repository: file://../localsub\n  version: 0.1.0\ndigest: sha256:")), "{lock}");
    let listed = home.ok(&["dependency", "list", p]);
    assert!(
        listed.contains("\tok") && !listed.contains("missing"),
        "{listed}"
    );
    // An unchanged update keeps the lock file (Helm does not rewrite it).
    home.ok(&["dependency", "update", p, "--skip-refresh"]);
    assert_eq!(
        std::fs::read_to_string(parent.join("Chart.lock")).unwrap(),
        lock
    );
    // build: exactly the locked versions, even with a newer match in the repository.
    make_chart(&home, "mychart", "0.1.9", &repo_dir);
    home.ok(&["repo", "index", repo_dir.to_str().unwrap()]);
    std::fs::remove_dir_all(parent.join("charts")).unwrap();
    home.ok(&["dependency", "build", p]);
    assert!(parent.join("charts/mychart-0.1.5.tgz").is_file());
    // The rendered parent includes the subcharts.
    assert!(home
        .ok(&["template", "rel", p])
        .contains("# Source: parent/charts/mychart/templates/service.yaml"));
    // A lock out of sync with Chart.yaml is refused.
    let cy = parent.join("Chart.yaml");
    std::fs::write(
        &cy,
        std::fs::read_to_string(&cy)
            .unwrap()
            .replace("~0.1.0", "~0.1.x"),
    )
    .unwrap();
    assert_eq!(
        home.err(&["dependency", "build", p]),
        "Error: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies\n"
    );
    home.ok(&["dependency", "update", p]);
    assert!(
        parent.join("charts/mychart-0.1.9.tgz").is_file()
            && !parent.join("charts/mychart-0.1.5.tgz").exists()
    );

    let Some(helm) = oracle() else { return };
    // Helm agrees on the lock (digest included) and builds from ours; we build from Helm's.
    let ours = lock_without_time(&parent);
    std::fs::remove_file(parent.join("Chart.lock")).unwrap();
    home.helm_ok(&helm, &["repo", "add", "myrepo", &url]);
    home.helm_ok(&helm, &["dependency", "update", p]);
    assert_eq!(lock_without_time(&parent), ours);
    std::fs::remove_dir_all(parent.join("charts")).unwrap();
    home.ok(&["dependency", "build", p]);
    home.helm_ok(&helm, &["dependency", "build", p]);
    assert_eq!(
        home.ok(&["dependency", "list", p]),
        home.helm_ok(&helm, &["dependency", "list", p])
    );
}

/// A dependency without `repository:` is taken from `charts/NAME` as it is (Helm's resolver:
/// kube-prometheus-stack's `crds` subchart is declared so); Chart.lock records it with an
/// empty repository. Texts and the lock's digest are what Helm 4.1.4 printed and wrote for
/// this chart; a missing directory is Helm's error.
#[test]
fn dependency_without_repository_is_in_charts() {
    let home = Home::new();
    let write = |dir: &str, with_sub: bool| {
        let d = home.path().join(dir);
        std::fs::create_dir_all(d.join("charts")).unwrap();
        std::fs::write(d.join("Chart.yaml"), "apiVersion: v2\nname: dp\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.2.0\n").unwrap();
        if with_sub {
            std::fs::create_dir_all(d.join("charts/sub/templates")).unwrap();
            std::fs::write(
                d.join("charts/sub/Chart.yaml"),
                "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
            )
            .unwrap();
        }
    };
    let said = "Saving 1 charts\nDependency sub did not declare a repository. Assuming it exists in the charts directory\nDeleting outdated charts\n";
    for cmd in ["update", "build"] {
        let dir = format!("dp-{cmd}");
        write(&dir, true);
        assert_eq!(home.ok(&["dependency", cmd, &dir]), said, "{cmd}");
        assert_eq!(
            lock_without_time(&home.path().join(&dir)),
            "dependencies:\n- name: sub\n  repository: \"\"\n  version: 0.2.0\ndigest: sha256:d47f0cc2ebe51d172b91b8f88004b9088c111c665c2aaadcd21efa08fc640350"
        );
        assert!(
            home.path()
                .join(&dir)
                .join("charts/sub/Chart.yaml")
                .is_file(),
            "the subchart stays"
        );
        // Building again from the lock just written.
        assert_eq!(home.ok(&["dependency", "build", &dir]), said);
        let missing = format!("dp-{cmd}-missing");
        write(&missing, false);
        assert_eq!(
            home.err(&["dependency", cmd, &missing]),
            format!("Error: directory {missing}/charts/sub not found\n")
        );
    }
}
