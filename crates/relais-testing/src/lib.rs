//! A fresh, empty database for each test: an SQLite file in a temporary folder by default, or a
//! new database on the PostgreSQL server named by `TEST_DATABASE_URL=postgres://…`, so that the
//! same suites run on both backends (`.ci/run` does both).

use sqlx::Connection;

/// A database that exists for one test. Keep it alive as long as the test uses the URL.
#[derive(Debug)]
pub struct TestDatabase {
    /// URL to give to `relais_store::connect` or to the binary's `--database-url`.
    pub url: String,
    /// The folder of the SQLite file (removed on drop); the folder is also free for the test's
    /// own files.
    pub dir: tempfile::TempDir,
}

impl TestDatabase {
    /// Creates the database. Panics with a clear message when PostgreSQL is asked for and
    /// cannot be reached: a test suite must not silently fall back to SQLite.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            None => {
                let url = format!("sqlite:{}", dir.path().join("relais.db").display());
                Self { url, dir }
            }
            Some(admin) => {
                assert!(
                    admin.starts_with("postgres://") || admin.starts_with("postgresql://"),
                    "TEST_DATABASE_URL must be a postgres:// URL"
                );
                let name = format!("relais_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach TEST_DATABASE_URL: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("CREATE DATABASE");
                let _ = conn.close().await;
                Self {
                    url: with_database(&admin, &name),
                    dir,
                }
            }
        }
    }

    /// Runs raw SQL statements on the database, bypassing the store: for tests that play an
    /// attacker with database access (tampering with the journal).
    pub async fn execute(&self, statements: &[&str]) {
        if self.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connect to the test database");
            for s in statements {
                sqlx::query(s)
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("connect to the test database");
            for s in statements {
                sqlx::query(s)
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        }
    }

    /// Whether the tests run on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

/// The same server URL with another database name (keeps user, host, port and parameters).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, params) = match url.split_once('?') {
        Some((b, p)) => (b, Some(p)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = &base[scheme_end..];
    let root = match host_part.find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match params {
        Some(p) => format!("{root}/{name}?{p}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(
            with_database("postgres://u@h/p?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
