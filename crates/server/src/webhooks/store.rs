//! The webhook tables (`migrations/0002_webhooks.sql`): endpoints and subscriptions.

use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::{SqlitePool, SqliteRow};

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
    /// `wss_…`.
    pub signing_secret: String,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
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

fn keyset(sql: &mut String, page: &Page) {
    let (cmp, dir) = if page.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if page.after.is_some() {
        sql.push_str(&format!(" AND (created_ms, id) {cmp} (?, ?)"));
    }
    sql.push_str(&format!(" ORDER BY created_ms {dir}, id {dir} LIMIT ?"));
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
    keyset(&mut sql, page);
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
    keyset(&mut sql, page);
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
