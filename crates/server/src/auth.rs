//! `Authorization: Bearer <key>`: keys are looked up by their SHA-256; a workspace key acts
//! in its workspace, an organization key in the workspace named by `x-extend-workspace-id`
//! (required with it). A workspace that is not the caller's is reported as not found, like
//! every object of another workspace. The per-key rate limit is applied here.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::errors::{ApiError, Code};
use crate::state::Shared;
use crate::store::hash_key;

/// Header naming the target workspace (organization keys).
pub const WORKSPACE_HEADER: &str = "x-extend-workspace-id";

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The workspace every object of the request belongs to.
    pub workspace_id: String,
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(Code::Unauthorized, message)
}

impl FromRequestParts<Shared> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        // Failed attempts are counted per client IP, so guessing keys is slow; a client
        // over its budget is refused before its key is even looked up.
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        if let Some(ip) = &ip
            && let Err(wait) = state.auth_failures.peek(ip)
        {
            return Err(too_many_failures(wait));
        }
        match authenticate(parts, state).await {
            Err(e) if e.code == Code::Unauthorized => {
                if let Some(ip) = &ip {
                    let _ = state.auth_failures.check(ip);
                }
                Err(e)
            }
            other => other,
        }
    }
}

fn too_many_failures(wait: u64) -> ApiError {
    ApiError::too_many(
        "too many failed authentications from this address; retry later",
        wait,
    )
}

async fn authenticate(parts: &mut Parts, state: &Shared) -> Result<Auth, ApiError> {
    {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            unauthorized("missing Authorization header (Authorization: Bearer <API key>)")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                unauthorized("malformed Authorization header; expected `Bearer <API key>`")
            })?;
        let hash = hash_key(token);
        let key = match state.keys.get(&hash) {
            Some(k) => k,
            None => {
                let k = state
                    .store
                    .find_key(&hash)
                    .await?
                    .ok_or_else(|| unauthorized("invalid or revoked API key"))?;
                state.keys.put(hash, k.clone());
                k
            }
        };
        if let Err(wait) = state.limiter.check(&key.id) {
            return Err(ApiError::too_many(
                format!(
                    "rate limit of {} requests per second exceeded for this API key",
                    state.config.rate_limit
                ),
                wait,
            ));
        }
        let named = parts
            .headers
            .get(WORKSPACE_HEADER)
            .map(|v| {
                v.to_str()
                    .map(|s| s.trim().to_string())
                    .map_err(|_| ApiError::invalid(format!("{WORKSPACE_HEADER} is not valid text")))
            })
            .transpose()?
            .filter(|s| !s.is_empty());
        let workspace_id = match (key.workspace_id.as_deref(), named) {
            // A workspace key is bound to its workspace: the header is ignored (spec §2),
            // whatever it names, so it can never reach another workspace.
            (Some(own), _) => own.to_string(),
            (None, None) => {
                return Err(ApiError::invalid(format!(
                    "{WORKSPACE_HEADER} is required with an organization API key"
                )));
            }
            (None, Some(named)) => {
                let org = state.store.workspace_organization(&named).await?;
                if org.as_deref() != Some(key.organization_id.as_str()) {
                    return Err(ApiError::not_found(format!("workspace {named}")));
                }
                named
            }
        };
        tracing::debug!(key_id = %key.id, workspace_id = %workspace_id, "authenticated");
        let auth = Auth { workspace_id };
        // For the body extractor, which runs after this one: it looks up the referenced
        // file before parsing a large body.
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}
