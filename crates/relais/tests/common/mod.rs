//! What the binary's test files share: running `relais` on a test database, reading its output.
#![allow(dead_code)]

use std::process::{Command, Output};

use relais_testing::TestDatabase;

/// The real Paris sample of data·inclusion services.
pub const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../relais-exchange/tests/data/dora_paris_search_response.json"
);

/// Runs `relais ARGS` on `db`, in its folder.
pub fn relais(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .current_dir(db.dir.path())
        .output()
        .expect("relais runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
