//! data·inclusion exchange (being written).
