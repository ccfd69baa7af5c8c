//! The in-memory directory index: French full text, geography, filters and "open now".
//!
//! The index is rebuilt from the store at start and kept current on every write
//! ([`Index::upsert`], [`Index::remove`]). To answer "open now" or "open at T" without evaluating
//! opening hours at query time, each service's status changes are computed at index time for a
//! window of [`WINDOW_DAYS`] days starting at the beginning of the current day in Europe/Paris,
//! and refreshed daily ([`Index::refresh_window`]); instants outside the window fall back to a
//! live evaluation.

mod index;
mod listing;
pub mod text;

pub use index::{
    GeoFilter, Hit, HoursView, Index, IndexStats, LIVE_WORK_PER_SEARCH, Query, SearchResult,
    WEEK_DAYS, WINDOW_DAYS, WindowUpdate,
};
pub use listing::Listing;
