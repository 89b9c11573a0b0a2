//! Request bodies and queries of the API: the JSON extractor (unknown keys tolerated; a
//! malformed body is a 400 naming the bad key), file inputs, the edit and form-detection
//! configs with their defaults applied, and list paging.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, Code};
use crate::state::Shared;
use crate::store::{Page, SortBy};

/// A JSON body read under the configured size limit and parsed with the path of any error.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Shared> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Shared) -> Result<Self, ApiError> {
        let limit = usize::try_from(state.config.max_json_bytes).unwrap_or(usize::MAX);
        let auth = req.extensions().get::<crate::auth::Auth>().cloned();
        let bytes: Bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|e| {
                body_timeout(&e).unwrap_or_else(|| {
                    ApiError::new(
                        Code::PayloadTooLarge,
                        format!("request body is larger than {limit} bytes"),
                    )
                })
            })?;
        // Cheap checks before the allocation-heavy parse: the file the body names (a probe
        // that skips everything else), then the body's shape (one pass, no allocation).
        if let Some(auth) = auth {
            probe_file(&bytes, state, &auth.workspace_id).await?;
        }
        check_shape(
            &bytes,
            state.config.max_json_elements,
            state.config.max_json_depth,
        )?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Refuses a body with more than `max_elements` JSON values or nested deeper than
/// `max_depth`, counted in one pass over the bytes (strings skipped) before any parse:
/// a 25 MB body of a million keys would otherwise become a gigabyte of maps.
pub fn check_shape(bytes: &[u8], max_elements: u64, max_depth: u64) -> Result<(), ApiError> {
    let (mut elements, mut depth) = (1u64, 0u64);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                elements += 1;
                if depth > max_depth {
                    return Err(ApiError::new(
                        Code::PayloadTooLarge,
                        format!("the JSON body is nested deeper than {max_depth} levels"),
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => elements += 1,
            _ => {}
        }
        if elements > max_elements {
            return Err(ApiError::new(
                Code::PayloadTooLarge,
                format!("the JSON body has more than {max_elements} values"),
            ));
        }
    }
    Ok(())
}

/// Looks up `file.id` of a body before the body is parsed whole, so an unknown id is a
/// 404 without the cost of the rest (a schema of any size). Bodies whose `file` has
/// another shape are left to the full parse.
async fn probe_file(bytes: &[u8], state: &Shared, workspace_id: &str) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Probe {
        file: Option<ProbeFile>,
    }
    #[derive(Deserialize)]
    struct ProbeFile {
        id: Option<String>,
    }
    let Ok(Probe {
        file: Some(ProbeFile { id: Some(id) }),
    }) = serde_json::from_slice::<Probe>(bytes)
    else {
        return Ok(());
    };
    if state.store.get_file(workspace_id, &id).await?.is_none() {
        return Err(ApiError::not_found(format!("file {id}")));
    }
    Ok(())
}

/// The 408 of a body that arrived too slowly, if that is what `e` is.
pub fn body_timeout(e: &(dyn std::error::Error + 'static)) -> Option<ApiError> {
    crate::serve::is_body_timeout(e).then(|| {
        ApiError::new(
            Code::RequestTimeout,
            "the request body was not received in time; the connection is closed",
        )
    })
}

/// Parses a body; errors name the JSON path (`config.advancedOptions.flattenPdf: …`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "request body is empty; a JSON object is expected",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            ApiError::invalid(format!("invalid JSON body: {inner}"))
        } else {
            ApiError::invalid(format!("invalid value at `{path}`: {inner}"))
        }
    })
}

/// Longest password accepted with a file (PDF passwords are at most 127 bytes).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest file URL accepted.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// `settings` of a URL input.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileSettings {
    /// Password of an encrypted PDF.
    pub password: Option<String>,
}

/// `file` of a run request: FileFromUrl or FileFromId (FileFromText is refused here).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileInput {
    /// FileFromId.
    pub id: Option<String>,
    /// FileFromUrl.
    pub url: Option<String>,
    /// Name for a URL input.
    pub name: Option<String>,
    /// Settings of a URL input.
    pub settings: Option<FileSettings>,
    /// FileFromText (batch endpoints only).
    pub text: Option<Value>,
}

/// What a file input resolves to.
#[derive(Debug, Clone)]
pub enum InputRef {
    /// A stored file of the workspace.
    Id(String),
    /// To download.
    Url {
        /// The URL.
        url: String,
        /// Name (given, or from the URL).
        name: String,
        /// `settings.password`.
        password: Option<String>,
    },
}

impl FileInput {
    /// Checks the shape: exactly one of `id` and `url`; URLs are http(s).
    pub fn resolve(&self) -> Result<InputRef, ApiError> {
        if self.text.is_some() {
            return Err(ApiError::invalid(
                "file.text (FileFromText) is only accepted by batch endpoints; give file.url or file.id",
            ));
        }
        match (&self.id, &self.url) {
            (Some(_), Some(_)) => Err(ApiError::invalid(
                "file: give either `id` or `url`, not both",
            )),
            (None, None) => Err(ApiError::invalid("file: `id` or `url` is required")),
            (Some(id), None) => Ok(InputRef::Id(id.clone())),
            (None, Some(url)) => {
                if url.len() > MAX_URL_BYTES {
                    return Err(ApiError::invalid(format!(
                        "file.url is longer than {MAX_URL_BYTES} bytes"
                    )));
                }
                if let Some(pw) = self.settings.as_ref().and_then(|s| s.password.as_ref())
                    && pw.len() > MAX_PASSWORD_BYTES
                {
                    return Err(ApiError::invalid(format!(
                        "file.settings.password is longer than {MAX_PASSWORD_BYTES} bytes; PDF passwords are at most 127"
                    )));
                }
                let parsed = reqwest::Url::parse(url)
                    .map_err(|e| ApiError::invalid(format!("file.url is not a URL: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(ApiError::invalid("file.url must be an http or https URL"));
                }
                let name = self
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| crate::download::file_name_of(&parsed));
                Ok(InputRef::Url {
                    url: url.clone(),
                    name,
                    password: self.settings.as_ref().and_then(|s| s.password.clone()),
                })
            }
        }
    }
}

/// `advancedOptions` of EditConfig.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditAdvancedOptions {
    /// Tables as arrays of rows.
    pub table_parsing_enabled: Option<bool>,
    /// Flatten the output.
    pub flatten_pdf: Option<bool>,
    /// Radio groups as enums.
    pub radio_enums_enabled: Option<bool>,
    /// Only the PDF's own fields.
    pub native_fields_only: Option<bool>,
    /// Conditional rules read from the form.
    pub conditional_generation_enabled: Option<bool>,
}

/// EditConfig as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditConfigIn {
    /// Engine version (`latest`, `1.0.0`, …).
    pub engine_version: Option<String>,
    /// EditRootJson.
    pub schema: Option<Value>,
    /// Plain-language values.
    pub instructions: Option<String>,
    /// Guidance for generation.
    pub schema_generation_instructions: Option<String>,
    /// Advanced options.
    pub advanced_options: Option<EditAdvancedOptions>,
}

impl EditConfigIn {
    /// This config over `base` (a template's): keys set here win, advanced options key by key.
    pub fn over(self, base: EditConfigIn) -> EditConfigIn {
        let adv = match (self.advanced_options, base.advanced_options) {
            (Some(a), Some(b)) => Some(EditAdvancedOptions {
                table_parsing_enabled: a.table_parsing_enabled.or(b.table_parsing_enabled),
                flatten_pdf: a.flatten_pdf.or(b.flatten_pdf),
                radio_enums_enabled: a.radio_enums_enabled.or(b.radio_enums_enabled),
                native_fields_only: a.native_fields_only.or(b.native_fields_only),
                conditional_generation_enabled: a
                    .conditional_generation_enabled
                    .or(b.conditional_generation_enabled),
            }),
            (a, b) => a.or(b),
        };
        EditConfigIn {
            engine_version: self.engine_version.or(base.engine_version),
            schema: self.schema.or(base.schema),
            instructions: self.instructions.or(base.instructions),
            schema_generation_instructions: self
                .schema_generation_instructions
                .or(base.schema_generation_instructions),
            advanced_options: adv,
        }
    }
}

/// Body of `POST /edit` and `POST /edit_runs`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditBody {
    /// The PDF.
    pub file: Option<FileInput>,
    /// A saved template instead of `file`.
    pub template_id: Option<String>,
    /// The config.
    pub config: Option<EditConfigIn>,
}

/// `advancedOptions` of EditSchemaGenerationConfig.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetectAdvancedOptions {
    /// Tables as arrays of rows.
    pub table_parsing_enabled: Option<bool>,
    /// Radio groups as enums.
    pub radio_enums_enabled: Option<bool>,
    /// Only the PDF's own fields.
    pub native_fields_only: Option<bool>,
    /// Conditional rules read from the form.
    pub conditional_generation_enabled: Option<bool>,
}

/// EditSchemaGenerationConfig as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetectConfigIn {
    /// Engine version.
    pub engine_version: Option<String>,
    /// A schema to map onto the detected fields.
    pub input_schema: Option<Value>,
    /// Guidance.
    pub instructions: Option<String>,
    /// Advanced options.
    pub advanced_options: Option<DetectAdvancedOptions>,
}

/// Body of `POST /detect_form`, `POST /form_detection_runs`, `POST /edit_schemas/generate`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetectBody {
    /// The PDF.
    pub file: Option<FileInput>,
    /// The config.
    pub config: Option<DetectConfigIn>,
}

/// Edit engine versions this server knows; `latest` means the first.
pub const ENGINE_VERSIONS: &[&str] = &["1.0.0", "1.0.0-beta", "0.0.1"];

/// Resolves `engineVersion`: absent or `latest` -> `1.0.0` (the SDK's documented default);
/// known versions are echoed; others are refused.
pub fn resolve_engine_version(v: Option<&str>) -> Result<&'static str, ApiError> {
    match v.map(str::trim) {
        None | Some("") | Some("latest") => Ok(ENGINE_VERSIONS[0]),
        Some(v) => ENGINE_VERSIONS
            .iter()
            .find(|k| **k == v)
            .copied()
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "config.engineVersion {v:?} is not known; use \"latest\" or one of {}",
                    ENGINE_VERSIONS.join(", ")
                ))
            }),
    }
}

/// The effective EditConfig, every default applied (what runs echo as `config`). Defaults
/// follow the SDK's documentation per engine version: `flattenPdf` true (false on
/// 1.0.0-beta), `radioEnumsEnabled` true (false on 0.0.1), the rest false. Table parsing
/// is not done by this server: it echoes false whatever was asked (the echo says what
/// ran), and [`not_applied_edit_options`] names it.
pub fn effective_edit_config(c: &EditConfigIn) -> Result<Value, ApiError> {
    let version = resolve_engine_version(c.engine_version.as_deref())?;
    let a = c.advanced_options.clone().unwrap_or_default();
    let mut out = Map::new();
    out.insert("engineVersion".into(), json!(version));
    if let Some(s) = &c.schema {
        out.insert("schema".into(), s.clone());
    }
    if let Some(i) = &c.instructions {
        out.insert("instructions".into(), json!(i));
    }
    if let Some(i) = &c.schema_generation_instructions {
        out.insert("schemaGenerationInstructions".into(), json!(i));
    }
    out.insert(
        "advancedOptions".into(),
        json!({
            "flattenPdf": a.flatten_pdf.unwrap_or(version != "1.0.0-beta"),
            "radioEnumsEnabled": a.radio_enums_enabled.unwrap_or(version != "0.0.1"),
            "tableParsingEnabled": false,
            "nativeFieldsOnly": a.native_fields_only.unwrap_or(false),
            // Rules are read from the form only for a generated schema (spec §4.3).
            "conditionalGenerationEnabled": a.conditional_generation_enabled.unwrap_or(false) && c.schema.is_none(),
        }),
    );
    Ok(Value::Object(out))
}

/// Edit and detection options the request turned on that this server does not carry out
/// (echoed off): logged with the run, listed for the caller in the README.
pub fn not_applied_edit_options(table_parsing_enabled: Option<bool>) -> Vec<&'static str> {
    let mut out = Vec::new();
    if table_parsing_enabled == Some(true) {
        out.push("advancedOptions.tableParsingEnabled");
    }
    out
}

/// The effective EditSchemaGenerationConfig.
pub fn effective_detect_config(c: &DetectConfigIn) -> Result<Value, ApiError> {
    let version = resolve_engine_version(c.engine_version.as_deref())?;
    let a = c.advanced_options.clone().unwrap_or_default();
    let mut out = Map::new();
    out.insert("engineVersion".into(), json!(version));
    if let Some(s) = &c.input_schema {
        out.insert("inputSchema".into(), s.clone());
    }
    if let Some(i) = &c.instructions {
        out.insert("instructions".into(), json!(i));
    }
    out.insert(
        "advancedOptions".into(),
        json!({
            "radioEnumsEnabled": a.radio_enums_enabled.unwrap_or(version != "0.0.1"),
            "tableParsingEnabled": false,
            "nativeFieldsOnly": a.native_fields_only.unwrap_or(false),
            "conditionalGenerationEnabled": a.conditional_generation_enabled.unwrap_or(false),
        }),
    );
    Ok(Value::Object(out))
}

/// Query of list endpoints (runs and files).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Run status filter.
    pub status: Option<String>,
    /// Run source filter.
    pub source: Option<String>,
    /// Run file name filter.
    pub file_name_contains: Option<String>,
    /// File name filter.
    pub name_contains: Option<String>,
    /// `createdAt` | `updatedAt`.
    pub sort_by: Option<String>,
    /// `asc` | `desc`.
    pub sort_dir: Option<String>,
    /// Cursor.
    pub next_page_token: Option<String>,
    /// Page size (1..=1000; default 20, at most 100 returned).
    pub max_page_size: Option<String>,
}

/// Default page size.
pub const DEFAULT_PAGE_SIZE: i64 = 20;
/// Largest page returned.
pub const MAX_PAGE_SIZE: i64 = 100;

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Sort key of the last item.
    v: i64,
    /// Id of the last item.
    i: String,
    /// Sort the cursor belongs to (`createdAt:desc`).
    s: String,
}

impl ListQuery {
    /// The page asked for; `default_sort` when `sortBy` is absent.
    pub fn page(&self, default_sort: SortBy) -> Result<Page, ApiError> {
        let sort_by = match self.sort_by.as_deref() {
            None | Some("") => default_sort,
            Some("createdAt") => SortBy::CreatedAt,
            Some("updatedAt") => SortBy::UpdatedAt,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "sortBy must be createdAt or updatedAt, not {other:?}"
                )));
            }
        };
        let descending = match self.sort_dir.as_deref() {
            None | Some("") | Some("desc") => true,
            Some("asc") => false,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "sortDir must be asc or desc, not {other:?}"
                )));
            }
        };
        let size = match self.max_page_size.as_deref() {
            None | Some("") => DEFAULT_PAGE_SIZE,
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "maxPageSize must be an integer from 1 to 1000, not {s:?}"
                    ))
                })?
                .min(MAX_PAGE_SIZE),
        };
        let sort_name = sort_label(sort_by, descending);
        let after = match self.next_page_token.as_deref() {
            None | Some("") => None,
            Some(t) => {
                let bad = || ApiError::invalid("nextPageToken is not a token this list returned");
                let raw = URL_SAFE_NO_PAD.decode(t).map_err(|_| bad())?;
                let c: Cursor = serde_json::from_slice(&raw).map_err(|_| bad())?;
                if c.s != sort_name {
                    return Err(ApiError::invalid(
                        "nextPageToken belongs to another sortBy/sortDir; keep the query of the first page",
                    ));
                }
                Some((c.v, c.i))
            }
        };
        Ok(Page {
            sort_by,
            descending,
            after,
            // One more than shown, to know whether a next page exists.
            limit: size + 1,
        })
    }
}

fn sort_label(sort_by: SortBy, descending: bool) -> String {
    format!(
        "{}:{}",
        match sort_by {
            SortBy::CreatedAt => "createdAt",
            SortBy::UpdatedAt => "updatedAt",
        },
        if descending { "desc" } else { "asc" }
    )
}

/// The token of the page after one ending with `(sort value, id)`.
pub fn next_token(page: &Page, last: (i64, &str)) -> String {
    let c = Cursor {
        v: last.0,
        i: last.1.to_string(),
        s: sort_label(page.sort_by, page.descending),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_key_is_named() {
        let e =
            parse_json::<EditBody>(br#"{"config": {"advancedOptions": {"flattenPdf": "yes"}}}"#)
                .expect_err("error");
        assert!(
            e.message.contains("config.advancedOptions.flattenPdf"),
            "{}",
            e.message
        );
        let ok = parse_json::<EditBody>(br#"{"file": {"id": "file_x"}, "unknownKey": 1}"#)
            .expect("tolerated");
        assert_eq!(ok.file.and_then(|f| f.id).as_deref(), Some("file_x"));
    }

    #[test]
    fn defaults_per_version() {
        let c = effective_edit_config(&EditConfigIn::default()).expect("config");
        assert_eq!(c["engineVersion"], "1.0.0");
        assert_eq!(c["advancedOptions"]["flattenPdf"], true);
        let beta = EditConfigIn {
            engine_version: Some("1.0.0-beta".into()),
            ..Default::default()
        };
        assert_eq!(
            effective_edit_config(&beta).expect("beta")["advancedOptions"]["flattenPdf"],
            false
        );
        let unknown = EditConfigIn {
            engine_version: Some("9".into()),
            ..Default::default()
        };
        assert!(effective_edit_config(&unknown).is_err());
    }

    #[test]
    fn paging_tokens_round_trip() {
        let q = ListQuery::default();
        let page = q.page(SortBy::UpdatedAt).expect("page");
        let token = next_token(&page, (42, "edr_x"));
        let q2 = ListQuery {
            next_page_token: Some(token.clone()),
            ..Default::default()
        };
        assert_eq!(
            q2.page(SortBy::UpdatedAt).expect("page").after,
            Some((42, "edr_x".into()))
        );
        let q3 = ListQuery {
            next_page_token: Some(token),
            sort_dir: Some("asc".into()),
            ..Default::default()
        };
        assert!(q3.page(SortBy::UpdatedAt).is_err());
    }
}
