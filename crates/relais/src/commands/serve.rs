//! `relais serve`: load the directory, keep the index current, answer HTTP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use relais_exchange::demo_dataset;
use relais_store::DynStore;
use relais_web::AppState;

/// Size of the built-in demo directory loaded by `serve --demo`.
pub const DEMO_SERVICES: usize = 500;
/// Seed of the built-in demo directory.
pub const DEMO_SEED: u64 = 2026;

/// Loads the demo dataset if the directory is empty. Returns whether it did.
pub async fn load_demo_if_empty(store: &DynStore) -> anyhow::Result<bool> {
    if store.count_services().await? > 0 {
        return Ok(false);
    }
    let (structures, services) = demo_dataset(DEMO_SERVICES, DEMO_SEED);
    let event = relais_domain::journal::NewEvent::system(
        chrono::Utc::now(),
        "system",
        "directory.demo_load",
    );
    let counts = store.apply_import_as(&structures, &services, event).await?;
    tracing::info!(
        services = counts.services.created,
        "demo dataset loaded (fictitious services)"
    );
    Ok(true)
}

/// What `relais serve` was asked for.
#[derive(Debug)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Load the demo dataset into an empty directory first.
    pub demo: bool,
    /// How often to pick up other nodes' changes.
    pub sync: Duration,
    pub pro: relais_web::pro::ProConfig,
    /// `/metrics` on a listener of its own (and no longer on `addr`).
    pub metrics_addr: Option<SocketAddr>,
    /// A bearer token required to read `/metrics`.
    pub metrics_token: Option<String>,
    /// Header read timeout and connections per address.
    pub conn: relais_web::ConnLimits,
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(store: DynStore, options: ServeOptions) -> anyhow::Result<()> {
    let ServeOptions {
        addr,
        demo,
        sync,
        pro,
        metrics_addr,
        metrics_token,
        conn,
    } = options;
    let started = Instant::now();
    if demo {
        load_demo_if_empty(&store).await?;
    }
    if let Some(dir) = pro.mailer.outbox() {
        tracing::info!(outbox = %dir.display(), "no SMTP server configured: emails go to the outbox folder");
    }
    let state = AppState::load(store, Arc::new(chrono::Utc::now))
        .await?
        .with_pro(pro)
        .with_metrics_access(relais_web::health::MetricsAccess {
            token: metrics_token,
            separate: metrics_addr.is_some(),
        });
    let services = state.index().len();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let metrics_listener = match metrics_addr {
        Some(a) => Some(
            tokio::net::TcpListener::bind(a)
                .await
                .with_context(|| format!("cannot listen on {a} for /metrics"))?,
        ),
        None => None,
    };
    let _sync = state.spawn_index_sync(sync);
    let _journal = spawn_journal_head_log(state.store.clone());
    let _purge = spawn_purge(state.store.clone());
    tracing::info!(
        %addr,
        backend = %state.store.backend(),
        services,
        ready_ms = started.elapsed().as_millis() as u64,
        "relais ready: http://{addr}/"
    );
    let app = relais_web::router(state.clone());
    match metrics_listener {
        Some(m) => {
            tracing::info!(addr = %m.local_addr()?, "metrics: http://{}/metrics", m.local_addr()?);
            tokio::try_join!(
                relais_web::serve(listener, app, conn),
                relais_web::serve(m, relais_web::metrics_router(state), conn),
            )?;
        }
        None => relais_web::serve(listener, app, conn).await?,
    }
    tracing::info!("stopped");
    Ok(())
}

/// Every hour, forgets ended sessions and old sign-in failures (they are refused anyway; this
/// keeps the tables small).
fn spawn_purge(store: DynStore) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            every_hour.tick().await;
            match store.purge_expired(chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "ended sessions and old sign-in failures purged"),
                Err(e) => tracing::warn!(error = %e, "purge failed; retrying in an hour"),
            }
        }
    })
}

/// Logs the journal's head at start and then once a day, so that the logs keep a history of
/// heads to check the journal against later (`relais audit verify --expect-head HASH`).
fn spawn_journal_head_log(store: DynStore) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            every_day.tick().await;
            match store.journal_head().await {
                Ok(Some((events, hash))) => tracing::info!(events, %hash, "journal head"),
                Ok(None) => tracing::info!(events = 0, "journal head: empty journal"),
                Err(e) => tracing::warn!(error = %e, "journal head unavailable"),
            }
        }
    })
}
