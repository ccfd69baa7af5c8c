-- Accounts: partners and the structures they keep, users, memberships, one-time links, second
-- factors, sessions, sign-in failures and API tokens (relais_store::Accounts). Secrets are kept
-- only as hashes computed by the caller. UUIDs are 16-byte blobs as in 0001; instants are the
-- RFC 3339 UTC text sqlx writes for chrono (`…+00:00`), which sorts in time order, so `<`/`>`
-- compare instants.

CREATE TABLE partners (
    id          BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    name        TEXT NOT NULL CHECK (name <> ''),
    -- The name lower-cased (by the store, Unicode-aware): names are unique case-insensitively.
    name_key    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

-- A structure has one keeper at most.
CREATE TABLE partner_structures (
    structure_id  BLOB PRIMARY KEY NOT NULL REFERENCES structures (id),
    partner_id    BLOB NOT NULL REFERENCES partners (id)
);
CREATE INDEX partner_structures_partner_id ON partner_structures (partner_id);

CREATE TABLE users (
    id              BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    -- Lower-cased by relais_domain::accounts::Email.
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT,
    totp_secret     TEXT,
    totp_last_step  INTEGER,
    created_at      TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id     BLOB NOT NULL REFERENCES users (id),
    partner_id  BLOB NOT NULL REFERENCES partners (id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'professional', 'lawyer', 'coordinator')),
    status      TEXT NOT NULL CHECK (status IN ('invited', 'active', 'suspended')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, partner_id)
);
CREATE INDEX memberships_partner_id ON memberships (partner_id);

CREATE TABLE links (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('setup', 'invite', 'reset')),
    user_id     BLOB NOT NULL REFERENCES users (id),
    partner_id  BLOB REFERENCES partners (id),
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX links_user_id ON links (user_id);

CREATE TABLE recovery_codes (
    user_id    BLOB NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id),
    stage         TEXT NOT NULL CHECK (stage IN ('second_factor', 'signed_in')),
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE auth_failures (
    key  TEXT NOT NULL,
    at   TEXT NOT NULL
);
CREATE INDEX auth_failures_key_at ON auth_failures (key, at);
CREATE INDEX auth_failures_at ON auth_failures (at);

CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    partner_id    BLOB NOT NULL REFERENCES partners (id),
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('services:read', 'services:write')),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    created_by    BLOB REFERENCES users (id),
    revoked_at    TEXT,
    last_used_at  TEXT
);
CREATE INDEX api_tokens_partner_id ON api_tokens (partner_id);
