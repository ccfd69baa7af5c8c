//! What both backends share about the journal: the row as stored (the exact texts that were
//! hashed) and its reading back into a [`Event`].

use chrono::{DateTime, SecondsFormat, Utc};
use relais_domain::journal::{Event, NewEvent};

use crate::ImportCounts;

/// A journal row: `at` and `details` are the texts that were hashed.
#[derive(Debug, sqlx::FromRow)]
pub struct JournalRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub partner: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The columns in the order of [`JournalRow`], for SELECT and INSERT.
pub const COLUMNS: &str = "seq, at, actor, partner, action, subject, ip, details, prev_hash, hash";

impl JournalRow {
    /// The row of a linked event.
    pub fn of(e: &Event) -> Self {
        Self {
            seq: e.seq,
            at: e.event.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            actor: e.event.actor.clone(),
            partner: e.event.partner.clone(),
            action: e.event.action.clone(),
            subject: e.event.subject.clone(),
            ip: e.event.ip.clone(),
            details: e.event.details.to_string(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }

    /// The event as stored. A row whose texts no longer parse (edited by hand) still reads, with
    /// placeholder values, so that verification reports it as edited instead of failing.
    pub fn into_event(self) -> Event {
        let at = DateTime::parse_from_rfc3339(&self.at)
            .map_or(DateTime::<Utc>::UNIX_EPOCH, |d| d.with_timezone(&Utc));
        let details =
            serde_json::from_str(&self.details).unwrap_or(serde_json::Value::String(self.details));
        Event {
            seq: self.seq,
            event: NewEvent {
                at,
                actor: self.actor,
                partner: self.partner,
                action: self.action,
                subject: self.subject,
                ip: self.ip,
                details,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

/// An import's event, with what it did added to its details.
pub fn import_event(mut event: NewEvent, counts: &ImportCounts) -> NewEvent {
    let done = serde_json::to_value(counts).unwrap_or_default();
    match &mut event.details {
        serde_json::Value::Object(m) => {
            m.insert("counts".to_owned(), done);
        }
        other => *other = serde_json::json!({ "counts": done }),
    }
    event
}
