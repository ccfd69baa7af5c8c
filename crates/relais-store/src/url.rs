//! Database URLs: the backend is chosen from the scheme, and unknown schemes are refused before
//! anything is created (a mistyped URL must never leave an empty SQLite file behind).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::{Backend, StoreError};

/// A parsed, usable database URL. `Display` and `Debug` never show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file; a relative path is relative to the working directory.
    Sqlite { path: PathBuf },
    /// A PostgreSQL server, as given (`postgres://` or `postgresql://`).
    Postgres { url: String },
}

impl DatabaseUrl {
    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The URL with any password replaced by `***`, fit for logs and error pages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("sqlite:{}", path.display()),
            Self::Postgres { url } => redact_password(url),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        parse_database_url(s)
    }
}

/// Parses a database URL without touching the disk or the network, so that the CLI can refuse a
/// bad `--database` before anything is created.
///
/// Accepted: `sqlite:PATH`, `sqlite://PATH` (so `sqlite:///abs/path` is absolute),
/// `postgres://…` and `postgresql://…`. The scheme is case-insensitive.
pub fn parse_database_url(url: &str) -> Result<DatabaseUrl, StoreError> {
    let url = url.trim();
    let scheme = scheme_of(url).ok_or_else(|| StoreError::UnsupportedScheme {
        scheme: String::new(),
    })?;
    let rest = &url[scheme.len() + 1..];
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => parse_sqlite(rest),
        "postgres" | "postgresql" => {
            if !rest.starts_with("//") {
                return Err(invalid("a PostgreSQL URL starts with postgres://"));
            }
            PgConnectOptions::from_str(url).map_err(|_| {
                invalid("the PostgreSQL URL cannot be parsed (host, port, user or database)")
            })?;
            Ok(DatabaseUrl::Postgres {
                url: url.to_owned(),
            })
        }
        _ => Err(StoreError::UnsupportedScheme {
            scheme: scheme.to_owned(),
        }),
    }
}

fn parse_sqlite(rest: &str) -> Result<DatabaseUrl, StoreError> {
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(invalid("a SQLite URL needs a file path: sqlite:PATH"));
    }
    if path.starts_with(':') {
        return Err(invalid(
            "in-memory SQLite is not supported: give a file path",
        ));
    }
    if path.contains('?') {
        return Err(invalid("SQLite URL options (after `?`) are not supported"));
    }
    Ok(DatabaseUrl::Sqlite {
        path: PathBuf::from(path),
    })
}

/// The scheme per RFC 3986 (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` before `:`), if any.
/// A Windows drive letter (`C:\…`) is not a scheme.
fn scheme_of(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.len() > 1;
    valid.then_some(scheme)
}

fn invalid(reason: &str) -> StoreError {
    StoreError::InvalidUrl {
        reason: reason.to_owned(),
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let tail = redact_query_password(tail);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => format!("{scheme}://{userinfo}@{host}{tail}"),
        },
        None => format!("{scheme}://{authority}{tail}"),
    }
}

/// A password can also be given as `?password=…`.
fn redact_query_password(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms() {
        let p = |u: &str| match parse_database_url(u) {
            Ok(DatabaseUrl::Sqlite { path }) => path,
            other => panic!("{u}: {other:?}"),
        };
        assert_eq!(p("sqlite:relais.db"), PathBuf::from("relais.db"));
        assert_eq!(p("sqlite:data/relais.db"), PathBuf::from("data/relais.db"));
        assert_eq!(
            p("sqlite://data/relais.db"),
            PathBuf::from("data/relais.db")
        );
        assert_eq!(
            p("sqlite:///var/lib/relais.db"),
            PathBuf::from("/var/lib/relais.db")
        );
        assert_eq!(
            p("sqlite:/var/lib/relais.db"),
            PathBuf::from("/var/lib/relais.db")
        );
        assert_eq!(p("SQLite:x.db"), PathBuf::from("x.db"));
        for bad in [
            "sqlite:",
            "sqlite://",
            "sqlite::memory:",
            "sqlite:x.db?mode=ro",
        ] {
            assert!(
                matches!(parse_database_url(bad), Err(StoreError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn postgres_forms() {
        for u in [
            "postgres://localhost/relais",
            "postgresql://u:p@db.example:5433/relais?sslmode=require",
        ] {
            let parsed = parse_database_url(u).expect(u);
            assert_eq!(parsed.backend(), Backend::Postgres);
        }
        assert!(matches!(
            parse_database_url("postgres:relais"),
            Err(StoreError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_database_url("postgres://h:notaport/db"),
            Err(StoreError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn unknown_schemes_are_refused_in_one_line() {
        for (url, scheme) in [
            ("mysql://localhost/relais", "mysql"),
            ("relais.db", ""),
            ("/var/lib/relais.db", ""),
            ("C:\\relais.db", ""),
            ("sqlite3:relais.db", "sqlite3"),
            ("", ""),
        ] {
            match parse_database_url(url) {
                Err(e @ StoreError::UnsupportedScheme { .. }) => {
                    let msg = e.to_string();
                    assert!(!msg.contains('\n'), "{msg}");
                    assert!(
                        msg.contains("sqlite:PATH") && msg.contains("postgres://"),
                        "{msg}"
                    );
                    if !scheme.is_empty() {
                        assert!(msg.contains(&format!("\"{scheme}\"")), "{msg}");
                    }
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        assert_eq!(
            parse_database_url("mysql://x").unwrap_err().to_string(),
            "unsupported database URL scheme \"mysql\": use sqlite:PATH, sqlite://PATH or postgres://…"
        );
    }

    #[test]
    fn passwords_never_shown() {
        let u = parse_database_url(
            "postgres://relais:s3cret@db:5432/relais?password=s3cret&sslmode=require",
        )
        .expect("valid");
        for shown in [u.to_string(), format!("{u:?}"), u.redacted()] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("relais:***@db:5432/relais"), "{shown}");
        }
        let plain =
            parse_database_url("postgres://postgres@127.0.0.1:54329/postgres").expect("valid");
        assert_eq!(
            plain.to_string(),
            "postgres://postgres@127.0.0.1:54329/postgres"
        );
    }
}
