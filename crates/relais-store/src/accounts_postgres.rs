//! [`crate::Accounts`] on PostgreSQL: the shared implementation (`accounts_sql.rs`) with
//! PostgreSQL's writing transaction.

use sqlx::postgres::PgPool;

use crate::StoreError;
use crate::postgres::{PostgresStore, WRITE_LOCK};

/// A writing transaction holding the advisory write lock until commit, as imports do: appends
/// to the journal are serialised (two writers cannot link to the same head), and so are the
/// checks of a command and its write (the last admin cannot be removed twice at once).
async fn begin_write(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

crate::accounts_sql::impl_accounts!(
    PostgresStore,
    sqlx::Postgres,
    begin_write,
    crate::postgres::append_event
);
