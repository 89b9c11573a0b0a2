//! The webhook tables (`migrations/0002_webhooks.sql`): endpoints, subscriptions, and the
//! delivery queue, with the routing step that turns outbox events into deliveries.

use serde_json::Value;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, SqliteConnection};

use crate::ids::new_id;
use crate::store::{Page, Result};

fn json_col(r: &SqliteRow, col: &str) -> Result<Option<Value>> {
    let text: Option<String> = r.try_get(col)?;
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn events_col(r: &SqliteRow) -> Result<Vec<String>> {
    let v = json_col(r, "enabled_events")?.unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn events_text(events: &[String]) -> String {
    Value::from(events.to_vec()).to_string()
}

/// A webhook endpoint.
#[derive(Debug, Clone)]
pub struct EndpointRow {
    /// `wh_…`.
    pub id: String,
    /// Owner.
    pub workspace_id: String,
    /// Target.
    pub url: String,
    /// Name.
    pub name: String,
    /// `enabled` | `disabled`.
    pub status: String,
    /// Global event types.
    pub enabled_events: Vec<String>,
    /// Payload version.
    pub api_version: String,
    /// `{headers?, payload?}`.
    pub advanced_options: Option<Value>,
    /// `wss_…` — as stored: sealed (`crate::secrets`); open it with [`secret_context`].
    pub signing_secret: String,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
}

/// Associated data of an endpoint's sealed signing secret.
pub fn secret_context(endpoint_id: &str) -> String {
    format!("webhook_endpoints.signing_secret:{endpoint_id}")
}

impl EndpointRow {
    fn from_row(r: &SqliteRow) -> Result<Self> {
        Ok(Self {
            id: r.try_get("id")?,
            workspace_id: r.try_get("workspace_id")?,
            url: r.try_get("url")?,
            name: r.try_get("name")?,
            status: r.try_get("status")?,
            enabled_events: events_col(r)?,
            api_version: r.try_get("api_version")?,
            advanced_options: json_col(r, "advanced_options")?,
            signing_secret: r.try_get("signing_secret")?,
            created_ms: r.try_get("created_ms")?,
            updated_ms: r.try_get("updated_ms")?,
        })
    }
}

/// A resource-scoped subscription.
#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    /// `whes_…`.
    pub id: String,
    /// Owner.
    pub workspace_id: String,
    /// The endpoint.
    pub webhook_endpoint_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: String,
    /// Event types.
    pub enabled_events: Vec<String>,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
}

impl SubscriptionRow {
    fn from_row(r: &SqliteRow) -> Result<Self> {
        Ok(Self {
            id: r.try_get("id")?,
            workspace_id: r.try_get("workspace_id")?,
            webhook_endpoint_id: r.try_get("webhook_endpoint_id")?,
            resource_type: r.try_get("resource_type")?,
            resource_id: r.try_get("resource_id")?,
            enabled_events: events_col(r)?,
            created_ms: r.try_get("created_ms")?,
            updated_ms: r.try_get("updated_ms")?,
        })
    }
}

/// A delivery claimed for an attempt.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    /// `whd_…`.
    pub id: String,
    /// The outbox event.
    pub event_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// Attempts made, this one included.
    pub attempts: i64,
}

/// An outbox event.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// `evt_…` (the envelope's `eventId`).
    pub id: String,
    /// Owner.
    pub workspace_id: String,
    /// `edit_run.processed`, ….
    pub event_type: String,
    /// The run id.
    pub object_id: String,
    /// The run JSON.
    pub payload: Value,
}

/// How an attempt ended, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// 2xx.
    Succeeded,
    /// Failed; another attempt at the given time.
    Retry(i64),
    /// Failed for good.
    Failed,
}

// ---- endpoints -------------------------------------------------------------------------

/// Stores a new endpoint.
pub async fn insert_endpoint(pool: &SqlitePool, e: &EndpointRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, workspace_id, url, name, status, enabled_events,
                                        api_version, advanced_options, signing_secret,
                                        created_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&e.id)
    .bind(&e.workspace_id)
    .bind(&e.url)
    .bind(&e.name)
    .bind(&e.status)
    .bind(events_text(&e.enabled_events))
    .bind(&e.api_version)
    .bind(e.advanced_options.as_ref().map(Value::to_string))
    .bind(&e.signing_secret)
    .bind(e.created_ms)
    .bind(e.updated_ms)
    .execute(pool)
    .await?;
    Ok(())
}

/// An endpoint of the workspace.
pub async fn get_endpoint(pool: &SqlitePool, ws: &str, id: &str) -> Result<Option<EndpointRow>> {
    sqlx::query("SELECT * FROM webhook_endpoints WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(ws)
        .fetch_optional(pool)
        .await?
        .map(|r| EndpointRow::from_row(&r))
        .transpose()
}

/// An endpoint by id alone (the deliverer).
pub async fn get_endpoint_any(pool: &SqlitePool, id: &str) -> Result<Option<EndpointRow>> {
    sqlx::query("SELECT * FROM webhook_endpoints WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(|r| EndpointRow::from_row(&r))
        .transpose()
}

/// A page of the workspace's endpoints, by creation time.
pub async fn list_endpoints(
    pool: &SqlitePool,
    ws: &str,
    status: Option<&str>,
    page: &Page,
) -> Result<Vec<EndpointRow>> {
    let mut sql = String::from("SELECT * FROM webhook_endpoints WHERE workspace_id = ?");
    if status.is_some() {
        sql.push_str(" AND status = ?");
    }
    page.push_keyset(&mut sql, "created_ms");
    let mut q = sqlx::query(&sql).bind(ws);
    if let Some(s) = status {
        q = q.bind(s);
    }
    if let Some((ms, id)) = &page.after {
        q = q.bind(*ms).bind(id.clone());
    }
    q.bind(page.limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(EndpointRow::from_row)
        .collect()
}

/// Writes the changeable fields of an endpoint (url, name, status, events, options).
pub async fn update_endpoint(pool: &SqlitePool, e: &EndpointRow) -> Result<Option<EndpointRow>> {
    sqlx::query(
        "UPDATE webhook_endpoints SET url = ?, name = ?, status = ?, enabled_events = ?,
                advanced_options = ?, updated_ms = ?
         WHERE id = ? AND workspace_id = ? RETURNING *",
    )
    .bind(&e.url)
    .bind(&e.name)
    .bind(&e.status)
    .bind(events_text(&e.enabled_events))
    .bind(e.advanced_options.as_ref().map(Value::to_string))
    .bind(e.updated_ms)
    .bind(&e.id)
    .bind(&e.workspace_id)
    .fetch_optional(pool)
    .await?
    .map(|r| EndpointRow::from_row(&r))
    .transpose()
}

/// Deletes an endpoint (its subscriptions and deliveries go with it).
pub async fn delete_endpoint(pool: &SqlitePool, ws: &str, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(ws)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

// ---- subscriptions ---------------------------------------------------------------------

/// Creates a subscription, or — one exists for this endpoint and resource — updates its
/// type and events (the API's documented upsert). Returns the stored row.
pub async fn upsert_subscription(
    pool: &SqlitePool,
    s: &SubscriptionRow,
) -> Result<SubscriptionRow> {
    let row = sqlx::query(
        "INSERT INTO webhook_subscriptions (id, workspace_id, webhook_endpoint_id, resource_type,
                                            resource_id, enabled_events, created_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (webhook_endpoint_id, resource_id) DO UPDATE SET
             resource_type = excluded.resource_type,
             enabled_events = excluded.enabled_events,
             updated_ms = excluded.updated_ms
         RETURNING *",
    )
    .bind(&s.id)
    .bind(&s.workspace_id)
    .bind(&s.webhook_endpoint_id)
    .bind(&s.resource_type)
    .bind(&s.resource_id)
    .bind(events_text(&s.enabled_events))
    .bind(s.created_ms)
    .bind(s.updated_ms)
    .fetch_one(pool)
    .await?;
    SubscriptionRow::from_row(&row)
}

/// A subscription of the workspace.
pub async fn get_subscription(
    pool: &SqlitePool,
    ws: &str,
    id: &str,
) -> Result<Option<SubscriptionRow>> {
    sqlx::query("SELECT * FROM webhook_subscriptions WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(ws)
        .fetch_optional(pool)
        .await?
        .map(|r| SubscriptionRow::from_row(&r))
        .transpose()
}

/// A page of the workspace's subscriptions, by creation time.
pub async fn list_subscriptions(
    pool: &SqlitePool,
    ws: &str,
    endpoint_id: Option<&str>,
    resource_id: Option<&str>,
    page: &Page,
) -> Result<Vec<SubscriptionRow>> {
    let mut sql = String::from("SELECT * FROM webhook_subscriptions WHERE workspace_id = ?");
    if endpoint_id.is_some() {
        sql.push_str(" AND webhook_endpoint_id = ?");
    }
    if resource_id.is_some() {
        sql.push_str(" AND resource_id = ?");
    }
    page.push_keyset(&mut sql, "created_ms");
    let mut q = sqlx::query(&sql).bind(ws);
    if let Some(e) = endpoint_id {
        q = q.bind(e);
    }
    if let Some(r) = resource_id {
        q = q.bind(r);
    }
    if let Some((ms, id)) = &page.after {
        q = q.bind(*ms).bind(id.clone());
    }
    q.bind(page.limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(SubscriptionRow::from_row)
        .collect()
}

/// Sets a subscription's events.
pub async fn update_subscription(
    pool: &SqlitePool,
    ws: &str,
    id: &str,
    events: &[String],
    now: i64,
) -> Result<Option<SubscriptionRow>> {
    sqlx::query(
        "UPDATE webhook_subscriptions SET enabled_events = ?, updated_ms = ?
         WHERE id = ? AND workspace_id = ? RETURNING *",
    )
    .bind(events_text(events))
    .bind(now)
    .bind(id)
    .bind(ws)
    .fetch_optional(pool)
    .await?
    .map(|r| SubscriptionRow::from_row(&r))
    .transpose()
}

/// Deletes a subscription.
pub async fn delete_subscription(pool: &SqlitePool, ws: &str, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM webhook_subscriptions WHERE id = ? AND workspace_id = ?")
        .bind(id)
        .bind(ws)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

// ---- routing and delivery ----------------------------------------------------------------

/// Gives outbox events not yet routed their delivery rows: one per enabled endpoint of the
/// event's workspace that enables its type and existed when it happened. Each event is
/// marked routed in the same transaction as its rows (the first write takes the lock, so a
/// concurrent router skips it). Returns (events routed, deliveries created).
pub async fn route_events(pool: &SqlitePool, now: i64, limit: i64) -> Result<(usize, usize)> {
    let events: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, workspace_id, type, created_ms FROM events WHERE routed_ms IS NULL
         ORDER BY created_ms, id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    if events.is_empty() {
        return Ok((0, 0));
    }
    let mut tx = pool.begin().await?;
    let (mut routed, mut created) = (0, 0);
    for (event_id, ws, event_type, event_ms) in &events {
        let marked =
            sqlx::query("UPDATE events SET routed_ms = ? WHERE id = ? AND routed_ms IS NULL")
                .bind(now)
                .bind(event_id)
                .execute(&mut *tx)
                .await?;
        if marked.rows_affected() == 0 {
            continue;
        }
        routed += 1;
        created += fan_out(&mut tx, event_id, ws, event_type, *event_ms, now).await?;
    }
    tx.commit().await?;
    Ok((routed, created))
}

async fn fan_out(
    conn: &mut SqliteConnection,
    event_id: &str,
    ws: &str,
    event_type: &str,
    event_ms: i64,
    now: i64,
) -> Result<usize> {
    let endpoints = sqlx::query(
        "SELECT id, enabled_events FROM webhook_endpoints
         WHERE workspace_id = ? AND status = 'enabled' AND created_ms <= ?",
    )
    .bind(ws)
    .bind(event_ms)
    .fetch_all(&mut *conn)
    .await?;
    let mut created = 0;
    for r in &endpoints {
        if !events_col(r)?.iter().any(|e| e == event_type) {
            continue;
        }
        let endpoint_id: String = r.try_get("id")?;
        let done = sqlx::query(
            "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, workspace_id, status,
                                             attempts, next_attempt_ms, created_ms, updated_ms)
             VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)
             ON CONFLICT (event_id, endpoint_id) DO NOTHING",
        )
        .bind(new_id(super::names::DELIVERY_PREFIX))
        .bind(event_id)
        .bind(&endpoint_id)
        .bind(ws)
        .bind(now)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        created += done.rows_affected() as usize;
    }
    Ok(created)
}

/// Claims up to `limit` pending deliveries that are due and not claimed (or whose claim is
/// older than `stale_before`: its attempt was lost), counting an attempt for each.
pub async fn claim_due(
    pool: &SqlitePool,
    now: i64,
    stale_before: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>> {
    let rows = sqlx::query(
        "UPDATE webhook_deliveries SET claimed_ms = ?, attempts = attempts + 1, updated_ms = ?
         WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE status = 'pending' AND next_attempt_ms <= ?
                        AND (claimed_ms IS NULL OR claimed_ms < ?)
                      ORDER BY next_attempt_ms, id LIMIT ?)
         RETURNING id, event_id, endpoint_id, attempts",
    )
    .bind(now)
    .bind(now)
    .bind(now)
    .bind(stale_before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DeliveryRow {
                id: r.try_get("id")?,
                event_id: r.try_get("event_id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// An outbox event by id.
pub async fn get_event(pool: &SqlitePool, id: &str) -> Result<Option<EventRow>> {
    let Some(r) =
        sqlx::query("SELECT id, workspace_id, type, object_id, payload FROM events WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    Ok(Some(EventRow {
        id: r.try_get("id")?,
        workspace_id: r.try_get("workspace_id")?,
        event_type: r.try_get("type")?,
        object_id: r.try_get("object_id")?,
        payload: json_col(&r, "payload")?.unwrap_or(Value::Null),
    }))
}

/// Records the end of an attempt and releases the claim.
pub async fn record(
    pool: &SqlitePool,
    id: &str,
    outcome: Recorded,
    http_status: Option<u16>,
    error: Option<&str>,
    now: i64,
) -> Result<()> {
    let (status, next, delivered) = match outcome {
        Recorded::Succeeded => ("succeeded", None, Some(now)),
        Recorded::Retry(at) => ("pending", Some(at), None),
        Recorded::Failed => ("failed", None, None),
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET status = ?, next_attempt_ms = COALESCE(?, next_attempt_ms),
                claimed_ms = NULL, last_status = ?, last_error = ?, updated_ms = ?,
                delivered_ms = COALESCE(?, delivered_ms)
         WHERE id = ?",
    )
    .bind(status)
    .bind(next)
    .bind(http_status.map(i64::from))
    .bind(error)
    .bind(now)
    .bind(delivered)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// At start: attempts a previous process left in flight are released (sent again), except
/// those that were the last allowed attempt, which fail. Returns (released, failed).
pub async fn recover(pool: &SqlitePool, max_attempts: u32, now: i64) -> Result<(u64, u64)> {
    let failed = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', claimed_ms = NULL, updated_ms = ?,
                last_error = 'the server stopped during the last attempt'
         WHERE status = 'pending' AND claimed_ms IS NOT NULL AND attempts >= ?",
    )
    .bind(now)
    .bind(i64::from(max_attempts))
    .execute(pool)
    .await?
    .rows_affected();
    let released = sqlx::query(
        "UPDATE webhook_deliveries SET claimed_ms = NULL, updated_ms = ?
         WHERE status = 'pending' AND claimed_ms IS NOT NULL",
    )
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok((released, failed))
}

/// Deliveries waiting (for /metrics).
pub async fn pending_count(pool: &SqlitePool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
        .fetch_one(pool)
        .await
}
