//! When a signed-in session stops being usable (OWASP Session Management
//! Cheat Sheet: both an idle and an absolute timeout; NIST SP 800-63B §4.2.3
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
