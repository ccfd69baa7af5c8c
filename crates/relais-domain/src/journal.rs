//! The audit journal's chain: every event carries the SHA-256 of the previous event's hash and
//! of its own canonical content, so that an event edited, removed or moved breaks the chain at
//! that point, and a cut tail is caught against a head hash noted earlier. Pure: the store keeps
//! the events, this module says what their hashes must be.
//!
//! Personal data never goes into an event: `actor`, `partner` and `subject` are ids, `details`
//! holds field names and codes, never a person's name or a note.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as it is written: everything but its place in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    /// Who did it: a user id, `token:<id>`, or `cli` for an operator's command.
    pub actor: String,
    /// The partner on whose behalf, when there is one.
    pub partner: Option<String>,
    /// What was done: `directory.import`, `auth.sign_in`, `service.update`…
    pub action: String,
    /// What it was done to (an id).
    pub subject: Option<String>,
    /// The client's address, kept on security events only (see [`keeps_address`]).
    pub ip: Option<String>,
    /// Codes and counts, never free text typed by a person.
    pub details: serde_json::Value,
}

impl NewEvent {
    /// An event done by the system or an operator's command, not a person of a partner.
    pub fn system(at: DateTime<Utc>, actor: &str, action: &str) -> Self {
        Self {
            at,
            actor: actor.to_owned(),
            partner: None,
            action: action.to_owned(),
            subject: None,
            ip: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }
}

/// The kinds of action whose events keep the client's address: sign-ins and their failures,
/// links, passwords and second factors (`auth.`), API tokens (`token.`) and memberships
/// (`member.`) — what one needs to trace an intrusion. An address is personal data (CNIL;
/// CJEU C-582/14 *Breyer*) and the journal is append-only: any other event (a service edited, an
/// import) is recorded without one (GDPR art. 5(1)(c), data minimisation).
pub const SECURITY_ACTIONS: [&str; 3] = ["auth.", "token.", "member."];

/// Whether an event of `action` keeps the client's address.
pub fn keeps_address(action: &str) -> bool {
    SECURITY_ACTIONS.iter().any(|p| action.starts_with(p))
}

impl NewEvent {
    /// The event as the journal keeps it: without the address unless it is a security event.
    #[must_use]
    pub fn minimised(mut self) -> Self {
        if !keeps_address(&self.action) {
            self.ip = None;
        }
        self
    }
}

/// An event in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: i64,
    pub event: NewEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The content that is hashed: a fixed field order, instants in RFC 3339 UTC with
/// microseconds (what both databases keep), `details` as compact JSON with sorted keys.
pub fn canonical(seq: i64, e: &NewEvent) -> String {
    let canonical_details = sort_keys(&e.details);
    serde_json::json!([
        seq,
        e.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        e.actor,
        e.partner,
        e.action,
        e.subject,
        e.ip,
        canonical_details,
    ])
    .to_string()
}

fn sort_keys(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), sort_keys(&m[k]));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// `hex(SHA-256(prev_hash ‖ "\n" ‖ canonical(seq, event)))`.
pub fn chain_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical(seq, e).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The next event after `prev` (or the first, after `None`), [minimised](NewEvent::minimised)
/// before it is hashed: what is linked is what is kept, so verification is unchanged.
pub fn link(prev: Option<(&str, i64)>, e: NewEvent) -> Event {
    let e = e.minimised();
    let (prev_hash, seq) = match prev {
        Some((hash, seq)) => (hash.to_owned(), seq + 1),
        None => (GENESIS.to_owned(), 1),
    };
    let hash = chain_hash(&prev_hash, seq, &e);
    Event {
        seq,
        event: e,
        prev_hash,
        hash,
    }
}

/// The end of a sound chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub count: u64,
    /// The last event's hash (`GENESIS` for an empty journal).
    pub hash: String,
}

/// Where and how a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    #[error("event {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error("event {seq}: expected event {expected} here (removed or moved)")]
    Gap { seq: i64, expected: i64 },
    #[error("event {seq}: it does not follow the event before it (removed, moved or replaced)")]
    Unlinked { seq: i64 },
    #[error("the expected head {expected} is not in the journal (its tail was cut or rewritten)")]
    HeadMissing { expected: String },
}

/// Walks events in `seq` order and reports the first break, or the head. With `expect_head`, a
/// head noted earlier must still be in the chain.
pub fn verify(
    events: impl IntoIterator<Item = Event>,
    expect_head: Option<&str>,
) -> Result<Head, Break> {
    let mut v = Verifier::new(expect_head);
    for e in events {
        v.push(&e)?;
    }
    v.finish()
}

/// [`verify`] one event at a time, for a journal read page by page.
#[derive(Clone, Debug)]
pub struct Verifier {
    prev_hash: String,
    expected_seq: i64,
    count: u64,
    expect_head: Option<String>,
    seen_expected: bool,
}

impl Verifier {
    /// A walk from the first event.
    pub fn new(expect_head: Option<&str>) -> Self {
        Self {
            prev_hash: GENESIS.to_owned(),
            expected_seq: 1,
            count: 0,
            expect_head: expect_head.map(str::to_owned),
            seen_expected: expect_head.is_none_or(|h| h == GENESIS),
        }
    }

    /// Checks the next event.
    pub fn push(&mut self, e: &Event) -> Result<(), Break> {
        if e.seq != self.expected_seq {
            return Err(Break::Gap {
                seq: e.seq,
                expected: self.expected_seq,
            });
        }
        if chain_hash(&e.prev_hash, e.seq, &e.event) != e.hash {
            return Err(Break::Edited { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Break::Unlinked { seq: e.seq });
        }
        if self.expect_head.as_deref() == Some(e.hash.as_str()) {
            self.seen_expected = true;
        }
        self.prev_hash.clone_from(&e.hash);
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// The head, if the expected head (if any) was met.
    pub fn finish(self) -> Result<Head, Break> {
        if !self.seen_expected {
            return Err(Break::HeadMissing {
                expected: self.expect_head.unwrap_or_default(),
            });
        }
        Ok(Head {
            count: self.count,
            hash: self.prev_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn ev(i: u32) -> NewEvent {
        NewEvent {
            at: Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, i % 60).unwrap(),
            actor: format!("user-{i}"),
            partner: Some("p1".into()),
            action: "service.update".into(),
            subject: Some(format!("s{i}")),
            ip: None,
            details: serde_json::json!({"b": 1, "a": [i]}),
        }
    }

    fn chain(n: u32) -> Vec<Event> {
        let mut out: Vec<Event> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.hash.as_str(), e.seq));
            let next = link(prev, ev(i));
            out.push(next);
        }
        out
    }

    #[test]
    fn canonical_form_is_stable() {
        // Key order in details does not matter; the hash of a known event is pinned.
        let mut a = ev(1);
        a.details = serde_json::json!({"a": 1, "b": 2});
        let mut b = ev(1);
        b.details = serde_json::json!({"b": 2, "a": 1});
        assert_eq!(canonical(1, &a), canonical(1, &b));
        assert_eq!(
            canonical(1, &a),
            r#"[1,"2026-11-26T10:00:01.000000Z","user-1","p1","service.update","s1",null,{"a":1,"b":2}]"#
        );
        assert_eq!(chain_hash(GENESIS, 1, &a).len(), 64);
    }

    #[test]
    fn a_sound_chain_gives_its_head() {
        let c = chain(5);
        let head = verify(c.clone(), None).expect("sound");
        assert_eq!(head.count, 5);
        assert_eq!(head.hash, c[4].hash);
        assert_eq!(verify(Vec::new(), None).expect("empty").hash, GENESIS);
        // A head noted earlier is still there.
        assert!(verify(c.clone(), Some(&c[2].hash)).is_ok());
    }

    #[test]
    fn each_tampering_is_caught_where_it_happened() {
        let c = chain(6);
        let mut edited = c.clone();
        edited[3].event.action = "service.delete".into();
        assert_eq!(verify(edited, None), Err(Break::Edited { seq: 4 }));
        let mut removed = c.clone();
        removed.remove(2);
        assert_eq!(
            verify(removed, None),
            Err(Break::Gap {
                seq: 4,
                expected: 3
            })
        );
        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert!(matches!(
            verify(swapped, None),
            Err(Break::Gap { seq: 3, .. })
        ));
        // Swapped and renumbered: the links no longer hold.
        let mut renumbered = c.clone();
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert!(matches!(
            verify(renumbered, None),
            Err(Break::Edited { seq: 2 })
        ));
        // Rehashed after an edit, the next link breaks.
        let mut rehashed = c.clone();
        rehashed[3].event.action = "service.delete".into();
        rehashed[3].hash = chain_hash(&rehashed[3].prev_hash, 4, &rehashed[3].event);
        assert_eq!(verify(rehashed, None), Err(Break::Unlinked { seq: 5 }));
        // A cut tail is only caught against an earlier head.
        let head = c[5].hash.clone();
        let cut: Vec<Event> = c[..4].to_vec();
        assert!(verify(cut.clone(), None).is_ok());
        assert_eq!(
            verify(cut, Some(&head)),
            Err(Break::HeadMissing { expected: head })
        );
    }

    #[test]
    fn only_security_events_keep_the_address() {
        let with_ip = |action: &str| NewEvent {
            action: action.into(),
            ip: Some("203.0.113.7".into()),
            ..ev(1)
        };
        for action in [
            "auth.sign_in",
            "auth.sign_in_failed",
            "auth.second_factor_failed",
            "token.create",
            "token.revoke",
            "member.invite",
            "member.remove",
        ] {
            let e = link(None, with_ip(action));
            assert_eq!(e.event.ip.as_deref(), Some("203.0.113.7"), "{action}");
        }
        for action in [
            "service.update",
            "service.create",
            "structure.update",
            "directory.import",
            "authx.other",
        ] {
            let e = link(None, with_ip(action));
            assert_eq!(e.event.ip, None, "{action}");
        }
        // What is linked verifies: the address dropped before hashing, not after.
        let first = link(None, with_ip("service.update"));
        let second = link(Some((&first.hash, first.seq)), with_ip("auth.sign_in"));
        assert!(verify([first, second], None).is_ok());
    }

    proptest! {
        #[test]
        fn any_single_edit_is_caught(n in 1u32..20, at in 0usize..20, actor in "[a-z]{1,8}") {
            let mut c = chain(n);
            let i = at % c.len();
            prop_assume!(c[i].event.actor != actor);
            c[i].event.actor = actor;
            prop_assert_eq!(verify(c, None), Err(Break::Edited { seq: i as i64 + 1 }));
        }
    }
}
