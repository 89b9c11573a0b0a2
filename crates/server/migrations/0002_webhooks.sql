-- Webhooks (spec §9): endpoints, resource-scoped subscriptions, and the durable delivery
-- queue fed from the `events` outbox. Times: *_ms = milliseconds since the epoch.

CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,           -- wh_...
    workspace_id     TEXT NOT NULL,
    url              TEXT NOT NULL,              -- http(s) target
    name             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    enabled_events   TEXT NOT NULL,              -- JSON array of global event types
    api_version      TEXT NOT NULL,              -- fixed at creation
    advanced_options TEXT,                       -- JSON {headers?, payload?} or NULL
    signing_secret   TEXT NOT NULL,              -- wss_...; shown once, kept to sign deliveries
    created_ms       INTEGER NOT NULL,
    updated_ms       INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, created_ms, id);

CREATE TABLE webhook_subscriptions (
    id                  TEXT PRIMARY KEY,        -- whes_...
    workspace_id        TEXT NOT NULL,
    webhook_endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    resource_type       TEXT NOT NULL,           -- extractor | classifier | splitter | workflow
    resource_id         TEXT NOT NULL,
    enabled_events      TEXT NOT NULL,           -- JSON array
    created_ms          INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL,
    UNIQUE (webhook_endpoint_id, resource_id)    -- creating it again updates enabled_events
);
CREATE INDEX webhook_subscriptions_by_workspace ON webhook_subscriptions (workspace_id, created_ms, id);

-- One row per (event, endpoint) to deliver. A deliverer claims a due pending row (claimed_ms,
-- attempts + 1), POSTs it, then records the outcome: succeeded, pending again with a later
-- next_attempt_ms, or failed after the last attempt. A claim left by a dead process is
-- released at the next start (or when its lease runs out): delivery is at least once.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,            -- whd_...
    event_id        TEXT NOT NULL,               -- events.id (the envelope's eventId)
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    workspace_id    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    claimed_ms      INTEGER,                     -- set while an attempt is in flight
    last_status     INTEGER,                     -- HTTP status of the last attempt (NULL: no answer)
    last_error      TEXT,                        -- why the last attempt failed
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    delivered_ms    INTEGER,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_ms);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id);

-- Outbox events get their delivery rows once: routed_ms marks the events done. Events
-- written before this migration had no endpoint to go to.
ALTER TABLE events ADD COLUMN routed_ms INTEGER;
UPDATE events SET routed_ms = created_ms;
CREATE INDEX events_unrouted ON events (created_ms, id) WHERE routed_ms IS NULL;
