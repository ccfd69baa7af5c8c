//! [`crate::Accounts`] on SQLite: the shared implementation (`accounts_sql.rs`) with SQLite's
//! writing transaction.

use sqlx::sqlite::SqlitePool;

use crate::StoreError;
use crate::sqlite::SqliteStore;

/// A writing transaction: `BEGIN IMMEDIATE` takes the write lock now, so that a command that
/// reads before it writes (checks, then the journal head) cannot be overtaken by another writer.
async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

crate::accounts_sql::impl_accounts!(
    SqliteStore,
    sqlx::Sqlite,
    begin_write,
    crate::sqlite::append_event
);
