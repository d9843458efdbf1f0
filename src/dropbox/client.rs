//! Our `HttpClient` for dropbox-sdk: reqwest underneath, a configurable base URL, timeouts,
//! and retries that never repeat a change Dropbox may already have made.
//!
//! The SDK builds each request through [`HttpClient::new_request`] with a full URL on one of
//! Dropbox's hosts and then hands it to [`HttpClient::execute`]. Owning both ends lets us:
//!
//! * point every route at one other host (the local emulator) by swapping scheme and host;
//! * keep the request as plain data (URL + headers), so a failed attempt can be rebuilt and
//!   sent again, here below the SDK. What is retried depends on the route (see
//!   [`route_is_read_only`]): reads are retried on 429 (after `Retry-After`), 5xx, timeouts
//!   and broken connections; changes (create, update, delete, token calls, and any route
//!   not known to be a read) only on 429 and on connection failures that happened before
//!   the request left, because a change Dropbox already made must not be made twice;
//! * turn a plain-text 429 into the JSON the SDK understands, so a rate limit that outlasts
//!   the retries surfaces as `Error::RateLimited` instead of a JSON parse error;
//! * read no more than [`MAX_ANSWER_BYTES`] of any answer that is not a file's content
//!   (RPC results, error bodies): the SDK reads those whole into memory;
//! * recognise a 409 whose error tag the SDK does not know, which it would reduce to
//!   `other`, and report it with its tag (see [`super::error::unknown_api_error`]).
//!
//! Two reqwest clients exist. The main one has an idle read timeout that catches stalled
//! connections, which a long poll must not have: Dropbox holds `list_folder/longpoll` open
//! for up to eight minutes, so the notify client relies on a per-request deadline only.

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use dropbox_sdk::Error as SdkError;
use dropbox_sdk::async_client_trait::{
    HttpClient, HttpRequest, HttpRequestResultRaw, NoauthClient, TeamAuthClient, TeamSelect,
    UserAuthClient,
};
use dropbox_sdk::common::PathRoot;
use dropbox_sdk::oauth2::Authorization;
use futures::TryStreamExt;
use reqwest::header::{CONTENT_LENGTH, HeaderMap, RETRY_AFTER};

use super::ClientSettings;
use super::auth;
use super::error::{DropboxError, ErrorKind, RouteError, unknown_api_error};
use super::retry::{RetryPolicy, parse_retry_after};

/// Dropbox's content host serves downloads, which may stream for longer than any request
/// timeout; stalls there are caught by the idle read timeout instead.
const CONTENT_HOST_PREFIX: &str = "https://content.dropboxapi.com/";

/// Header carrying the result of download-style routes.
const RESULT_HEADER: &str = "Dropbox-API-Result";

/// How much of an error body goes into the debug log.
const LOGGED_BODY_LIMIT: usize = 2_000;

/// The most handin reads of an answer that is not a file's content: an RPC result (JSON
/// the SDK reads whole into memory) or an error body. Dropbox's largest pages (1,000 file
/// requests, a folder listing's page) are a few MB; more than this is no answer handin
/// can use, and reading on would only fill the memory. Downloads are streamed, uncapped.
pub const MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;

/// An answer larger than [`MAX_ANSWER_BYTES`]: reading stopped there (or did not start,
/// when `Content-Length` said so up front). Not retried: the same request would most
/// likely get the same answer.
#[derive(Debug)]
pub struct AnswerTooLarge {
    route: String,
    limit: u64,
    /// The `Content-Length` that gave it away before any of the body was read.
    declared: Option<u64>,
}

impl AnswerTooLarge {
    pub(crate) fn new(route: &str, declared: Option<u64>) -> Self {
        Self {
            route: route.to_owned(),
            limit: MAX_ANSWER_BYTES,
            declared,
        }
    }

    /// The limit that was passed, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

impl fmt::Display for AnswerTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (route, limit) = (&self.route, self.limit);
        match self.declared {
            Some(declared) => write!(
                f,
                "the answer to {route} announced {declared} bytes (Content-Length), more than \
                 the {limit} handin reads"
            ),
            None => write!(
                f,
                "the answer to {route} went on past the {limit} bytes handin reads; stopped \
                 reading there"
            ),
        }
    }
}

impl std::error::Error for AnswerTooLarge {}

/// A request as the SDK built it: plain data, so it can be sent again on retry.
#[derive(Clone)]
pub struct ApiRequest {
    url: String,
    /// The route as Dropbox names it (`file_requests/list_v2`, `oauth2/token`), from the
    /// path of the URL the SDK asked for, whatever base URL the request goes to.
    route: String,
    headers: Vec<(String, String)>,
    /// Deadline for the whole exchange, body included; `None` for streamed downloads.
    timeout: Option<Duration>,
}

impl ApiRequest {
    /// The URL the request goes to, after base-URL rewriting.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The route as Dropbox names it (`files/list_folder`, `oauth2/token`).
    pub fn route(&self) -> &str {
        &self.route
    }

    /// Whether the route only reads, so that repeating it after an unclear failure
    /// cannot change anything (see [`route_is_read_only`]).
    pub fn is_read_only(&self) -> bool {
        route_is_read_only(&self.route)
    }
}

/// Routes that only read. Repeating one cannot change anything in the account, so any
/// failure that may pass (429, 5xx, a timeout, a broken connection) is retried.
///
/// Every other route (create, update, delete, delete_all_closed, token/revoke, the OAuth
/// token exchange, and any route not listed here) may already have taken effect when its
/// answer is lost: a retried delete would then report `not_found`, a retried revoke a 401,
/// a retried code exchange `invalid_grant` (codes are single use), a retried create a
/// duplicate request. Those are retried only when Dropbox provably did nothing: on 429,
/// and when no connection could be made.
const READ_ONLY_ROUTES: &[&str] = &[
    "file_requests/list_v2",
    "file_requests/list/continue",
    "file_requests/list",
    "file_requests/get",
    "file_requests/count",
    "files/list_folder",
    "files/list_folder/continue",
    "files/list_folder/get_latest_cursor",
    "files/list_folder/longpoll",
    "files/get_metadata",
    "files/download",
    "files/download_zip",
    "users/get_current_account",
    "check/user",
];

/// Whether `route` (as Dropbox names it: `file_requests/list_v2`) only reads. Unknown
/// routes count as changes: wrongly repeating a change is worse than giving up early.
pub fn route_is_read_only(route: &str) -> bool {
    READ_ONLY_ROUTES.contains(&route)
}

/// The route of an API URL: `https://api.dropboxapi.com/2/file_requests/list_v2` ->
/// `file_requests/list_v2`; `https://api.dropboxapi.com/oauth2/token` -> `oauth2/token`.
fn route_of(url: &str) -> String {
    let path = path_of(url);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.strip_prefix("/2/").unwrap_or(path);
    path.trim_matches('/').to_owned()
}

impl fmt::Debug for ApiRequest {
    /// Spells out everything but the credentials, so a request can be logged safely.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                if name.eq_ignore_ascii_case("authorization") {
                    (name.as_str(), "<redacted>")
                } else {
                    (name.as_str(), value.as_str())
                }
            })
            .collect();
        f.debug_struct("ApiRequest")
            .field("url", &self.url)
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HttpRequest for ApiRequest {
    fn set_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Why a request got no HTTP answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The host actively refused the connection (nothing listening there).
    Refused,
    /// No connection for another reason (DNS, routing, TLS handshake).
    Connect,
    /// No answer within the deadline (`after`, when known).
    Timeout {
        /// The deadline that passed.
        after: Option<Duration>,
    },
    /// The connection broke after the request was sent, before a full answer came.
    Interrupted,
    /// The request could not be built (a header value HTTP does not allow).
    InvalidRequest,
}

/// A request that got no usable HTTP answer, after all the attempts the policy allowed.
/// It travels to [`DropboxError`] inside the SDK's `Error::HttpClient`.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    host: String,
    attempts: u32,
    source: reqwest::Error,
}

impl TransportError {
    /// What went wrong.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The host (and port, when not the default) the request went to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        match self.kind {
            TransportErrorKind::Refused => write!(f, "connection to {host} refused")?,
            TransportErrorKind::Connect => write!(f, "cannot connect to {host}")?,
            TransportErrorKind::Timeout { after: Some(after) } => {
                write!(f, "{host} did not answer within {after:?}")?;
            }
            TransportErrorKind::Timeout { after: None } => write!(f, "{host} timed out")?,
            TransportErrorKind::Interrupted => write!(f, "connection to {host} broke off")?,
            TransportErrorKind::InvalidRequest => write!(f, "invalid request for {host}")?,
        }
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(f, " ({} attempt{plural})", self.attempts)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// One reqwest client plus what every request through it shares: where requests go,
/// how long they may take, how they are retried.
struct Transport {
    http: reqwest::Client,
    api_base: Option<String>,
    request_timeout: Duration,
    connect_timeout: Duration,
    /// The idle read timeout of `http`, to name it when it fires.
    read_timeout: Option<Duration>,
    retry: RetryPolicy,
}

/// What one attempt came to.
enum Attempt {
    /// An answer to hand to the SDK as it is.
    Answer(reqwest::Response),
    /// An answer worth retrying (429, 5xx); its body is already read.
    RetryableStatus {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
        retry_after: Option<Duration>,
    },
    /// No answer, but another attempt may get one.
    RetryableFailure(reqwest::Error),
    /// No answer, and trying again cannot help.
    Fatal(reqwest::Error),
    /// An answer (429, 5xx) whose body passed [`MAX_ANSWER_BYTES`]: final, as a repeat
    /// would most likely be as large.
    TooLarge(AnswerTooLarge),
}

impl Attempt {
    /// Why this attempt deserves another, and the server's wait hint; `None` when the
    /// outcome is final.
    fn retry_cause(&self) -> Option<(String, Option<Duration>)> {
        match self {
            Attempt::Answer(_) | Attempt::Fatal(_) | Attempt::TooLarge(_) => None,
            Attempt::RetryableStatus {
                status,
                retry_after,
                ..
            } => Some((format!("HTTP {status}"), *retry_after)),
            Attempt::RetryableFailure(error) => Some((error.to_string(), None)),
        }
    }
}

impl Transport {
    fn new(
        settings: &ClientSettings,
        api_base: Option<String>,
        read_timeout: Option<Duration>,
    ) -> Result<Self, DropboxError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            // A redirect from an API host means a misconfiguration; following it with a
            // bearer token in tow would be worse.
            .redirect(reqwest::redirect::Policy::none())
            // Tokens never travel in clear text. The emulator is plain http by design, so
            // an http base URL is allowed, but only on this machine (`normalise_api_base`
            // refuses any other).
            .https_only(
                !api_base
                    .as_deref()
                    .is_some_and(|base| base.starts_with("http://")),
            );
        if let Some(read_timeout) = read_timeout {
            builder = builder.read_timeout(read_timeout);
        }
        let http = builder.build().map_err(|e| {
            DropboxError::settings(
                "handin could not set up its HTTPS client; see the log.",
                format!("building the HTTP client: {e}"),
            )
        })?;
        Ok(Self {
            http,
            api_base,
            request_timeout: settings.request_timeout,
            connect_timeout: settings.connect_timeout,
            read_timeout,
            retry: settings.retry.clone(),
        })
    }

    fn new_request(&self, sdk_url: &str) -> ApiRequest {
        let timeout = if sdk_url.starts_with(CONTENT_HOST_PREFIX) {
            None
        } else {
            Some(self.request_timeout)
        };
        let url = match &self.api_base {
            Some(base) => format!("{base}{}", path_of(sdk_url)),
            None => sdk_url.to_owned(),
        };
        ApiRequest {
            url,
            route: route_of(sdk_url),
            headers: Vec::with_capacity(8),
            timeout,
        }
    }

    /// Sends `request`, retrying as the policy and the route allow (see
    /// [`route_is_read_only`]), and returns the last answer (or failure) to the SDK.
    async fn execute(
        &self,
        request: ApiRequest,
        body: Bytes,
    ) -> Result<HttpRequestResultRaw, SdkError> {
        let started = Instant::now();
        let mut rng = fastrand::Rng::new();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let attempt = self.attempt(&request, body.clone()).await;
            if let Some((cause, retry_after)) = attempt.retry_cause()
                && let Some(delay) =
                    self.retry
                        .next_delay(attempts, started.elapsed(), retry_after, &mut rng)
            {
                tracing::warn!(
                    route = request.route(),
                    attempt = attempts,
                    wait_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    %cause,
                    "Dropbox request failed; retrying"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            return self.finish(&request, attempt, attempts).await;
        }
    }

    async fn attempt(&self, request: &ApiRequest, body: Bytes) -> Attempt {
        let mut builder = self.http.post(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        if !body.is_empty() {
            builder = builder.body(body);
        }
        let read_only = request.is_read_only();
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) if is_retryable(&error, read_only) => {
                return Attempt::RetryableFailure(error);
            }
            Err(error) => return Attempt::Fatal(error),
        };
        let status = response.status().as_u16();
        // A 429 means Dropbox refused before doing anything: safe to repeat on any route.
        // A 5xx may come after the change was made, so only reads repeat it.
        let retryable = status == 429 || (read_only && (500..=599).contains(&status));
        if !retryable {
            return Attempt::Answer(response);
        }
        let headers = response.headers().clone();
        let header_hint = headers
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        match read_capped(request, response).await {
            Ok(body) => {
                // Dropbox puts the wait in the header, and for JSON 429s also in the body;
                // a 503 may carry the header too.
                let retry_after = header_hint.or_else(|| {
                    if status == 429 {
                        json_retry_after(&body)
                    } else {
                        None
                    }
                });
                Attempt::RetryableStatus {
                    status,
                    headers,
                    body,
                    retry_after,
                }
            }
            Err(ReadFailure::Broken(error)) => Attempt::RetryableFailure(error),
            Err(ReadFailure::TooLarge(too_large)) => Attempt::TooLarge(too_large),
        }
    }

    /// Turns the last attempt into what the SDK parses.
    async fn finish(
        &self,
        request: &ApiRequest,
        attempt: Attempt,
        attempts: u32,
    ) -> Result<HttpRequestResultRaw, SdkError> {
        match attempt {
            Attempt::Answer(response) => answer_to_raw(request, response, attempts).await,
            Attempt::RetryableStatus {
                status,
                headers,
                body,
                retry_after,
            } => {
                let body = if status == 429 {
                    rate_limit_body(&body, retry_after)
                } else {
                    body
                };
                log_error_body(request, status, &body);
                Ok(HttpRequestResultRaw {
                    status,
                    result_header: result_header(&headers)?,
                    content_length: Some(body.len() as u64),
                    body: Box::new(futures::io::Cursor::new(body)),
                })
            }
            Attempt::RetryableFailure(error) | Attempt::Fatal(error) => Err(SdkError::HttpClient(
                Box::new(self.transport_error(request, error, attempts)),
            )),
            Attempt::TooLarge(too_large) => Err(SdkError::HttpClient(Box::new(too_large))),
        }
    }

    fn transport_error(
        &self,
        request: &ApiRequest,
        error: reqwest::Error,
        attempts: u32,
    ) -> TransportError {
        let kind = if error.is_builder() {
            TransportErrorKind::InvalidRequest
        } else if error.is_timeout() {
            let after = if error.is_connect() {
                Some(self.connect_timeout)
            } else {
                request.timeout.or(self.read_timeout)
            };
            TransportErrorKind::Timeout { after }
        } else if error.is_connect() {
            if caused_by_refusal(&error) {
                TransportErrorKind::Refused
            } else {
                TransportErrorKind::Connect
            }
        } else {
            TransportErrorKind::Interrupted
        };
        TransportError {
            kind,
            host: host_of(&request.url),
            attempts,
            source: error,
        }
    }
}

/// Whether a request that got no HTTP answer may be sent again. Builder and redirect
/// errors are ours and would repeat.
///
/// A connect error (refused, unreachable, DNS, TLS handshake, connect timeout) means the
/// request never left, so any route may try again. Anything later (a timeout waiting for
/// the answer, a connection dropped after the request went out) leaves open whether
/// Dropbox acted on it: only a read may then be repeated.
fn is_retryable(error: &reqwest::Error, read_only: bool) -> bool {
    if error.is_builder() || error.is_redirect() {
        return false;
    }
    if error.is_connect() {
        return true;
    }
    read_only && (error.is_timeout() || error.is_request() || error.is_body())
}

fn caused_by_refusal(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = cause.source();
    }
    false
}

async fn answer_to_raw(
    request: &ApiRequest,
    response: reqwest::Response,
    attempts: u32,
) -> Result<HttpRequestResultRaw, SdkError> {
    let status = response.status().as_u16();
    let result_header = result_header(response.headers())?;
    let content_length = declared_length(response.headers());
    if response.status().is_success() {
        if result_header.is_some() {
            // A download: the result is in the header, the body is the file, streamed to
            // wherever the caller puts it. No cap: files may be any size.
            let body = response
                .bytes_stream()
                .map_err(io::Error::other)
                .into_async_read();
            return Ok(HttpRequestResultRaw {
                status,
                result_header,
                content_length,
                body: Box::new(body),
            });
        }
        // JSON the SDK reads whole into memory: capped, up front when Content-Length
        // gives it away, else as it streams in.
        if let Some(declared) = content_length.filter(|length| *length > MAX_ANSWER_BYTES) {
            return Err(SdkError::HttpClient(Box::new(AnswerTooLarge::new(
                request.route(),
                Some(declared),
            ))));
        }
        log_unusual_content_type(request, response.headers());
        return Ok(HttpRequestResultRaw {
            status,
            result_header,
            content_length,
            body: Box::new(capped_stream(request, response).into_async_read()),
        });
    }
    // Error bodies are small (and capped like JSON answers); reading them here records
    // the raw tag in the log, and lets a 409 whose tag the SDK does not know keep it.
    let body = read_capped(request, response)
        .await
        .map_err(|failure| match failure {
            ReadFailure::TooLarge(too_large) => SdkError::HttpClient(Box::new(too_large)),
            ReadFailure::Broken(error) => SdkError::HttpClient(Box::new(TransportError {
                kind: TransportErrorKind::Interrupted,
                host: host_of(&request.url),
                attempts,
                source: error,
            })),
        })?;
    log_error_body(request, status, &body);
    if status == 409
        && let Some(unknown) = unknown_api_error(request.route(), &body)
    {
        return Err(SdkError::HttpClient(Box::new(unknown)));
    }
    Ok(HttpRequestResultRaw {
        status,
        result_header,
        content_length: Some(body.len() as u64),
        body: Box::new(futures::io::Cursor::new(body)),
    })
}

/// The `Content-Length` of an answer, when it has a readable one.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
}

/// Why a body could not be read whole.
enum ReadFailure {
    /// It passed [`MAX_ANSWER_BYTES`].
    TooLarge(AnswerTooLarge),
    /// The connection failed while reading it.
    Broken(reqwest::Error),
}

/// Reads a body whole, but no more than [`MAX_ANSWER_BYTES`] of it.
async fn read_capped(
    request: &ApiRequest,
    mut response: reqwest::Response,
) -> Result<Bytes, ReadFailure> {
    let too_large =
        |declared| ReadFailure::TooLarge(AnswerTooLarge::new(request.route(), declared));
    if let Some(declared) =
        declared_length(response.headers()).filter(|length| *length > MAX_ANSWER_BYTES)
    {
        return Err(too_large(Some(declared)));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadFailure::Broken)? {
        if (body.len() + chunk.len()) as u64 > MAX_ANSWER_BYTES {
            return Err(too_large(None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// The body of a JSON answer as the SDK reads it, ending in an [`AnswerTooLarge`] error
/// (inside an `io::Error`) once it passes [`MAX_ANSWER_BYTES`]. Nothing beyond that is
/// read: the SDK stops at the error and drops the connection.
fn capped_stream(
    request: &ApiRequest,
    response: reqwest::Response,
) -> impl futures::Stream<Item = io::Result<Bytes>> + Send + Unpin + 'static {
    let route = request.route.clone();
    let mut seen = 0u64;
    response
        .bytes_stream()
        .map_err(io::Error::other)
        .and_then(move |chunk| {
            seen = seen.saturating_add(chunk.len() as u64);
            let result = if seen > MAX_ANSWER_BYTES {
                Err(io::Error::other(AnswerTooLarge::new(&route, None)))
            } else {
                Ok(chunk)
            };
            futures::future::ready(result)
        })
}

/// Dropbox answers RPC routes with `application/json`. Anything else (an HTML page from
/// a proxy or a captive portal, say) will not parse; the log then says what came.
fn log_unusual_content_type(request: &ApiRequest, headers: &HeaderMap) {
    let Some(content_type) = headers
        .get(reqwest::header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    else {
        return;
    };
    if !content_type.to_ascii_lowercase().contains("json") {
        tracing::debug!(
            route = request.route(),
            content_type,
            "Dropbox answered with a body that is not JSON"
        );
    }
}

fn result_header(headers: &HeaderMap) -> Result<Option<String>, SdkError> {
    headers
        .get(RESULT_HEADER)
        .map(|value| {
            value.to_str().map(str::to_owned).map_err(|e| {
                SdkError::UnexpectedResponse(format!("invalid {RESULT_HEADER} header: {e}"))
            })
        })
        .transpose()
}

fn log_error_body(request: &ApiRequest, status: u16, body: &[u8]) {
    let shown = &body[..body.len().min(LOGGED_BODY_LIMIT)];
    tracing::debug!(
        route = request.route(),
        status,
        body = %String::from_utf8_lossy(shown),
        "Dropbox answered with an error"
    );
}

/// The `retry_after` of a JSON 429 body (`{"error": {"retry_after": 7, ...}}`).
fn json_retry_after(body: &[u8]) -> Option<Duration> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let seconds = value.get("error")?.get("retry_after")?.as_u64()?;
    Some(Duration::from_secs(seconds))
}

/// The body the SDK needs to report a final 429 as `Error::RateLimited`.
///
/// Dropbox sometimes answers 429 in plain text, which the SDK would report as a JSON
/// error; such a body is rewritten to the JSON shape. A JSON body that lacks
/// `retry_after` gets the `Retry-After` header's value, so the user learns how long to
/// wait either way.
fn rate_limit_body(body: &[u8], retry_after: Option<Duration>) -> Bytes {
    let seconds = retry_after.map_or(0, |d| d.as_secs());
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut())
        && error.contains_key("reason")
    {
        if error
            .get("retry_after")
            .and_then(serde_json::Value::as_u64)
            .is_none()
        {
            error.insert("retry_after".to_owned(), seconds.into());
        }
        return Bytes::from(value.to_string());
    }
    let rewritten = serde_json::json!({
        "error_summary": "too_many_requests/",
        "error": {
            "reason": { ".tag": "too_many_requests" },
            "retry_after": seconds,
        },
    });
    Bytes::from(rewritten.to_string())
}

/// The path (and query) of an absolute URL: `https://api.dropboxapi.com/2/x` -> `/2/x`.
fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

/// `host[:port]` of an absolute URL, for messages.
fn host_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    // Drop any userinfo; it never belongs in a message.
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// Checks and normalises the configured base URL: `http(s)://host[:port][/prefix]`,
/// without a trailing slash, so that `{base}/2/...` is the full URL. Plain `http://` is
/// accepted only for this machine (the emulator): anywhere else the token would cross
/// the network in clear text.
pub fn normalise_api_base(base: &str) -> Result<String, DropboxError> {
    let base = base.trim().trim_end_matches('/');
    let invalid = |why: &str| {
        DropboxError::settings(
            format!(
                "The api_base \u{201c}{base}\u{201d} (config file or --api-base) is not valid \
                 ({why}); use e.g. http://127.0.0.1:8080, or leave it out to use Dropbox itself."
            ),
            format!("invalid api_base {base:?}: {why}"),
        )
    };
    let url = reqwest::Url::parse(base).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("it must start with http:// or https://"));
    }
    let Some(host) = url.host_str() else {
        return Err(invalid("it has no host"));
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it may not have a query or fragment"));
    }
    if url.scheme() == "http" && !is_loopback_host(host) {
        return Err(DropboxError::settings(
            format!(
                "The api_base \u{201c}{base}\u{201d} (config file or --api-base) would send \
                 your token unencrypted; use https://, or http:// only for this computer \
                 (localhost or 127.0.0.1)."
            ),
            format!("api_base {base:?} is plain http to a host other than this machine"),
        ));
    }
    // The parser's spelling: lower-case scheme and host, so the scheme check above and
    // the transport's `https_only` see the same thing.
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `localhost`, 127.0.0.0/8 or ::1 (as a URL spells it: `[::1]`).
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Where a token was issued, and so the only place it is ever sent: Dropbox's own hosts,
/// or the one server (scheme, host and port) of an `api_base`. A refresh token is a whole
/// Dropbox account; a one-off `--api-base` must never carry it elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Dropbox,
    /// `http://127.0.0.1:8080`, as the URL parser serialises an origin.
    Server(String),
}

impl Origin {
    /// The origin requests go to with `api_base` (`None` or blank: Dropbox).
    pub fn of_base(api_base: Option<&str>) -> Result<Origin, DropboxError> {
        let Some(base) = non_empty(api_base) else {
            return Ok(Origin::Dropbox);
        };
        let base = normalise_api_base(base)?;
        let url = reqwest::Url::parse(&base).map_err(|error| {
            DropboxError::settings(
                "The api_base is not a URL handin can read; use e.g. http://127.0.0.1:8080.",
                format!("normalised api_base {base:?} does not parse: {error}"),
            )
        })?;
        Ok(Origin::Server(url.origin().ascii_serialization()))
    }

    /// The origin stored credentials name. One that cannot be read stays as written, so
    /// that it matches no server and the sign-in is refused rather than sent anywhere.
    pub fn of_issuer(api_base: Option<&str>) -> Origin {
        Origin::of_base(api_base)
            .unwrap_or_else(|_| Origin::Server(api_base.unwrap_or_default().trim().to_owned()))
    }

    /// The value credentials keep for it: `None` for Dropbox.
    pub fn api_base(&self) -> Option<String> {
        match self {
            Origin::Dropbox => None,
            Origin::Server(origin) => Some(origin.clone()),
        }
    }

    /// Refuses to send a token issued by `self` to `destination`, with the way out.
    pub(crate) fn check_destination(&self, destination: &Origin) -> Result<(), DropboxError> {
        if self == destination {
            return Ok(());
        }
        let issued_by = match self {
            Origin::Dropbox => "Dropbox".to_owned(),
            Origin::Server(origin) => origin.clone(),
        };
        let (going_to, sign_in) = match destination {
            Origin::Dropbox => (
                "Dropbox".to_owned(),
                "`handin auth login` with no api_base in the config file".to_owned(),
            ),
            Origin::Server(origin) => (
                origin.clone(),
                format!("`handin --api-base {origin} auth login`"),
            ),
        };
        Err(DropboxError::settings(
            format!(
                "The saved sign-in was issued by {issued_by} and handin sends it to no other \
                 server, so not to {going_to}; to use {going_to}, sign in there with \
                 {sign_in}, or pass one of its access tokens with --token."
            ),
            format!("credentials issued by {issued_by} refused for {going_to}"),
        ))
    }
}

/// Whether a token acts for a whole Business team, as far as handin has learnt.
#[derive(Default)]
pub(crate) struct TeamFlag(AtomicU8);

// 0, the default, is "not known yet".
const TEAM_NO: u8 = 1;
const TEAM_YES: u8 = 2;

impl TeamFlag {
    pub(crate) fn get(&self) -> Option<bool> {
        match self.0.load(Ordering::Relaxed) {
            TEAM_NO => Some(false),
            TEAM_YES => Some(true),
            _ => None,
        }
    }

    pub(crate) fn set(&self, team: bool) {
        self.0
            .store(if team { TEAM_YES } else { TEAM_NO }, Ordering::Relaxed);
    }
}

/// Where a client's access token comes from.
#[derive(Clone)]
pub(crate) enum TokenSource {
    /// Not signed in: every call fails with a sentence saying how to sign in.
    None,
    /// A pasted token: used as is, cannot be refreshed.
    Fixed(Arc<FixedToken>),
    /// An OAuth sign-in that mints new short-lived tokens from its refresh token.
    OAuth(Arc<OAuthTokens>),
}

impl TokenSource {
    fn team_flag(&self) -> Option<&TeamFlag> {
        match self {
            TokenSource::None => None,
            TokenSource::Fixed(fixed) => Some(&fixed.team),
            TokenSource::OAuth(tokens) => Some(&tokens.team),
        }
    }

    /// Where the token was issued; `None` when there is no token.
    fn origin(&self) -> Option<&Origin> {
        match self {
            TokenSource::None => None,
            TokenSource::Fixed(fixed) => Some(&fixed.origin),
            TokenSource::OAuth(tokens) => Some(&tokens.origin),
        }
    }

    /// Whether two sources are the same sign-in (not merely equal tokens).
    pub(crate) fn same_as(&self, other: &TokenSource) -> bool {
        match (self, other) {
            (TokenSource::None, TokenSource::None) => true,
            (TokenSource::Fixed(a), TokenSource::Fixed(b)) => Arc::ptr_eq(a, b),
            (TokenSource::OAuth(a), TokenSource::OAuth(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// A pasted access token.
pub(crate) struct FixedToken {
    token: Arc<String>,
    team: TeamFlag,
    origin: Origin,
}

impl FixedToken {
    /// Checks what a pasted token can be checked for without asking Dropbox; it is sent
    /// to `origin` only.
    pub(crate) fn new(access_token: &str, origin: Origin) -> Result<Self, DropboxError> {
        let token = access_token.trim();
        if token.is_empty() {
            return Err(DropboxError::settings(
                "That access token is empty; generate one in the App Console and give it again \
                 (or sign in with OAuth, which needs no token).",
                "empty access token",
            ));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DropboxError::settings(
                "The access token contains characters a Dropbox token never has; copy it again \
                 from the App Console, without spaces or line breaks inside.",
                "access token with non-printable or non-ASCII characters",
            ));
        }
        Ok(Self {
            token: Arc::new(token.to_owned()),
            team: TeamFlag::default(),
            origin,
        })
    }
}

/// An access token minted from the refresh token, and when to mint the next.
#[derive(Clone)]
struct Minted {
    /// Empty until the first refresh.
    token: Arc<String>,
    /// When to refresh ahead of expiry; `None` when Dropbox did not say how long the
    /// token lasts (it is then refreshed only when Dropbox calls it expired).
    refresh_at: Option<Instant>,
    expires_at: Option<DateTime<Utc>>,
}

impl Minted {
    fn usable(&self, now: Instant) -> Option<Arc<String>> {
        let due = self.refresh_at.is_some_and(|at| now >= at);
        (!self.token.is_empty() && !due).then(|| Arc::clone(&self.token))
    }
}

/// Refreshing this long before expiry leaves room for clock skew and slow calls.
const REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

/// How long before expiry a token that lasts `lifetime` is refreshed: five minutes, or a
/// quarter of the lifetime for tokens shorter than twenty minutes (the emulator's test
/// tokens last seconds).
pub(crate) fn refresh_ahead(lifetime: Duration) -> Duration {
    REFRESH_AHEAD.min(lifetime / 4)
}

/// The current token of an OAuth sign-in and what refreshes it.
///
/// Readers take a short std lock (never held across an await); refreshes queue on an
/// async mutex, and a refresh that finds the token already renewed by another request
/// does nothing. This replaces the SDK's `TokenCache`, whose `get_token` blocks a worker
/// thread while a refresh is in flight, and which does not tell when a token expires.
pub(crate) struct OAuthTokens {
    app_key: String,
    refresh_token: String,
    minted: RwLock<Minted>,
    refreshing: tokio::sync::Mutex<()>,
    team: TeamFlag,
    origin: Origin,
}

impl OAuthTokens {
    /// A sign-in whose refresh token (and every token minted from it) goes to `origin`
    /// only.
    pub(crate) fn new(
        app_key: &str,
        refresh_token: &str,
        origin: Origin,
    ) -> Result<Self, DropboxError> {
        let app_key = app_key.trim();
        let refresh_token = refresh_token.trim();
        if app_key.is_empty() || refresh_token.is_empty() {
            return Err(DropboxError::settings(
                "The saved sign-in is incomplete; sign in again (handin auth login, or Settings \
                 in the TUI).",
                "OAuth credentials without an app key or refresh token",
            ));
        }
        Ok(Self {
            app_key: app_key.to_owned(),
            refresh_token: refresh_token.to_owned(),
            minted: RwLock::new(Minted {
                token: Arc::new(String::new()),
                refresh_at: None,
                expires_at: None,
            }),
            refreshing: tokio::sync::Mutex::new(()),
            team: TeamFlag::default(),
            origin,
        })
    }

    fn minted(&self) -> Minted {
        self.minted
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The access token to send now; `None` before the first refresh and once the token
    /// is due for renewal, which makes the SDK call `update_token` first.
    fn usable(&self) -> Option<Arc<String>> {
        self.minted().usable(Instant::now())
    }

    pub(crate) fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.minted().expires_at
    }

    pub(crate) fn saved(&self) -> String {
        format!("2&{}", self.refresh_token)
    }

    /// Mints a new access token unless another request already did. `stale` is the token
    /// Dropbox called expired, or empty when there was none to send (none yet, or due).
    async fn refresh(&self, stale: Arc<String>, client: TokenlessClient) -> Result<bool, SdkError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let minted = self.minted();
        if !minted.token.is_empty() {
            let renewed = if stale.is_empty() {
                minted.usable(Instant::now()).is_some()
            } else {
                *minted.token != *stale
            };
            if renewed {
                return Ok(true);
            }
        }
        let issued = auth::issue(
            &client,
            auth::refresh_form(&self.app_key, &self.refresh_token),
        )
        .await?;
        self.install(issued);
        Ok(true)
    }

    /// Makes `issued` the current access token.
    fn install(&self, issued: auth::Issued) {
        let auth::Issued {
            response,
            asked,
            asked_at,
        } = issued;
        // A lifetime of zero says nothing useful: renew only when Dropbox says so.
        let lifetime = response
            .expires_in
            .filter(|seconds| *seconds > 0)
            .map(Duration::from_secs);
        if let Some(team) = response.is_team() {
            self.team.set(team);
        }
        *self.minted.write().unwrap_or_else(PoisonError::into_inner) = Minted {
            token: Arc::new(response.access_token),
            refresh_at: lifetime.map(|lifetime| asked + lifetime - refresh_ahead(lifetime)),
            expires_at: lifetime
                .and_then(|lifetime| chrono::Duration::from_std(lifetime).ok())
                .map(|lifetime| asked_at + lifetime),
        };
        tracing::info!(
            expires_in_secs = response.expires_in,
            "obtained a new Dropbox access token"
        );
    }

    /// A sign-in that starts with the access token of its code exchange.
    pub(crate) fn signed_in(exchanged: auth::Exchanged) -> Result<Self, DropboxError> {
        let app_key = match &exchanged.credentials {
            crate::credentials::Credentials::OAuth { app_key, .. } => app_key.clone(),
            crate::credentials::Credentials::Token { .. } => String::new(),
        };
        let origin = Origin::of_issuer(exchanged.credentials.api_base());
        let tokens = Self::new(&app_key, &exchanged.refresh_token, origin)?;
        tokens.install(exchanged.first);
        Ok(tokens)
    }
}

/// The client for user routes (and team routes): sends the bearer token, and the
/// `Dropbox-API-Select-User` and `Dropbox-API-Path-Root` headers when configured.
///
/// It is immutable: signing in, out or choosing another team member builds a new one
/// that shares the connection pools (see [`super::Dropbox`]).
#[derive(Clone)]
pub struct ApiClient {
    rpc: Arc<Transport>,
    notify: Arc<Transport>,
    /// Where `rpc` and `notify` send requests: the only origin `source` may belong to.
    origin: Origin,
    source: TokenSource,
    team_select: Option<TeamSelect>,
    path_root: Option<String>,
    /// See [`ClientSettings::max_listing_entries`].
    max_listing_entries: usize,
}

impl fmt::Debug for ApiClient {
    /// Names where requests go and how the token is obtained, never the token itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = match &self.source {
            TokenSource::None => "none (not signed in)",
            TokenSource::Fixed(_) => "access token (hidden)",
            TokenSource::OAuth(_) => "OAuth authorization (hidden)",
        };
        let select = self.team_select.as_ref().map(|select| match select {
            TeamSelect::User(member) => format!("user {member}"),
            TeamSelect::Admin(admin) => format!("admin {admin}"),
        });
        f.debug_struct("ApiClient")
            .field("api_base", &self.rpc.api_base)
            .field("credentials", &credentials)
            .field("team_select", &select)
            .field("path_root", &self.path_root)
            .field("retry", &self.rpc.retry)
            .finish()
    }
}

impl ApiClient {
    /// A client that sends `access_token` as is.
    pub fn with_access_token(
        settings: &ClientSettings,
        access_token: String,
    ) -> Result<Self, DropboxError> {
        let origin = Origin::of_base(settings.api_base.as_deref())?;
        let fixed = FixedToken::new(&access_token, origin)?;
        Self::build(settings, TokenSource::Fixed(Arc::new(fixed)))
    }

    /// A client that mints (and renews) tokens from a saved OAuth authorization: a
    /// refresh token (`Authorization::from_refresh_token`, or `load` of a `2&...` save).
    /// A legacy long-lived token (`1&...`) is used as is. An authorization code that has
    /// not been exchanged yet is refused: [`super::auth::finish_login`] exchanges codes.
    pub fn with_authorization(
        settings: &ClientSettings,
        authorization: Authorization,
    ) -> Result<Self, DropboxError> {
        let source = source_from_saved(
            authorization.client_id(),
            authorization.save().as_deref().unwrap_or_default(),
            Origin::of_base(settings.api_base.as_deref())?,
        )?;
        Self::build(settings, source)
    }

    /// A client with no credentials: every call fails with a "not signed in" sentence.
    pub fn signed_out(settings: &ClientSettings) -> Result<Self, DropboxError> {
        Self::build(settings, TokenSource::None)
    }

    /// A client for `settings` acting with `source`, which must have been issued by the
    /// origin `settings` sends requests to.
    pub(crate) fn build(
        settings: &ClientSettings,
        source: TokenSource,
    ) -> Result<Self, DropboxError> {
        ensure_crypto_provider();
        let api_base = non_empty(settings.api_base.as_deref())
            .map(normalise_api_base)
            .transpose()?;
        let origin = Origin::of_base(api_base.as_deref())?;
        if let Some(issued_by) = source.origin() {
            issued_by.check_destination(&origin)?;
        }
        let rpc = Transport::new(settings, api_base.clone(), Some(settings.request_timeout))?;
        let notify = Transport::new(settings, api_base, None)?;
        Self {
            rpc: Arc::new(rpc),
            notify: Arc::new(notify),
            origin,
            source,
            team_select: None,
            path_root: None,
            max_listing_entries: settings.max_listing_entries,
        }
        .with_team_context(
            settings.select_user.as_deref(),
            settings.path_root.as_deref(),
        )
    }

    /// The same client acting for another sign-in (or none), on the same connections and
    /// in the same team context; refused when that sign-in belongs to another origin.
    pub(crate) fn with_source(&self, source: TokenSource) -> Result<Self, DropboxError> {
        if let Some(issued_by) = source.origin() {
            issued_by.check_destination(&self.origin)?;
        }
        Ok(Self {
            source,
            ..self.clone()
        })
    }

    /// Where this client sends its requests (and so its token).
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The same client with another `Dropbox-API-Select-User` member and
    /// `Dropbox-API-Path-Root`; blank values clear them.
    pub(crate) fn with_team_context(
        &self,
        select_user: Option<&str>,
        path_root: Option<&str>,
    ) -> Result<Self, DropboxError> {
        let team_select = non_empty(select_user)
            .map(|member| {
                if member.starts_with("dbmid:") && member.bytes().all(|b| b.is_ascii_graphic()) {
                    Ok(TeamSelect::User(member.to_owned()))
                } else {
                    Err(DropboxError::settings(
                        "A team member id starts with dbmid: and has no spaces; choose the member \
                         to act as again (--as-member, or Settings in the TUI).",
                        format!("invalid select_user {member:?}"),
                    ))
                }
            })
            .transpose()?;
        let path_root = non_empty(path_root).map(path_root_header).transpose()?;
        Ok(Self {
            team_select,
            path_root,
            ..self.clone()
        })
    }

    /// The same client without a team context: team routes take neither header.
    pub(crate) fn without_team_context(&self) -> Self {
        Self {
            team_select: None,
            path_root: None,
            ..self.clone()
        }
    }

    pub(crate) fn source(&self) -> &TokenSource {
        &self.source
    }

    /// The most entries one listing may bring (see [`ClientSettings::max_listing_entries`]).
    pub(crate) fn max_listing_entries(&self) -> usize {
        self.max_listing_entries
    }

    /// Classifies a failed call of `route`. With an OAuth sign-in, an access token that
    /// Dropbox calls invalid (not expired) means the sign-in itself was revoked, at
    /// dropbox.com or by another copy of handin signing out: only signing in again helps.
    pub(crate) fn error<E: RouteError>(&self, route: &str, error: SdkError<E>) -> DropboxError {
        let error = DropboxError::from_sdk(route, error);
        if matches!(self.source, TokenSource::OAuth(_))
            && error.tag() == Some("invalid_access_token")
        {
            error.reworded(ErrorKind::Auth, auth::SIGN_IN_AGAIN)
        } else {
            error
        }
    }

    /// What handin has learnt about the token: `Some(true)` for a team token.
    pub(crate) fn is_team_token(&self) -> Option<bool> {
        self.source.team_flag().and_then(TeamFlag::get)
    }

    /// The `Dropbox-API-Select-User` member id, if one is set.
    pub fn select_user(&self) -> Option<&str> {
        match &self.team_select {
            Some(TeamSelect::User(member)) => Some(member),
            _ => None,
        }
    }

    /// A token-less client on the same connection pool, for the OAuth token endpoint.
    pub fn tokenless(&self) -> TokenlessClient {
        TokenlessClient {
            transport: Arc::clone(&self.rpc),
            timeout: None,
        }
    }

    /// A token-less client for `files/list_folder/longpoll` (Dropbox rejects a long poll
    /// that carries `Authorization`), whose requests may take `deadline` before timing out.
    pub fn longpoll(&self, deadline: Duration) -> TokenlessClient {
        TokenlessClient {
            transport: Arc::clone(&self.notify),
            timeout: Some(deadline),
        }
    }

    /// The saved form of the OAuth authorization (`2&<refresh token>`, as
    /// `Authorization::save` spells it), to persist after sign-in; `None` for a pasted
    /// token or when signed out.
    pub async fn saved_authorization(&self) -> Option<String> {
        match &self.source {
            TokenSource::OAuth(tokens) => Some(tokens.saved()),
            TokenSource::Fixed(_) | TokenSource::None => None,
        }
    }

    /// Learns from an answer whether the token acts for a team: a team route that works,
    /// a user route that works with or without a member selected, or Dropbox's 400 for a
    /// team token used without one.
    async fn observe(
        &self,
        route: &str,
        member_selected: bool,
        mut raw: HttpRequestResultRaw,
    ) -> Result<HttpRequestResultRaw, SdkError> {
        let Some(flag) = self.source.team_flag() else {
            return Ok(raw);
        };
        match raw.status {
            200..=299 if route.starts_with("team/") => flag.set(true),
            // Revoking works with either kind of token and proves nothing.
            200..=299 if !route.starts_with("auth/") => flag.set(member_selected),
            400 => {
                // Error bodies are buffered already (see `answer_to_raw`): reading one
                // here costs nothing, and the SDK gets the same bytes back.
                let mut body = Vec::new();
                futures::AsyncReadExt::read_to_end(&mut raw.body, &mut body)
                    .await
                    .map_err(|error| SdkError::HttpClient(Box::new(error)))?;
                if is_team_token_refusal(&String::from_utf8_lossy(&body)) {
                    flag.set(true);
                }
                raw.body = Box::new(futures::io::Cursor::new(body));
            }
            _ => {}
        }
        Ok(raw)
    }
}

/// Dropbox's 400 text for a team token calling a user route without choosing a member:
/// "This API function operates on a single Dropbox account, but the OAuth 2 access
/// token you provided is for an entire Dropbox Business team. ..."
pub(crate) fn is_team_token_refusal(text: &str) -> bool {
    text.contains("entire Dropbox Business team")
}

/// The token source for a saved authorization: `2&<refresh token>` (OAuth) or
/// `1&<token>` (a legacy long-lived token, used as is).
pub(crate) fn source_from_saved(
    app_key: &str,
    saved: &str,
    origin: Origin,
) -> Result<TokenSource, DropboxError> {
    if let Some(refresh_token) = saved.strip_prefix("2&") {
        return Ok(TokenSource::OAuth(Arc::new(OAuthTokens::new(
            app_key,
            refresh_token,
            origin,
        )?)));
    }
    if let Some(token) = saved.strip_prefix("1&") {
        return Ok(TokenSource::Fixed(Arc::new(FixedToken::new(
            token, origin,
        )?)));
    }
    Err(DropboxError::settings(
        "The saved sign-in is not one handin can use; sign in again (handin auth login, or \
         Settings in the TUI).",
        "an OAuth authorization that is neither a refresh token nor a long-lived token",
    ))
}

impl HttpClient for ApiClient {
    type Request = ApiRequest;

    async fn execute(
        &self,
        request: ApiRequest,
        body: Bytes,
    ) -> Result<HttpRequestResultRaw, SdkError> {
        let route = request.route().to_owned();
        let authorized = request.header("Authorization").is_some();
        let member_selected = request.header("Dropbox-API-Select-User").is_some();
        let raw = self.rpc.execute(request, body).await?;
        if authorized {
            self.observe(&route, member_selected, raw).await
        } else {
            Ok(raw)
        }
    }

    fn new_request(&self, url: &str) -> ApiRequest {
        self.rpc.new_request(url)
    }

    async fn update_token(&self, old_token: Arc<String>) -> Result<bool, SdkError> {
        match &self.source {
            TokenSource::None => Err(SdkError::HttpClient(Box::new(auth::NotSignedIn))),
            TokenSource::Fixed(_) => Ok(false),
            TokenSource::OAuth(tokens) => tokens.refresh(old_token, self.tokenless()).await,
        }
    }

    fn token(&self) -> Option<Arc<String>> {
        match &self.source {
            TokenSource::None => None,
            TokenSource::Fixed(fixed) => Some(Arc::clone(&fixed.token)),
            TokenSource::OAuth(tokens) => tokens.usable(),
        }
    }

    fn path_root(&self) -> Option<&str> {
        self.path_root.as_deref()
    }

    fn team_select(&self) -> Option<&TeamSelect> {
        self.team_select.as_ref()
    }
}

impl UserAuthClient for ApiClient {}
impl TeamAuthClient for ApiClient {}

/// A client that sends no `Authorization` header: for the long poll and the OAuth token
/// endpoint.
pub struct TokenlessClient {
    transport: Arc<Transport>,
    /// Replaces the transport's request timeout (the long poll waits longer).
    timeout: Option<Duration>,
}

impl TokenlessClient {
    /// Where this client sends its requests: the origin a code exchanged through it
    /// belongs to.
    pub fn origin(&self) -> Result<Origin, DropboxError> {
        Origin::of_base(self.transport.api_base.as_deref())
    }

    /// A client of its own, for the token endpoint before any sign-in exists.
    pub fn new(settings: &ClientSettings) -> Result<Self, DropboxError> {
        ensure_crypto_provider();
        let api_base = non_empty(settings.api_base.as_deref())
            .map(normalise_api_base)
            .transpose()?;
        let transport = Transport::new(settings, api_base, Some(settings.request_timeout))?;
        Ok(Self {
            transport: Arc::new(transport),
            timeout: None,
        })
    }
}

impl fmt::Debug for TokenlessClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenlessClient")
            .field("api_base", &self.transport.api_base)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl HttpClient for TokenlessClient {
    type Request = ApiRequest;

    fn execute(
        &self,
        request: ApiRequest,
        body: Bytes,
    ) -> impl Future<Output = Result<HttpRequestResultRaw, SdkError>> + Send {
        self.transport.execute(request, body)
    }

    fn new_request(&self, url: &str) -> ApiRequest {
        let mut request = self.transport.new_request(url);
        if let Some(timeout) = self.timeout {
            request.timeout = Some(timeout);
        }
        request
    }
}

impl NoauthClient for TokenlessClient {}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The `Dropbox-API-Path-Root` value for a setting that is either the header's JSON
/// (`{".tag": "root", "root": "123"}`, `{".tag": "home"}`) or a bare root namespace id.
fn path_root_header(setting: &str) -> Result<String, DropboxError> {
    let path_root = if setting.starts_with('{') {
        serde_json::from_str::<PathRoot>(setting)
            .ok()
            .filter(|root| !matches!(root, PathRoot::Other))
            .ok_or_else(|| {
                DropboxError::settings(
                    "The path_root in the config file is not valid; use a namespace id such as \
                     1234567 or {\".tag\": \"home\"}.",
                    format!("invalid path_root {setting:?}"),
                )
            })?
    } else if setting.bytes().all(|b| b.is_ascii_digit()) {
        PathRoot::Root(setting.to_owned())
    } else {
        return Err(DropboxError::settings(
            "The path_root in the config file must be a namespace id (digits only) or the \
             Dropbox-API-Path-Root header's JSON.",
            format!("invalid path_root {setting:?}"),
        ));
    };
    serde_json::to_string(&path_root).map_err(|e| {
        DropboxError::settings(
            "The path_root in the config file is not valid; use a namespace id such as 1234567.",
            format!("serialising path_root {setting:?}: {e}"),
        )
    })
}

/// reqwest is built without a default TLS crypto provider; `main` installs ring at start.
/// Library users (tests, scripts) that forget would otherwise hit a panic inside reqwest.
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another installer is fine: some provider is then in place.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::super::error::ErrorKind;
    use super::*;

    fn settings(api_base: Option<&str>) -> ClientSettings {
        ClientSettings {
            api_base: api_base.map(str::to_owned),
            ..ClientSettings::default()
        }
    }

    #[test]
    fn real_hosts_are_kept_without_a_base() {
        let client = ApiClient::with_access_token(&settings(None), "t".into()).expect("client");
        for url in [
            "https://api.dropboxapi.com/2/file_requests/list_v2",
            "https://content.dropboxapi.com/2/files/download",
            "https://notify.dropboxapi.com/2/files/list_folder/longpoll",
            "https://api.dropboxapi.com/oauth2/token",
        ] {
            assert_eq!(client.new_request(url).url(), url);
        }
    }

    #[test]
    fn every_host_is_rewritten_onto_the_base() {
        let client =
            ApiClient::with_access_token(&settings(Some("http://127.0.0.1:7/")), "t".into())
                .expect("client");
        let cases = [
            (
                "https://api.dropboxapi.com/2/file_requests/list_v2",
                "http://127.0.0.1:7/2/file_requests/list_v2",
            ),
            (
                "https://content.dropboxapi.com/2/files/download",
                "http://127.0.0.1:7/2/files/download",
            ),
            (
                "https://notify.dropboxapi.com/2/files/list_folder/longpoll",
                "http://127.0.0.1:7/2/files/list_folder/longpoll",
            ),
            (
                "https://api.dropboxapi.com/oauth2/token",
                "http://127.0.0.1:7/oauth2/token",
            ),
        ];
        for (sdk, expected) in cases {
            assert_eq!(client.new_request(sdk).url(), expected);
            assert_eq!(client.tokenless().new_request(sdk).url(), expected);
        }
    }

    #[test]
    fn base_with_a_path_prefix() {
        let client =
            ApiClient::with_access_token(&settings(Some("https://proxy.example/dbx")), "t".into())
                .expect("client");
        assert_eq!(
            client
                .new_request("https://api.dropboxapi.com/2/check/user")
                .url(),
            "https://proxy.example/dbx/2/check/user"
        );
    }

    #[test]
    fn invalid_bases_are_settings_errors() {
        for base in ["ftp://x", "not a url", "https://x/?q=1", "http://"] {
            let error = ApiClient::with_access_token(&settings(Some(base)), "t".into())
                .err()
                .unwrap_or_else(|| panic!("{base} accepted"));
            assert_eq!(error.kind(), &ErrorKind::Settings, "{base}");
        }
        // Blank means "the real service".
        assert!(ApiClient::with_access_token(&settings(Some("  ")), "t".into()).is_ok());
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        for base in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:9000/prefix",
            "HTTP://LocalHost",
            "http://[::1]:8080",
        ] {
            assert!(
                ApiClient::with_access_token(&settings(Some(base)), "t".into()).is_ok(),
                "{base} refused"
            );
        }
        for base in [
            "http://example.org",
            "http://192.168.1.10:8080",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.example.org",
            "http://127.0.0.1.nip.io",
            "http://0.0.0.0:8080",
        ] {
            let error = ApiClient::with_access_token(&settings(Some(base)), "t".into())
                .err()
                .unwrap_or_else(|| panic!("{base} accepted"));
            assert_eq!(error.kind(), &ErrorKind::Settings, "{base}");
            assert!(
                error.sentence().contains("unencrypted"),
                "{}",
                error.sentence()
            );
            assert!(error.sentence().contains(base), "{}", error.sentence());
        }
        // https goes anywhere.
        assert!(
            ApiClient::with_access_token(&settings(Some("https://proxy.example")), "t".into())
                .is_ok()
        );
    }

    #[test]
    fn the_base_is_spelled_the_parser_way() {
        assert_eq!(
            normalise_api_base(" HTTP://LocalHost:8080/ ").expect("base"),
            "http://localhost:8080"
        );
        assert_eq!(
            normalise_api_base("https://Proxy.Example/dbx/").expect("base"),
            "https://proxy.example/dbx"
        );
    }

    #[test]
    fn reads_and_changes_are_told_apart() {
        for route in [
            "file_requests/list_v2",
            "file_requests/list/continue",
            "file_requests/list",
            "file_requests/get",
            "file_requests/count",
            "files/list_folder",
            "files/list_folder/continue",
            "files/list_folder/get_latest_cursor",
            "files/list_folder/longpoll",
            "files/get_metadata",
            "files/download",
            "files/download_zip",
            "users/get_current_account",
            "check/user",
        ] {
            assert!(route_is_read_only(route), "{route}");
        }
        for route in [
            "file_requests/create",
            "file_requests/update",
            "file_requests/delete",
            "file_requests/delete_all_closed",
            "auth/token/revoke",
            "oauth2/token",
            "files/delete_v2",
            "files/upload",
            "",
            "file_requests",
            "FILE_REQUESTS/LIST_V2",
        ] {
            assert!(!route_is_read_only(route), "{route}");
        }
    }

    #[test]
    fn the_route_comes_from_the_sdk_url_whatever_the_base() {
        let real = ApiClient::with_access_token(&settings(None), "t".into()).expect("client");
        let proxied = ApiClient::with_access_token(
            &settings(Some("https://proxy.example/2/dbx")),
            "t".into(),
        )
        .expect("client");
        let cases = [
            (
                "https://api.dropboxapi.com/2/file_requests/list_v2",
                "file_requests/list_v2",
                true,
            ),
            (
                "https://api.dropboxapi.com/2/file_requests/list/continue",
                "file_requests/list/continue",
                true,
            ),
            (
                "https://content.dropboxapi.com/2/files/download_zip",
                "files/download_zip",
                true,
            ),
            (
                "https://notify.dropboxapi.com/2/files/list_folder/longpoll",
                "files/list_folder/longpoll",
                true,
            ),
            (
                "https://api.dropboxapi.com/2/file_requests/create",
                "file_requests/create",
                false,
            ),
            (
                "https://api.dropboxapi.com/2/file_requests/delete",
                "file_requests/delete",
                false,
            ),
            (
                "https://api.dropboxapi.com/2/auth/token/revoke",
                "auth/token/revoke",
                false,
            ),
            (
                "https://api.dropboxapi.com/oauth2/token",
                "oauth2/token",
                false,
            ),
            (
                "https://api.dropboxapi.com/2/files/get_metadata?x=1",
                "files/get_metadata",
                true,
            ),
        ];
        for (url, route, read_only) in cases {
            for client in [&real, &proxied] {
                let request = client.new_request(url);
                assert_eq!(request.route(), route, "{url}");
                assert_eq!(request.is_read_only(), read_only, "{url}");
            }
            let tokenless = proxied.tokenless().new_request(url);
            assert_eq!(tokenless.route(), route);
        }
    }

    #[test]
    fn no_debug_output_shows_the_token() {
        let settings = ClientSettings {
            select_user: Some("dbmid:member".into()),
            path_root: Some("42".into()),
            ..settings(Some("http://127.0.0.1:7"))
        };
        let client =
            ApiClient::with_access_token(&settings, "sl.secret-token".into()).expect("client");
        let shown = format!(
            "{client:?} {:?} {:?}",
            client.tokenless(),
            client.longpoll(Duration::from_secs(60))
        );
        assert!(!shown.contains("sl.secret-token"), "{shown}");
        assert!(shown.contains("127.0.0.1:7"), "{shown}");
        assert!(shown.contains("dbmid:member"), "{shown}");

        let oauth = ApiClient::with_authorization(
            &settings,
            Authorization::from_refresh_token("app-key".into(), "refresh-secret".into()),
        )
        .expect("client");
        set_minted(
            &oauth,
            "sl.minted",
            Some(Instant::now() + Duration::from_secs(60)),
        );
        assert_eq!(
            oauth.token().as_deref().map(String::as_str),
            Some("sl.minted")
        );
        let shown = format!("{oauth:?}");
        assert!(!shown.contains("refresh-secret"), "{shown}");
        assert!(!shown.contains("sl.minted"), "{shown}");
    }

    fn oauth_tokens(client: &ApiClient) -> &OAuthTokens {
        match &client.source {
            TokenSource::OAuth(tokens) => tokens,
            _ => panic!("not an OAuth client"),
        }
    }

    fn set_minted(client: &ApiClient, token: &str, refresh_at: Option<Instant>) {
        *oauth_tokens(client)
            .minted
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Minted {
            token: Arc::new(token.to_owned()),
            refresh_at,
            expires_at: None,
        };
    }

    #[test]
    fn an_oauth_token_is_renewed_ahead_of_expiry() {
        assert_eq!(
            refresh_ahead(Duration::from_secs(14_400)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_ahead(Duration::from_secs(2)),
            Duration::from_millis(500)
        );
        let oauth = ApiClient::with_authorization(
            &settings(None),
            Authorization::from_refresh_token("app-key".into(), "refresh".into()),
        )
        .expect("client");
        // Nothing minted yet: the SDK must ask for a token first.
        assert_eq!(oauth.token(), None);
        set_minted(
            &oauth,
            "sl.fresh",
            Some(Instant::now() + Duration::from_secs(60)),
        );
        assert!(oauth.token().is_some());
        // Due for renewal: no token, so the SDK refreshes before the call.
        set_minted(&oauth, "sl.due", Some(Instant::now()));
        assert_eq!(oauth.token(), None);
        // No known lifetime: used until Dropbox calls it expired.
        set_minted(&oauth, "sl.unknown", None);
        assert!(oauth.token().is_some());
        assert_eq!(
            oauth_tokens(&oauth).saved(),
            "2&refresh",
            "saved the way Authorization::save spells it"
        );
    }

    #[test]
    fn saved_authorizations_become_token_sources() {
        assert!(matches!(
            source_from_saved("key", "2&refresh", Origin::Dropbox),
            Ok(TokenSource::OAuth(_))
        ));
        assert!(matches!(
            source_from_saved("key", "1&sl.long-lived", Origin::Dropbox),
            Ok(TokenSource::Fixed(_))
        ));
        for (key, saved) in [
            ("key", "refresh"),
            ("key", "2&"),
            ("", "2&refresh"),
            ("key", ""),
        ] {
            let error = source_from_saved(key, saved, Origin::Dropbox)
                .err()
                .unwrap_or_else(|| panic!("{key:?} {saved:?} accepted"));
            assert_eq!(error.kind(), &ErrorKind::Settings);
            assert!(
                error.sentence().contains("handin auth login"),
                "{}",
                error.sentence()
            );
        }
        // An authorization code not yet exchanged is not a sign-in.
        let code = Authorization::from_auth_code(
            "key".into(),
            dropbox_sdk::oauth2::Oauth2Type::PKCE(dropbox_sdk::oauth2::PkceCode::new()),
            "code".into(),
            None,
        );
        assert!(ApiClient::with_authorization(&settings(None), code).is_err());
    }

    #[test]
    fn a_token_is_given_only_to_a_client_of_the_origin_that_issued_it() {
        let emulator = Origin::of_base(Some("HTTP://127.0.0.1:8080/")).expect("valid");
        assert_eq!(emulator, Origin::Server("http://127.0.0.1:8080".to_owned()));
        assert_eq!(Origin::of_base(Some("  ")).expect("blank"), Origin::Dropbox);
        let oauth = |origin: Origin| {
            source_from_saved("key", "2&refresh-secret", origin).expect("a source")
        };
        // Dropbox's sign-in and a one-off --api-base.
        let error = ApiClient::build(
            &settings(Some("http://127.0.0.1:9")),
            oauth(Origin::Dropbox),
        )
        .expect_err("refused");
        assert_eq!(error.kind(), &ErrorKind::Settings);
        assert!(
            error
                .sentence()
                .contains("`handin --api-base http://127.0.0.1:9 auth login`"),
            "{}",
            error.sentence()
        );
        assert!(error.sentence().contains("--token"), "{}", error.sentence());
        assert!(!error.sentence().contains("refresh-secret"));
        // The emulator's sign-in and Dropbox.
        let error =
            ApiClient::build(&settings(None), oauth(emulator.clone())).expect_err("refused");
        assert!(
            error
                .sentence()
                .contains("`handin auth login` with no api_base"),
            "{}",
            error.sentence()
        );
        // Another port of the same host is another server; a path prefix is not.
        assert!(
            ApiClient::build(
                &settings(Some("http://127.0.0.1:8081")),
                oauth(emulator.clone())
            )
            .is_err()
        );
        let same = ApiClient::build(
            &settings(Some("http://127.0.0.1:8080/prefix")),
            oauth(emulator.clone()),
        )
        .expect("the same origin");
        assert_eq!(same.origin(), &emulator);
        // Swapping the sign-in of a running client is held to the same rule.
        let dropbox = ApiClient::signed_out(&settings(None)).expect("client");
        assert!(dropbox.with_source(oauth(emulator.clone())).is_err());
        let pasted = TokenSource::Fixed(Arc::new(
            FixedToken::new("sl.pasted", Origin::Dropbox).expect("token"),
        ));
        assert!(dropbox.with_source(pasted.clone()).is_ok());
        assert!(same.with_source(pasted).is_err());
        assert!(same.with_source(TokenSource::None).is_ok());
    }

    #[test]
    fn the_team_context_is_checked_and_can_change() {
        let client = ApiClient::with_access_token(&settings(None), "t".into()).expect("client");
        let member = client
            .with_team_context(Some("dbmid:abc"), Some("42"))
            .expect("valid");
        assert_eq!(member.select_user(), Some("dbmid:abc"));
        assert_eq!(member.path_root(), Some(r#"{".tag":"root","root":"42"}"#));
        let cleared = member.with_team_context(None, Some(" ")).expect("cleared");
        assert_eq!(cleared.select_user(), None);
        assert_eq!(cleared.path_root(), None);
        assert!(member.without_team_context().team_select().is_none());
        for bad in ["abc", "dbmid:a b", "dbmid:\u{e9}"] {
            let error = client
                .with_team_context(Some(bad), None)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(error.kind(), &ErrorKind::Settings);
            assert!(
                error.sentence().contains("--as-member"),
                "{}",
                error.sentence()
            );
        }
        assert!(client.with_team_context(None, Some("mars")).is_err());
    }

    #[test]
    fn team_flags_start_unknown() {
        let flag = TeamFlag::default();
        assert_eq!(flag.get(), None);
        flag.set(true);
        assert_eq!(flag.get(), Some(true));
        flag.set(false);
        assert_eq!(flag.get(), Some(false));
        assert!(is_team_token_refusal(
            "Error in call to API function \"files/list_folder\": This API function operates \
             on a single Dropbox account, but the OAuth 2 access token you provided is for an \
             entire Dropbox Business team."
        ));
        assert!(!is_team_token_refusal("Error in call: bad input"));
        let signed_out = ApiClient::signed_out(&settings(None)).expect("client");
        assert_eq!(signed_out.token(), None);
        assert_eq!(signed_out.is_team_token(), None);
        assert!(format!("{signed_out:?}").contains("not signed in"));
    }

    #[test]
    fn downloads_have_no_total_deadline_but_rpc_and_longpoll_do() {
        let client = ApiClient::with_access_token(&settings(None), "t".into()).expect("client");
        let rpc = client.new_request("https://api.dropboxapi.com/2/files/list_folder");
        assert_eq!(rpc.timeout, Some(Duration::from_secs(60)));
        let download = client.new_request("https://content.dropboxapi.com/2/files/download");
        assert_eq!(download.timeout, None);
        let poll = client
            .longpoll(Duration::from_secs(120))
            .new_request("https://notify.dropboxapi.com/2/files/list_folder/longpoll");
        assert_eq!(poll.timeout, Some(Duration::from_secs(120)));
    }

    #[test]
    fn debug_output_hides_the_token() {
        let request = ApiRequest {
            url: "https://api.dropboxapi.com/2/x".into(),
            route: "x".into(),
            headers: Vec::new(),
            timeout: None,
        }
        .set_header("Authorization", "Bearer sl.secret")
        .set_header("Dropbox-API-Select-User", "dbmid:1");
        let shown = format!("{request:?}");
        assert!(!shown.contains("sl.secret"), "{shown}");
        assert!(shown.contains("dbmid:1"));
        assert_eq!(request.header("authorization"), Some("Bearer sl.secret"));
    }

    #[test]
    fn empty_or_garbled_tokens_are_refused() {
        for token in ["", "   ", "abc\ndef", "tök"] {
            assert!(
                ApiClient::with_access_token(&settings(None), token.into()).is_err(),
                "{token:?}"
            );
        }
        let client =
            ApiClient::with_access_token(&settings(None), " sl.abc \n".into()).expect("client");
        assert_eq!(
            client.token().as_deref().map(String::as_str),
            Some("sl.abc")
        );
    }

    #[test]
    fn path_root_accepts_json_or_a_namespace_id() {
        assert_eq!(
            path_root_header("123").expect("id"),
            r#"{".tag":"root","root":"123"}"#
        );
        assert_eq!(
            path_root_header(r#"{".tag": "home"}"#).expect("home"),
            r#"{".tag":"home"}"#
        );
        assert_eq!(
            path_root_header(r#"{".tag": "namespace_id", "namespace_id": "9"}"#).expect("ns"),
            r#"{".tag":"namespace_id","namespace_id":"9"}"#
        );
        for bad in ["abc", "{", r#"{".tag": "mars"}"#] {
            assert!(path_root_header(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn team_settings_become_sdk_hooks() {
        let client = ApiClient::with_access_token(
            &ClientSettings {
                select_user: Some("dbmid:abc".into()),
                path_root: Some("42".into()),
                ..ClientSettings::default()
            },
            "t".into(),
        )
        .expect("client");
        assert!(matches!(client.team_select(), Some(TeamSelect::User(id)) if id == "dbmid:abc"));
        assert_eq!(client.path_root(), Some(r#"{".tag":"root","root":"42"}"#));

        let plain = ApiClient::with_access_token(
            &ClientSettings {
                select_user: Some(String::new()),
                path_root: Some(" ".into()),
                ..ClientSettings::default()
            },
            "t".into(),
        )
        .expect("client");
        assert!(plain.team_select().is_none());
        assert!(plain.path_root().is_none());
    }

    #[test]
    fn json_retry_after_is_read() {
        let body = br#"{"error_summary": "too_many_requests/..", "error": {"reason": {".tag": "too_many_requests"}, "retry_after": 7}}"#;
        assert_eq!(json_retry_after(body), Some(Duration::from_secs(7)));
        assert_eq!(json_retry_after(b"Too many requests"), None);
        assert_eq!(json_retry_after(br#"{"error": {}}"#), None);
    }

    #[test]
    fn plain_text_429_becomes_sdk_json() {
        let body = rate_limit_body(b"Too Many Requests", Some(Duration::from_secs(3)));
        let value: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(value["error"]["reason"][".tag"], "too_many_requests");
        assert_eq!(value["error"]["retry_after"], 3);

        let body = rate_limit_body(b"", None);
        let value: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(value["error"]["retry_after"], 0);
    }

    #[test]
    fn json_429_keeps_its_reason_and_gains_a_wait() {
        let original = br#"{"error": {"reason": {".tag": "too_many_write_operations"}}}"#;
        let body = rate_limit_body(original, Some(Duration::from_secs(5)));
        let value: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            value["error"]["reason"][".tag"],
            "too_many_write_operations"
        );
        assert_eq!(value["error"]["retry_after"], 5);

        let original = br#"{"error": {"reason": {".tag": "too_many_requests"}, "retry_after": 9}}"#;
        let body = rate_limit_body(original, Some(Duration::from_secs(5)));
        let value: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(value["error"]["retry_after"], 9);
    }

    #[test]
    fn url_parts() {
        assert_eq!(route_of("https://api.dropboxapi.com/2/a/b"), "a/b");
        assert_eq!(
            route_of("https://api.dropboxapi.com/oauth2/token"),
            "oauth2/token"
        );
        assert_eq!(route_of("https://api.dropboxapi.com"), "");
        assert_eq!(path_of("https://api.dropboxapi.com/2/a/b"), "/2/a/b");
        assert_eq!(path_of("https://api.dropboxapi.com"), "/");
        assert_eq!(host_of("http://127.0.0.1:9/2/x"), "127.0.0.1:9");
        assert_eq!(host_of("https://user:pw@host.example/2"), "host.example");
    }
}
