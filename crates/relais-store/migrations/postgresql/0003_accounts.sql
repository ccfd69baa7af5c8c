-- Accounts: partners and the structures they keep, users, memberships, one-time links, second
-- factors, sessions, sign-in failures and API tokens (relais_store::Accounts). Secrets are kept
-- only as hashes computed by the caller. Same tables as the SQLite migration of the same name.

CREATE TABLE partners (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    -- The name lower-cased (by the store, Unicode-aware): names are unique case-insensitively.
    name_key    text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL
);

-- A structure has one keeper at most.
CREATE TABLE partner_structures (
    structure_id  uuid PRIMARY KEY REFERENCES structures (id),
    partner_id    uuid NOT NULL REFERENCES partners (id)
);
CREATE INDEX partner_structures_partner_id ON partner_structures (partner_id);

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    -- Lower-cased by relais_domain::accounts::Email.
    email           text NOT NULL UNIQUE,
    password_hash   text,
    totp_secret     text,
    totp_last_step  bigint,
    created_at      timestamptz NOT NULL
);

CREATE TABLE memberships (
    user_id     uuid NOT NULL REFERENCES users (id),
    partner_id  uuid NOT NULL REFERENCES partners (id),
    role        text NOT NULL CHECK (role IN ('admin', 'professional', 'lawyer', 'coordinator')),
    status      text NOT NULL CHECK (status IN ('invited', 'active', 'suspended')),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, partner_id)
);
CREATE INDEX memberships_partner_id ON memberships (partner_id);

CREATE TABLE links (
    token_hash  text PRIMARY KEY,
    purpose     text NOT NULL CHECK (purpose IN ('setup', 'invite', 'reset')),
    user_id     uuid NOT NULL REFERENCES users (id),
    partner_id  uuid REFERENCES partners (id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX links_user_id ON links (user_id);

CREATE TABLE recovery_codes (
    user_id    uuid NOT NULL REFERENCES users (id),
    code_hash  text NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    id_hash       text PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id),
    stage         text NOT NULL CHECK (stage IN ('second_factor', 'signed_in')),
    csrf          text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE auth_failures (
    key  text NOT NULL,
    at   timestamptz NOT NULL
);
CREATE INDEX auth_failures_key_at ON auth_failures (key, at);
CREATE INDEX auth_failures_at ON auth_failures (at);

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY,
    partner_id    uuid NOT NULL REFERENCES partners (id),
    name          text NOT NULL,
    scope         text NOT NULL CHECK (scope IN ('services:read', 'services:write')),
    token_hash    text NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    created_by    uuid REFERENCES users (id),
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
CREATE INDEX api_tokens_partner_id ON api_tokens (partner_id);
