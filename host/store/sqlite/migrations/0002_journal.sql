-- The embedded runtime's ingest journal: batches of raw records accepted from
-- a source and not yet turned into alerts. records holds the batch as
-- uvarint-length-prefixed records, one after another.
CREATE TABLE journal (
    id       INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    service  TEXT    NOT NULL,
    resource TEXT    NOT NULL,
    received INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    records  BLOB    NOT NULL
) STRICT;
