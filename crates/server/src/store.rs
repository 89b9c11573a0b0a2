//! The durable store: SQLite (WAL, synchronous=FULL) with the schema in `migrations/`,
//! embedded in the binary and applied at open. Workspaces, API keys (SHA-256 hashes),
//! files, runs of every kind (the run queue is the `runs` table itself), the event outbox
//! and edit templates. Nothing here knows HTTP.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use std::sync::Arc;

use crate::clock::{now_ms, rfc3339};
use crate::ids::{hex, new_api_key, new_id, prefix};
use crate::secrets::Secrets;

/// The workspace that `FORMSMITH_API_KEY` and `keys create` without `--workspace` use.
pub const DEFAULT_WORKSPACE: &str = "ws_default";
/// The organization every workspace belongs to unless told otherwise.
pub const DEFAULT_ORGANIZATION: &str = "org_default";

/// Store errors.
pub type Result<T, E = sqlx::Error> = std::result::Result<T, E>;

/// The migrations, embedded (`sqlx` without its macros).
#[derive(Debug)]
struct Embedded;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "webhooks",
        include_str!("../migrations/0002_webhooks.sql"),
    ),
    (3, "parse", include_str!("../migrations/0003_parse.sql")),
];

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        (*name).into(),
                        MigrationType::Simple,
                        (*sql).into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Hex SHA-256 of an API key (what the store keeps).
pub fn hash_key(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// An API key record.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// `key_…`.
    pub id: String,
    /// `workspace` or `organization`.
    pub scope: String,
    /// The workspace of a workspace key.
    pub workspace_id: Option<String>,
    /// The organization of the key.
    pub organization_id: String,
}

/// A stored file.
#[derive(Debug, Clone)]
pub struct FileRow {
    /// `file_…`.
    pub id: String,
    /// Owner.
    pub workspace_id: String,
    /// Name as uploaded or taken from the URL.
    pub name: String,
    /// FileType (`PDF`, `IMG`, …).
    pub file_type: Option<String>,
    /// Pages of a PDF that could be opened.
    pub page_count: Option<i64>,
    /// Size of the blob.
    pub size_bytes: i64,
    /// Hex SHA-256 of the blob.
    pub sha256: String,
    /// Password to open it (given at upload or with a URL input).
    pub password: Option<String>,
    /// The run whose output this is (deleted with it).
    pub owner_run_id: Option<String>,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
}

impl FileRow {
    fn from_row(r: &SqliteRow, secrets: &Secrets) -> Result<Self> {
        let id: String = r.try_get("id")?;
        let password: Option<String> = r.try_get("password")?;
        let password = password
            .map(|p| secrets.open(&password_context(&id), &p))
            .transpose()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(Self {
            id,
            workspace_id: r.try_get("workspace_id")?,
            name: r.try_get("name")?,
            file_type: r.try_get("type")?,
            page_count: r.try_get("page_count")?,
            size_bytes: r.try_get("size_bytes")?,
            sha256: r.try_get("sha256")?,
            password,
            owner_run_id: r.try_get("owner_run_id")?,
            created_ms: r.try_get("created_ms")?,
            updated_ms: r.try_get("updated_ms")?,
        })
    }
}

/// A run of any kind.
#[derive(Debug, Clone)]
pub struct RunRow {
    /// `edr_…`, `sgr_…`.
    pub id: String,
    /// `edit_run`, `form_detection_run`.
    pub kind: String,
    /// Owner.
    pub workspace_id: String,
    /// API status.
    pub status: String,
    /// `API`.
    pub source: String,
    /// The input file (pre-assigned for URL inputs, stored once downloaded).
    pub file_id: Option<String>,
    /// The input file's name.
    pub file_name: String,
    /// How to get the input: `{"fileId"}` or `{"url", "password"}`.
    pub input: Value,
    /// Effective config.
    pub config: Value,
    /// Output, iff PROCESSED.
    pub output: Option<Value>,
    /// Metrics, iff PROCESSED.
    pub metrics: Option<Value>,
    /// Usage, iff PROCESSED.
    pub usage: Option<Value>,
    /// Failure reason, iff FAILED.
    pub failure_reason: Option<String>,
    /// Failure message, iff FAILED.
    pub failure_message: Option<String>,
    /// Times a worker started it.
    pub attempts: i64,
    /// When a worker claimed it (NULL = waiting in the queue).
    pub claimed_ms: Option<i64>,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
    /// The batch it belongs to (parse batches).
    pub batch_id: Option<String>,
    /// The caller's `metadata` (parse runs), echoed back.
    pub metadata: Option<Value>,
    /// Queue order: lower first (batch `priority`; 50 otherwise).
    pub priority: i64,
}

fn json_col(r: &SqliteRow, col: &str) -> Result<Option<Value>> {
    let text: Option<String> = r.try_get(col)?;
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

impl RunRow {
    fn from_row(r: &SqliteRow, secrets: &Secrets) -> Result<Self> {
        let id: String = r.try_get("id")?;
        let input_text: String = r.try_get("input")?;
        let input_text = secrets
            .open(&input_context(&id), &input_text)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let input: Value =
            serde_json::from_str(&input_text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(Self {
            id,
            kind: r.try_get("kind")?,
            workspace_id: r.try_get("workspace_id")?,
            status: r.try_get("status")?,
            source: r.try_get("source")?,
            file_id: r.try_get("file_id")?,
            file_name: r.try_get("file_name")?,
            input,
            config: json_col(r, "config")?.unwrap_or(Value::Null),
            output: json_col(r, "output")?,
            metrics: json_col(r, "metrics")?,
            usage: json_col(r, "usage")?,
            failure_reason: r.try_get("failure_reason")?,
            failure_message: r.try_get("failure_message")?,
            attempts: r.try_get("attempts")?,
            claimed_ms: r.try_get("claimed_ms")?,
            created_ms: r.try_get("created_ms")?,
            updated_ms: r.try_get("updated_ms")?,
            batch_id: r.try_get("batch_id")?,
            metadata: json_col(r, "metadata")?,
            priority: r.try_get("priority")?,
        })
    }

    /// Whether the run is finished.
    pub fn is_terminal(&self) -> bool {
        !matches!(self.status.as_str(), "PROCESSING" | "PENDING")
    }
}

/// A saved edit template.
#[derive(Debug, Clone)]
pub struct TemplateRow {
    /// `edt_…`.
    pub id: String,
    /// Owner.
    pub workspace_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Source PDF.
    pub file_id: String,
    /// Saved EditConfig (`{}` when none).
    pub config: Value,
    /// Saved EditSchemaGenerationConfig.
    pub schema_config: Option<Value>,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
}

/// How a run ended, as the worker reports it.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// PROCESSED, with its output (and the output file to record in the same transaction).
    Processed {
        /// `output` JSON.
        output: Value,
        /// `metrics` JSON.
        metrics: Value,
        /// `usage` JSON.
        usage: Value,
        /// A file the run produced.
        output_file: Option<Box<FileRow>>,
    },
    /// FAILED with a reason from the spec's list.
    Failed {
        /// `failureReason`.
        reason: String,
        /// `failureMessage`.
        message: String,
    },
}

/// A batch of runs (`BatchRun`, spec §6.2).
#[derive(Debug, Clone)]
pub struct BatchRow {
    /// `bpar_…`.
    pub id: String,
    /// Owner.
    pub workspace_id: String,
    /// Kind of its member runs (`parse_run`).
    pub kind: String,
    /// PENDING | PROCESSING | PROCESSED | FAILED | CANCELLED.
    pub status: String,
    /// Member runs.
    pub run_count: i64,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
}

impl BatchRow {
    /// `BatchRun` (spec §6.2).
    pub fn to_json(&self) -> Value {
        json!({
            "object": "batch_run",
            "id": self.id,
            "status": self.status,
            "runCount": self.run_count,
            "createdAt": rfc3339(self.created_ms),
            "updatedAt": rfc3339(self.updated_ms),
        })
    }

    fn from_row(r: &SqliteRow) -> Result<Self> {
        Ok(Self {
            id: r.try_get("id")?,
            workspace_id: r.try_get("workspace_id")?,
            kind: r.try_get("kind")?,
            status: r.try_get("status")?,
            run_count: r.try_get("run_count")?,
            created_ms: r.try_get("created_ms")?,
            updated_ms: r.try_get("updated_ms")?,
        })
    }
}

/// Builds the outbox event of a terminal run: `(type, payload)`.
pub type EventBuilder<'a> =
    &'a (dyn Fn(&RunRow, Option<&FileRow>) -> (String, Value) + Send + Sync);

/// Sort of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
}

/// A page request of a list.
#[derive(Debug, Clone)]
pub struct Page {
    /// Sort column.
    pub sort_by: SortBy,
    /// Descending?
    pub descending: bool,
    /// Keyset cursor: (sort value, id) of the last item of the previous page.
    pub after: Option<(i64, String)>,
    /// Items wanted.
    pub limit: i64,
}

impl Page {
    /// The column the page is sorted by.
    pub fn column(&self) -> &'static str {
        match self.sort_by {
            SortBy::CreatedAt => "created_ms",
            SortBy::UpdatedAt => "updated_ms",
        }
    }

    /// A row's value in the sort column (the cursor's first half).
    pub fn sort_value(&self, created_ms: i64, updated_ms: i64) -> i64 {
        match self.sort_by {
            SortBy::CreatedAt => created_ms,
            SortBy::UpdatedAt => updated_ms,
        }
    }

    /// Ends a query's `WHERE` with the page's keyset on `col`: the cursor condition after the
    /// first page (binds the cursor's value and id), then `ORDER BY … LIMIT ?` (binds the limit).
    pub fn push_keyset(&self, sql: &mut String, col: &str) {
        let (cmp, dir) = if self.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if self.after.is_some() {
            sql.push_str(&format!(" AND ({col}, id) {cmp} (?, ?)"));
        }
        sql.push_str(&format!(" ORDER BY {col} {dir}, id {dir} LIMIT ?"));
    }
}

/// Filters of `GET /edit_runs`.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Exact status.
    pub status: Option<String>,
    /// Exact source.
    pub source: Option<String>,
    /// Case-insensitive substring of the file name.
    pub file_name_contains: Option<String>,
    /// Members of this batch (takes precedence over `source`).
    pub batch_id: Option<String>,
}

fn like_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The store handle (cheap to clone).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    secrets: Arc<Secrets>,
}

impl Store {
    /// Opens (creating) `<data_dir>/formsmith.db` and applies the migrations, with the
    /// data dir's own at-rest key (enough for stores that touch no sealed column).
    pub async fn open(data_dir: &Path) -> Result<Self> {
        crate::blobs::private_dir(data_dir)?;
        let secrets = Secrets::load(data_dir, None, &[])?;
        Self::open_with(data_dir, Arc::new(secrets)).await
    }

    /// Opens the store with these at-rest keys. The database and its WAL and SHM files
    /// are 0600 and the data dir 0700, whatever the umask.
    pub async fn open_with(data_dir: &Path, secrets: Arc<Secrets>) -> Result<Self> {
        crate::blobs::private_dir(data_dir)?;
        let db = data_dir.join("formsmith.db");
        // Created here with 0600 before SQLite opens it: SQLite gives the WAL and SHM files
        // the mode of the database file.
        crate::blobs::private_file(&db)?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(&db)
            // Freed cells are zeroed: a re-sealed secret leaves no plain copy in free space.
            .pragma("secure_delete", "ON")
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed run survives power loss too, not only a killed process.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Migrator::new(Embedded)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?
            .run(&pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        for suffix in ["-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            crate::blobs::private_file_if_exists(Path::new(&name))?;
        }
        Ok(Self { pool, secrets })
    }

    /// The at-rest keys.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// Seals under the current key every secret stored in plain text (rows written before
    /// sealing existed) or under an older key. Returns how many values were sealed again.
    /// Fails when a value was sealed under a key that is not configured.
    pub async fn reseal_secrets(&self) -> Result<usize> {
        let mut count = 0;
        for (table, column, context) in [
            ("files", "password", "files.password"),
            ("runs", "input", "runs.input"),
            (
                "webhook_endpoints",
                "signing_secret",
                "webhook_endpoints.signing_secret",
            ),
        ] {
            let mut tx = self.pool.begin().await?;
            let rows: Vec<(String, String)> = sqlx::query_as(&format!(
                "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"
            ))
            .fetch_all(&mut *tx)
            .await?;
            for (id, stored) in rows {
                if !self.secrets.needs_reseal(&stored) {
                    continue;
                }
                let ctx = format!("{context}:{id}");
                let plain = self
                    .secrets
                    .open(&ctx, &stored)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                let sealed = self.secrets.seal(&ctx, &plain).map_err(seal_err)?;
                sqlx::query(&format!("UPDATE {table} SET {column} = ? WHERE id = ?"))
                    .bind(sealed)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                count += 1;
            }
            tx.commit().await?;
        }
        if count > 0 {
            // Old page images with the plain values live in the WAL until a checkpoint.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(count)
    }

    /// The pool (the webhook module keeps its own queries).
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes the pool (waits for connections to return).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- workspaces and keys -------------------------------------------------------

    /// Creates the workspace if it does not exist.
    pub async fn ensure_workspace(&self, id: &str, organization_id: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO workspaces (id, organization_id, name, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(organization_id)
        .bind(id)
        .bind(crate::clock::rfc3339(now_ms()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The organization of a workspace, if it exists.
    pub async fn workspace_organization(&self, id: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT organization_id FROM workspaces WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Stores `key` (its hash) unless already stored. Workspace keys: `workspace_id` set;
    /// organization keys: `workspace_id` None. Returns the key record id.
    pub async fn insert_key(
        &self,
        key: &str,
        workspace_id: Option<&str>,
        organization_id: &str,
    ) -> Result<String> {
        if let Some(ws) = workspace_id {
            self.ensure_workspace(ws, organization_id).await?;
        }
        let id = new_id(prefix::KEY);
        sqlx::query(
            "INSERT INTO api_keys (id, key_hash, scope, workspace_id, organization_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key_hash) DO NOTHING",
        )
        .bind(&id)
        .bind(hash_key(key))
        .bind(if workspace_id.is_some() {
            "workspace"
        } else {
            "organization"
        })
        .bind(workspace_id)
        .bind(organization_id)
        .bind(crate::clock::rfc3339(now_ms()))
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Mints a new key (shown once) for a workspace, or for an organization.
    pub async fn create_key(
        &self,
        workspace_id: Option<&str>,
        organization_id: &str,
    ) -> Result<String> {
        let key = new_api_key();
        self.insert_key(&key, workspace_id, organization_id).await?;
        Ok(key)
    }

    /// The unrevoked key with this hash.
    pub async fn find_key(&self, key_hash: &str) -> Result<Option<KeyRecord>> {
        let row = sqlx::query(
            "SELECT id, scope, workspace_id, organization_id FROM api_keys
             WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(KeyRecord {
                id: r.try_get("id")?,
                scope: r.try_get("scope")?,
                workspace_id: r.try_get("workspace_id")?,
                organization_id: r.try_get("organization_id")?,
            })
        })
        .transpose()
    }

    // ---- files ---------------------------------------------------------------------

    /// Records a file whose blob is already stored.
    pub async fn insert_file(&self, file: &FileRow) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_file(&mut conn, file, &self.secrets).await
    }

    /// A file of the workspace.
    pub async fn get_file(&self, workspace_id: &str, id: &str) -> Result<Option<FileRow>> {
        sqlx::query("SELECT * FROM files WHERE id = ? AND workspace_id = ?")
            .bind(id)
            .bind(workspace_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| FileRow::from_row(&r, &self.secrets))
            .transpose()
    }

    /// A file by id alone (download links carry their workspace inside the signature).
    pub async fn get_file_any(&self, id: &str) -> Result<Option<FileRow>> {
        sqlx::query("SELECT * FROM files WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| FileRow::from_row(&r, &self.secrets))
            .transpose()
    }

    /// A page of the workspace's files, by creation time.
    pub async fn list_files(
        &self,
        workspace_id: &str,
        name_contains: Option<&str>,
        page: &Page,
    ) -> Result<Vec<FileRow>> {
        let mut sql = String::from("SELECT * FROM files WHERE workspace_id = ?");
        if name_contains.is_some() {
            sql.push_str(" AND name LIKE ? ESCAPE '\\'");
        }
        page.push_keyset(&mut sql, "created_ms");
        let mut q = sqlx::query(&sql).bind(workspace_id);
        if let Some(n) = name_contains {
            q = q.bind(like_pattern(n));
        }
        if let Some((ms, id)) = &page.after {
            q = q.bind(*ms).bind(id.clone());
        }
        q.bind(page.limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| FileRow::from_row(r, &self.secrets))
            .collect()
    }

    /// Deletes a file record; returns it (the caller removes the blob).
    pub async fn delete_file(&self, workspace_id: &str, id: &str) -> Result<Option<FileRow>> {
        sqlx::query("DELETE FROM files WHERE id = ? AND workspace_id = ? RETURNING *")
            .bind(id)
            .bind(workspace_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| FileRow::from_row(&r, &self.secrets))
            .transpose()
    }

    /// Every file id (the blob sweep at start compares against it).
    pub async fn all_file_ids(&self) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT id FROM files")
            .fetch_all(&self.pool)
            .await
    }

    // ---- runs ----------------------------------------------------------------------

    /// Records an accepted run (status PROCESSING, waiting in the queue).
    pub async fn insert_run(&self, run: &RunRow) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_run_row(&mut conn, run, &self.secrets).await
    }

    /// A run of the workspace, of this kind.
    pub async fn get_run(
        &self,
        workspace_id: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<RunRow>> {
        sqlx::query("SELECT * FROM runs WHERE id = ? AND workspace_id = ? AND kind = ?")
            .bind(id)
            .bind(workspace_id)
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| RunRow::from_row(&r, &self.secrets))
            .transpose()
    }

    /// The output of the newest PROCESSED run of this kind on a file of the workspace (the
    /// deprecated `contents` of `GET /files/{id}` come from its latest parse).
    pub async fn latest_output_for_file(
        &self,
        workspace_id: &str,
        kind: &str,
        file_id: &str,
    ) -> Result<Option<Value>> {
        let row = sqlx::query(
            "SELECT * FROM runs WHERE workspace_id = ? AND kind = ? AND file_id = ? \
             AND status = 'PROCESSED' ORDER BY created_ms DESC, id DESC LIMIT 1",
        )
        .bind(workspace_id)
        .bind(kind)
        .bind(file_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| RunRow::from_row(&r, &self.secrets))
            .transpose()?
            .and_then(|run| run.output))
    }

    /// A run by id alone (workers).
    pub async fn get_run_any(&self, id: &str) -> Result<Option<RunRow>> {
        sqlx::query("SELECT * FROM runs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| RunRow::from_row(&r, &self.secrets))
            .transpose()
    }

    /// A page of the workspace's runs of one kind.
    pub async fn list_runs(
        &self,
        workspace_id: &str,
        kind: &str,
        filter: &RunFilter,
        page: &Page,
    ) -> Result<Vec<RunRow>> {
        let mut sql = String::from("SELECT * FROM runs WHERE workspace_id = ? AND kind = ?");
        if filter.status.is_some() {
            sql.push_str(" AND status = ?");
        }
        if filter.batch_id.is_some() {
            sql.push_str(" AND batch_id = ?");
        } else if filter.source.is_some() {
            sql.push_str(" AND source = ?");
        }
        if filter.file_name_contains.is_some() {
            sql.push_str(" AND file_name LIKE ? ESCAPE '\\'");
        }
        page.push_keyset(&mut sql, page.column());
        let mut q = sqlx::query(&sql).bind(workspace_id).bind(kind);
        if let Some(s) = &filter.status {
            q = q.bind(s.clone());
        }
        if let Some(b) = &filter.batch_id {
            q = q.bind(b.clone());
        } else if let Some(s) = &filter.source {
            q = q.bind(s.clone());
        }
        if let Some(n) = &filter.file_name_contains {
            q = q.bind(like_pattern(n));
        }
        if let Some((ms, id)) = &page.after {
            q = q.bind(*ms).bind(id.clone());
        }
        q.bind(page.limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| RunRow::from_row(r, &self.secrets))
            .collect()
    }

    /// Deletes a run and the file records it owns, in one transaction; returns the run and
    /// those files (the caller removes their blobs).
    pub async fn delete_run(
        &self,
        workspace_id: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<(RunRow, Vec<FileRow>)>> {
        let mut tx = self.pool.begin().await?;
        let run = sqlx::query(
            "DELETE FROM runs WHERE id = ? AND workspace_id = ? AND kind = ? RETURNING *",
        )
        .bind(id)
        .bind(workspace_id)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| RunRow::from_row(&r, &self.secrets))
        .transpose()?;
        let Some(run) = run else {
            return Ok(None);
        };
        let files = sqlx::query("DELETE FROM files WHERE owner_run_id = ? RETURNING *")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| FileRow::from_row(r, &self.secrets))
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(Some((run, files)))
    }

    /// Claims the oldest waiting run: marks it claimed and counts an attempt. Runs accepted
    /// in the same millisecond are taken in the order they were accepted (rowid), not by
    /// their random ids.
    pub async fn claim_next(&self) -> Result<Option<RunRow>> {
        let now = now_ms();
        sqlx::query(
            "UPDATE runs SET claimed_ms = ?, attempts = attempts + 1, status = 'PROCESSING'
             WHERE id = (SELECT id FROM runs WHERE status IN ('PROCESSING', 'PENDING') AND claimed_ms IS NULL
                         ORDER BY priority, created_ms, rowid LIMIT 1)
             RETURNING *",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| RunRow::from_row(&r, &self.secrets))
        .transpose()
    }

    /// Records that a URL input was downloaded: the file row, in the run's workspace.
    pub async fn record_input_file(&self, file: &FileRow) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("DELETE FROM files WHERE id = ?")
            .bind(&file.id)
            .execute(&mut *conn)
            .await?;
        insert_file(&mut conn, file, &self.secrets).await
    }

    /// Writes the final state of a PROCESSING run, its output file and its outbox event in
    /// one transaction. `None` when the run is gone or already final (deleted meanwhile, or
    /// finished by another attempt): nothing is written and the caller drops its output.
    pub async fn finish_run(
        &self,
        id: &str,
        outcome: &Outcome,
        event: EventBuilder<'_>,
    ) -> Result<Option<RunRow>> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let row = match outcome {
            Outcome::Processed {
                output,
                metrics,
                usage,
                ..
            } => sqlx::query(
                "UPDATE runs SET status = 'PROCESSED', output = ?, metrics = ?, usage = ?,
                        failure_reason = NULL, failure_message = NULL, updated_ms = ?, finished_ms = ?
                 WHERE id = ? AND status = 'PROCESSING' RETURNING *",
            )
            .bind(output.to_string())
            .bind(metrics.to_string())
            .bind(usage.to_string()),
            Outcome::Failed { reason, message } => sqlx::query(
                "UPDATE runs SET status = 'FAILED', failure_reason = ?, failure_message = ?,
                        output = NULL, metrics = NULL, usage = NULL, updated_ms = ?, finished_ms = ?
                 WHERE id = ? AND status = 'PROCESSING' RETURNING *",
            )
            .bind(reason.clone())
            .bind(message.clone()),
        }
        .bind(now)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let run = RunRow::from_row(&row, &self.secrets)?;
        if let Outcome::Processed {
            output_file: Some(file),
            ..
        } = outcome
        {
            insert_file(&mut tx, file, &self.secrets).await?;
        }
        let input_file = match &run.file_id {
            Some(fid) => sqlx::query("SELECT * FROM files WHERE id = ?")
                .bind(fid)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| FileRow::from_row(&r, &self.secrets))
                .transpose()?,
            None => None,
        };
        let (kind, payload) = event(&run, input_file.as_ref());
        insert_event(&mut tx, &run, &kind, &payload, now).await?;
        if let Some(batch) = &run.batch_id {
            close_batch_if_done(&mut tx, batch, now).await?;
        }
        tx.commit().await?;
        Ok(Some(run))
    }

    /// Cancels a PROCESSING (or PENDING) run: it becomes CANCELLED at once; a worker still
    /// busy with it finds it final and drops its output. `Err(status)` when it is final.
    pub async fn cancel_run(
        &self,
        workspace_id: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<std::result::Result<RunRow, String>>> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE runs SET status = 'CANCELLED', updated_ms = ?, finished_ms = ?
             WHERE id = ? AND workspace_id = ? AND kind = ? AND status IN ('PROCESSING', 'PENDING')
             RETURNING *",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(workspace_id)
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        let result = match row {
            Some(row) => {
                let run = RunRow::from_row(&row, &self.secrets)?;
                if let Some(batch) = &run.batch_id {
                    close_batch_if_done(&mut tx, batch, now).await?;
                }
                Some(Ok(run))
            }
            None => {
                let status: Option<String> = sqlx::query_scalar(
                    "SELECT status FROM runs WHERE id = ? AND workspace_id = ? AND kind = ?",
                )
                .bind(id)
                .bind(workspace_id)
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
                status.map(Err)
            }
        };
        tx.commit().await?;
        Ok(result)
    }

    /// Records a batch and its member runs (PENDING, in the queue) in one transaction.
    pub async fn insert_batch(&self, batch: &BatchRow, runs: &[RunRow]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO batch_runs (id, workspace_id, kind, status, run_count, created_ms, updated_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&batch.id)
        .bind(&batch.workspace_id)
        .bind(&batch.kind)
        .bind(&batch.status)
        .bind(batch.run_count)
        .bind(batch.created_ms)
        .bind(batch.updated_ms)
        .execute(&mut *tx)
        .await?;
        for run in runs {
            insert_run_row(&mut tx, run, &self.secrets).await?;
        }
        tx.commit().await
    }

    /// A batch of the workspace, with its status as of now: stored once final, else
    /// PENDING while no member has been claimed, PROCESSING after.
    pub async fn get_batch(&self, workspace_id: &str, id: &str) -> Result<Option<BatchRow>> {
        let Some(row) = sqlx::query("SELECT * FROM batch_runs WHERE id = ? AND workspace_id = ?")
            .bind(id)
            .bind(workspace_id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut batch = BatchRow::from_row(&row)?;
        if batch.status == "PENDING" {
            let started: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM runs WHERE batch_id = ? AND status != 'PENDING'",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
            if started > 0 {
                batch.status = "PROCESSING".into();
            }
        }
        Ok(Some(batch))
    }

    /// After a restart: runs a previous process had claimed (PROCESSING, claimed) go back
    /// to the queue, or — after `max_attempts` starts — fail with INTERNAL_ERROR (with their
    /// outbox event). Returns (re-queued, failed) run ids.
    pub async fn recover(
        &self,
        max_attempts: u32,
        event: EventBuilder<'_>,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let mut tx = self.pool.begin().await?;
        let requeued: Vec<String> = sqlx::query_scalar(
            "UPDATE runs SET claimed_ms = NULL
             WHERE status = 'PROCESSING' AND claimed_ms IS NOT NULL AND attempts < ? RETURNING id",
        )
        .bind(i64::from(max_attempts))
        .fetch_all(&mut *tx)
        .await?;
        let now = now_ms();
        let failed_rows = sqlx::query(
            "UPDATE runs SET status = 'FAILED', failure_reason = 'INTERNAL_ERROR',
                    failure_message = 'the server stopped while processing this run, ' || attempts || ' times; giving up',
                    updated_ms = ?, finished_ms = ?
             WHERE status = 'PROCESSING' AND claimed_ms IS NOT NULL RETURNING *",
        )
        .bind(now)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut failed = Vec::new();
        for row in &failed_rows {
            let run = RunRow::from_row(row, &self.secrets)?;
            let input_file = match &run.file_id {
                Some(fid) => sqlx::query("SELECT * FROM files WHERE id = ?")
                    .bind(fid)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| FileRow::from_row(&r, &self.secrets))
                    .transpose()?,
                None => None,
            };
            let (kind, payload) = event(&run, input_file.as_ref());
            insert_event(&mut tx, &run, &kind, &payload, now).await?;
            if let Some(batch) = &run.batch_id {
                close_batch_if_done(&mut tx, batch, now).await?;
            }
            failed.push(run.id);
        }
        tx.commit().await?;
        Ok((requeued, failed))
    }

    /// Runs waiting for a worker.
    pub async fn queued_count(&self) -> Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM runs WHERE status IN ('PROCESSING', 'PENDING') AND claimed_ms IS NULL",
        )
        .fetch_one(&self.pool)
        .await
    }

    /// (kind, status, count) over all runs, for /metrics.
    pub async fn run_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query("SELECT kind, status, COUNT(*) AS n FROM runs GROUP BY kind, status ORDER BY kind, status")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// Outbox events after `(created_ms, id)`, oldest first (for the webhook deliverer and tests).
    pub async fn events_after(
        &self,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<(String, String, String, Value)>> {
        let (ms, id) = after.unwrap_or((i64::MIN, String::new()));
        let rows = sqlx::query(
            "SELECT id, type, object_id, payload FROM events WHERE (created_ms, id) > (?, ?)
             ORDER BY created_ms, id LIMIT ?",
        )
        .bind(ms)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                Ok((
                    r.try_get("id")?,
                    r.try_get("type")?,
                    r.try_get("object_id")?,
                    serde_json::from_str(&payload).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                ))
            })
            .collect()
    }

    // ---- templates -----------------------------------------------------------------

    /// Stores a template (`formsmith templates create` is not built yet; tests and
    /// operators insert them here).
    pub async fn insert_template(&self, t: &TemplateRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO edit_templates (id, workspace_id, name, description, file_id, config,
                                         schema_config, created_ms, updated_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&t.id)
        .bind(&t.workspace_id)
        .bind(&t.name)
        .bind(&t.description)
        .bind(&t.file_id)
        .bind(t.config.to_string())
        .bind(t.schema_config.as_ref().map(Value::to_string))
        .bind(t.created_ms)
        .bind(t.updated_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A template of the workspace.
    pub async fn get_template(&self, workspace_id: &str, id: &str) -> Result<Option<TemplateRow>> {
        sqlx::query("SELECT * FROM edit_templates WHERE id = ? AND workspace_id = ?")
            .bind(id)
            .bind(workspace_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| TemplateRow::from_row(&r))
            .transpose()
    }

    /// A page of the workspace's templates (`nameContains` matches without case).
    pub async fn list_templates(
        &self,
        workspace_id: &str,
        name_contains: Option<&str>,
        page: &Page,
    ) -> Result<Vec<TemplateRow>> {
        let mut sql = String::from("SELECT * FROM edit_templates WHERE workspace_id = ?");
        if name_contains.is_some() {
            sql.push_str(" AND name LIKE ? ESCAPE '\\'");
        }
        page.push_keyset(&mut sql, page.column());
        let mut q = sqlx::query(&sql).bind(workspace_id);
        if let Some(n) = name_contains {
            q = q.bind(like_pattern(n));
        }
        if let Some((ms, id)) = &page.after {
            q = q.bind(*ms).bind(id.clone());
        }
        q.bind(page.limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(TemplateRow::from_row)
            .collect()
    }
}

impl TemplateRow {
    fn from_row(r: &SqliteRow) -> Result<TemplateRow> {
        Ok(TemplateRow {
            id: r.try_get("id")?,
            workspace_id: r.try_get("workspace_id")?,
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            file_id: r.try_get("file_id")?,
            config: json_col(r, "config")?.unwrap_or_else(|| Value::Object(Default::default())),
            schema_config: json_col(r, "schema_config")?,
            created_ms: r.try_get("created_ms")?,
            updated_ms: r.try_get("updated_ms")?,
        })
    }
}

/// Associated data of a sealed file password: binds it to its column and row.
fn password_context(file_id: &str) -> String {
    format!("files.password:{file_id}")
}

/// Associated data of a sealed run input.
fn input_context(run_id: &str) -> String {
    format!("runs.input:{run_id}")
}

fn seal_err(e: crate::secrets::SecretError) -> sqlx::Error {
    sqlx::Error::Encode(Box::new(e))
}

async fn insert_file(
    conn: &mut sqlx::SqliteConnection,
    f: &FileRow,
    secrets: &Secrets,
) -> Result<()> {
    let password = f
        .password
        .as_deref()
        .map(|p| secrets.seal(&password_context(&f.id), p))
        .transpose()
        .map_err(seal_err)?;
    sqlx::query(
        "INSERT INTO files (id, workspace_id, name, type, page_count, size_bytes, sha256, password,
                            owner_run_id, created_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&f.id)
    .bind(&f.workspace_id)
    .bind(&f.name)
    .bind(&f.file_type)
    .bind(f.page_count)
    .bind(f.size_bytes)
    .bind(&f.sha256)
    .bind(password)
    .bind(&f.owner_run_id)
    .bind(f.created_ms)
    .bind(f.updated_ms)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_run_row(
    conn: &mut sqlx::SqliteConnection,
    run: &RunRow,
    secrets: &Secrets,
) -> Result<()> {
    // The whole input is sealed: URL inputs carry passwords and presigned query strings.
    let input = secrets
        .seal(&input_context(&run.id), &run.input.to_string())
        .map_err(seal_err)?;
    sqlx::query(
        "INSERT INTO runs (id, kind, workspace_id, status, source, file_id, file_name, input,
                           config, attempts, created_ms, updated_ms, batch_id, metadata, priority)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
    )
    .bind(&run.id)
    .bind(&run.kind)
    .bind(&run.workspace_id)
    .bind(&run.status)
    .bind(&run.source)
    .bind(&run.file_id)
    .bind(&run.file_name)
    .bind(input)
    .bind(run.config.to_string())
    .bind(run.created_ms)
    .bind(run.updated_ms)
    .bind(&run.batch_id)
    .bind(run.metadata.as_ref().map(Value::to_string))
    .bind(run.priority)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// When the last member of a batch has ended, the batch is PROCESSED (every run completed,
/// whatever each one's outcome) and its `batch_<kind>.processed` event joins the outbox,
/// in the transaction that ended that last run.
async fn close_batch_if_done(
    tx: &mut Transaction<'_, Sqlite>,
    batch_id: &str,
    now: i64,
) -> Result<()> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM runs WHERE batch_id = ? AND status IN ('PENDING', 'PROCESSING')",
    )
    .bind(batch_id)
    .fetch_one(&mut **tx)
    .await?;
    if open > 0 {
        return Ok(());
    }
    let row = sqlx::query(
        "UPDATE batch_runs SET status = 'PROCESSED', updated_ms = ?
         WHERE id = ? AND status NOT IN ('PROCESSED', 'FAILED', 'CANCELLED') RETURNING *",
    )
    .bind(now)
    .bind(batch_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let batch = BatchRow::from_row(&row)?;
    let kind = format!("batch_{}.processed", batch.kind);
    sqlx::query(
        "INSERT INTO events (id, workspace_id, type, object_id, payload, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id(prefix::EVENT))
    .bind(&batch.workspace_id)
    .bind(kind)
    .bind(&batch.id)
    .bind(batch.to_json().to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_event(
    tx: &mut Transaction<'_, Sqlite>,
    run: &RunRow,
    kind: &str,
    payload: &Value,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (id, workspace_id, type, object_id, payload, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id(prefix::EVENT))
    .bind(&run.workspace_id)
    .bind(kind)
    .bind(&run.id)
    .bind(payload.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
