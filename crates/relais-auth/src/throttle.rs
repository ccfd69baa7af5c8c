//! How recent failed sign-ins under one key (an account, an IP address) slow
//! down or refuse the next attempt (NIST SP 800-63B §5.2.2 rate limiting;
//! OWASP Authentication Cheat Sheet). Pure: the caller keeps the failures.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// How many recent failures slow or refuse sign-in under one key.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Failures older than this do not count.
    pub window: Duration,
    /// Failures within the window that cost nothing (typos).
    pub free: u32,
    /// From this many failures within the window, attempts are refused.
    pub limit: u32,
}

/// Per account: 15 min window, 3 free failures, refused from 10 (until the
/// oldest failure leaves the window). NIST SP 800-63B allows at most 100
/// consecutive failures per account; with TOTP behind the password this is
/// far below.
pub const PER_ACCOUNT: Rule = Rule {
    window: Duration::from_secs(15 * 60),
    free: 3,
    limit: 10,
};

/// Per IP address: 15 min window, 10 free, refused from 50 (several people
/// may share an office's address).
pub const PER_IP: Rule = Rule {
    window: Duration::from_secs(15 * 60),
    free: 10,
    limit: 50,
};

/// The longest delay asked for before answering.
pub const MAX_DELAY: Duration = Duration::from_secs(8);

/// What to do with the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Answer only after this delay.
    Delay(Duration),
    /// Refuse: 429 with Retry-After (round up to whole seconds).
    Refuse {
        /// When the attempt would no longer be refused (at most the window).
        retry_after: Duration,
    },
}

impl Decision {
    /// Rank for [`strictest`]: refusal, then the longest delay, then allow.
    fn rank(self) -> (u8, Duration) {
        match self {
            Self::Allow => (0, Duration::ZERO),
            Self::Delay(delay) => (1, delay),
            Self::Refuse { retry_after } => (2, retry_after),
        }
    }
}

/// Pure: given the instants of the failures under a key (any order) and now,
/// what to do with the next attempt. Failures older than the window do not
/// count (a failure exactly `window` old has left it), so nobody is locked out
/// for longer than the window (no permanent lockout an attacker could impose
/// on a victim). Failures dated after `now` (clock skew) count as now.
/// Delay grows with the failures past `free`: 1 s, 2 s, 4 s, capped at 8 s.
/// When refused, `retry_after` is when enough failures will have left the
/// window for the count to drop below `limit`.
#[must_use]
pub fn decide(failures: &[DateTime<Utc>], now: DateTime<Utc>, rule: Rule) -> Decision {
    let window = TimeDelta::from_std(rule.window).unwrap_or(TimeDelta::MAX);
    let mut recent: Vec<DateTime<Utc>> = failures
        .iter()
        .map(|&at| at.min(now))
        .filter(|&at| now.signed_duration_since(at) < window)
        .collect();
    let count = recent.len();
    let limit = usize::try_from(rule.limit).unwrap_or(usize::MAX);
    let free = usize::try_from(rule.free).unwrap_or(usize::MAX);
    if count >= limit {
        recent.sort_unstable();
        // The count drops below the limit when the (count − limit + 1)th
        // oldest failure leaves the window.
        let leaving = recent[count - limit.max(1)];
        let retry_after = (leaving + window)
            .signed_duration_since(now)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(rule.window);
        return Decision::Refuse { retry_after };
    }
    if count <= free {
        return Decision::Allow;
    }
    let doublings = u32::try_from(count - free - 1).unwrap_or(u32::MAX).min(3);
    Decision::Delay((Duration::from_secs(1) * (1 << doublings)).min(MAX_DELAY))
}

/// The strictest of several decisions (Refuse > Delay (longest) > Allow): one
/// attempt is judged per account and per IP address at once.
#[must_use]
pub fn strictest(a: Decision, b: Decision) -> Decision {
    if b.rank() > a.rank() { b } else { a }
}
