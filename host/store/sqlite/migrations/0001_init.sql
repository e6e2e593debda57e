-- Alerts and their per-output delivery state. Times are Unix microseconds.

-- One row per alert. body is the alert's JSON payload (alert.Payload), which
-- never changes once written; the columns beside it are what queries filter
-- and sort on, and the merge link, which does change.
CREATE TABLE alerts (
    id            TEXT    NOT NULL PRIMARY KEY,
    rule_name     TEXT    NOT NULL,
    created       INTEGER NOT NULL,
    staged        INTEGER NOT NULL DEFAULT 0,
    merge_enabled INTEGER NOT NULL DEFAULT 0,
    merged_into   TEXT,
    body          TEXT    NOT NULL
) STRICT;

CREATE INDEX alerts_created ON alerts (created, id);
CREATE INDEX alerts_rule ON alerts (rule_name, created, id);
-- The merger's work list: alerts still waiting to be merged.
CREATE INDEX alerts_merge ON alerts (rule_name, created, id)
    WHERE merge_enabled = 1 AND merged_into IS NULL;

-- One row per alert x output: the delivery queue. While a pair is leased,
-- next_attempt is the end of the lease, so "due" is one indexed range:
-- pending with next_attempt <= now.
CREATE TABLE deliveries (
    alert_id     TEXT    NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    output       TEXT    NOT NULL,
    status       TEXT    NOT NULL
        CHECK (status IN ('pending', 'held', 'sent', 'failed', 'merged')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_attempt INTEGER,
    next_attempt INTEGER NOT NULL DEFAULT 0,
    lease_until  INTEGER,
    lease_token  INTEGER,
    sent_at      INTEGER,
    error        TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (alert_id, output)
) STRICT;

-- In Due's order, so leasing reads only the rows it leases.
CREATE INDEX deliveries_due ON deliveries (next_attempt, alert_id, output) WHERE status = 'pending';
-- Failed pairs are few and looked for by the CLI (list, retry).
CREATE INDEX deliveries_failed ON deliveries (alert_id) WHERE status = 'failed';

-- Checkpoints: app cursors, merger progress.
CREATE TABLE state (
    key     TEXT    NOT NULL PRIMARY KEY,
    value   BLOB    NOT NULL,
    updated INTEGER NOT NULL
) STRICT;
