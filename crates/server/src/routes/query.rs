//! What the handlers share: query strings parsed into API errors, the base URL of links,
//! and list pages.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api::next_token;
use crate::errors::ApiError;
use crate::state::Shared;
use crate::store::Page;

/// Cuts the one row more than the page shows (fetched to know whether more follow) off
/// `rows`; says whether it was there.
pub(crate) fn cut_page<T>(page: &Page, rows: &mut Vec<T>) -> bool {
    let more = rows.len() as i64 >= page.limit;
    if more {
        rows.truncate((page.limit - 1).max(0) as usize);
    }
    more
}

/// `{object: "list", data, nextPageToken?}`; `next` is the (sort value, id) of the page's last
/// row when more follow.
pub(crate) fn list_json(page: &Page, data: Vec<Value>, next: Option<(i64, &str)>) -> Value {
    let mut body = json!({ "object": "list", "data": data });
    if let Some(last) = next {
        body["nextPageToken"] = json!(next_token(page, last));
    }
    body
}

/// The list object of rows rendered one by one: `key` gives a row's (sort value, id).
pub(crate) fn list_body<T>(
    page: &Page,
    mut rows: Vec<T>,
    key: impl Fn(&T) -> (i64, String),
    render: impl Fn(&T) -> Value,
) -> Value {
    let more = cut_page(page, &mut rows);
    let next = rows.last().filter(|_| more).map(&key);
    list_json(
        page,
        rows.iter().map(render).collect(),
        next.as_ref().map(|(v, id)| (*v, id.as_str())),
    )
}

/// A query string parsed into `T`; errors are API errors (400).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<Shared> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::invalid(format!("bad query string: {}", e.body_text())))
    }
}

/// The base URL for links in this response (see [`crate::state::AppState::base_url`]).
pub struct BaseUrl(pub String);

impl FromRequestParts<Shared> for BaseUrl {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        Ok(BaseUrl(state.base_url(host)))
    }
}
