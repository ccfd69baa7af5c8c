-- The directory: structures and their services, stored as the full domain object (JSON text in
-- `data`) plus the key columns that queries and constraints need. UUIDs are 16-byte blobs.

CREATE TABLE structures (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    source      TEXT NOT NULL CHECK (source <> ''),
    source_id   TEXT NOT NULL CHECK (source_id <> ''),
    name        TEXT NOT NULL CHECK (name <> ''),
    updated_on  TEXT NOT NULL,
    data        TEXT NOT NULL CHECK (json_valid(data)),
    CONSTRAINT structures_source_key UNIQUE (source, source_id)
);

-- Change sequence: one row per created, updated or deleted service. AUTOINCREMENT guarantees that
-- a seq is never reused, even after the last row is deleted.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id  BLOB NOT NULL CHECK (length(service_id) = 16),
    changed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX changes_service_id ON changes (service_id);

CREATE TABLE services (
    id            BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    structure_id  BLOB NOT NULL REFERENCES structures (id),
    source        TEXT NOT NULL CHECK (source <> ''),
    source_id     TEXT NOT NULL CHECK (source_id <> ''),
    name          TEXT NOT NULL CHECK (name <> ''),
    updated_on    TEXT NOT NULL,
    data          TEXT NOT NULL CHECK (json_valid(data)),
    -- The seq of the last change of this service.
    seq           INTEGER NOT NULL,
    CONSTRAINT services_source_key UNIQUE (source, source_id)
);
CREATE INDEX services_structure_id ON services (structure_id);
