-- Cordon state, version 1: runs, the rules that count, the records counted,
-- and every change made by hand. Applied in one transaction.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE runs (
    run     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    rules   TEXT NOT NULL,
    inputs  TEXT NOT NULL,
    counted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE rules (
    rule       TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);
CREATE TABLE counted (
    rule    TEXT NOT NULL,
    record  TEXT NOT NULL,
    hash    TEXT NOT NULL,
    grp     TEXT NOT NULL,
    date    TEXT NOT NULL,
    amounts TEXT,
    file    TEXT NOT NULL,
    line    INTEGER NOT NULL,
    run     INTEGER NOT NULL REFERENCES runs (run),
    status  TEXT NOT NULL DEFAULT 'under',
    PRIMARY KEY (rule, record)
) WITHOUT ROWID;
CREATE INDEX counted_order ON counted (rule, grp, date, record);
CREATE TABLE changes (
    change INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    why    TEXT NOT NULL,
    what   TEXT NOT NULL
);
