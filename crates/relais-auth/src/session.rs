//! When a signed-in session stops being usable (OWASP Session Management
//! Cheat Sheet: both an idle and an absolute timeout; NIST SP 800-63B rev. 3 §4.2.3
//! for AAL2: re-authentication at least every 12 hours, after 30 minutes of
//! inactivity).

use chrono::{DateTime, TimeDelta, Utc};

/// Idle timeout: 30 minutes without a request ends a session.
pub const IDLE: TimeDelta = TimeDelta::minutes(30);

/// Absolute timeout: 12 hours after sign-in, whatever the activity.
pub const ABSOLUTE: TimeDelta = TimeDelta::hours(12);

/// Whether a session may still be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// Usable: the caller updates its last-seen time.
    Live,
    /// Unused for [`IDLE`] or more: sign in again.
    Idle,
    /// Older than [`ABSOLUTE`]: sign in again. Takes precedence over Idle.
    Expired,
}

/// Pure: a session created at `created` and last seen at `last_seen` is, at
/// `now`: Expired when `now − created ≥ ABSOLUTE`, else Idle when
/// `now − last_seen ≥ IDLE`, else Live. Both limits are exclusive: a session
/// exactly 30 minutes idle is no longer live.
#[must_use]
pub fn liveness(created: DateTime<Utc>, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> Liveness {
    if now.signed_duration_since(created) >= ABSOLUTE {
        Liveness::Expired
    } else if now.signed_duration_since(last_seen) >= IDLE {
        Liveness::Idle
    } else {
        Liveness::Live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn idle_boundary() {
        let created = at(0);
        assert_eq!(
            liveness(created, at(100), at(100 + 30 * 60 - 1)),
            Liveness::Live
        );
        assert_eq!(
            liveness(created, at(100), at(100 + 30 * 60)),
            Liveness::Idle
        );
    }

    #[test]
    fn absolute_boundary_even_when_active() {
        let created = at(0);
        let twelve_hours = 12 * 3600;
        assert_eq!(
            liveness(created, at(twelve_hours - 2), at(twelve_hours - 1)),
            Liveness::Live
        );
        assert_eq!(
            liveness(created, at(twelve_hours - 1), at(twelve_hours)),
            Liveness::Expired
        );
        // Both past: expired wins.
        assert_eq!(
            liveness(created, at(0), at(twelve_hours + 3600)),
            Liveness::Expired
        );
    }

    #[test]
    fn a_fresh_session_is_live() {
        assert_eq!(liveness(at(0), at(0), at(0)), Liveness::Live);
        assert_eq!(IDLE, TimeDelta::minutes(30));
        assert_eq!(ABSOLUTE, TimeDelta::hours(12));
    }
}
