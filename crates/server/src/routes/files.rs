//! Files API (spec §7): multipart upload with a size limit, list, get (fresh presigned URL),
//! delete; and the presigned download route itself.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::query::{ApiQuery, BaseUrl, list_body};
use crate::api::ListQuery;
use crate::auth::Auth;
use crate::clock::{now_ms, now_secs};
use crate::errors::{ApiError, ApiResult, Code};
use crate::ids::RunKind;
use crate::ids::hex;
use crate::ids::{new_id, prefix};
use crate::jobs;
use crate::render;
use crate::render::ContentFlags;
use crate::state::Shared;
use crate::store::{FileRow, SortBy};

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        Code::FileSizeTooLarge,
        format!("the file is larger than the upload limit of {limit} bytes"),
    )
}

/// Longest `password` part accepted (PDF passwords are at most 127 bytes): a kibibyte
/// leaves room and keeps a hostile part from costing memory, a database row and a reload
/// on every run.
use crate::api::MAX_PASSWORD_BYTES;
/// Longest file name kept (in characters); longer names are cut.
const MAX_FILE_NAME_CHARS: usize = 255;
/// Most multipart parts read.
const MAX_PARTS: usize = 16;

/// `POST /files/upload`: part `file` (required), field `password` (optional).
pub async fn upload(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> ApiResult<Json<Value>> {
    let limit = state.config.max_upload_bytes;
    // Multipart framing adds a little; anything far over the limit is refused unread.
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit.saturating_add(64 * 1024)
    {
        return Err(too_large(limit));
    }
    let parsed = read_parts(&mut multipart, limit).await;
    if parsed.is_err() {
        // Read (and drop) what the client is still sending, within the upload limit, so it
        // hears the error instead of a reset connection mid-write.
        drain(&mut multipart, limit.saturating_add(64 * 1024)).await;
    }
    let (file, password) = parsed?;
    let (name, bytes) =
        file.ok_or_else(|| ApiError::invalid("multipart part `file` is required"))?;
    let (name, bytes) = if query.convert_to_pdf == Some(true) {
        tokio::task::spawn_blocking(move || converted_upload(name, bytes))
            .await
            .map_err(ApiError::internal)??
    } else {
        (name, bytes)
    };
    let id = new_id(prefix::FILE);
    let now = now_ms();
    let (blobs, blob_id, pw) = (state.blobs.clone(), id.clone(), password.clone());
    let row = tokio::task::spawn_blocking(move || -> std::io::Result<FileRow> {
        use sha2::Digest;
        let file_type = jobs::sniff_type(&bytes, &name);
        let page_count = if file_type == Some("PDF") {
            jobs::page_count(&bytes, pw.clone())
        } else {
            None
        };
        blobs.put(&blob_id, &bytes)?;
        Ok(FileRow {
            id: blob_id,
            workspace_id: String::new(),
            name,
            file_type: file_type.map(str::to_string),
            page_count,
            size_bytes: bytes.len() as i64,
            sha256: hex(&sha2::Sha256::digest(&bytes)),
            password: pw,
            owner_run_id: None,
            created_ms: now,
            updated_ms: now,
        })
    })
    .await
    .map_err(ApiError::internal)??;
    let row = FileRow {
        workspace_id: auth.workspace_id,
        ..row
    };
    if let Err(e) = state.store.insert_file(&row).await {
        let _ = state.blobs.delete(&row.id);
        return Err(e.into());
    }
    Ok(Json(render::file_full(&row, None)))
}

/// Query of `POST /files/upload`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadQuery {
    /// Store images, office documents and HTML as PDF (LibreOffice, in its cage).
    pub convert_to_pdf: Option<bool>,
}

/// `convertToPdf`: a PDF stays as it is; images, office documents and HTML become a PDF
/// named like the upload with `.pdf`; anything else cannot be converted (422).
fn converted_upload(name: String, bytes: Vec<u8>) -> ApiResult<(String, Vec<u8>)> {
    use formsmith_parse::convert::{ConvertOptions, InputKind, convert_to_pdf, sniff};
    match sniff(&bytes, Some(&name)) {
        InputKind::Pdf => Ok((name, bytes)),
        InputKind::Office(_) | InputKind::Html | InputKind::Image(_) => {
            let pdf =
                convert_to_pdf(&bytes, Some(&name), &ConvertOptions::default()).map_err(|e| {
                    let failure = jobs::Failure::from(e);
                    ApiError::new(failure.code, failure.message)
                })?;
            let stem = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(stem, _)| stem);
            Ok((format!("{stem}.pdf"), pdf))
        }
        InputKind::Text | InputKind::Unknown => Err(ApiError::new(
            Code::FileTypeNotSupported,
            format!("convertToPdf: {name} is not an image, office document or HTML page"),
        )),
    }
}

/// `GET /files`.
pub async fn list(
    State(state): State<Shared>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let page = q.page(SortBy::CreatedAt)?;
    let rows = state
        .store
        .list_files(&auth.workspace_id, q.name_contains.as_deref(), &page)
        .await?;
    Ok(Json(list_body(
        &page,
        rows,
        |f| (f.created_ms, f.id.clone()),
        render::file_summary,
    )))
}

/// `GET /files/{id}`.
pub async fn get(
    State(state): State<Shared>,
    auth: Auth,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    ApiQuery(flags): ApiQuery<ContentFlags>,
) -> ApiResult<Json<Value>> {
    let f = state
        .store
        .get_file(&auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("file {id}")))?;
    let url = state.presigned_url(&base, &f.id, &f.workspace_id);
    let mut body = render::file_full(&f, Some(url));
    if flags.any() {
        let parsed = state
            .store
            .latest_output_for_file(&auth.workspace_id, RunKind::Parse.object(), &f.id)
            .await?;
        if let Some(output) = parsed {
            body["contents"] = render::file_contents(&output, &flags);
        }
    }
    Ok(Json(body))
}

/// `DELETE /files/{id}`.
pub async fn delete(
    State(state): State<Shared>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let f = state
        .store
        .delete_file(&auth.workspace_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("file {id}")))?;
    state.blobs.delete(&f.id)?;
    Ok(Json(json!({ "id": f.id })))
}

/// `GET /download/{token}`: the presigned link (no API key; the signature is the key).
pub async fn download(
    State(state): State<Shared>,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    let gone = || ApiError::not_found("download link (invalid, expired, or its file was deleted)");
    let (file_id, workspace_id) = state.signer.verify(&token, now_secs()).ok_or_else(gone)?;
    // A parse run's `outputUrl`: the output JSON, made when asked.
    if file_id.starts_with(&format!("{}_", crate::ids::prefix::PARSE_RUN)) {
        let output = super::parse::output_json(&state, &workspace_id, &file_id)
            .await
            .ok_or_else(gone)?;
        let mut response = axum::Json(output).into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=900"),
        );
        return Ok(response);
    }
    let f = state
        .store
        .get_file(&workspace_id, &file_id)
        .await?
        .ok_or_else(gone)?;
    let blobs = state.blobs.clone();
    let id = f.id.clone();
    let bytes = tokio::task::spawn_blocking(move || blobs.get(&id))
        .await
        .map_err(ApiError::internal)?
        .map_err(|_| gone())?;
    let content_type = match f.file_type.as_deref() {
        Some("PDF") => "application/pdf",
        Some("CSV") => "text/csv",
        Some("TXT") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let ascii_name: String = f
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=900"),
    );
    Ok(response)
}

/// The `file` and `password` parts of an upload, every part and byte counted.
async fn read_parts(
    multipart: &mut Multipart,
    limit: u64,
) -> ApiResult<(Option<(String, Vec<u8>)>, Option<String>)> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        crate::api::body_timeout(&e).unwrap_or_else(|| {
            ApiError::invalid(format!("malformed multipart body: {}", e.body_text()))
        })
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut password: Option<String> = None;
    // Every byte of the body counts against the limit, whatever part carries it (a body
    // without Content-Length is not otherwise bounded), and so does the number of parts.
    let mut body_bytes: u64 = 0;
    let mut parts = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::invalid(format!(
                "the multipart body has more than {MAX_PARTS} parts; send `file` and, optionally, `password`"
            )));
        }
        match field.name() {
            Some("file") => {
                if file.is_some() {
                    return Err(ApiError::invalid(
                        "the multipart body has more than one `file` part",
                    ));
                }
                let name = field
                    .file_name()
                    .map(|n| n.chars().take(MAX_FILE_NAME_CHARS).collect::<String>())
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "upload".into());
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    body_bytes += chunk.len() as u64;
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() as u64 > limit {
                        return Err(too_large(limit));
                    }
                }
                file = Some((name, bytes));
            }
            Some("password") => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    body_bytes += chunk.len() as u64;
                    text.extend_from_slice(&chunk);
                    if text.len() > MAX_PASSWORD_BYTES {
                        return Err(ApiError::invalid(format!(
                            "the `password` part is longer than {MAX_PASSWORD_BYTES} bytes; PDF passwords are at most 127"
                        )));
                    }
                }
                let text = String::from_utf8(text)
                    .map_err(|_| ApiError::invalid("the `password` part is not UTF-8 text"))?;
                password = Some(text).filter(|p| !p.is_empty());
            }
            _ => {
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    body_bytes += chunk.len() as u64;
                    if body_bytes > limit.saturating_add(64 * 1024) {
                        return Err(too_large(limit));
                    }
                }
            }
        }
        if body_bytes > limit.saturating_add(64 * 1024) {
            return Err(too_large(limit));
        }
    }
    Ok((file, password))
}

/// Reads the rest of a multipart body, at most `budget` bytes, stopping at the first error.
async fn drain(multipart: &mut Multipart, mut budget: u64) {
    while budget > 0 {
        let Ok(Some(mut field)) = multipart.next_field().await else {
            return;
        };
        while let Ok(Some(chunk)) = field.chunk().await {
            budget = budget.saturating_sub(chunk.len() as u64);
            if budget == 0 {
                return;
            }
        }
        budget = budget.saturating_sub(1);
    }
}
