-- The audit journal: append-only, hash-chained (relais_domain::journal). `at` is the RFC 3339
-- text that was hashed; `details` the JSON text that was hashed. No personal data: ids and codes.
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    partner    TEXT,
    action     TEXT NOT NULL,
    subject    TEXT,
    ip         TEXT,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
