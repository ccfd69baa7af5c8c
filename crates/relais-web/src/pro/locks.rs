//! One attempt at a time per key (an account, a second factor): the throttling rules count the
//! failures already recorded, so concurrent attempts under one key would all see the same count
//! and all be evaluated. Serialising them here makes the count exact on this node (with N nodes
//! behind a load balancer, at most N attempts run at once per key).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};

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
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn rates_are_counted_per_key() {
        let hour = std::time::Duration::from_secs(3600);
        assert!((0..3).all(|_| within_rate("reset:a", 3, hour)));
        assert!(!within_rate("reset:a", 3, hour));
        assert!(within_rate("reset:b", 3, hour));
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
