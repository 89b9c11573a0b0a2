-- Parse runs (spec §6) on the same runs table and queue: batch membership, the caller's
-- metadata (echoed in the run and its webhook), and a priority (lower runs earlier).
-- Batch members wait as PENDING until a worker claims them (then PROCESSING).
ALTER TABLE runs ADD COLUMN batch_id TEXT;
ALTER TABLE runs ADD COLUMN metadata TEXT;                 -- JSON object or NULL
ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 50;
CREATE INDEX runs_by_batch ON runs (batch_id, created_ms, id);

CREATE TABLE batch_runs (
    id              TEXT PRIMARY KEY,            -- bpar_...
    workspace_id    TEXT NOT NULL,
    kind            TEXT NOT NULL,               -- parse_run: the kind of its member runs
    status          TEXT NOT NULL,               -- PENDING | PROCESSING | PROCESSED | FAILED | CANCELLED (stored once final)
    run_count       INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX batch_runs_by_workspace ON batch_runs (workspace_id, created_ms, id);
