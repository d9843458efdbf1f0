//! The HTTP face of the emulator: one listener serves what Dropbox spreads
//! over its api, content and notify hosts, plus the `/_emulator/` control routes.
//!
//! Every API call goes through [`api_call`], which applies injected faults,
//! authentication, team tokens' `Dropbox-API-Select-User`, the
//! `Dropbox-API-Path-Root` header and argument decoding the way Dropbox does,
//! then hands a [`Call`] to the route's function.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use dropbox_sdk::auth::{AuthError, RateLimitError, RateLimitReason};
use dropbox_sdk::common::{PathRoot, PathRootError};
use futures::StreamExt;
use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::future::Future;

use super::account::Person;
use super::faults::Fault;
use super::oauth::{self, Principal};
use super::state::Core;
use super::team::{self, Member};
use super::{account, control, file_requests, files, wire};

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";
const API_ARG: HeaderName = HeaderName::from_static("dropbox-api-arg");
const API_RESULT: HeaderName = HeaderName::from_static("dropbox-api-result");
const PATH_ROOT: HeaderName = HeaderName::from_static("dropbox-api-path-root");
const SELECT_USER: HeaderName = HeaderName::from_static("dropbox-api-select-user");
const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");
/// How Dropbox names the argument header in its 400 messages.
const ARG_HEADER: &str = "HTTP header \"Dropbox-API-Arg\"";

pub(crate) fn router(core: Arc<Core>) -> Router {
    Router::new()
        .route("/2/{*route}", post(api_call))
        .merge(control::routes(Arc::clone(&core)))
        .merge(oauth::routes())
        .fallback(|| async { Outgoing::text(StatusCode::NOT_FOUND, "Not Found").into_response() })
        .with_state(core)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    /// Argument and result as JSON bodies.
    Rpc,
    /// Argument in `Dropbox-API-Arg`, result in `Dropbox-API-Result`, bytes in the body.
    Download,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Auth {
    User,
    /// `team/...`: only team tokens, and no member selected.
    Team,
    /// `list_folder/longpoll`: Dropbox refuses it when credentials come along.
    None,
}

type Answer = Result<Reply, CallError>;

/// How a route computes its answer.
#[derive(Clone, Copy)]
enum Handler {
    /// Without waiting: the answer is computed from the store as it is.
    Now(fn(&Core, &Call) -> Answer),
    /// After waiting (`list_folder/longpoll`).
    Waits(for<'a> fn(&'a Core, &'a Call) -> BoxFuture<'a, Answer>),
}

/// One emulated route with its Stone attributes.
struct Route {
    name: &'static str,
    style: Style,
    auth: Auth,
    handler: Handler,
}

impl Route {
    const fn rpc(name: &'static str, handler: fn(&Core, &Call) -> Answer) -> Route {
        Route {
            name,
            style: Style::Rpc,
            auth: Auth::User,
            handler: Handler::Now(handler),
        }
    }

    const fn team(name: &'static str, handler: fn(&Core, &Call) -> Answer) -> Route {
        Route {
            name,
            style: Style::Rpc,
            auth: Auth::Team,
            handler: Handler::Now(handler),
        }
    }

    const fn download(name: &'static str, handler: fn(&Core, &Call) -> Answer) -> Route {
        Route {
            name,
            style: Style::Download,
            auth: Auth::User,
            handler: Handler::Now(handler),
        }
    }
}

/// Every emulated route: the one place that says what exists and how it is called.
static ROUTES: &[Route] = &[
    Route::rpc("file_requests/count", file_requests::count),
    Route::rpc("file_requests/create", file_requests::create),
    Route::rpc("file_requests/delete", file_requests::delete),
    Route::rpc(
        "file_requests/delete_all_closed",
        file_requests::delete_all_closed,
    ),
    Route::rpc("file_requests/get", file_requests::get),
    Route::rpc("file_requests/list", file_requests::list),
    Route::rpc("file_requests/list_v2", file_requests::list_v2),
    Route::rpc("file_requests/list/continue", file_requests::list_continue),
    Route::rpc("file_requests/update", file_requests::update),
    Route::rpc("files/get_metadata", files::get_metadata),
    Route::rpc("files/list_folder", files::list_folder),
    Route::rpc("files/list_folder/continue", files::list_folder_continue),
    Route::rpc(
        "files/list_folder/get_latest_cursor",
        files::get_latest_cursor,
    ),
    Route {
        name: "files/list_folder/longpoll",
        style: Style::Rpc,
        auth: Auth::None,
        handler: Handler::Waits(|core, call| Box::pin(files::longpoll(core, call))),
    },
    Route::download("files/download", files::download),
    Route::download("files/download_zip", files::download_zip),
    Route::rpc("users/get_current_account", account::get_current_account),
    Route::rpc("auth/token/revoke", account::revoke),
    Route::rpc("check/user", |_, call| account::check_user(call)),
    Route::team("team/members/list_v2", team::members_list),
    Route::team("team/members/list/continue_v2", team::members_list_continue),
];

fn find_route(name: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.name == name)
}

/// One decoded API call, as the route functions see it.
pub(crate) struct Call {
    arg: Arg,
    /// The bearer token it came with (none for `Auth::None` routes).
    bearer: Option<String>,
    /// With a team token: the member it acts as.
    member: Option<&'static Member>,
}

/// Where the argument came from; Dropbox names the place in its 400 messages.
enum Arg {
    Body(Bytes),
    Header(String),
    UrlParameter(String),
}

impl Call {
    /// The bearer token the call came with; empty for routes without one.
    pub(crate) fn bearer(&self) -> &str {
        self.bearer.as_deref().unwrap_or_default()
    }

    /// The team member a team token acts as (`Dropbox-API-Select-User`).
    pub(crate) fn member(&self) -> Option<&'static Person> {
        self.member.map(|member| &member.person)
    }

    /// Decodes the argument into an SDK type, which applies Stone defaults.
    pub(crate) fn arg<T: DeserializeOwned>(&self) -> Result<T, CallError> {
        serde_json::from_slice(self.arg_bytes()).map_err(|error| self.invalid(describe(&error)))
    }

    /// For routes whose argument is `Void`: `null`, or nothing at all.
    pub(crate) fn void(&self) -> Result<(), CallError> {
        let bytes = self.arg_bytes();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Null) => Ok(()),
            Ok(other) => Err(self.invalid(format!("expected null, got {}", json_kind(&other)))),
            Err(error) => Err(self.invalid(describe(&error))),
        }
    }

    /// A 400 for an argument that breaks the route's Stone types: a pattern,
    /// a length, a range, an unknown union tag.
    pub(crate) fn invalid(&self, detail: impl std::fmt::Display) -> CallError {
        let place = match self.arg {
            Arg::Body(_) => "request body",
            Arg::Header(_) => ARG_HEADER,
            Arg::UrlParameter(_) => "URL parameter \"arg\"",
        };
        CallError::BadRequest(format!("{place}: {detail}"))
    }

    fn arg_bytes(&self) -> &[u8] {
        match &self.arg {
            Arg::Body(bytes) => bytes,
            Arg::Header(text) | Arg::UrlParameter(text) => text.as_bytes(),
        }
    }
}

fn describe(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            "could not decode input as JSON".to_owned()
        }
        Category::Data => {
            let text = error.to_string();
            match text.rfind(" at line ") {
                Some(position) => text[..position].to_owned(),
                None => text,
            }
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// What a route answers on success.
pub(crate) enum Reply {
    Json(Value),
    /// Download style: `result` goes into `Dropbox-API-Result`.
    Download {
        result: Value,
        content: Bytes,
        content_type: &'static str,
        /// Whether `Range` is honoured (`download` yes, `download_zip` no).
        ranges: bool,
    },
}

impl Reply {
    pub(crate) fn json<T: Serialize>(value: &T) -> Reply {
        Reply::Json(wire::to_json(value))
    }
}

/// Why a call failed, in the shape Dropbox reports it.
#[derive(Debug)]
pub(crate) enum CallError {
    /// 400, plain text after `Error in call to API function "<route>": `.
    BadRequest(String),
    /// 401 with an `AuthError`.
    Auth(AuthError),
    /// 409 with the route's own error union.
    Route(Value),
    /// 422 with a `PathRootError`.
    PathRoot(PathRootError),
}

impl CallError {
    pub(crate) fn route<E: Serialize>(error: E) -> CallError {
        CallError::Route(wire::to_json(&error))
    }

    fn into_outgoing(self, route: &str) -> Outgoing {
        match self {
            CallError::BadRequest(message) => Outgoing::text(
                StatusCode::BAD_REQUEST,
                format!("Error in call to API function \"{route}\": {message}"),
            ),
            CallError::Auth(error) => {
                Outgoing::error_json(StatusCode::UNAUTHORIZED, wire::to_json(&error))
            }
            CallError::Route(error) => Outgoing::error_json(StatusCode::CONFLICT, error),
            CallError::PathRoot(error) => {
                let error = wire::to_json(&error);
                // `invalid_root` carries a `RootInfo`, a struct whose `.tag`
                // names its subtype, not a union member: the summary stops
                // before it.
                let summary = format!("{}/...", error[".tag"].as_str().unwrap_or_default());
                Outgoing::envelope(StatusCode::UNPROCESSABLE_ENTITY, summary, error)
            }
        }
    }
}

async fn api_call(
    State(core): State<Arc<Core>>,
    Path(route): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(found) = find_route(&route) else {
        return Outgoing::text(
            StatusCode::NOT_FOUND,
            format!("Unknown API function: \"{route}\""),
        )
        .into_response();
    };
    let latency = core.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = core.faults.take(&route);
    serve_with_fault(fault, &route, async {
        match answer(&core, found, &uri, &headers, body).await {
            Ok(outgoing) => outgoing,
            Err(error) => error.into_outgoing(&route),
        }
    })
    .await
}

/// Answers with `outgoing`, unless `fault` (taken for `route`) says otherwise:
/// some faults replace the answer, some delay it, some damage it on the way out.
pub(crate) async fn serve_with_fault(
    fault: Option<Fault>,
    route: &str,
    outgoing: impl Future<Output = Outgoing>,
) -> Response {
    match &fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(Fault::TooManyRequests {
            retry_after,
            plain_text,
        }) => return too_many_requests(*retry_after, *plain_text).into_response(),
        Some(Fault::ServerError(status)) => return server_error(*status).into_response(),
        Some(Fault::DropConnection) => return dropped_connection(),
        Some(Fault::RouteError(tag)) => {
            return Outgoing::error_json(StatusCode::CONFLICT, json!({ ".tag": tag }))
                .into_response();
        }
        _ => {}
    }
    let outgoing = outgoing.await;
    tracing::debug!(route, status = outgoing.status.as_u16(), "emulated call");
    match fault {
        Some(Fault::TruncateBody) => outgoing.truncated(),
        Some(Fault::CorruptBody) => outgoing.corrupted().into_response(),
        _ => outgoing.into_response(),
    }
}

async fn answer(
    core: &Core,
    route: &Route,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Outgoing, CallError> {
    let (bearer, member) = match route.auth {
        Auth::User | Auth::Team => {
            let (token, principal) = authenticate(core, headers, uri)?;
            let member = select_member(route, principal, headers)?;
            if route.auth == Auth::User {
                check_path_root(core, headers, member.is_some())?;
            }
            (Some(token), member)
        }
        Auth::None => {
            if headers.contains_key(AUTHORIZATION) {
                return Err(CallError::BadRequest(
                    "This endpoint does not use authentication; remove the \"Authorization\" header."
                        .to_owned(),
                ));
            }
            (None, None)
        }
    };
    let arg = match route.style {
        Style::Rpc => rpc_arg(headers, body)?,
        Style::Download => download_arg(headers, uri)?,
    };
    let call = Call {
        arg,
        bearer,
        member,
    };
    let reply = match route.handler {
        Handler::Now(handler) => handler(core, &call)?,
        Handler::Waits(handler) => handler(core, &call).await?,
    };
    Ok(match reply {
        Reply::Json(value) => Outgoing::json(StatusCode::OK, &value),
        Reply::Download {
            result,
            content,
            content_type,
            ranges,
        } => download_response(
            &result,
            content,
            content_type,
            ranges.then(|| headers.get(RANGE)).flatten(),
        ),
    })
}

/// The bearer token of the call and who it acts for.
fn authenticate(
    core: &Core,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<(String, Principal), CallError> {
    let value = match headers.get(AUTHORIZATION) {
        Some(value) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
        None => query_parameter(uri, "authorization").ok_or_else(|| {
            CallError::BadRequest(
                "Must provide HTTP header \"Authorization\" or URL parameter \"authorization\"."
                    .to_owned(),
            )
        })?,
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| {
            // The value is a credential: never echo it back.
            CallError::BadRequest(
                "Invalid authorization value in HTTP header \"Authorization\". Expecting \"Bearer <oauth2-access-token>\"."
                    .to_owned(),
            )
        })?;
    let principal = core.principal(token).map_err(CallError::Auth)?;
    Ok((token.to_owned(), principal))
}

/// Dropbox's 400 text for a team token on a user route without a member.
const TEAM_TOKEN_WITHOUT_MEMBER: &str = "This API function operates on a single Dropbox \
     account, but the OAuth 2 access token you provided is for an entire Dropbox Business \
     team.  Since your API app key has team member file access permissions, you can operate \
     on a team member's Dropbox by providing the \"Dropbox-API-Select-User\" HTTP header or \
     \"select_user\" URL parameter.";

/// The member a team token acts as on a user route: the one
/// `Dropbox-API-Select-User` names (401 `invalid_select_user` for anyone who is
/// not an active member), never none (Dropbox's 400 text). Team routes take team
/// tokens only; a user token must not name a member. Revoking works with a team
/// token and no member: it revokes the team token itself.
fn select_member(
    route: &Route,
    principal: Principal,
    headers: &HeaderMap,
) -> Result<Option<&'static Member>, CallError> {
    let selected = headers
        .get(SELECT_USER)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_owned());
    match (route.auth, principal, selected) {
        (Auth::Team, Principal::Team, _) => Ok(None),
        (Auth::Team, Principal::User, _) => Err(CallError::BadRequest(
            "This API function operates on a Dropbox Business team, but the OAuth 2 access \
             token you provided is for a single Dropbox account."
                .to_owned(),
        )),
        (_, Principal::User, None) => Ok(None),
        (_, Principal::User, Some(_)) => Err(CallError::BadRequest(
            "Unexpected \"Dropbox-API-Select-User\" header: the OAuth 2 access token you \
             provided is for a single Dropbox account, not a team."
                .to_owned(),
        )),
        (_, Principal::Team, None) if route.name == "auth/token/revoke" => Ok(None),
        (_, Principal::Team, None) => {
            Err(CallError::BadRequest(TEAM_TOKEN_WITHOUT_MEMBER.to_owned()))
        }
        (_, Principal::Team, Some(id)) => team::active_member(&id)
            .map(Some)
            .ok_or(CallError::Auth(AuthError::InvalidSelectUser)),
    }
}

/// Honours `Dropbox-API-Path-Root` for the namespaces the account has:
/// `home`; `root` naming the account's root namespace (Dropbox answers 422
/// `invalid_root` with the current root info otherwise); `namespace_id`
/// naming its home or team space (422 `no_permission` otherwise).
///
/// Paths stay relative to the home namespace whatever the header says: a
/// business account's team space is not modelled. A team member acting through
/// a team token is on a business account whatever the store's account type.
fn check_path_root(core: &Core, headers: &HeaderMap, as_member: bool) -> Result<(), CallError> {
    let Some(value) = headers.get(PATH_ROOT) else {
        return Ok(());
    };
    let invalid = || {
        CallError::BadRequest(
            "HTTP header \"Dropbox-API-Path-Root\": could not decode input as JSON".to_owned(),
        )
    };
    let root: PathRoot = serde_json::from_slice(value.as_bytes()).map_err(|_| invalid())?;
    let account_type = if as_member {
        dropbox_sdk::users_common::AccountType::Business
    } else {
        core.read(|store| store.account_type.clone())
    };
    match root {
        PathRoot::Home => Ok(()),
        PathRoot::Root(id) if id == account::root_namespace_id(&account_type) => Ok(()),
        PathRoot::Root(_) => Err(CallError::PathRoot(PathRootError::InvalidRoot(
            account::root_info(&account_type),
        ))),
        PathRoot::NamespaceId(id) if account::can_access_namespace(&account_type, &id) => Ok(()),
        PathRoot::NamespaceId(_) => Err(CallError::PathRoot(PathRootError::NoPermission)),
        _ => Err(invalid()),
    }
}

/// Content types Dropbox accepts on RPC calls, parameters normalized.
const RPC_CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "text/plain; charset=dropbox-cors-hack",
];

/// Content types Dropbox accepts on download-style calls, which carry no body.
const DOWNLOAD_CONTENT_TYPES: &[&str] = &[
    "text/plain",
    "text/plain; charset=utf-8",
    "application/octet-stream",
    "application/octet-stream; charset=utf-8",
];

fn rpc_arg(headers: &HeaderMap, body: Bytes) -> Result<Arg, CallError> {
    match headers.get(CONTENT_TYPE) {
        // A call without an argument may leave out both body and type.
        None if body.is_empty() => Ok(Arg::Body(body)),
        Some(value) if RPC_CONTENT_TYPES.contains(&normalize_media_type(value).as_str()) => {
            Ok(Arg::Body(body))
        }
        other => Err(bad_content_type(other, RPC_CONTENT_TYPES)),
    }
}

fn download_arg(headers: &HeaderMap, uri: &Uri) -> Result<Arg, CallError> {
    if let Some(value) = headers.get(CONTENT_TYPE)
        && !DOWNLOAD_CONTENT_TYPES.contains(&normalize_media_type(value).as_str())
    {
        return Err(bad_content_type(Some(value), DOWNLOAD_CONTENT_TYPES));
    }
    if let Some(value) = headers.get(API_ARG) {
        // The header must be ASCII, with every other character (and DEL)
        // escaped as \uXXXX; Dropbox fails to decode raw UTF-8 there.
        return match std::str::from_utf8(value.as_bytes()) {
            Ok(text) if text.bytes().all(|byte| byte.is_ascii() && byte != 0x7f) => {
                Ok(Arg::Header(text.to_owned()))
            }
            _ => Err(CallError::BadRequest(format!(
                "{ARG_HEADER}: could not decode input as JSON"
            ))),
        };
    }
    query_parameter(uri, "arg")
        .map(Arg::UrlParameter)
        .ok_or_else(|| {
            CallError::BadRequest(
                "Must provide HTTP header \"Dropbox-API-Arg\" or URL parameter \"arg\".".to_owned(),
            )
        })
}

fn normalize_media_type(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes())
        .split(';')
        .map(|part| part.trim().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("; ")
}

fn bad_content_type(value: Option<&HeaderValue>, expected: &[&str]) -> CallError {
    let given = value
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    let expected = expected
        .iter()
        .map(|media_type| format!("\"{media_type}\""))
        .collect::<Vec<_>>()
        .join(", ");
    CallError::BadRequest(format!(
        "Bad HTTP \"Content-Type\" header: \"{given}\".  Expecting one of {expected}."
    ))
}

/// The decoded value of one `application/x-www-form-urlencoded` query parameter.
fn query_parameter(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key)? == name).then(|| percent_decode(value))?
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = tail.get(..2)?;
                bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                rest = &tail[2..];
                continue;
            }
            other => bytes.push(other),
        }
        rest = tail;
    }
    String::from_utf8(bytes).ok()
}

/// The byte range a `Range` header asks for, as Dropbox honours it: a single
/// range in bytes; anything else is ignored and the whole file is sent.
#[derive(Debug, PartialEq, Eq)]
enum ByteRange {
    Whole,
    /// First and last byte, inclusive.
    Part(u64, u64),
    Unsatisfiable,
}

fn byte_range(header: Option<&HeaderValue>, len: u64) -> ByteRange {
    let Some(spec) = header
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().strip_prefix("bytes="))
    else {
        return ByteRange::Whole;
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return ByteRange::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |text: &str| text.parse::<u64>().ok();
    match (first.is_empty(), last.is_empty()) {
        // bytes=-n: the last n bytes.
        (true, false) => match parse(last) {
            Some(0) => ByteRange::Unsatisfiable,
            Some(_) if len == 0 => ByteRange::Unsatisfiable,
            Some(suffix) => ByteRange::Part(len.saturating_sub(suffix), len - 1),
            None => ByteRange::Whole,
        },
        // bytes=a- and bytes=a-b.
        (false, _) => {
            let Some(start) = parse(first) else {
                return ByteRange::Whole;
            };
            let end = if last.is_empty() {
                u64::MAX
            } else {
                match parse(last) {
                    Some(end) if end >= start => end,
                    _ => return ByteRange::Whole,
                }
            };
            if start >= len {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Part(start, end.min(len - 1))
            }
        }
        (true, true) => ByteRange::Whole,
    }
}

fn download_response(
    result: &Value,
    content: Bytes,
    content_type: &'static str,
    range: Option<&HeaderValue>,
) -> Outgoing {
    let len = content.len() as u64;
    let (status, body, content_range) = match byte_range(range, len) {
        ByteRange::Whole => (StatusCode::OK, content, None),
        ByteRange::Part(first, last) => (
            StatusCode::PARTIAL_CONTENT,
            // Both ends are below `len`, which came from a usize.
            content.slice(first as usize..=last as usize),
            Some(format!("bytes {first}-{last}/{len}")),
        ),
        ByteRange::Unsatisfiable => {
            let mut outgoing = Outgoing::text(StatusCode::RANGE_NOT_SATISFIABLE, "");
            outgoing.set_header(CONTENT_RANGE, &format!("bytes */{len}"));
            return outgoing;
        }
    };
    let mut outgoing = Outgoing {
        status,
        headers: HeaderMap::new(),
        body,
    };
    outgoing.set_header(CONTENT_TYPE, content_type);
    outgoing.set_header(API_RESULT, &wire::header_safe_json(result));
    if let Some(content_range) = content_range {
        outgoing.set_header(CONTENT_RANGE, &content_range);
    }
    outgoing
}

fn too_many_requests(retry_after: u32, plain_text: bool) -> Outgoing {
    let mut outgoing = if plain_text {
        Outgoing::text(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
    } else {
        let error = RateLimitError::new(RateLimitReason::TooManyRequests)
            .with_retry_after(u64::from(retry_after));
        let mut error = wire::to_json(&error);
        // The SDK leaves out a field equal to its Stone default (1); Dropbox
        // always sends it.
        error["retry_after"] = json!(retry_after);
        Outgoing::envelope(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests/...".to_owned(),
            error,
        )
    };
    outgoing.set_header(RETRY_AFTER, &retry_after.to_string());
    outgoing
}

fn server_error(status: u16) -> Outgoing {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Outgoing::text(status, status.canonical_reason().unwrap_or("Server Error"))
}

/// A response whose body fails before its first byte: hyper then closes the
/// connection without having written the head, so the client sees the
/// connection end with no response at all.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected fault: drop connection"))
    });
    Response::new(Body::from_stream(failing))
}

/// A response held as bytes, so faults can rewrite it before it leaves.
pub(crate) struct Outgoing {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Outgoing {
    /// JSON with exactly `Content-Type: application/json`: the official
    /// Python SDK compares the header verbatim, charset included.
    pub(crate) fn json(status: StatusCode, value: &Value) -> Outgoing {
        let body = serde_json::to_vec(value).expect("JSON values serialize");
        let mut outgoing = Outgoing {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(body),
        };
        outgoing.set_header(CONTENT_TYPE, JSON);
        outgoing
    }

    pub(crate) fn text(status: StatusCode, text: impl Into<String>) -> Outgoing {
        let mut outgoing = Outgoing {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(text.into()),
        };
        outgoing.set_header(CONTENT_TYPE, TEXT);
        outgoing
    }

    /// `{"error_summary": ..., "error": ...}`, Dropbox's envelope for 401, 409 and 422.
    fn error_json(status: StatusCode, error: Value) -> Outgoing {
        Outgoing::envelope(status, wire::error_summary(&error), error)
    }

    fn envelope(status: StatusCode, summary: String, error: Value) -> Outgoing {
        let body = json!({
            "error_summary": summary,
            "error": error,
        });
        Outgoing::json(status, &body)
    }

    fn set_header(&mut self, name: HeaderName, value: &str) {
        match HeaderValue::from_str(value) {
            Ok(value) => {
                self.headers.insert(name, value);
            }
            Err(_) => tracing::error!(%name, "header value is not valid HTTP; left out"),
        }
    }

    /// Announces the full length, sends the first half, then breaks off.
    fn truncated(self) -> Response {
        let full_len = self.body.len();
        let half = self.body.slice(..full_len / 2);
        let failure = async {
            // Give hyper time to flush the half before the error makes it
            // drop the connection.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Err(std::io::Error::other("injected fault: truncated body"))
        };
        let stream = futures::stream::iter([Ok::<Bytes, std::io::Error>(half)])
            .chain(futures::stream::once(failure));
        let mut response = Response::new(Body::from_stream(stream));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(full_len));
        response
    }

    /// Flips the bits of a few bytes spread through the body: same length,
    /// other content (any body of at least one byte changes).
    fn corrupted(mut self) -> Outgoing {
        let mut body = self.body.to_vec();
        let len = body.len();
        if len > 0 {
            let mut positions = vec![0, len / 3, len / 2, len - 1];
            positions.sort_unstable();
            positions.dedup();
            for position in positions {
                body[position] ^= 0xFF;
            }
        }
        self.body = Bytes::from(body);
        self
    }
}

impl IntoResponse for Outgoing {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// For the `api_arg` fuzz target (`fuzz/`): the first byte picks how the argument comes
/// (RPC body, `Dropbox-API-Arg` header, or `arg` URL parameter) and which route's
/// argument type it is decoded into; the rest is the argument. Goes through the same
/// functions as a real call, so a panic here is a panic a client could cause.
#[doc(hidden)]
pub fn fuzz_decode_arg(data: &[u8]) {
    use dropbox_sdk::file_requests::{
        CreateFileRequestArgs, DeleteFileRequestArgs, GetFileRequestArgs, ListFileRequestsArg,
        ListFileRequestsContinueArg, UpdateFileRequestArgs,
    };
    use dropbox_sdk::files::{
        DownloadArg, DownloadZipArg, GetMetadataArg, ListFolderArg, ListFolderContinueArg,
        ListFolderLongpollArg,
    };
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let arg = match selector % 3 {
        0 => {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            match rpc_arg(&headers, Bytes::copy_from_slice(rest)) {
                Ok(arg) => arg,
                Err(_) => return,
            }
        }
        1 => {
            let Ok(value) = HeaderValue::from_bytes(rest) else {
                return;
            };
            let mut headers = HeaderMap::new();
            headers.insert(API_ARG, value);
            match download_arg(&headers, &Uri::from_static("/2/files/download")) {
                Ok(arg) => arg,
                Err(_) => return,
            }
        }
        _ => {
            let query: String = form_urlencoded::byte_serialize(rest).collect();
            let Ok(uri) = format!("/2/files/download?arg={query}").parse::<Uri>() else {
                return;
            };
            match download_arg(&HeaderMap::new(), &uri) {
                Ok(arg) => arg,
                Err(_) => return,
            }
        }
    };
    let call = Call {
        arg,
        bearer: None,
        member: None,
    };
    let answered = match selector / 3 % 13 {
        0 => call.arg::<DownloadArg>().map(drop),
        1 => call.arg::<DownloadZipArg>().map(drop),
        2 => call.arg::<ListFolderArg>().map(drop),
        3 => call.arg::<ListFolderContinueArg>().map(drop),
        4 => call.arg::<ListFolderLongpollArg>().map(drop),
        5 => call.arg::<GetMetadataArg>().map(drop),
        6 => call.arg::<CreateFileRequestArgs>().map(drop),
        7 => call.arg::<UpdateFileRequestArgs>().map(drop),
        8 => call.arg::<GetFileRequestArgs>().map(drop),
        9 => call.arg::<DeleteFileRequestArgs>().map(drop),
        10 => call.arg::<ListFileRequestsArg>().map(drop),
        11 => call.arg::<ListFileRequestsContinueArg>().map(drop),
        _ => call.void(),
    };
    if let Err(error) = answered {
        // Every refusal is a 400 with a message a developer can act on.
        assert!(matches!(&error, CallError::BadRequest(message) if !message.is_empty()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str, len: u64) -> ByteRange {
        byte_range(Some(&HeaderValue::from_str(text).unwrap()), len)
    }

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(range("bytes=0-9", 100), ByteRange::Part(0, 9));
        assert_eq!(range("bytes=90-", 100), ByteRange::Part(90, 99));
        assert_eq!(range("bytes=-10", 100), ByteRange::Part(90, 99));
        assert_eq!(range("bytes=-500", 100), ByteRange::Part(0, 99));
        assert_eq!(range("bytes=50-500", 100), ByteRange::Part(50, 99));
        assert_eq!(range("bytes=100-", 100), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=-0", 100), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=-1", 0), ByteRange::Unsatisfiable);
        assert_eq!(range("bytes=9-0", 100), ByteRange::Whole);
        assert_eq!(range("bytes=0-1,5-6", 100), ByteRange::Whole);
        assert_eq!(range("items=0-1", 100), ByteRange::Whole);
        assert_eq!(byte_range(None, 100), ByteRange::Whole);
    }

    #[test]
    fn query_parameters_are_percent_decoded() {
        let uri: Uri = "/2/files/download?x=1&arg=%7B%22path%22%3A+%22%2Fa%22%7D"
            .parse()
            .unwrap();
        assert_eq!(
            query_parameter(&uri, "arg").as_deref(),
            Some(r#"{"path": "/a"}"#)
        );
        assert_eq!(query_parameter(&uri, "missing"), None);
    }

    #[test]
    fn corruption_changes_every_non_empty_body() {
        for len in 0..8 {
            let body = Bytes::from(vec![b'a'; len]);
            let outgoing = Outgoing {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                body: body.clone(),
            };
            let corrupted = outgoing.corrupted().body;
            assert_eq!(corrupted.len(), len);
            assert_eq!(corrupted == body, len == 0, "{len} bytes");
        }
    }

    #[test]
    fn every_route_is_found_once() {
        for route in ROUTES {
            assert!(std::ptr::eq(find_route(route.name).unwrap(), route));
        }
        assert!(find_route("files/upload").is_none());
    }

    #[test]
    fn media_types_are_compared_without_case_or_spacing() {
        let value = HeaderValue::from_static("Application/JSON;charset=UTF-8");
        assert_eq!(
            normalize_media_type(&value),
            "application/json; charset=utf-8"
        );
    }
}
