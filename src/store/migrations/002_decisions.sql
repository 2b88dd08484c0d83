-- Cordon state, version 2: the decision log. Each entry is chained to the
-- one before by its hash (computed by the code, not the database); `seq`
-- has no gaps, so a deleted entry shows.
CREATE TABLE decisions (
    seq             INTEGER PRIMARY KEY,
    decision_id     TEXT NOT NULL UNIQUE,
    at              TEXT NOT NULL,
    source          TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    record_hash     TEXT NOT NULL,
    record          TEXT,
    decision        TEXT NOT NULL,
    rules_hit       TEXT NOT NULL,
    result          TEXT NOT NULL,
    rules           TEXT NOT NULL,
    lists           TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    prev            TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX decisions_at ON decisions (at);
