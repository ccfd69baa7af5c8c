//! How recent failed sign-ins under one key (an account, an IP address) slow
//! down or refuse the next attempt (NIST SP 800-63B rev. 3 §5.2.2 rate limiting;
//! OWASP Authentication Cheat Sheet). Pure: the caller keeps the failures.

use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};

/// The salt of throttling keys: 32 random bytes drawn once per process, never written anywhere.
static SALT: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let mut salt = [0u8; 32];
    crate::secret::fill_random(&mut salt);
    salt
});

/// The key failures are counted under: `kind:` + hex SHA-256(salt ‖ `value`), with a salt drawn
/// once per process. The failures table and memory never hold an address or an email in clear,
/// and a copy of the database cannot be reversed by hashing all 2³² IPv4 addresses (or the known
/// emails): the salt is not in it. The price: a restart forgets recent failures (at most the
/// 15-minute window), and several nodes each count their own.
#[must_use]
pub fn key(kind: &str, value: &str) -> String {
    key_with(&SALT[..], kind, value)
}

fn key_with(salt: &[u8], kind: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value.as_bytes());
    format!("{kind}:{}", HEXLOWER.encode(&h.finalize()))
}

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
    if count >= limit && count > 0 {
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

/// The same decision, never a refusal: under a key an attacker can fill for a victim (the
/// account alone), failures slow sign-in down but do not shut the door (OWASP: account lockout
/// is a denial of service); refusals belong to keys that include the attacker's own address.
#[must_use]
pub fn slow_only(d: Decision) -> Decision {
    match d {
        Decision::Refuse { .. } => Decision::Delay(MAX_DELAY),
        other => other,
    }
}

/// The strictest of several decisions (Refuse > Delay (longest) > Allow): one
/// attempt is judged per account and per IP address at once.
#[must_use]
pub fn strictest(a: Decision, b: Decision) -> Decision {
    if b.rank() > a.rank() { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap()
    }

    fn ago(seconds: i64) -> DateTime<Utc> {
        now() - TimeDelta::seconds(seconds)
    }

    #[test]
    fn keys_hide_their_value_and_depend_on_the_salt() {
        let k = key("ip", "203.0.113.7");
        assert!(k.starts_with("ip:") && k.len() == 3 + 64, "{k}");
        assert!(!k.contains("203.0.113.7"));
        assert_eq!(k, key("ip", "203.0.113.7"), "stable within the process");
        assert_ne!(k, key("ip", "203.0.113.8"));
        assert_ne!(k, key("account-ip", "203.0.113.7"));
        // Another salt (another process), another key: the unsalted hash is not it either.
        assert_ne!(k, key_with(b"another salt", "ip", "203.0.113.7"));
        assert_ne!(k, key_with(b"", "ip", "203.0.113.7"));
    }

    #[test]
    fn slow_only_never_refuses() {
        let refused = Decision::Refuse {
            retry_after: Duration::from_secs(60),
        };
        assert_eq!(slow_only(refused), Decision::Delay(MAX_DELAY));
        assert_eq!(slow_only(Decision::Allow), Decision::Allow);
        let d = Decision::Delay(Duration::from_secs(2));
        assert_eq!(slow_only(d), d);
    }

    fn rank(decision: Decision) -> (u8, Duration) {
        decision.rank()
    }

    #[test]
    fn per_account_sequence() {
        let decisions: Vec<Decision> = (0..=11)
            .map(|n| {
                let failures: Vec<_> = (0..n).map(|i| ago(60 + i)).collect();
                decide(&failures, now(), PER_ACCOUNT)
            })
            .collect();
        let s = Duration::from_secs;
        assert_eq!(
            decisions[..10],
            [
                Decision::Allow,
                Decision::Allow,
                Decision::Allow,
                Decision::Allow,
                Decision::Delay(s(1)),
                Decision::Delay(s(2)),
                Decision::Delay(s(4)),
                Decision::Delay(s(8)),
                Decision::Delay(s(8)),
                Decision::Delay(s(8)),
            ]
        );
        // Ten failures 60..69 s ago: the oldest leaves the window in 900 − 69 s.
        assert_eq!(
            decisions[10],
            Decision::Refuse {
                retry_after: s(900 - 69)
            }
        );
        // Eleven, 60..70 s ago: two must leave; the second oldest (69 s ago)
        // leaves in 831 s.
        assert_eq!(
            decisions[11],
            Decision::Refuse {
                retry_after: s(900 - 69)
            }
        );
    }

    #[test]
    fn the_window_edge_and_future_failures() {
        // Exactly 15 minutes old: already out.
        assert_eq!(decide(&[ago(900); 20], now(), PER_ACCOUNT), Decision::Allow);
        assert!(matches!(
            decide(&[ago(899); 20], now(), PER_ACCOUNT),
            Decision::Refuse { .. }
        ));
        // Dated in the future: counted as now, so refused for the whole window.
        assert_eq!(
            decide(&[ago(-30); 10], now(), PER_ACCOUNT),
            Decision::Refuse {
                retry_after: PER_ACCOUNT.window
            }
        );
    }

    #[test]
    fn strictest_prefers_refusal_then_the_longest_delay() {
        let s = Duration::from_secs;
        let refuse = Decision::Refuse { retry_after: s(5) };
        assert_eq!(
            strictest(Decision::Allow, Decision::Delay(s(1))),
            Decision::Delay(s(1))
        );
        assert_eq!(
            strictest(Decision::Delay(s(2)), Decision::Delay(s(1))),
            Decision::Delay(s(2))
        );
        assert_eq!(strictest(Decision::Delay(s(8)), refuse), refuse);
        assert_eq!(strictest(refuse, Decision::Allow), refuse);
        assert_eq!(strictest(Decision::Allow, Decision::Allow), Decision::Allow);
        let later = Decision::Refuse { retry_after: s(60) };
        assert_eq!(strictest(refuse, later), later);
    }

    fn rules() -> impl Strategy<Value = Rule> {
        prop_oneof![
            Just(PER_ACCOUNT),
            Just(PER_IP),
            (1u64..3600, 0u32..20, 1u32..60).prop_map(|(window, free, extra)| Rule {
                window: Duration::from_secs(window),
                free,
                limit: free + extra,
            }),
        ]
    }

    /// Failures as milliseconds before now (negative: in the future).
    fn failures() -> impl Strategy<Value = Vec<i64>> {
        prop::collection::vec(-5_000i64..2_000_000, 0..80)
    }

    fn instants(millis: &[i64]) -> Vec<DateTime<Utc>> {
        millis
            .iter()
            .map(|&ms| now() - TimeDelta::milliseconds(ms))
            .collect()
    }

    fn in_window(millis: &[i64], rule: Rule) -> u32 {
        let window = i64::try_from(rule.window.as_millis()).unwrap();
        u32::try_from(millis.iter().filter(|&&ms| ms < window).count()).unwrap()
    }

    proptest! {
        #[test]
        fn never_refused_below_the_limit_always_allowed_up_to_free(millis in failures(), rule in rules()) {
            let decision = decide(&instants(&millis), now(), rule);
            let count = in_window(&millis, rule);
            prop_assert_eq!(matches!(decision, Decision::Refuse { .. }), count >= rule.limit);
            prop_assert_eq!(decision == Decision::Allow, count <= rule.free);
            if let Decision::Delay(delay) = decision {
                prop_assert!(delay >= Duration::from_secs(1) && delay <= MAX_DELAY);
            }
        }

        #[test]
        fn refusal_lasts_at_most_the_window_and_exactly_until_it_ends(millis in failures(), rule in rules()) {
            let failures = instants(&millis);
            if let Decision::Refuse { retry_after } = decide(&failures, now(), rule) {
                prop_assert!(retry_after > Duration::ZERO);
                prop_assert!(retry_after <= rule.window);
                let then = now() + TimeDelta::from_std(retry_after).unwrap();
                let refused_then = matches!(decide(&failures, then, rule), Decision::Refuse { .. });
                prop_assert!(!refused_then);
                let just_before = then - TimeDelta::nanoseconds(1);
                let refused_just_before = matches!(decide(&failures, just_before, rule), Decision::Refuse { .. });
                prop_assert!(refused_just_before);
            }
        }

        #[test]
        fn failures_outside_the_window_are_ignored(millis in failures(), old in prop::collection::vec(0i64..10_000_000, 0..40), rule in rules()) {
            let window = i64::try_from(rule.window.as_millis()).unwrap();
            let mut with_old = millis.clone();
            with_old.extend(old.iter().map(|ms| window + ms));
            prop_assert_eq!(decide(&instants(&millis), now(), rule), decide(&instants(&with_old), now(), rule));
        }

        #[test]
        fn more_failures_never_make_it_easier(millis in failures(), more in failures(), rule in rules()) {
            let before = decide(&instants(&millis), now(), rule);
            let mut all = millis.clone();
            all.extend(more);
            let after = decide(&instants(&all), now(), rule);
            prop_assert!(rank(after) >= rank(before), "{:?} then {:?}", before, after);
        }

        #[test]
        fn order_does_not_matter(mut millis in failures(), rule in rules()) {
            let before = decide(&instants(&millis), now(), rule);
            millis.reverse();
            prop_assert_eq!(decide(&instants(&millis), now(), rule), before);
        }
    }
}
