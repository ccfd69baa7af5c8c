//! The `relais` binary as an operator uses it: import, export, demo, and the refusals that
//! protect the data. Runs on SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use relais_testing::TestDatabase;

mod common;

use common::{SAMPLE, relais, stderr, stdout};

fn counts_line<'a>(out: &'a str, what: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{what}:")))
        .unwrap_or_else(|| panic!("no {what} line in {out}"))
}

fn export(db: &TestDatabase, name: &str) -> PathBuf {
    let out = db.dir.path().join(name);
    let o = relais(db, &["export", "--out", out.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("readable")
}

#[tokio::test]
async fn the_real_paris_sample_imports_is_idempotent_and_round_trips() {
    let db = TestDatabase::new().await;
    // What the importer keeps depends on the day (services suspended before it are skipped;
    // the sample has one suspended until 2028-12-31): the expected counts come from the parser
    // on the same day. On 2026-11-26 they are 52 and 72 (pinned in relais-exchange's tests).
    let parsed = relais_exchange::parse_document("sample", &std::fs::read(SAMPLE).expect("sample"))
        .expect("the sample parses");
    let (n_structures, n_services) = (parsed.structures.len(), parsed.services.len());
    assert!(n_services >= 70, "{n_services}");
    let o = relais(&db, &["import", SAMPLE]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(
        counts_line(&out, "structures"),
        format!("structures: {n_structures} created, 0 updated, 0 unchanged")
    );
    assert_eq!(
        counts_line(&out, "services"),
        format!("services: {n_services} created, 0 updated, 0 unchanged")
    );
    // What was skipped is said, with why.
    assert!(out.contains("note: "), "{out}");

    let again = stdout(&relais(&db, &["import", SAMPLE]));
    assert_eq!(
        counts_line(&again, "structures"),
        format!("structures: 0 created, 0 updated, {n_structures} unchanged")
    );
    assert_eq!(
        counts_line(&again, "services"),
        format!("services: 0 created, 0 updated, {n_services} unchanged")
    );

    // import → export → import into another database → export: nothing lost.
    let first = export(&db, "export1");
    let other = TestDatabase::new().await;
    let o = relais(
        &other,
        &[
            "import",
            first.join("structures.json").to_str().expect("utf-8"),
            first.join("services.json").to_str().expect("utf-8"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        counts_line(&stdout(&o), "services"),
        format!("services: {n_services} created, 0 updated, 0 unchanged")
    );
    let second = export(&other, "export2");
    assert_eq!(
        read(&first.join("services.json")),
        read(&second.join("services.json"))
    );
    assert_eq!(
        read(&first.join("structures.json")),
        read(&second.join("structures.json"))
    );
}

#[tokio::test]
async fn a_corrupted_file_changes_nothing() {
    let db = TestDatabase::new().await;
    assert!(relais(&db, &["import", SAMPLE]).status.success());
    let before_dir = export(&db, "before");
    let before = read(&before_dir.join("services.json"));
    let before_structures = read(&before_dir.join("structures.json"));

    // The same sample with one service broken and one file truncated: every error is reported
    // as FILE:ITEM: field: message, exit code 1, nothing written (not even the valid parts).
    let mut doc: serde_json::Value = serde_json::from_str(&read(Path::new(SAMPLE))).expect("json");
    doc["items"][3]["service"]["nom"] = serde_json::Value::Null;
    doc["items"][5]["service"]["latitude"] = serde_json::json!(123.0);
    doc["items"][0]["service"]["nom"] = serde_json::json!("Nom changé qui ne doit pas être écrit");
    doc["items"][0]["service"]["structure"]["nom"] =
        serde_json::json!("Structure renommée, à ne pas écrire");
    let broken = db.dir.path().join("broken.json");
    std::fs::write(&broken, serde_json::to_vec(&doc).expect("json")).expect("write");
    let truncated = db.dir.path().join("truncated.json");
    let text = read(Path::new(SAMPLE));
    std::fs::write(&truncated, &text[..text.len() / 2]).expect("write");

    let o = relais(
        &db,
        &[
            "import",
            broken.to_str().expect("utf-8"),
            truncated.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let b = broken.display().to_string();
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{b}:items[3].service: nom: "))),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{b}:items[5].service: latitude: "))),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{}:", truncated.display()))),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let after = export(&db, "after");
    assert_eq!(read(&after.join("services.json")), before);
    assert_eq!(read(&after.join("structures.json")), before_structures);
}

#[tokio::test]
async fn errors_are_capped_at_50_lines_then_counted() {
    let db = TestDatabase::new().await;
    let services: Vec<serde_json::Value> = (0..60)
        .map(|i| serde_json::json!({"source": "t", "id": format!("s{i}"), "structure_id": "x", "nom": "", "description": "d", "date_maj": "2026-01-01"}))
        .collect();
    let file = db.dir.path().join("many.json");
    std::fs::write(&file, serde_json::to_vec(&services).expect("json")).expect("write");
    let o = relais(&db, &["import", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let error_lines = err
        .lines()
        .filter(|l| l.starts_with(&file.display().to_string()))
        .count();
    assert_eq!(error_lines, 50, "{err}");
    assert!(err.contains("… and "), "{err}");
}

#[tokio::test]
async fn a_service_of_an_unknown_structure_is_refused() {
    let db = TestDatabase::new().await;
    let file = db.dir.path().join("orphan.json");
    std::fs::write(
        &file,
        r#"[{"source":"t","id":"s1","structure_id":"nowhere","nom":"Permanence","description":"d","date_maj":"2026-01-01"}]"#,
    )
    .expect("write");
    let o = relais(&db, &["import", file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let expected = format!(
        "{}:services[0]: structure_id: la structure « nowhere » (source « t ») n'est ni dans les fichiers importés ni dans l'annuaire",
        file.display()
    );
    assert!(stderr(&o).lines().any(|l| l == expected), "{}", stderr(&o));
    // Once the structure is known, the same file imports.
    let st = db.dir.path().join("structure.json");
    std::fs::write(
        &st,
        r#"[{"source":"t","id":"nowhere","nom":"Structure","date_maj":"2026-01-01"}]"#,
    )
    .expect("write");
    assert!(
        relais(&db, &["import", st.to_str().expect("utf-8")])
            .status
            .success()
    );
    let o = relais(&db, &["import", file.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[tokio::test]
async fn unsupported_database_schemes_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for url in [
        "mysql://root@localhost/relais",
        "relais.db",
        "sqlite3:relais.db",
        "http://x",
    ] {
        for args in [
            &["serve"][..],
            &["import", "x.json"][..],
            &["export", "--out", "out"][..],
        ] {
            let o = Command::new(env!("CARGO_BIN_EXE_relais"))
                .args(args)
                .args(["--database-url", url])
                .current_dir(dir.path())
                .output()
                .expect("runs");
            assert_eq!(o.status.code(), Some(2), "{url} {args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
            assert!(
                err.contains("sqlite:") && err.contains("postgres://"),
                "names the accepted schemes: {err}"
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing created"
    );
}

#[test]
fn demo_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |seed: &str, out: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_relais"))
            .args([
                "demo",
                "--services",
                "300",
                "--seed",
                seed,
                "--today",
                "2026-11-26",
                "--out",
                out,
            ])
            .current_dir(dir.path())
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", stderr(&o));
        read(&dir.path().join(out).join("services.json"))
    };
    let a = run("7", "a");
    assert_eq!(a, run("7", "b"));
    assert_ne!(a, run("8", "c"));
    let services: serde_json::Value = serde_json::from_str(&a).expect("json");
    let services = services.as_array().expect("array");
    assert_eq!(services.len(), 300);
    assert!(services.iter().all(|s| s["source"] == "relais-demo"));
}

#[tokio::test]
async fn the_same_record_in_two_files_must_agree() {
    let db = TestDatabase::new().await;
    let write = |name: &str, nom: &str| {
        let path = db.dir.path().join(name);
        let doc = serde_json::json!({
            "structures": [{"source": "t", "id": "st", "nom": "Structure", "date_maj": "2026-01-01"}],
            "services": [{"source": "t", "id": "sv", "structure_id": "st", "nom": nom, "description": "d", "date_maj": "2026-01-01"}]
        });
        std::fs::write(&path, serde_json::to_vec(&doc).expect("json")).expect("write");
        path.to_str().expect("utf-8").to_owned()
    };
    let a = write("a.json", "Permanence");
    let same = write("same.json", "Permanence");
    let other = write("other.json", "Autre nom");
    let o = relais(&db, &["import", &a, &other]);
    assert_eq!(o.status.code(), Some(1));
    let expected =
        format!("{other}:services[id=sv]: id: le même service est dans {a} avec un autre contenu");
    assert!(stderr(&o).lines().any(|l| l == expected), "{}", stderr(&o));
    let o = relais(&db, &["import", &a, &same]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        counts_line(&stdout(&o), "services"),
        "services: 1 created, 0 updated, 0 unchanged"
    );
}

/// A database whose journal holds three imports (three events), and its head hash.
async fn journaled() -> (TestDatabase, String) {
    let db = TestDatabase::new().await;
    for seed in ["1", "2", "3"] {
        let out = db.dir.path().join(format!("demo-{seed}"));
        let o = relais(
            &db,
            &[
                "demo",
                "--services",
                "3",
                "--seed",
                seed,
                "--today",
                "2026-11-26",
                "--out",
                out.to_str().expect("utf-8"),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let files = [out.join("structures.json"), out.join("services.json")];
        let o = relais(
            &db,
            &[
                "import",
                files[0].to_str().expect("utf-8"),
                files[1].to_str().expect("utf-8"),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = relais(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = stdout(&o);
    assert!(
        line.starts_with("journal intact: 3 events, head "),
        "{line}"
    );
    let head = line.trim().rsplit(' ').next().expect("head").to_owned();
    assert_eq!(head.len(), 64);
    (db, head)
}

fn verify_fails(db: &TestDatabase, args: &[&str], expected: &str) {
    let mut all = vec!["audit", "verify"];
    all.extend_from_slice(args);
    let o = relais(db, &all);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains(expected), "{}", stderr(&o));
}

#[tokio::test]
async fn audit_verify_catches_every_kind_of_tampering() {
    // An import that changes nothing writes no event.
    let (db, head) = journaled().await;
    let again = db.dir.path().join("demo-3");
    let o = relais(
        &db,
        &[
            "import",
            again.join("structures.json").to_str().expect("utf-8"),
            again.join("services.json").to_str().expect("utf-8"),
        ],
    );
    assert!(o.status.success());
    let o = relais(&db, &["audit", "verify", "--expect-head", &head]);
    assert!(stdout(&o).contains("3 events"), "{}", stdout(&o));

    // Edited.
    let (db, _) = journaled().await;
    db.execute(&["UPDATE journal SET actor = 'someone-else' WHERE seq = 2"])
        .await;
    verify_fails(
        &db,
        &[],
        "event 2: its content does not match its hash (edited)",
    );

    // Removed.
    let (db, _) = journaled().await;
    db.execute(&["DELETE FROM journal WHERE seq = 2"]).await;
    verify_fails(&db, &[], "event 3: expected event 2 here");

    // Swapped (renumbered so that the sequence has no gap).
    let (db, _) = journaled().await;
    db.execute(&[
        "UPDATE journal SET seq = seq + 100 WHERE seq IN (1, 2)",
        "UPDATE journal SET seq = 2 WHERE seq = 101",
        "UPDATE journal SET seq = 1 WHERE seq = 102",
    ])
    .await;
    verify_fails(&db, &[], "event 1: its content does not match its hash");

    // Tail cut: the chain that remains is sound, but the head noted earlier is gone.
    let (db, head) = journaled().await;
    db.execute(&["DELETE FROM journal WHERE seq = 3"]).await;
    let o = relais(&db, &["audit", "verify"]);
    assert!(o.status.success() && stdout(&o).contains("2 events"));
    verify_fails(&db, &["--expect-head", &head], "is not in the journal");
}
