//! What every handler shares: the store, the search index, metrics and the clock; and the task
//! that keeps the index current from the store's change sequence, so that several app nodes on
//! one PostgreSQL database converge.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use relais_search::Index;
use relais_store::DynStore;

use crate::health::MetricsAccess;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::pro::ProConfig;

/// Services read from the store per page when loading the index.
const LOAD_PAGE: u32 = 5_000;

/// A source of the current time (fixed in tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    index: Arc<RwLock<Index>>,
    pub metrics: Arc<Metrics>,
    /// Who may read `/metrics`, and where.
    pub metrics_access: Arc<MetricsAccess>,
    /// The professional space's settings (public URL, TLS, mail).
    pub pro: Arc<ProConfig>,
    clock: Clock,
    /// Last change sequence applied to the index.
    applied_seq: Arc<AtomicI64>,
    /// When the index was last brought up to date with the store (Unix seconds).
    synced_at: Arc<AtomicI64>,
    ready: Arc<AtomicBool>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Loads the whole directory from the store into a new index.
    pub async fn load(store: DynStore, clock: Clock) -> anyhow::Result<Self> {
        let started = std::time::Instant::now();
        let seq = store.current_seq().await?;
        let structures = store.list_structures().await?;
        let now = clock();
        // Pages of services, each indexed before the next is read: the full records of a large
        // directory never sit in memory all at once (the index keeps listings only).
        let mut index = Index::new(&structures, now);
        drop(structures);
        let mut after = None;
        let mut read = std::time::Duration::ZERO;
        loop {
            let t = std::time::Instant::now();
            let page = store.list_services_page(after, LOAD_PAGE).await?;
            read += t.elapsed();
            let Some(last) = page.last().map(|s| s.id) else {
                break;
            };
            after = Some(last);
            index = tokio::task::spawn_blocking(move || {
                index.extend(page);
                index
            })
            .await?;
        }
        tracing::info!(
            services = index.len(),
            read_ms = read.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "directory loaded"
        );
        Ok(Self {
            synced_at: Arc::new(AtomicI64::new(now.timestamp())),
            store,
            index: Arc::new(RwLock::new(index)),
            metrics: Arc::new(Metrics::default()),
            metrics_access: Arc::new(MetricsAccess::default()),
            pro: Arc::new(ProConfig::new(
                "http://127.0.0.1:8080",
                Mailer::outbox_at(std::path::Path::new("relais-data/outbox")),
            )),
            clock,
            applied_seq: Arc::new(AtomicI64::new(seq)),
            ready: Arc::new(AtomicBool::new(true)),
        })
    }

    /// The same state with the professional space's settings `pro`.
    #[must_use]
    pub fn with_pro(mut self, pro: ProConfig) -> Self {
        self.pro = Arc::new(pro);
        self
    }

    /// The same state with `/metrics` read as `access` says.
    #[must_use]
    pub fn with_metrics_access(mut self, access: MetricsAccess) -> Self {
        self.metrics_access = Arc::new(access);
        self
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Read access to the index. A poisoned lock (a panic while writing) is recovered: the
    /// index is rebuilt from the store on the next restart at worst.
    pub fn index(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    fn index_mut(&self) -> RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the index is loaded.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// When the index was last brought up to date with the store: the age of what searches see.
    pub fn synced_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.synced_at.load(Ordering::Relaxed), 0).unwrap_or_default()
    }

    /// Last change sequence applied to the index.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(Ordering::Relaxed)
    }

    /// Applies the store's changes since the last call to the index, and refreshes the window
    /// of precomputed hours when the day changed. Returns how many services changed.
    pub async fn sync_index(&self) -> anyhow::Result<usize> {
        let mut applied = 0;
        loop {
            let since = self.applied_seq();
            let changes = self.store.changes_since(since, 1000).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                break;
            };
            let mut updates = Vec::with_capacity(changes.len());
            for c in &changes {
                let service = self.store.get_service(c.service_id).await?;
                let structure = match &service {
                    Some(s) => self.store.get_structure(s.structure_id).await?,
                    None => None,
                };
                updates.push((c.service_id, service, structure));
            }
            {
                let mut index = self.index_mut();
                for (id, service, structure) in updates {
                    if let Some(st) = structure {
                        index.upsert_structure(&st);
                    }
                    match service {
                        Some(s) => index.upsert(s),
                        None => index.remove(id),
                    }
                }
            }
            applied += changes.len();
            self.applied_seq.store(last, Ordering::Relaxed);
        }
        let now = self.now();
        if self.index().window_is_stale(now) {
            // Computing a new day's hours takes a while on a large directory: under a read lock
            // (searches go on) and off the async workers; installing it is a short write.
            let index = Arc::clone(&self.index);
            let update = tokio::task::spawn_blocking(move || {
                index
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .compute_window(now)
            })
            .await?;
            if let Some(update) = update {
                self.index_mut().apply_window(update);
                tracing::info!("opening hours window moved to the new day");
            }
        }
        self.synced_at.store(now.timestamp(), Ordering::Relaxed);
        Ok(applied)
    }

    /// Runs [`Self::sync_index`] every `period` until the process ends.
    pub fn spawn_index_sync(&self, period: Duration) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match state.sync_index().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(changes = n, "index updated from the store"),
                    Err(e) => tracing::warn!(error = %e, "index sync failed; retrying"),
                }
            }
        })
    }
}
