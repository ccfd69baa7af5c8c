-- The directory: structures and their services, stored as the full domain object (`data`, JSONB)
-- plus the key columns that queries and constraints need.

CREATE TABLE structures (
    id          uuid PRIMARY KEY,
    source      text NOT NULL CHECK (source <> ''),
    source_id   text NOT NULL CHECK (source_id <> ''),
    name        text NOT NULL CHECK (name <> ''),
    updated_on  date NOT NULL,
    data        jsonb NOT NULL,
    CONSTRAINT structures_source_key UNIQUE (source, source_id)
);

-- Change sequence: one row per created, updated or deleted service. The identity is shared by
-- every app node on this database; writers serialise on an advisory lock (see the store), so
-- seqs become visible in increasing order.
CREATE TABLE changes (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id  uuid NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_service_id ON changes (service_id);

CREATE TABLE services (
    id            uuid PRIMARY KEY,
    structure_id  uuid NOT NULL REFERENCES structures (id),
    source        text NOT NULL CHECK (source <> ''),
    source_id     text NOT NULL CHECK (source_id <> ''),
    name          text NOT NULL CHECK (name <> ''),
    updated_on    date NOT NULL,
    data          jsonb NOT NULL,
    -- The seq of the last change of this service.
    seq           bigint NOT NULL,
    CONSTRAINT services_source_key UNIQUE (source, source_id)
);
CREATE INDEX services_structure_id ON services (structure_id);
