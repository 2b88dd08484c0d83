-- Cordon state, version 3: exported segments of the decision log. An entry
-- is removed (`cordon log prune`) only once a segment holding it is written;
-- the chain in the log then continues from the last pruned segment's head.
CREATE TABLE log_exports (
    from_seq    INTEGER PRIMARY KEY,
    to_seq      INTEGER NOT NULL UNIQUE,
    prev        TEXT NOT NULL,
    head        TEXT NOT NULL,
    until       TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    pruned      INTEGER NOT NULL DEFAULT 0
);
