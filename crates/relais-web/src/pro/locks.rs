//! One attempt at a time per key (an account, a second factor): the throttling rules count the
//! failures already recorded, so concurrent attempts under one key would all see the same count
//! and all be evaluated. Serialising them here makes the count exact on this node (with N nodes
//! behind a load balancer, at most N attempts run at once per key).
//!
//! Under an address, attempts are not serialised (an office shares one), but each one reserves
//! its place before its password is checked: [`Reservation`]s count as failures until the
//! attempt's outcome is recorded, so N attempts at once are judged as N one after another.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use chrono::{DateTime, Utc};
use relais_auth::throttle::Decision;

use tokio::sync::OwnedMutexGuard;

type Locks = Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>;

static LOCKS: LazyLock<Locks> = LazyLock::new(Default::default);

/// Waits for the lock of `key`; held until the guard is dropped.
pub async fn lock(key: &str) -> OwnedMutexGuard<()> {
    let m = {
        let mut map = LOCKS.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, w| w.strong_count() > 0);
        }
        match map.get(key).and_then(Weak::upgrade) {
            Some(m) => m,
            None => {
                let m = Arc::new(tokio::sync::Mutex::new(()));
                map.insert(key.to_owned(), Arc::downgrade(&m));
                m
            }
        }
    };
    m.lock_owned().await
}

/// Attempts under way per key: (reservation number, when it was made).
type Pending = Mutex<HashMap<String, Vec<(u64, DateTime<Utc>)>>>;

static PENDING: LazyLock<Pending> = LazyLock::new(Default::default);
static NEXT_RESERVATION: AtomicU64 = AtomicU64::new(0);

/// An attempt under way under a key, counted as a failure from the moment it is made (while the
/// key's lock is held, with the failures already recorded) until it is dropped — after its
/// failure is recorded (under the same lock), or when it succeeded or was abandoned.
#[derive(Debug)]
pub struct Reservation {
    key: String,
    id: u64,
}

impl Reservation {
    /// Reserves the place of one attempt under `key`, made `at`. Call it with the key's
    /// [`lock`] held, in the same step as [`pending`] was read.
    pub fn new(key: &str, at: DateTime<Utc>) -> Self {
        let id = NEXT_RESERVATION.fetch_add(1, Ordering::Relaxed);
        let mut map = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key.to_owned()).or_default().push((id, at));
        Self {
            key: key.to_owned(),
            id,
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut map = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = map.get_mut(&self.key) {
            v.retain(|(id, _)| *id != self.id);
            if v.is_empty() {
                map.remove(&self.key);
            }
        }
    }
}

/// The instants of the attempts under way under `key` (their outcome not yet recorded).
pub fn pending(key: &str) -> Vec<DateTime<Utc>> {
    let map = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    map.get(key)
        .map(|v| v.iter().map(|(_, at)| *at).collect())
        .unwrap_or_default()
}

/// Judges the next attempt under `key` and reserves its place, as one step under the key's lock:
/// `judge` gets the instants of the attempts under way (to count with the recorded failures).
/// A refused attempt reserves nothing.
pub async fn judge_and_reserve<E>(
    key: &str,
    now: DateTime<Utc>,
    judge: impl AsyncFnOnce(&[DateTime<Utc>]) -> Result<Decision, E>,
) -> Result<(Decision, Option<Reservation>), E> {
    let _counting = lock(key).await;
    let d = judge(&pending(key)).await?;
    let r = (!matches!(d, Decision::Refuse { .. })).then(|| Reservation::new(key, now));
    Ok((d, r))
}

/// Records a reserved attempt's failure (`record` writes it) and ends the reservation, as one
/// step under the key's lock: the attempt is never counted twice nor missed.
pub async fn settle<T>(
    key: &str,
    reservation: Option<Reservation>,
    record: impl Future<Output = T>,
) -> T {
    let _counting = lock(key).await;
    let out = record.await;
    drop(reservation);
    out
}

static RECENT: LazyLock<Mutex<HashMap<String, Vec<std::time::Instant>>>> =
    LazyLock::new(Default::default);

/// Whether one more action under `key` fits in `max` per `window` (on this node), counting it
/// if so: for what has no failure to count (password-reset mails).
pub fn within_rate(key: &str, max: usize, window: std::time::Duration) -> bool {
    let now = std::time::Instant::now();
    let mut map = RECENT.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() > 10_000 {
        map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < window));
    }
    let times = map.entry(key.to_owned()).or_default();
    times.retain(|t| now.duration_since(*t) < window);
    if times.len() >= max {
        return false;
    }
    times.push(now);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn rates_are_counted_per_key() {
        let hour = std::time::Duration::from_secs(3600);
        assert!((0..3).all(|_| within_rate("reset:a", 3, hour)));
        assert!(!within_rate("reset:a", 3, hour));
        assert!(within_rate("reset:b", 3, hour));
    }

    /// N attempts at once under one address, each failing after some work, are judged exactly
    /// as N one after another: the same decisions (delays), counted from a fixed clock.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn attempts_at_once_are_judged_as_one_after_another() {
        use relais_auth::throttle::{PER_IP, decide};
        let now = DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        let n = 48;
        let judge_with = move |recorded: Arc<Mutex<Vec<DateTime<Utc>>>>| {
            async move |pending: &[DateTime<Utc>]| {
                let mut all = recorded.lock().unwrap().clone();
                all.extend_from_slice(pending);
                Ok::<_, ()>(decide(&all, now, PER_IP))
            }
        };
        // One after another.
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let mut sequential = Vec::new();
        for _ in 0..n {
            let (d, r) = judge_and_reserve("ip:seq", now, judge_with(recorded.clone()))
                .await
                .unwrap();
            sequential.push(d);
            settle("ip:seq", r, async { recorded.lock().unwrap().push(now) }).await;
        }
        // All at once, each checking its password (yielding) between judging and recording.
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..n {
            let recorded = recorded.clone();
            tasks.push(tokio::spawn(async move {
                let (d, r) = judge_and_reserve("ip:par", now, judge_with(recorded.clone()))
                    .await
                    .unwrap();
                for _ in 0..(i % 5) {
                    tokio::task::yield_now().await;
                }
                settle("ip:par", r, async { recorded.lock().unwrap().push(now) }).await;
                d
            }));
        }
        let mut parallel = Vec::new();
        for t in tasks {
            parallel.push(t.await.unwrap());
        }
        let key = |d: &Decision| match d {
            Decision::Allow => (0, std::time::Duration::ZERO),
            Decision::Delay(d) => (1, *d),
            Decision::Refuse { retry_after } => (2, *retry_after),
        };
        let mut sorted_seq = sequential.clone();
        sorted_seq.sort_by_key(key);
        parallel.sort_by_key(key);
        assert_eq!(parallel, sorted_seq);
        let s = std::time::Duration::from_secs;
        // Attempts 12–48 wait: 1, 2, 4, then 8 s (PER_IP: 10 free failures).
        assert_eq!(sequential[..11], [Decision::Allow; 11]);
        assert_eq!(
            sequential[11..14],
            [
                Decision::Delay(s(1)),
                Decision::Delay(s(2)),
                Decision::Delay(s(4))
            ]
        );
        assert!(sequential[14..].iter().all(|d| *d == Decision::Delay(s(8))));
        assert!(pending("ip:par").is_empty(), "every reservation ended");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn attempts_under_one_key_run_one_at_a_time() {
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (inside, most) = (inside.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let _g = lock("account:x").await;
                let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                tokio::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }
}
