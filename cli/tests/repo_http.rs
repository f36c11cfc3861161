//! Chart repositories over real HTTP: a static file server on 127.0.0.1 started by each test
//! (plain, basic auth, and TLS through python3's ssl server), the `helm-rs` binary with
//! isolated HELM_REPOSITORY_CONFIG / HELM_REPOSITORY_CACHE, and — when
//! `../shared/tools/helm-oracle` exists — Helm 4.1.4 on the same repositories both ways.

mod repo_common;
use repo_common::*;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::Command;

/// The index with `created`/`generated` times blanked, for comparing two writers.
fn without_times(s: &str) -> String {
    s.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("created: ") || t.starts_with("generated: ") {
                format!(
                    "{}{}",
                    &l[..l.len() - t.len()],
                    t.split(':').next().unwrap()
                )
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn seed_walk_create_package_index_serve_add_update_search_template() {
    let home = Home::new();
    let repo_dir = indexed_repo(&home, &["0.1.0"]);
    let url = serve(&repo_dir, None);
    assert_eq!(
        home.ok(&["repo", "add", "myrepo", &url]),
        "\"myrepo\" has been added to your repositories\n"
    );
    assert_eq!(
        home.ok(&["repo", "update"]),
        "Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the \"myrepo\" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\n"
    );
    assert_eq!(
        home.ok(&["search", "repo", "mychart"]),
        "NAME          \tCHART VERSION\tAPP VERSION\tDESCRIPTION                \nmyrepo/mychart\t0.1.0        \t1.16.0     \tA Helm chart for Kubernetes\n"
    );
    let from_repo = home.ok(&["template", "rel", "myrepo/mychart"]);
    let from_dir = home.ok(&[
        "template",
        "rel",
        home.path().join("src/mychart").to_str().unwrap(),
    ]);
    assert_eq!(from_repo, from_dir);
    assert!(from_repo.contains("name: rel-mychart"));
    // The repositories file and cache are where the environment says, in Helm's format.
    let rf = std::fs::read_to_string(home.path().join("home/repositories.yaml")).unwrap();
    assert!(rf.contains(&format!("  url: {url}\n")), "{rf}");
    assert_eq!(
        std::fs::read_to_string(home.path().join("home/cache/myrepo-charts.txt")).unwrap(),
        "mychart\n"
    );
}

#[test]
fn repo_commands_and_pull() {
    let home = Home::new();
    let repo_dir = home.path().join("repo");
    make_chart(&home, "mychart", "0.1.0", &repo_dir);
    make_chart(&home, "mychart", "0.2.0-beta.1", &repo_dir);
    make_chart(&home, "other", "1.2.3", &repo_dir.join("sub"));
    home.ok(&["repo", "index", repo_dir.to_str().unwrap()]);
    let url = serve(&repo_dir, None);
    home.ok(&["repo", "add", "myrepo", &url]);
    assert_eq!(
        home.ok(&["repo", "add", "myrepo", &url]),
        "\"myrepo\" already exists with the same configuration, skipping\n"
    );
    assert_eq!(
        home.err(&["repo", "add", "myrepo", &format!("{url}/x")]),
        "Error: repository name (myrepo) already exists, please specify a different name\n"
    );
    assert_eq!(
        home.err(&["repo", "add", "bad", &format!("{url}/nothere")]),
        format!("Error: looks like \"{url}/nothere\" is not a valid chart repository or cannot be reached: failed to fetch {url}/nothere/index.yaml : 404 Not Found\n")
    );
    assert_eq!(
        home.ok(&["repo", "list"]),
        format!("NAME  \tURL{}\nmyrepo\t{url}\n", " ".repeat(url.len() - 3))
    );
    assert_eq!(
        home.ok(&["repo", "list", "-o", "json"]),
        format!("[{{\"name\":\"myrepo\",\"url\":\"{url}\"}}]\n")
    );
    let all = home.ok(&["search", "repo", "--devel", "--versions"]);
    assert!(
        all.contains("myrepo/mychart\t0.2.0-beta.1") && all.contains("myrepo/other  \t1.2.3"),
        "{all}"
    );
    assert_eq!(
        home.ok(&["search", "repo", "other", "-o", "yaml"]),
        "- app_version: 1.16.0\n  description: A Helm chart for Kubernetes\n  name: myrepo/other\n  version: 1.2.3\n"
    );
    assert_eq!(
        home.ok(&["search", "repo", "nothing"]),
        "No results found\n"
    );
    // --fail-on-no-result (what Helm 4.1.4 prints, in every output format).
    for o in ["table", "json", "yaml"] {
        assert_eq!(
            home.err(&["search", "repo", "nothing", "-o", o, "--fail-on-no-result"]),
            "Error: no results found\n"
        );
    }
    assert!(home
        .ok(&["search", "repo", "mychart", "--fail-on-no-result"])
        .starts_with("NAME"));
    assert_eq!(
        home.err(&["search", "repo", "--regexp", "["])
            .lines()
            .next()
            .unwrap(),
        "Error: error parsing regexp: unclosed character class: `[`"
    );

    // pull: the newest stable version by default, a pre-release when asked, one level down too.
    let dest = home.path().join("dl");
    home.ok(&["pull", "myrepo/mychart", "-d", dest.to_str().unwrap()]);
    home.ok(&[
        "pull",
        "myrepo/mychart",
        "--devel",
        "-d",
        dest.to_str().unwrap(),
    ]);
    home.ok(&[
        "pull",
        "myrepo/other",
        "--version",
        "^1",
        "-d",
        dest.to_str().unwrap(),
    ]);
    for f in [
        "mychart-0.1.0.tgz",
        "mychart-0.2.0-beta.1.tgz",
        "other-1.2.3.tgz",
    ] {
        assert_eq!(
            std::fs::read(dest.join(f)).unwrap(),
            std::fs::read(repo_dir.join(if f.starts_with("other") {
                format!("sub/{f}")
            } else {
                f.to_string()
            }))
            .unwrap()
        );
    }
    home.ok(&[
        "pull",
        "myrepo/mychart",
        "--untar",
        "--untardir",
        dest.to_str().unwrap(),
    ]);
    assert!(
        dest.join("mychart/Chart.yaml").is_file() && dest.join("mychart/.helmignore").is_file()
    );
    assert_eq!(
        home.err(&[
            "pull",
            "myrepo/mychart",
            "--untar",
            "--untardir",
            dest.to_str().unwrap()
        ]),
        format!(
            "Error: failed to untar: a file or directory with the name {}/mychart already exists\n",
            dest.display()
        )
    );
    assert_eq!(
        home.err(&["pull", "nosuch/mychart"]),
        "Error: repo nosuch not found\n"
    );
    assert_eq!(
        home.err(&["pull", "myrepo/nochart"]),
        "Error: chart \"nochart\" matching  not found in myrepo index. (try 'helm repo update'): no chart name found\n"
    );
    assert_eq!(
        home.err(&["pull", "mychart", "--repo", &url, "--version", "9"]),
        format!("Error: chart \"mychart\" version \"9\" not found in {url} repository\n")
    );
    home.ok(&[
        "pull",
        "mychart",
        "--repo",
        &url,
        "-d",
        home.path().join("dl2").to_str().unwrap(),
    ]);
    assert!(home.path().join("dl2/mychart-0.1.0.tgz").is_file());
    home.ok(&[
        "pull",
        &format!("{url}/sub/other-1.2.3.tgz"),
        "-d",
        home.path().join("dl3").to_str().unwrap(),
    ]);
    assert!(home.path().join("dl3/other-1.2.3.tgz").is_file());

    // A digest in the index that does not match the archive: refused, nothing left behind.
    let index = std::fs::read_to_string(repo_dir.join("index.yaml")).unwrap();
    let digest = index
        .lines()
        .find(|l| l.trim_start().starts_with("digest:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    std::fs::write(
        repo_dir.join("index.yaml"),
        index.replace(&digest, &"0".repeat(64)),
    )
    .unwrap();
    home.ok(&["repo", "update", "myrepo"]);
    let bad = home.path().join("bad");
    let e = home.err(&[
        "pull",
        "myrepo/mychart",
        "--devel",
        "-d",
        bad.to_str().unwrap(),
    ]);
    assert!(e.contains("digest mismatch"), "{e}");
    assert!(
        std::fs::read_dir(&bad)
            .map(|d| d.count() == 0)
            .unwrap_or(true),
        "a failed pull left files behind"
    );

    // An index without apiVersion: Helm 4.1.4's message; the repository is not added.
    let bad_dir = home.path().join("badrepo");
    std::fs::create_dir_all(&bad_dir).unwrap();
    std::fs::write(bad_dir.join("index.yaml"), "entries: {}\n").unwrap();
    let bad_url = serve(&bad_dir, None);
    assert_eq!(
        home.err(&["repo", "add", "bad", &bad_url]),
        format!("Error: looks like \"{bad_url}\" is not a valid chart repository or cannot be reached: no API version specified\n")
    );
    std::fs::write(bad_dir.join("index.yaml"), "apiVersion: v1\nentries: [\n").unwrap();
    assert!(home
        .err(&["repo", "add", "bad", &bad_url])
        .contains("is not a valid chart repository"));
    assert!(!home.ok(&["repo", "list"]).contains("bad"));

    assert_eq!(
        home.ok(&["repo", "remove", "myrepo"]),
        "\"myrepo\" has been removed from your repositories\n"
    );
    assert!(!home.path().join("home/cache/myrepo-index.yaml").exists());
    // Helm 4.1.4: an empty list is a note on stderr and success; -o json|yaml print `[]`.
    let o = home.ours(&["repo", "list"]);
    assert!(o.status.success());
    assert_eq!(
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned()
        ),
        (String::new(), "no repositories to show\n".to_string())
    );
    assert_eq!(home.ok(&["repo", "list", "-o", "json"]), "[]\n");
    assert_eq!(home.ok(&["repo", "list", "-o", "yaml"]), "[]\n");
    assert_eq!(
        home.err(&["repo", "remove", "myrepo"]),
        "Error: no repositories configured\n"
    );
}

#[test]
fn basic_auth_repository() {
    let home = Home::new();
    let repo_dir = indexed_repo(&home, &["0.1.0"]);
    let url = serve(&repo_dir, Some(("alice", "s3cret")));
    let e = home.err(&["repo", "add", "private", &url]);
    assert!(e.contains("401 Unauthorized"), "{e}");
    home.err(&[
        "repo",
        "add",
        "private",
        &url,
        "--username",
        "alice",
        "--password",
        "wrong",
    ]);
    home.ok(&[
        "repo",
        "add",
        "private",
        &url,
        "--username",
        "alice",
        "--password",
        "s3cret",
    ]);
    let rf = std::fs::read_to_string(home.path().join("home/repositories.yaml")).unwrap();
    assert!(
        rf.contains("  password: s3cret\n") && rf.contains("  username: alice\n"),
        "{rf}"
    );
    home.ok(&["repo", "update"]);
    home.ok(&[
        "pull",
        "private/mychart",
        "-d",
        home.path().join("dl").to_str().unwrap(),
    ]);
    assert!(home.path().join("dl/mychart-0.1.0.tgz").is_file());
    assert!(home
        .ok(&["template", "private/mychart"])
        .contains("release-name-mychart"));
    if let Some(helm) = oracle() {
        let helm_home = Home::new();
        helm_home.helm_ok(
            &helm,
            &[
                "repo",
                "add",
                "private",
                &url,
                "--username",
                "alice",
                "--password",
                "s3cret",
            ],
        );
        // Helm reads the repositories file we wrote, and we read Helm's.
        let ours = std::fs::read_to_string(home.path().join("home/repositories.yaml")).unwrap();
        let helms =
            std::fs::read_to_string(helm_home.path().join("home/repositories.yaml")).unwrap();
        assert_eq!(ours, helms);
    }
}

#[test]
fn tls_repository_with_ca_file_and_insecure() {
    if Command::new("python3").arg("--version").output().is_err() {
        println!("skipping TLS repository test: python3 is absent");
        return;
    }
    let home = Home::new();
    let repo_dir = indexed_repo(&home, &["0.1.0"]);
    let ca =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let cert = home.path().join("cert.pem");
    let key = home.path().join("key.pem");
    std::fs::write(&cert, ca.cert.pem()).unwrap();
    std::fs::write(&key, ca.key_pair.serialize_pem()).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = format!(
        "import http.server, ssl, functools\n\
         h = functools.partial(http.server.SimpleHTTPRequestHandler, directory={dir:?})\n\
         s = http.server.ThreadingHTTPServer(('127.0.0.1', {port}), h)\n\
         c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain({cert:?}, {key:?})\n\
         s.socket = c.wrap_socket(s.socket, server_side=True)\n\
         print('ready', flush=True)\n\
         s.serve_forever()\n",
        dir = repo_dir.to_str().unwrap(),
        cert = cert.to_str().unwrap(),
        key = key.to_str().unwrap()
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    let url = format!("https://127.0.0.1:{port}");
    let result = std::panic::catch_unwind(|| {
        let e = home.err(&["repo", "add", "tls", &url]);
        assert!(e.contains("not a valid chart repository"), "{e}");
        home.ok(&[
            "repo",
            "add",
            "tls",
            &url,
            "--ca-file",
            cert.to_str().unwrap(),
        ]);
        home.ok(&[
            "repo",
            "add",
            "insecure",
            &url,
            "--insecure-skip-tls-verify",
        ]);
        home.ok(&[
            "pull",
            "tls/mychart",
            "-d",
            home.path().join("dl").to_str().unwrap(),
        ]);
        assert!(home.path().join("dl/mychart-0.1.0.tgz").is_file());
        let rf = std::fs::read_to_string(home.path().join("home/repositories.yaml")).unwrap();
        assert!(rf.contains("  insecure_skip_tls_verify: true\n"), "{rf}");
        assert!(
            rf.contains(&format!("- caFile: {}\n", cert.display())),
            "{rf}"
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn helm_uses_our_repository_and_we_use_helms() {
    let Some(helm) = oracle() else { return };
    // Helm adds the repository we indexed, searches and templates from it.
    let home = Home::new();
    let repo_dir = indexed_repo(&home, &["0.1.0", "0.3.0"]);
    let url = serve(&repo_dir, None);
    home.helm_ok(&helm, &["repo", "add", "ours", &url]);
    let helm_search = home.helm_ok(&helm, &["search", "repo", "ours/", "--versions"]);
    home.ok(&["repo", "add", "ours", &url]);
    assert_eq!(
        home.ok(&["search", "repo", "ours/", "--versions"]),
        helm_search
    );
    let helm_out = home.helm_ok(
        &helm,
        &["template", "rel", "ours/mychart", "--version", "0.1.0"],
    );
    assert_eq!(
        home.ok(&["template", "rel", "ours/mychart", "--version", "0.1.0"]),
        helm_out
    );
    // `show` downloads a repository chart too (the newest, or --version).
    for args in [
        &["show", "chart", "ours/mychart"][..],
        &["show", "all", "ours/mychart", "--version", "0.1.0"][..],
        &["show", "values", "ours/mychart", "--devel"][..],
    ] {
        assert_eq!(home.ok(args), home.helm_ok(&helm, args), "{args:?}");
    }
    let pulled = home.path().join("helm-pulled");
    std::fs::create_dir_all(&pulled).unwrap();
    home.helm_ok(
        &helm,
        &["pull", "ours/mychart", "-d", pulled.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read(pulled.join("mychart-0.3.0.tgz")).unwrap(),
        std::fs::read(repo_dir.join("mychart-0.3.0.tgz")).unwrap()
    );

    // Our `repo index` and Helm's agree except for times, with --url and with --merge.
    let helm_dir = home.path().join("helm-index");
    let our_dir = home.path().join("our-index");
    for d in [&helm_dir, &our_dir] {
        make_chart(&home, "mychart", "1.0.0", d);
        make_chart(&home, "mychart", "1.1.0-rc.1", d);
        make_chart(&home, "other", "0.0.1", &d.join("nested"));
        std::fs::write(d.join("not-a-chart.tgz"), b"junk").unwrap();
    }
    home.helm_ok(
        &helm,
        &[
            "repo",
            "index",
            helm_dir.to_str().unwrap(),
            "--url",
            "https://example.com/charts/",
        ],
    );
    home.ok(&[
        "repo",
        "index",
        our_dir.to_str().unwrap(),
        "--url",
        "https://example.com/charts/",
    ]);
    let helm_index = std::fs::read_to_string(helm_dir.join("index.yaml")).unwrap();
    let our_index = std::fs::read_to_string(our_dir.join("index.yaml")).unwrap();
    assert_eq!(without_times(&our_index), without_times(&helm_index));
    let old = home.path().join("old-index.yaml");
    std::fs::write(&old, "apiVersion: v1\nentries:\n  legacy:\n  - apiVersion: v1\n    created: \"2020-01-02T03:04:05.123-07:00\"\n    digest: abc\n    name: legacy\n    urls:\n    - https://old.example.com/legacy-0.1.0.tgz\n    version: 0.1.0\n  mychart:\n  - apiVersion: v2\n    created: \"2020-01-02T03:04:05Z\"\n    name: mychart\n    urls:\n    - https://old.example.com/mychart-1.0.0.tgz\n    version: 1.0.0\ngenerated: \"2020-01-02T03:04:05Z\"\n").unwrap();
    home.helm_ok(
        &helm,
        &[
            "repo",
            "index",
            helm_dir.to_str().unwrap(),
            "--merge",
            old.to_str().unwrap(),
        ],
    );
    home.ok(&[
        "repo",
        "index",
        our_dir.to_str().unwrap(),
        "--merge",
        old.to_str().unwrap(),
    ]);
    let helm_index = std::fs::read_to_string(helm_dir.join("index.yaml")).unwrap();
    let our_index = std::fs::read_to_string(our_dir.join("index.yaml")).unwrap();
    assert_eq!(without_times(&our_index), without_times(&helm_index));

    // `--json`: the Go structs' JSON, written into index.yaml, as Helm writes it.
    let (helm_json, our_json) = (home.path().join("helm-json"), home.path().join("our-json"));
    for d in [&helm_json, &our_json] {
        make_chart(&home, "mychart", "1.0.0", d);
        make_chart(&home, "other", "0.0.1", &d.join("nested"));
    }
    home.helm_ok(
        &helm,
        &[
            "repo",
            "index",
            helm_json.to_str().unwrap(),
            "--json",
            "--url",
            "https://example.com/charts/",
        ],
    );
    home.ok(&[
        "repo",
        "index",
        our_json.to_str().unwrap(),
        "--json",
        "--url",
        "https://example.com/charts/",
    ]);
    let times = regex::Regex::new(r#""(created|generated)": "[^"]*""#).unwrap();
    let json_of = |d: &std::path::Path| {
        times
            .replace_all(
                &std::fs::read_to_string(d.join("index.yaml")).unwrap(),
                "\"$1\": \"<time>\"",
            )
            .to_string()
    };
    assert_eq!(json_of(&our_json), json_of(&helm_json));
    assert!(
        json_of(&our_json).starts_with(
            "{\n  \"apiVersion\": \"v1\",\n  \"generated\": \"<time>\",\n  \"entries\": {"
        ),
        "{}",
        json_of(&our_json)
    );

    // We add a repository indexed by Helm, search it and pull from it.
    let url2 = serve(&helm_dir, None);
    home.ok(&["repo", "add", "helms", &url2]);
    home.helm_ok(&helm, &["repo", "add", "helms", &url2]);
    for args in [
        &["search", "repo", "helms/", "--devel", "--versions"][..],
        &["search", "repo", "chart", "-o", "json"][..],
    ] {
        assert_eq!(home.ok(args), home.helm_ok(&helm, args), "{args:?}");
    }
    home.ok(&[
        "pull",
        "helms/other",
        "-d",
        home.path().join("dl").to_str().unwrap(),
    ]);
    assert!(home.path().join("dl/other-0.0.1.tgz").is_file());
}

/// `--repo URL NAME` on template and show (Helm's chart path options), with the repository's
/// credentials: the same output as Helm 4.1.4, and Helm's refusal without them.
#[test]
fn repo_flag_on_template_and_show_like_helm() {
    let home = Home::new();
    let repo_dir = indexed_repo(&home, &["0.1.0", "0.2.0"]);
    let url = serve(&repo_dir, Some(("alice", "s3cret")));
    let auth = ["--username", "alice", "--password", "s3cret"];
    let cases: Vec<Vec<&str>> = vec![
        vec!["template", "rel", "mychart", "--repo", &url],
        vec![
            "template",
            "rel",
            "mychart",
            "--repo",
            &url,
            "--version",
            "0.1.0",
            "--set",
            "x=1",
        ],
        vec!["show", "chart", "mychart", "--repo", &url],
        vec![
            "show",
            "values",
            "mychart",
            "--repo",
            &url,
            "--version",
            "0.1.0",
        ],
    ];
    let helm = oracle();
    for case in &cases {
        let mut args = case.clone();
        args.extend_from_slice(&auth);
        let ours = home.ok(&args);
        if case[0] == "template" {
            assert!(ours.contains("rel-mychart"), "{ours}");
        }
        if let Some(helm) = &helm {
            assert_eq!(ours, Home::new().helm_ok(helm, &args), "{args:?}");
        }
    }
    let e = home.err(&["show", "chart", "mychart", "--repo", &url]);
    assert!(e.contains("401 Unauthorized"), "{e}");
}

/// `-f` and `--set-file` read a URL through Helm's getters (`http://…` here), a path Go's
/// `url.Parse` refuses with Go's error, and `-` as standard input, as Helm does.
#[test]
fn values_files_from_urls_like_helm() {
    let home = Home::new();
    let chart = home.path().join("c");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "a: default\nb: default\n").unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "a: {{ .Values.a | quote }}\nb: {{ .Values.b | quote }}\nf: {{ .Values.f | quote }}\n",
    )
    .unwrap();
    let served = home.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    std::fs::write(served.join("v.yaml"), "a: from-http\n").unwrap();
    std::fs::write(served.join("bad.yaml"), "a: [\n").unwrap();
    std::fs::write(served.join("f.txt"), "file over http\n").unwrap();
    let url = serve(&served, None);
    let v = format!("{url}/v.yaml");
    let missing = format!("{url}/missing.yaml");
    let bad = format!("{url}/bad.yaml");
    let f = format!("f={url}/f.txt");
    let cases: Vec<Vec<&str>> = vec![
        vec!["template", "c", "-f", &v],
        vec!["template", "c", "-f", &v, "--set", "b=set"],
        vec!["template", "c", "--set-file", &f],
        vec!["template", "c", "-f", &missing],
        vec!["template", "c", "-f", &bad],
        vec!["template", "c", "-f", ":x"],
        vec!["template", "c", "-f", "1a:x"],
        vec!["template", "c", "-f", "a%zz"],
        vec!["template", "c", "-f", "nosuch://host/v.yaml"],
        vec!["template", "c", "--set-file", "f=nosuch://host/f.txt"],
    ];
    let helm = oracle();
    for case in &cases {
        let ours = home.ours(case);
        let ours_out = String::from_utf8_lossy(&ours.stdout);
        if case.contains(&v.as_str()) {
            assert!(
                ours_out.contains("a: \"from-http\""),
                "{case:?}: {ours_out}"
            );
        }
        if let Some(helm) = &helm {
            let theirs = home.cmd(helm, case);
            assert_eq!(
                (
                    ours.status.code(),
                    ours_out.to_string(),
                    String::from_utf8_lossy(&ours.stderr)
                ),
                (
                    theirs.status.code(),
                    String::from_utf8_lossy(&theirs.stdout).to_string(),
                    String::from_utf8_lossy(&theirs.stderr)
                ),
                "{case:?}"
            );
        }
    }
    // `-` is standard input for `-f` and for `--set-file` alike.
    let with_stdin = |program: &std::path::Path, args: &[&str]| {
        use std::io::Write;
        let mut c = Command::new(program)
            .args(args)
            .current_dir(home.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(b"a: stdin\n").unwrap();
        let o = c.wait_with_output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    for case in [
        &["template", "c", "-f", "-"][..],
        &["template", "c", "--set-file", "f= - "],
    ] {
        let ours = with_stdin(std::path::Path::new(env!("CARGO_BIN_EXE_helm-rs")), case);
        assert!(ours.1.contains("stdin"), "{case:?}: {ours:?}");
        if let Some(helm) = &helm {
            assert_eq!(ours, with_stdin(helm, case), "{case:?}");
        }
    }
}
