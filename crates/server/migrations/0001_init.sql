-- Formsmith server store, version 1. Times: *_ms = milliseconds since the epoch (sorting),
-- *_at = the same as RFC 3339 text (as the API shows it).

CREATE TABLE workspaces (
    id              TEXT PRIMARY KEY,            -- ws_...
    organization_id TEXT NOT NULL,               -- org_... (organization keys reach every workspace of theirs)
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,            -- key_... (names the key in logs; never the key itself)
    key_hash        TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the key; the key is shown once
    scope           TEXT NOT NULL CHECK (scope IN ('workspace', 'organization')),
    workspace_id    TEXT REFERENCES workspaces(id),   -- workspace keys
    organization_id TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT
);

CREATE TABLE files (
    id              TEXT PRIMARY KEY,            -- file_...; the blob is blobs/<id>
    workspace_id    TEXT NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT,                        -- FileType (PDF, IMG, ...) or NULL
    page_count      INTEGER,
    size_bytes      INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    password        TEXT,                        -- given at upload (or with a URL input) to open it later
    owner_run_id    TEXT,                        -- set on run outputs: deleting the run deletes the file
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX files_by_workspace ON files (workspace_id, created_ms, id);
CREATE INDEX files_by_owner ON files (owner_run_id);

-- Every run kind (edit_run, form_detection_run; later parse_run) in one table and one queue.
-- status is the API status. A run waits in the queue while status = 'PROCESSING' and
-- claimed_ms IS NULL; a worker claims it by setting claimed_ms and counting an attempt.
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,            -- edr_..., sgr_...
    kind            TEXT NOT NULL,               -- edit_run | form_detection_run
    workspace_id    TEXT NOT NULL,
    status          TEXT NOT NULL,               -- PROCESSING | PROCESSED | FAILED (| PENDING | CANCELLED later)
    source          TEXT NOT NULL DEFAULT 'API',
    file_id         TEXT,                        -- input file (pre-assigned for URL inputs)
    file_name       TEXT NOT NULL,
    input           TEXT NOT NULL,               -- JSON: {"fileId"} or {"url","password"}
    config          TEXT NOT NULL,               -- JSON: effective config (defaults applied)
    output          TEXT,                        -- JSON, iff PROCESSED (presigned URLs added when shown)
    metrics         TEXT,                        -- JSON, iff PROCESSED
    usage           TEXT,                        -- JSON, iff PROCESSED
    failure_reason  TEXT,                        -- iff FAILED
    failure_message TEXT,                        -- iff FAILED
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_ms      INTEGER,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    finished_ms     INTEGER
);
CREATE INDEX runs_queue ON runs (status, claimed_ms, created_ms);
CREATE INDEX runs_by_workspace_created ON runs (workspace_id, kind, created_ms, id);
CREATE INDEX runs_by_workspace_updated ON runs (workspace_id, kind, updated_ms, id);

-- The outbox: one row per terminal run, written in the same transaction as the run's final
-- state. Webhook delivery (another module) reads it; see the crate README section.
CREATE TABLE events (
    id              TEXT PRIMARY KEY,            -- evt_...; the webhook eventId
    workspace_id    TEXT NOT NULL,
    type            TEXT NOT NULL,               -- edit_run.processed | edit_run.failed | form_detection_run.processed | form_detection_run.failed
    object_id       TEXT NOT NULL,               -- the run id
    payload         TEXT NOT NULL,               -- JSON: the run as GET shows it, without presignedUrl values
    created_ms      INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events (created_ms, id);

CREATE TABLE edit_templates (
    id              TEXT PRIMARY KEY,            -- edt_...
    workspace_id    TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT,
    file_id         TEXT NOT NULL,
    config          TEXT NOT NULL,               -- JSON EditConfig ({} when none)
    schema_config   TEXT,                        -- JSON EditSchemaGenerationConfig or NULL
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
