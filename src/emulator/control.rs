//! `/_emulator/...`: routes that play the parts Dropbox's API does not
//! expose (a student uploading, the network misbehaving) and show the state.
//! Each needs the emulator's own token (`Authorization: Bearer`), as the API
//! does: loopback is shared by everyone on a lab machine, and these routes
//! can upload files into the professor's requests.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use dropbox_sdk::users_common::AccountType;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::faults::FaultSpec;
use super::files::{file_metadata_json, metadata_json};
use super::http::Outgoing;
use super::state::{Core, Store};
use super::{EmulatorError, Submission, seed, wire};

/// Generated contents stay small; this also bounds what a typo can allocate.
const MAX_GENERATED_SIZE: usize = 64 * 1024 * 1024;

pub(crate) fn routes(core: Arc<Core>) -> Router<Arc<Core>> {
    Router::new()
        .route("/_emulator/submit", post(submit))
        .route("/_emulator/faults", post(faults))
        .route("/_emulator/state", get(state))
        .route("/_emulator/account", post(account))
        .route("/_emulator/oauth", get(oauth_state).post(oauth_change))
        .route("/_emulator/team_token", post(team_token))
        .route_layer(middleware::from_fn_with_state(core, operator_only))
}

/// Lets a control call through only with the emulator's own token; OAuth and team
/// tokens act for the account, not for whoever runs the emulator, so they do not count.
async fn operator_only(State(core): State<Arc<Core>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match presented {
        Some(token) if same_secret(token.as_bytes(), core.token.as_bytes()) => {
            next.run(request).await
        }
        _ => problem(
            StatusCode::UNAUTHORIZED,
            "the emulator's control routes need its token: send \"Authorization: Bearer TOKEN\" \
             with the token the emulator was started with",
        ),
    }
}

/// Compares without stopping at the first difference, so the time taken tells a
/// neighbour probing the port nothing about how much of a guess was right.
fn same_secret(presented: &[u8], expected: &[u8]) -> bool {
    presented.len() == expected.len()
        && presented
            .iter()
            .zip(expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// `POST /_emulator/submit`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    request_id: String,
    student_name: Option<String>,
    file_name: String,
    content_base64: Option<String>,
    content: Option<String>,
    size: Option<usize>,
    /// RFC 3339; now when absent.
    at: Option<String>,
}

/// `POST /_emulator/faults`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsBody {
    route: String,
    fault: FaultSpec,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_emulator/oauth`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuthBody {
    access_token_lifetime_secs: Option<u64>,
    #[serde(default)]
    expire_access_tokens: bool,
    #[serde(default)]
    revoke_refresh_tokens: bool,
    register_app: Option<AppBody>,
}

/// An app as the App Console shows it: the key and the secret that goes with it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppBody {
    app_key: String,
    app_secret: String,
}

/// `POST /_emulator/account`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountBody {
    account_type: String,
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    Outgoing::json(status, &json!({ "error": message.into() })).into_response()
}

/// Decodes a control route's body; the error is a ready 400 answer, boxed
/// because a `Response` is large.
fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body)
        .map_err(|error| Box::new(problem(StatusCode::BAD_REQUEST, error.to_string())))
}

async fn submit(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let body: SubmitBody = match parse_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let submission = match submission_from(body) {
        Ok(submission) => submission,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    match core.write(|store| store.receive_submission(&submission, Utc::now())) {
        Ok(metadata) => {
            Outgoing::json(StatusCode::OK, &file_metadata_json(&metadata)).into_response()
        }
        Err(error) => {
            let status = match error {
                EmulatorError::UnknownRequest(_) => StatusCode::NOT_FOUND,
                EmulatorError::InvalidFileName(_) => StatusCode::BAD_REQUEST,
                EmulatorError::RequestClosed(_)
                | EmulatorError::PastDeadline(_)
                | EmulatorError::DestinationRemoved(_) => StatusCode::CONFLICT,
            };
            problem(status, error.to_string())
        }
    }
}

fn submission_from(body: SubmitBody) -> Result<Submission, String> {
    let given = [
        body.content_base64.is_some(),
        body.content.is_some(),
        body.size.is_some(),
    ];
    if given.iter().filter(|given| **given).count() > 1 {
        return Err("give at most one of content_base64, content and size".to_owned());
    }
    let content = if let Some(encoded) = &body.content_base64 {
        wire::decode_base64(encoded).ok_or("content_base64 is not valid base64")?
    } else if let Some(text) = body.content {
        text.into_bytes()
    } else {
        let mut rng = fastrand::Rng::new();
        let size = match body.size {
            Some(size) if size > MAX_GENERATED_SIZE => {
                return Err(format!("size is limited to {MAX_GENERATED_SIZE} bytes"));
            }
            Some(size) => size,
            None => rng.usize(300..2000),
        };
        seed::document_bytes(&body.file_name, size, &mut rng)
    };
    let at = match &body.at {
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|error| format!("at is not an RFC 3339 time: {error}"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(Submission {
        request_id: body.request_id,
        student_name: body.student_name,
        file_name: body.file_name,
        content,
        at,
    })
}

async fn faults(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let body: FaultsBody = match parse_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    match body.fault.into_fault() {
        Ok(fault) => {
            core.faults.push(&body.route, fault, body.count);
            Outgoing::json(
                StatusCode::OK,
                &json!({ "route": body.route, "count": body.count }),
            )
            .into_response()
        }
        Err(message) => problem(StatusCode::BAD_REQUEST, message),
    }
}

async fn state(State(core): State<Arc<Core>>) -> Response {
    Outgoing::json(StatusCode::OK, &core.read(snapshot)).into_response()
}

async fn account(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let body: AccountBody = match parse_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let Some(account_type) = parse_account_type(&body.account_type) else {
        return problem(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown account type {:?}; expected basic, pro or business",
                body.account_type
            ),
        );
    };
    core.write(|store| {
        store.next_version();
        store.account_type = account_type;
    });
    Outgoing::json(
        StatusCode::OK,
        &json!({ "account_type": body.account_type.to_ascii_lowercase() }),
    )
    .into_response()
}

async fn oauth_state(State(core): State<Arc<Core>>) -> Response {
    Outgoing::json(StatusCode::OK, &wire::to_json(&core.oauth.stats())).into_response()
}

async fn oauth_change(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let body: OAuthBody = match parse_body(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if let Some(app) = &body.register_app
        && (app.app_key.trim().is_empty() || app.app_secret.trim().is_empty())
    {
        return problem(
            StatusCode::BAD_REQUEST,
            "register_app needs a non-empty app_key and app_secret",
        );
    }
    if let Some(seconds) = body.access_token_lifetime_secs {
        if seconds == 0 {
            return problem(
                StatusCode::BAD_REQUEST,
                "access_token_lifetime_secs must be at least 1",
            );
        }
        core.oauth
            .set_lifetime(std::time::Duration::from_secs(seconds));
    }
    if body.expire_access_tokens {
        core.oauth.expire_all();
    }
    if body.revoke_refresh_tokens {
        core.oauth.revoke_all_refresh_tokens();
    }
    if let Some(app) = &body.register_app {
        core.oauth.register_app(&app.app_key, &app.app_secret);
    }
    oauth_state(State(core)).await
}

async fn team_token(State(core): State<Arc<Core>>) -> Response {
    let token = core.oauth.mint_team_token();
    Outgoing::json(StatusCode::OK, &json!({ "access_token": token })).into_response()
}

pub(crate) fn parse_account_type(text: &str) -> Option<AccountType> {
    match text.trim().to_ascii_lowercase().as_str() {
        "basic" => Some(AccountType::Basic),
        "pro" => Some(AccountType::Pro),
        "business" => Some(AccountType::Business),
        _ => None,
    }
}

pub(crate) fn account_type_name(account_type: &AccountType) -> &'static str {
    match account_type {
        AccountType::Basic => "basic",
        AccountType::Pro => "pro",
        AccountType::Business => "business",
    }
}

/// The state as clients would see it: file requests and metadata in wire
/// form, without file contents (those are in the state file).
pub(crate) fn snapshot(store: &Store) -> Value {
    let file_requests: Vec<Value> = store
        .requests
        .iter()
        .map(|request| wire::to_json(&store.file_request_view(request)))
        .collect();
    let entries: Vec<Value> = store
        .entries
        .values()
        .map(|entry| metadata_json(&entry.metadata()))
        .collect();
    json!({
        "version": store.version,
        "account_type": account_type_name(&store.account_type),
        "file_requests": file_requests,
        "entries": entries,
    })
}
