//! Every failure of a Dropbox call, reduced to one human sentence.
//!
//! The screen shows [`DropboxError::sentence`]: what went wrong and what to do about it.
//! The log gets the full story through `Display`/`Debug` (route, SDK error, transport
//! cause). The error stores only strings, never the SDK error itself, so it is `Clone`,
//! `Send + Sync + 'static` and can travel inside UI actions.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::time::Duration;

use dropbox_sdk::Error as SdkError;
use dropbox_sdk::auth::{AccessError, AuthError, InvalidAccountTypeError, RateLimitReason};
use dropbox_sdk::check::EchoError;
use dropbox_sdk::common::{PathRootError, RootInfo};
use dropbox_sdk::file_requests::{
    CountFileRequestsError, CreateFileRequestError, DeleteAllClosedFileRequestsError,
    DeleteFileRequestError, GetFileRequestError, ListFileRequestsContinueError,
    ListFileRequestsError, UpdateFileRequestError,
};
use dropbox_sdk::files::{
    DownloadError, DownloadZipError, GetMetadataError, ListFolderContinueError, ListFolderError,
    ListFolderLongpollError, LookupError,
};
use dropbox_sdk::team::{MembersListContinueError, MembersListError};

use super::auth::{NOT_SIGNED_IN, NotSignedIn, SIGN_IN_AGAIN, TokenRefused};
use super::client::{AnswerTooLarge, TransportError, TransportErrorKind, is_team_token_refusal};
use crate::untrusted::visible;

/// What kind of failure an error is, for code that reacts to it (retry buttons,
/// sign-in prompts) rather than showing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The route's own error union (HTTP 409); [`DropboxError::tag`] names it.
    Api,
    /// Dropbox refused the token (HTTP 401), or the saved sign-in no longer works.
    Auth,
    /// The account, team or app may not use this route or feature (HTTP 403).
    AccessDenied,
    /// Dropbox refused the `Dropbox-API-Path-Root` setting (HTTP 422).
    PathRoot,
    /// Still rate limited when the retries ran out (HTTP 429).
    RateLimited {
        /// How long Dropbox asked to wait; zero when it did not say.
        retry_after: Duration,
    },
    /// Dropbox called the request malformed (HTTP 400).
    BadRequest,
    /// Dropbox kept failing (HTTP 5xx) until the retries ran out.
    Server,
    /// No answer: no connection, a timeout, or a connection dropped mid-request.
    Network,
    /// handin's own settings cannot produce a valid request (base URL, headers, token).
    Settings,
    /// A response handin could not make sense of.
    Unexpected,
    /// A paginated listing that would not end (past `max_listing_entries`, a cursor sent
    /// again while more was promised, page after page of nothing): stopped before it
    /// could eat the machine's memory.
    EndlessListing,
}

/// A failed Dropbox call: a kind, Dropbox's error tag when there is one, a sentence for
/// the screen and the full detail for the log (its `Display`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct DropboxError {
    kind: ErrorKind,
    tag: Option<String>,
    sentence: String,
    detail: String,
}

impl DropboxError {
    /// What kind of failure this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Dropbox's error tag, e.g. `file_request_open`, `invalid_access_token`, or
    /// `path/not_found` for a nested union; `None` for failures without one (network,
    /// server, malformed responses).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// One sentence for the screen: what went wrong and what to do.
    pub fn sentence(&self) -> String {
        self.sentence.clone()
    }

    /// The full detail for the log: route, SDK error and its causes. Also the `Display`.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Whether a new access token (or a new sign-in) is the way out.
    pub fn needs_sign_in(&self) -> bool {
        self.kind == ErrorKind::Auth
    }

    /// The sentence may quote what a server said: it is kept safe for a terminal here,
    /// once, for the TUI and the command line alike.
    fn new(kind: ErrorKind, tag: Option<String>, sentence: String, detail: String) -> Self {
        Self {
            kind,
            tag,
            sentence: visible(&sentence).into_owned(),
            detail: bounded(detail),
        }
    }

    /// A setting that cannot be turned into a request (bad base URL, a header value with
    /// characters HTTP forbids, an empty token).
    pub(crate) fn settings(sentence: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Settings, None, sentence.into(), detail.into())
    }

    /// The same failure told differently, where the caller knows better what it means
    /// (a refused code during sign-in is not a refused sign-in).
    pub(crate) fn reworded(self, kind: ErrorKind, sentence: impl Into<String>) -> Self {
        Self {
            kind,
            sentence: visible(&sentence.into()).into_owned(),
            ..self
        }
    }

    /// A response that parsed but cannot be used (e.g. a download without a body).
    pub(crate) fn unexpected(route: &str, what: &str) -> Self {
        Self::new(
            ErrorKind::Unexpected,
            None,
            UNEXPECTED_RESPONSE.to_owned(),
            format!("{route}: {what}"),
        )
    }

    /// A listing stopped because it went past `limit` entries (`max_listing_entries`).
    pub(crate) fn listing_too_long(route: &str, listing: &str, limit: usize) -> Self {
        Self::new(
            ErrorKind::EndlessListing,
            None,
            format!(
                "The {listing} went past {} entries, the most handin keeps in memory; if it \
                 really holds more, raise max_listing_entries in the config file.",
                thousands(limit)
            ),
            format!("{route}: more than {limit} entries, each page saying there was more"),
        )
    }

    /// A listing stopped because the server kept promising more without getting anywhere:
    /// `what` says how (a cursor sent again, empty pages, too many pages).
    pub(crate) fn listing_without_end(route: &str, listing: &str, what: &str) -> Self {
        Self::new(
            ErrorKind::EndlessListing,
            None,
            format!(
                "Dropbox kept promising more of the {listing} without end, so handin stopped \
                 listing; try again later, and if api_base is set in the config file, check \
                 that server."
            ),
            format!("{route}: {what}"),
        )
    }

    /// Classifies an SDK error from `route` (e.g. `file_requests/delete`).
    pub fn from_sdk<E: RouteError>(route: &str, error: SdkError<E>) -> Self {
        let detail = format!("{route}: {}", describe_chain(&error));
        match error {
            SdkError::Api(e) => Self::new(ErrorKind::Api, Some(e.tag()), e.sentence(), detail),
            SdkError::Authentication(e) => Self::new(
                ErrorKind::Auth,
                Some(auth_tag(&e)),
                auth_sentence(&e),
                detail,
            ),
            SdkError::AccessDenied(e) => Self::new(
                ErrorKind::AccessDenied,
                Some(access_tag(&e)),
                access_sentence(&e),
                detail,
            ),
            SdkError::RateLimited {
                reason,
                retry_after_seconds,
            } => rate_limited(&reason, retry_after_seconds, detail),
            SdkError::BadRequest(text) => bad_request(&text, detail),
            SdkError::ServerError(_) => Self::new(
                ErrorKind::Server,
                None,
                "Dropbox is having trouble right now (a server error); try again in a few minutes."
                    .to_owned(),
                detail,
            ),
            SdkError::UnexpectedHttpError {
                code: 422,
                response,
            } => path_root(&response, detail),
            SdkError::UnexpectedHttpError { code, .. } => Self::new(
                ErrorKind::Unexpected,
                None,
                format!(
                    "Dropbox answered with an unexpected HTTP {code}; check api_base in the \
                     config file if you set one, and see the log."
                ),
                detail,
            ),
            SdkError::HttpClient(cause) => transport(route, cause.as_ref(), detail),
            SdkError::Json(error) => unreadable(route, &error),
            SdkError::UnexpectedResponse(_) => Self::new(
                ErrorKind::Unexpected,
                None,
                UNEXPECTED_RESPONSE.to_owned(),
                detail,
            ),
        }
    }
}

/// `200000` as `200,000`.
fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

const UNEXPECTED_RESPONSE: &str =
    "Dropbox sent a reply handin could not understand; try again, and see the log if it persists.";

/// The most of a detail kept for the log: a server error's body can be megabytes.
const DETAIL_LIMIT: usize = 4_000;

/// `detail`, cut to [`DETAIL_LIMIT`] bytes (on a character boundary) with a note of how
/// much was left out.
fn bounded(mut detail: String) -> String {
    if detail.len() <= DETAIL_LIMIT {
        return detail;
    }
    let mut cut = DETAIL_LIMIT;
    while !detail.is_char_boundary(cut) {
        cut -= 1;
    }
    let left_out = detail.len() - cut;
    detail.truncate(cut);
    let _ = write!(detail, "\u{2026} ({left_out} more bytes)");
    detail
}

/// An answer the SDK could not read as the route's result (or error): not JSON, empty,
/// or JSON of another shape. A tag the SDK does not know (a new kind of folder entry,
/// say) fails the whole answer too; only a newer handin can read it, so the sentence
/// says so rather than "try again".
fn unreadable(route: &str, error: &serde_json::Error) -> DropboxError {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Syntax => "is not JSON",
        Category::Eof => "is empty or cut short",
        Category::Data => "is JSON of another shape than the route returns",
        Category::Io => "could not be read",
    };
    let detail = format!("{route}: Dropbox's answer {what}: {error}");
    if let Some(variant) = unknown_variant(error) {
        return DropboxError::new(
            ErrorKind::Unexpected,
            None,
            format!(
                "Dropbox's answer to {route} holds something this version of handin does not \
                 know (\u{201c}{}\u{201d}); update handin, or report it if it is up to date.",
                quotable(&variant)
            ),
            detail,
        );
    }
    DropboxError::new(
        ErrorKind::Unexpected,
        None,
        UNEXPECTED_RESPONSE.to_owned(),
        detail,
    )
}

/// The tag serde names in "unknown variant `symlink`, expected one of ...".
fn unknown_variant(error: &serde_json::Error) -> Option<String> {
    let text = error.to_string();
    let rest = text.strip_prefix("unknown variant `")?;
    rest.split_once('`').map(|(variant, _)| variant.to_owned())
}

/// A tag from the server as it may appear in a sentence: printable ASCII only, and short.
fn quotable(tag: &str) -> String {
    let mut shown: String = tag
        .chars()
        .take(80)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if tag.chars().count() > 80 {
        shown.push('\u{2026}');
    }
    shown
}

/// A 409 whose error tag handin's SDK does not know: it would become the union's
/// `other` (or, for a union without one, a JSON error) and the tag would be lost. Made
/// by the client (see [`unknown_api_error`]), which still has the body.
#[derive(Debug)]
pub struct UnknownApiError {
    route: String,
    /// The tag path as Dropbox sent it (`brand_new_error`, `path/brand_new`).
    tag: String,
    summary: Option<String>,
}

impl std::fmt::Display for UnknownApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} answered 409 with the error tag {:?}, unknown to this version",
            self.route, self.tag
        )?;
        if let Some(summary) = &self.summary {
            write!(f, " (error_summary {summary:?})")?;
        }
        Ok(())
    }
}

impl StdError for UnknownApiError {}

/// The [`UnknownApiError`] for a 409 `body` of `route`, when its tag is one the route's
/// error union does not know; `None` for known tags, for a literal `other`, for bodies
/// the SDK will report as malformed anyway, and for routes handin does not call.
pub(crate) fn unknown_api_error(route: &str, body: &[u8]) -> Option<UnknownApiError> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?;
    let tag = tag_path(error)?;
    // The SDK's deserialisers borrow their keys: parse from text, as `path_root` does.
    let text = error.to_string();
    let unknown = match route {
        "file_requests/count" => unknown_to::<CountFileRequestsError>(&text, &tag),
        "file_requests/list_v2" | "file_requests/list" => {
            unknown_to::<ListFileRequestsError>(&text, &tag)
        }
        "file_requests/list/continue" => unknown_to::<ListFileRequestsContinueError>(&text, &tag),
        "file_requests/get" => unknown_to::<GetFileRequestError>(&text, &tag),
        "file_requests/create" => unknown_to::<CreateFileRequestError>(&text, &tag),
        "file_requests/update" => unknown_to::<UpdateFileRequestError>(&text, &tag),
        "file_requests/delete" => unknown_to::<DeleteFileRequestError>(&text, &tag),
        "file_requests/delete_all_closed" => {
            unknown_to::<DeleteAllClosedFileRequestsError>(&text, &tag)
        }
        "files/list_folder" | "files/list_folder/get_latest_cursor" => {
            unknown_to::<ListFolderError>(&text, &tag)
        }
        "files/list_folder/continue" => unknown_to::<ListFolderContinueError>(&text, &tag),
        "files/list_folder/longpoll" => unknown_to::<ListFolderLongpollError>(&text, &tag),
        "files/get_metadata" => unknown_to::<GetMetadataError>(&text, &tag),
        "files/download" => unknown_to::<DownloadError>(&text, &tag),
        "files/download_zip" => unknown_to::<DownloadZipError>(&text, &tag),
        "team/members/list_v2" => unknown_to::<MembersListError>(&text, &tag),
        "team/members/list/continue_v2" => unknown_to::<MembersListContinueError>(&text, &tag),
        "check/user" => unknown_to::<EchoError>(&text, &tag),
        // Routes without an error union: any tag is one handin does not know.
        "users/get_current_account" | "auth/token/revoke" => true,
        _ => false,
    };
    unknown.then(|| UnknownApiError {
        route: route.to_owned(),
        tag,
        summary: value
            .get("error_summary")
            .and_then(serde_json::Value::as_str)
            .map(|summary| first_line(summary, 200)),
    })
}

/// The `.tag` path of a union value: `{".tag": "path", "path": {".tag": "not_found"}}` is
/// `path/not_found`.
fn tag_path(error: &serde_json::Value) -> Option<String> {
    let mut tags = Vec::new();
    let mut current = error;
    while let Some(tag) = current.get(".tag").and_then(serde_json::Value::as_str) {
        tags.push(tag);
        match current.get(tag) {
            Some(inner) if inner.is_object() && tags.len() < 8 => current = inner,
            _ => break,
        }
    }
    (!tags.is_empty()).then(|| tags.join("/"))
}

/// Whether the SDK's `E` fails to know `tag`: it reads it as `other` (at some depth)
/// though Dropbox did not say `other`, or, for a union without `other`, refuses it.
fn unknown_to<E: RouteError + for<'de> serde::Deserialize<'de>>(error: &str, tag: &str) -> bool {
    match serde_json::from_str::<E>(error) {
        Ok(parsed) => {
            let known = parsed.tag();
            (known == "other" || known.ends_with("/other")) && known != tag
        }
        Err(error) => unknown_variant(&error).is_some(),
    }
}

/// The text of an error and all its causes, each cause once: the SDK's `Display`
/// already repeats its immediate source, so a cause already quoted is skipped.
fn describe_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            let _ = write!(text, ": {line}");
        }
        source = cause.source();
    }
    text
}

fn rate_limited(
    reason: &RateLimitReason,
    retry_after_seconds: u32,
    detail: String,
) -> DropboxError {
    let wait = if retry_after_seconds == 0 {
        "in a minute".to_owned()
    } else {
        format!("in {retry_after_seconds} s")
    };
    let (tag, sentence) = match reason {
        RateLimitReason::TooManyWriteOperations => (
            "too_many_write_operations",
            format!("Dropbox is busy with other changes in this account; try again {wait}."),
        ),
        _ => (
            "too_many_requests",
            format!("Dropbox is rate-limiting handin; try again {wait}."),
        ),
    };
    DropboxError::new(
        ErrorKind::RateLimited {
            retry_after: Duration::from_secs(retry_after_seconds.into()),
        },
        Some(tag.to_owned()),
        sentence,
        detail,
    )
}

/// The sentence for a team token used on a user route without a member.
pub const TEAM_TOKEN_NEEDS_MEMBER: &str =
    "This is a team token: choose the member to act as (--as-member, or Settings in the TUI).";

/// A 400 is plain text meant for developers. A few cases are common enough to explain:
/// a team token without a selected member, a member selected for a token that is not a
/// team's, and a refresh token Dropbox has revoked (`invalid_grant`).
fn bad_request(text: &str, detail: String) -> DropboxError {
    if is_team_token_refusal(text) {
        return DropboxError::new(
            ErrorKind::Settings,
            None,
            TEAM_TOKEN_NEEDS_MEMBER.to_owned(),
            detail,
        );
    }
    if text.contains("Dropbox-API-Select-User") {
        return DropboxError::new(
            ErrorKind::Settings,
            None,
            "This token is for a single Dropbox account, not a team: act as no team member \
             (leave out --as-member, or clear it in the TUI's Settings)."
                .to_owned(),
            detail,
        );
    }
    if text.contains("invalid_grant") {
        return DropboxError::new(
            ErrorKind::Auth,
            Some("invalid_grant".to_owned()),
            SIGN_IN_AGAIN.to_owned(),
            detail,
        );
    }
    DropboxError::new(
        ErrorKind::BadRequest,
        None,
        format!(
            "Dropbox rejected the request: \u{201c}{}\u{201d}; this is likely a handin bug, see the log.",
            first_line(text, 160)
        ),
        detail,
    )
}

/// The first line of `text`, at most `max_chars` characters, for quoting in a sentence.
fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim();
    if line.chars().count() <= max_chars {
        line.to_owned()
    } else {
        let mut cut: String = line.chars().take(max_chars).collect();
        cut.push('\u{2026}');
        cut
    }
}

/// A 422 carries a `PathRootError` that the SDK leaves unparsed.
fn path_root(response: &str, detail: String) -> DropboxError {
    // The SDK's deserialisers borrow their keys, so the inner error is parsed from text
    // rather than from a `serde_json::Value`.
    let parsed = serde_json::from_str::<serde_json::Value>(response)
        .ok()
        .and_then(|body| body.get("error").map(serde_json::Value::to_string))
        .and_then(|error| serde_json::from_str::<PathRootError>(&error).ok());
    let (tag, sentence) = match parsed {
        Some(PathRootError::InvalidRoot(info)) => {
            let root = match &info {
                RootInfo::Team(team) => Some(team.root_namespace_id.as_str()),
                RootInfo::User(user) => Some(user.root_namespace_id.as_str()),
                _ => None,
            };
            let hint = match root {
                Some(root) => format!(" (its root is now {root})"),
                None => String::new(),
            };
            (
                Some("invalid_root"),
                format!(
                    "The Dropbox space handin uses (path_root) is out of date{hint}; choose home \
                     or team space again on Path root in Settings."
                ),
            )
        }
        Some(PathRootError::NoPermission) => (
            Some("no_permission"),
            "This account cannot open the Dropbox space set as path_root; choose home or team \
             space again on Path root in Settings."
                .to_owned(),
        ),
        Some(_) => (
            Some("other"),
            "Dropbox refused the path_root setting; choose home or team space again on Path root \
             in Settings."
                .to_owned(),
        ),
        None => (
            None,
            "Dropbox refused the path_root setting; choose home or team space again on Path root \
             in Settings."
                .to_owned(),
        ),
    };
    DropboxError::new(
        ErrorKind::PathRoot,
        tag.map(str::to_owned),
        sentence,
        detail,
    )
}

fn transport(
    route: &str,
    cause: &(dyn StdError + Send + Sync + 'static),
    detail: String,
) -> DropboxError {
    if let Some(unknown) = cause.downcast_ref::<UnknownApiError>() {
        return DropboxError::new(
            ErrorKind::Api,
            Some(unknown.tag.clone()),
            format!(
                "Dropbox refused {route} for a reason this version of handin does not know \
                 (\u{201c}{}\u{201d}); update handin, or report it if it is up to date.",
                quotable(&unknown.tag)
            ),
            detail,
        );
    }
    // Too large up front (from the client), or while the SDK read the body (inside the
    // `io::Error` of the body stream).
    let too_large = cause.downcast_ref::<AnswerTooLarge>().or_else(|| {
        cause
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<AnswerTooLarge>())
    });
    if let Some(too_large) = too_large {
        return DropboxError::new(
            ErrorKind::Unexpected,
            None,
            format!(
                "Dropbox's answer was larger than {} MiB, which handin does not expect; try \
                 again, and report it if it persists.",
                too_large.limit() / (1024 * 1024)
            ),
            detail,
        );
    }
    if cause.downcast_ref::<NotSignedIn>().is_some() {
        return DropboxError::new(ErrorKind::Auth, None, NOT_SIGNED_IN.to_owned(), detail);
    }
    if let Some(refused) = cause.downcast_ref::<TokenRefused>() {
        let sentence = if refused.error == "invalid_grant" {
            SIGN_IN_AGAIN.to_owned()
        } else {
            format!(
                "Dropbox refused handin's sign-in ({}); sign in again (handin auth login, or \
                 Settings in the TUI).",
                refused.error
            )
        };
        return DropboxError::new(
            ErrorKind::Auth,
            Some(refused.error.clone()),
            sentence,
            detail,
        );
    }
    let Some(failure) = cause.downcast_ref::<TransportError>() else {
        // Reading a buffered body or a stream failed below the SDK.
        return DropboxError::new(
            ErrorKind::Network,
            None,
            "The connection to Dropbox failed; check your network and try again.".to_owned(),
            detail,
        );
    };
    let host = failure.host();
    let (kind, sentence) = match failure.kind() {
        TransportErrorKind::Refused => (
            ErrorKind::Network,
            format!(
                "Can't connect to {host}: the connection was refused; check your network, and \
                 api_base in the config file if you set one."
            ),
        ),
        TransportErrorKind::Connect => (
            ErrorKind::Network,
            format!("Can't reach {host}; check your internet connection and try again."),
        ),
        TransportErrorKind::Timeout { after } => (
            ErrorKind::Network,
            match after {
                Some(after) => format!(
                    "{host} did not answer within {} s; check your connection and try again.",
                    after.as_secs().max(1)
                ),
                None => {
                    format!("{host} did not answer in time; check your connection and try again.")
                }
            },
        ),
        TransportErrorKind::Interrupted => (
            ErrorKind::Network,
            format!("The connection to {host} broke off before Dropbox answered; try again."),
        ),
        TransportErrorKind::InvalidRequest => (
            ErrorKind::Settings,
            "handin could not build a valid request; give the access token again, or check the \
             team member and Path root in Settings for stray characters."
                .to_owned(),
        ),
    };
    DropboxError::new(kind, None, sentence, detail)
}

fn auth_tag(error: &AuthError) -> String {
    match error {
        AuthError::InvalidAccessToken => "invalid_access_token",
        AuthError::InvalidSelectUser => "invalid_select_user",
        AuthError::InvalidSelectAdmin => "invalid_select_admin",
        AuthError::UserSuspended => "user_suspended",
        AuthError::ExpiredAccessToken => "expired_access_token",
        AuthError::MissingScope(_) => "missing_scope",
        AuthError::RouteAccessDenied => "route_access_denied",
        _ => "other",
    }
    .to_owned()
}

fn auth_sentence(error: &AuthError) -> String {
    match error {
        AuthError::InvalidAccessToken => "Dropbox no longer accepts this access token; sign in \
             again (handin auth login, or Settings in the TUI), or give a new token."
            .to_owned(),
        AuthError::ExpiredAccessToken => "This access token has expired (tokens from the App \
             Console last only a few hours); sign in (handin auth login, or Settings in the TUI) \
             so handin renews access by itself, or give a new token."
            .to_owned(),
        AuthError::MissingScope(scope) => format!(
            "This Dropbox app lacks the permission \u{201c}{}\u{201d}; enable it in the App \
             Console (Permissions), then sign in again (handin auth login, or Settings in the \
             TUI).",
            scope.required_scope
        ),
        AuthError::UserSuspended => {
            "This Dropbox account is suspended; contact Dropbox support.".to_owned()
        }
        AuthError::InvalidSelectUser => "The team member handin acts as is not on this team; \
             choose another (--as-member, or Settings in the TUI)."
            .to_owned(),
        AuthError::InvalidSelectAdmin => "Dropbox says the selected team admin is not an admin of \
             this team; use a token of a team admin."
            .to_owned(),
        AuthError::RouteAccessDenied => "This Dropbox app may not use this feature; check the \
             app's permissions in the App Console."
            .to_owned(),
        _ => "Dropbox refused this access token; sign in again (handin auth login, or Settings \
             in the TUI), or give a new token."
            .to_owned(),
    }
}

fn access_tag(error: &AccessError) -> String {
    match error {
        AccessError::InvalidAccountType(_) => "invalid_account_type",
        AccessError::PaperAccessDenied(_) => "paper_access_denied",
        AccessError::TeamAccessDenied => "team_access_denied",
        AccessError::NoPermission(_) => "no_permission",
        _ => "other",
    }
    .to_owned()
}

fn access_sentence(error: &AccessError) -> String {
    match error {
        AccessError::InvalidAccountType(InvalidAccountTypeError::Feature) => {
            "Your Dropbox plan does not include this feature; it needs a Professional or \
             Business account."
        }
        AccessError::InvalidAccountType(_) => {
            "Your Dropbox account type cannot use this; it needs a Professional or Business \
             account."
        }
        AccessError::PaperAccessDenied(_) => "Dropbox Paper is not available to this account.",
        AccessError::TeamAccessDenied => {
            "Your team's settings do not allow this app to do that; ask your team admin."
        }
        AccessError::NoPermission(_) => {
            "This token may not act for that team member; choose another (--as-member, or \
             Settings in the TUI)."
        }
        _ => "Dropbox denied access to this feature for this account.",
    }
    .to_owned()
}

/// The error union of one route: its wire tag and the sentence for it.
///
/// Unions are open: tags this SDK does not know arrive as `Other`, tagged `other` here,
/// with a sentence that points at the log (where the raw response body is recorded).
pub trait RouteError: StdError + Send + Sync + 'static {
    /// The wire tag, `/`-joined for nested unions (`path/not_found`).
    fn tag(&self) -> String;
    /// What went wrong and what to do, for the screen.
    fn sentence(&self) -> String;
}

const UNKNOWN_API_ERROR: &str =
    "Dropbox refused the request for a reason handin does not know yet; see the log.";

/// The sentence for a tag shared by the file request routes' error unions.
fn file_request_sentence(tag: &str) -> String {
    match tag {
        "disabled_for_team" => {
            "Your team's admin has turned off file requests; ask them to turn it on."
        }
        "not_found" => "That file request no longer exists; load the file requests again.",
        "not_a_folder" => "The destination is a file, not a folder; choose a folder.",
        "app_lacks_access" => {
            "This app can only use its own app folder; choose a destination inside it."
        }
        "no_permission" => {
            "You may not change this file request or its folder; choose one you own."
        }
        "email_unverified" => {
            "Dropbox requires a verified email address before you can create file requests; \
             verify it at dropbox.com/account."
        }
        "validation_error" => {
            "Dropbox rejected these settings (title, destination, or a deadline, which needs a \
             Professional or Business account); check them and try again."
        }
        "no_write_permission" => {
            "You can't write to the destination folder; choose a folder you can edit."
        }
        "invalid_location" => {
            "File requests can't collect into that folder; choose another destination."
        }
        "rate_limit" => {
            "This account has reached Dropbox's limit of 4,000 file requests; delete closed \
             ones to make room."
        }
        "file_request_open" => "Only closed requests can be deleted; close it first.",
        "invalid_cursor" => "The list of file requests changed while loading; load it again.",
        _ => UNKNOWN_API_ERROR,
    }
    .to_owned()
}

/// Implements [`RouteError`] for a file request error union from its variant-to-tag map.
macro_rules! file_request_errors {
    ($($error:ident { $($variant:ident => $tag:literal),* $(,)? })*) => {$(
        impl RouteError for $error {
            fn tag(&self) -> String {
                match self {
                    $($error::$variant => $tag,)*
                    _ => "other",
                }
                .to_owned()
            }

            fn sentence(&self) -> String {
                file_request_sentence(&self.tag())
            }
        }
    )*};
}

file_request_errors! {
    CountFileRequestsError { DisabledForTeam => "disabled_for_team" }
    ListFileRequestsError { DisabledForTeam => "disabled_for_team" }
    ListFileRequestsContinueError {
        DisabledForTeam => "disabled_for_team",
        InvalidCursor => "invalid_cursor",
    }
    GetFileRequestError {
        DisabledForTeam => "disabled_for_team",
        NotFound => "not_found",
        NotAFolder => "not_a_folder",
        AppLacksAccess => "app_lacks_access",
        NoPermission => "no_permission",
        EmailUnverified => "email_unverified",
        ValidationError => "validation_error",
        NoWritePermission => "no_write_permission",
    }
    CreateFileRequestError {
        DisabledForTeam => "disabled_for_team",
        NotFound => "not_found",
        NotAFolder => "not_a_folder",
        AppLacksAccess => "app_lacks_access",
        NoPermission => "no_permission",
        EmailUnverified => "email_unverified",
        ValidationError => "validation_error",
        NoWritePermission => "no_write_permission",
        InvalidLocation => "invalid_location",
        RateLimit => "rate_limit",
    }
    UpdateFileRequestError {
        DisabledForTeam => "disabled_for_team",
        NotFound => "not_found",
        NotAFolder => "not_a_folder",
        AppLacksAccess => "app_lacks_access",
        NoPermission => "no_permission",
        EmailUnverified => "email_unverified",
        ValidationError => "validation_error",
        NoWritePermission => "no_write_permission",
    }
    DeleteFileRequestError {
        DisabledForTeam => "disabled_for_team",
        NotFound => "not_found",
        NotAFolder => "not_a_folder",
        AppLacksAccess => "app_lacks_access",
        NoPermission => "no_permission",
        EmailUnverified => "email_unverified",
        ValidationError => "validation_error",
        NoWritePermission => "no_write_permission",
        FileRequestOpen => "file_request_open",
    }
    DeleteAllClosedFileRequestsError {
        DisabledForTeam => "disabled_for_team",
        NotFound => "not_found",
        NotAFolder => "not_a_folder",
        AppLacksAccess => "app_lacks_access",
        NoPermission => "no_permission",
        EmailUnverified => "email_unverified",
        ValidationError => "validation_error",
        NoWritePermission => "no_write_permission",
    }
}

fn lookup_tag(error: &LookupError) -> &'static str {
    match error {
        LookupError::MalformedPath(_) => "malformed_path",
        LookupError::NotFound => "not_found",
        LookupError::NotFile => "not_file",
        LookupError::NotFolder => "not_folder",
        LookupError::RestrictedContent => "restricted_content",
        LookupError::UnsupportedContentType => "unsupported_content_type",
        LookupError::Locked => "locked",
        _ => "other",
    }
}

fn lookup_sentence(error: &LookupError) -> String {
    match error {
        LookupError::MalformedPath(_) => {
            "That is not a valid Dropbox path; paths start with / and name a file or folder."
        }
        LookupError::NotFound => "That file or folder is no longer in Dropbox; list it again.",
        LookupError::NotFile => "That path is a folder, not a file.",
        LookupError::NotFolder => "That path is a file, not a folder; choose a folder.",
        LookupError::RestrictedContent => {
            "Dropbox blocks access to this file (restricted content)."
        }
        LookupError::UnsupportedContentType => "Dropbox can't serve this kind of content.",
        LookupError::Locked => "That file is busy in another operation; try again shortly.",
        _ => UNKNOWN_API_ERROR,
    }
    .to_owned()
}

const LISTING_RESET: &str = "Dropbox reset this folder's change feed; list the folder again.";

impl RouteError for ListFolderError {
    fn tag(&self) -> String {
        match self {
            ListFolderError::Path(lookup) => format!("path/{}", lookup_tag(lookup)),
            ListFolderError::TemplateError(_) => "template_error".to_owned(),
            _ => "other".to_owned(),
        }
    }

    fn sentence(&self) -> String {
        match self {
            ListFolderError::Path(lookup) => lookup_sentence(lookup),
            _ => UNKNOWN_API_ERROR.to_owned(),
        }
    }
}

impl RouteError for ListFolderContinueError {
    fn tag(&self) -> String {
        match self {
            ListFolderContinueError::Path(lookup) => format!("path/{}", lookup_tag(lookup)),
            ListFolderContinueError::Reset => "reset".to_owned(),
            _ => "other".to_owned(),
        }
    }

    fn sentence(&self) -> String {
        match self {
            ListFolderContinueError::Path(lookup) => lookup_sentence(lookup),
            ListFolderContinueError::Reset => LISTING_RESET.to_owned(),
            _ => UNKNOWN_API_ERROR.to_owned(),
        }
    }
}

impl RouteError for ListFolderLongpollError {
    fn tag(&self) -> String {
        match self {
            ListFolderLongpollError::Reset => "reset",
            _ => "other",
        }
        .to_owned()
    }

    fn sentence(&self) -> String {
        match self {
            ListFolderLongpollError::Reset => LISTING_RESET,
            _ => UNKNOWN_API_ERROR,
        }
        .to_owned()
    }
}

impl RouteError for GetMetadataError {
    fn tag(&self) -> String {
        match self {
            GetMetadataError::Path(lookup) => format!("path/{}", lookup_tag(lookup)),
        }
    }

    fn sentence(&self) -> String {
        match self {
            GetMetadataError::Path(lookup) => lookup_sentence(lookup),
        }
    }
}

impl RouteError for DownloadError {
    fn tag(&self) -> String {
        match self {
            DownloadError::Path(lookup) => format!("path/{}", lookup_tag(lookup)),
            DownloadError::UnsupportedFile => "unsupported_file".to_owned(),
            _ => "other".to_owned(),
        }
    }

    fn sentence(&self) -> String {
        match self {
            DownloadError::Path(lookup) => lookup_sentence(lookup),
            DownloadError::UnsupportedFile => "Dropbox can't download this file directly (e.g. \
                 a Google Doc or Paper document); export it on dropbox.com."
                .to_owned(),
            _ => UNKNOWN_API_ERROR.to_owned(),
        }
    }
}

impl RouteError for DownloadZipError {
    fn tag(&self) -> String {
        match self {
            DownloadZipError::Path(lookup) => format!("path/{}", lookup_tag(lookup)),
            DownloadZipError::TooLarge => "too_large".to_owned(),
            DownloadZipError::TooManyFiles => "too_many_files".to_owned(),
            _ => "other".to_owned(),
        }
    }

    fn sentence(&self) -> String {
        match self {
            DownloadZipError::Path(lookup) => lookup_sentence(lookup),
            DownloadZipError::TooLarge => "This folder is too large to download as one zip \
                 (Dropbox allows 20 GB, and 4 GB per file); download its subfolders separately."
                .to_owned(),
            DownloadZipError::TooManyFiles => "This folder holds too many files to download as \
                 one zip (Dropbox allows 10,000); download its subfolders separately."
                .to_owned(),
            _ => UNKNOWN_API_ERROR.to_owned(),
        }
    }
}

impl RouteError for MembersListError {
    fn tag(&self) -> String {
        "other".to_owned()
    }

    fn sentence(&self) -> String {
        UNKNOWN_API_ERROR.to_owned()
    }
}

impl RouteError for MembersListContinueError {
    fn tag(&self) -> String {
        match self {
            MembersListContinueError::InvalidCursor => "invalid_cursor",
            _ => "other",
        }
        .to_owned()
    }

    fn sentence(&self) -> String {
        match self {
            MembersListContinueError::InvalidCursor => {
                "The team's member list changed while loading; load it again."
            }
            _ => UNKNOWN_API_ERROR,
        }
        .to_owned()
    }
}

impl RouteError for EchoError {
    fn tag(&self) -> String {
        match self {
            EchoError::UserRequested => "user_requested",
            _ => "other",
        }
        .to_owned()
    }

    fn sentence(&self) -> String {
        match self {
            EchoError::UserRequested => "The connection check failed as requested.",
            _ => UNKNOWN_API_ERROR,
        }
        .to_owned()
    }
}

/// Routes without an error union (`users/get_current_account`, `auth/token/revoke`).
impl RouteError for dropbox_sdk::NoError {
    fn tag(&self) -> String {
        match *self {}
    }

    fn sentence(&self) -> String {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dropbox_sdk::auth::TokenScopeError;

    fn api<E: RouteError>(error: E) -> DropboxError {
        DropboxError::from_sdk("test/route", SdkError::Api(error))
    }

    #[test]
    fn file_request_tags_get_their_sentences() {
        let e = api(GetFileRequestError::NotFound);
        assert_eq!(e.kind(), &ErrorKind::Api);
        assert_eq!(e.tag(), Some("not_found"));
        assert_eq!(
            e.sentence(),
            "That file request no longer exists; load the file requests again."
        );

        let e = api(DeleteFileRequestError::FileRequestOpen);
        assert_eq!(e.tag(), Some("file_request_open"));
        assert_eq!(
            e.sentence(),
            "Only closed requests can be deleted; close it first."
        );

        let e = api(CreateFileRequestError::EmailUnverified);
        assert_eq!(
            e.sentence(),
            "Dropbox requires a verified email address before you can create file requests; \
             verify it at dropbox.com/account."
        );

        let e = api(CreateFileRequestError::RateLimit);
        assert_eq!(e.tag(), Some("rate_limit"));
        assert_eq!(
            e.sentence(),
            "This account has reached Dropbox's limit of 4,000 file requests; delete closed \
             ones to make room."
        );

        let e = api(ListFileRequestsContinueError::InvalidCursor);
        assert_eq!(e.tag(), Some("invalid_cursor"));
        assert!(e.sentence().contains("load it again"));
    }

    #[test]
    fn every_known_file_request_tag_has_its_own_sentence() {
        let tags = [
            "disabled_for_team",
            "not_found",
            "not_a_folder",
            "app_lacks_access",
            "no_permission",
            "email_unverified",
            "validation_error",
            "no_write_permission",
            "invalid_location",
            "rate_limit",
            "file_request_open",
            "invalid_cursor",
        ];
        let sentences: std::collections::HashSet<String> =
            tags.iter().map(|t| file_request_sentence(t)).collect();
        assert_eq!(sentences.len(), tags.len());
        assert!(!sentences.contains(UNKNOWN_API_ERROR));
    }

    #[test]
    fn unknown_tags_fall_back() {
        let e = api(CreateFileRequestError::Other);
        assert_eq!(e.tag(), Some("other"));
        assert_eq!(e.sentence(), UNKNOWN_API_ERROR);
    }

    #[test]
    fn file_lookup_errors_are_nested_tags() {
        let e = api(ListFolderError::Path(LookupError::NotFound));
        assert_eq!(e.tag(), Some("path/not_found"));
        assert!(e.sentence().contains("no longer in Dropbox"));

        let e = api(DownloadError::Path(LookupError::RestrictedContent));
        assert_eq!(e.tag(), Some("path/restricted_content"));

        let e = api(GetMetadataError::Path(LookupError::NotFolder));
        assert_eq!(e.tag(), Some("path/not_folder"));

        let e = api(ListFolderContinueError::Reset);
        assert_eq!(e.tag(), Some("reset"));
        assert_eq!(e.sentence(), LISTING_RESET);

        let e = api(DownloadZipError::Path(LookupError::NotFolder));
        assert_eq!(e.tag(), Some("path/not_folder"));
        let e = api(DownloadZipError::TooLarge);
        assert_eq!(e.tag(), Some("too_large"));
        assert!(e.sentence().contains("20 GB"), "{}", e.sentence());
        let e = api(DownloadZipError::TooManyFiles);
        assert_eq!(e.tag(), Some("too_many_files"));
        assert!(e.sentence().contains("10,000"), "{}", e.sentence());
    }

    /// The TUI and the command line show the same sentences: none names a key of the
    /// TUI's, and those about signing in or the team context name the way out on both
    /// sides (handin auth login, --as-member, Settings in the TUI), never the old ways:
    /// restarting with HANDIN_TOKEN, editing select_user or path_root by hand.
    #[test]
    fn sentences_name_the_way_out_and_no_key() {
        let mut sentences: Vec<String> = [
            "disabled_for_team",
            "not_found",
            "not_a_folder",
            "app_lacks_access",
            "no_permission",
            "email_unverified",
            "validation_error",
            "no_write_permission",
            "invalid_location",
            "rate_limit",
            "file_request_open",
            "invalid_cursor",
        ]
        .iter()
        .map(|tag| file_request_sentence(tag))
        .collect();
        for error in [
            AuthError::InvalidAccessToken,
            AuthError::ExpiredAccessToken,
            AuthError::UserSuspended,
            AuthError::InvalidSelectUser,
            AuthError::InvalidSelectAdmin,
            AuthError::RouteAccessDenied,
            AuthError::Other,
        ] {
            sentences.push(auth_sentence(&error));
        }
        for text in [
            "invalid_grant",
            "Unexpected \"Dropbox-API-Select-User\" header",
            "is for an entire Dropbox Business team",
        ] {
            sentences.push(bad_request(text, String::new()).sentence());
        }
        for body in [
            r#"{"error": {".tag": "no_permission"}}"#,
            r#"{"error": {".tag": "mars"}}"#,
            "garbage",
        ] {
            sentences.push(path_root(body, String::new()).sentence());
        }
        sentences.push(access_sentence(&AccessError::NoPermission(
            dropbox_sdk::auth::NoPermissionError::Other,
        )));
        for cause in [
            SdkError::HttpClient(Box::new(NotSignedIn)),
            SdkError::HttpClient(Box::new(TokenRefused {
                status: 400,
                error: "invalid_grant".to_owned(),
                description: "refresh token is invalid or revoked".to_owned(),
            })),
        ] {
            sentences.push(DropboxError::from_sdk::<dropbox_sdk::NoError>("r", cause).sentence());
        }
        for sentence in &sentences {
            for stale in [
                "HANDIN_TOKEN",
                "restart handin",
                "config file",
                "Path-Root",
                "press ",
                "(l)",
                "(m)",
                " with x",
                " with D",
            ] {
                assert!(!sentence.contains(stale), "{stale:?} in {sentence:?}");
            }
            assert!(sentence.ends_with('.'), "{sentence:?}");
        }
        // Every sentence about the token or the team context names the way out, except
        // the three nothing on handin's side can fix: a suspended account, a token of a
        // non-admin, and an app without the permission for a route.
        let remedied = sentences[12..]
            .iter()
            .filter(|s| {
                ["handin auth login", "--as-member", "Path root in Settings"]
                    .iter()
                    .any(|way| s.contains(way))
            })
            .count();
        assert_eq!(
            remedied,
            sentences.len() - 12 - 3,
            "{:#?}",
            &sentences[12..]
        );
    }

    #[test]
    fn the_fixed_sentences_read_as_agreed() {
        assert_eq!(
            bad_request(
                "This API function operates on a single Dropbox account, but the OAuth 2 access \
                 token you provided is for an entire Dropbox Business team.",
                String::new()
            )
            .sentence(),
            "This is a team token: choose the member to act as (--as-member, or Settings in the \
             TUI)."
        );
        assert_eq!(
            SIGN_IN_AGAIN,
            "Dropbox no longer accepts handin's sign-in; sign in again (handin auth login, or \
             Settings in the TUI)."
        );
        let e = DropboxError::from_sdk::<dropbox_sdk::NoError>(
            "file_requests/list_v2",
            SdkError::HttpClient(Box::new(NotSignedIn)),
        );
        assert_eq!(e.kind(), &ErrorKind::Auth);
        assert!(e.needs_sign_in());
        assert_eq!(e.sentence(), NOT_SIGNED_IN);
        let e = DropboxError::from_sdk::<dropbox_sdk::NoError>(
            "file_requests/list_v2",
            SdkError::HttpClient(Box::new(TokenRefused {
                status: 400,
                error: "invalid_grant".to_owned(),
                description: "refresh token is invalid or revoked".to_owned(),
            })),
        );
        assert_eq!(e.kind(), &ErrorKind::Auth);
        assert_eq!(e.tag(), Some("invalid_grant"));
        assert_eq!(e.sentence(), SIGN_IN_AGAIN);
        assert!(
            e.detail().contains("refresh token is invalid"),
            "{}",
            e.detail()
        );
        let e = DropboxError::from_sdk::<dropbox_sdk::NoError>(
            "r",
            SdkError::HttpClient(Box::new(TokenRefused {
                status: 400,
                error: "invalid_client".to_owned(),
                description: "unknown app".to_owned(),
            })),
        );
        assert_eq!(e.tag(), Some("invalid_client"));
        assert!(
            e.sentence().contains("handin auth login"),
            "{}",
            e.sentence()
        );
    }

    #[test]
    fn auth_errors_ask_to_sign_in() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::Authentication(AuthError::InvalidAccessToken),
        );
        assert_eq!(e.kind(), &ErrorKind::Auth);
        assert!(e.needs_sign_in());
        assert_eq!(e.tag(), Some("invalid_access_token"));
        assert_eq!(
            e.sentence(),
            "Dropbox no longer accepts this access token; sign in again (handin auth login, or \
             Settings in the TUI), or give a new token."
        );

        let scope =
            serde_json::from_str::<TokenScopeError>(r#"{"required_scope": "file_requests.write"}"#)
                .expect("valid scope error");
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/create",
            SdkError::Authentication(AuthError::MissingScope(scope)),
        );
        assert_eq!(e.tag(), Some("missing_scope"));
        assert!(e.sentence().contains("\u{201c}file_requests.write\u{201d}"));

        for (error, tag) in [
            (AuthError::ExpiredAccessToken, "expired_access_token"),
            (AuthError::UserSuspended, "user_suspended"),
            (AuthError::InvalidSelectUser, "invalid_select_user"),
            (AuthError::RouteAccessDenied, "route_access_denied"),
            (AuthError::Other, "other"),
        ] {
            let e =
                DropboxError::from_sdk::<GetFileRequestError>("r", SdkError::Authentication(error));
            assert_eq!(e.tag(), Some(tag));
            assert_eq!(e.kind(), &ErrorKind::Auth);
        }
    }

    #[test]
    fn rate_limit_names_the_wait() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::RateLimited {
                reason: RateLimitReason::TooManyRequests,
                retry_after_seconds: 7,
            },
        );
        assert_eq!(
            e.kind(),
            &ErrorKind::RateLimited {
                retry_after: Duration::from_secs(7)
            }
        );
        assert_eq!(
            e.sentence(),
            "Dropbox is rate-limiting handin; try again in 7 s."
        );
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::RateLimited {
                reason: RateLimitReason::TooManyWriteOperations,
                retry_after_seconds: 0,
            },
        );
        assert_eq!(e.tag(), Some("too_many_write_operations"));
        assert!(e.sentence().ends_with("try again in a minute."));
    }

    #[test]
    fn bad_request_quotes_dropbox() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::BadRequest(
                "Error in call to API function \"file_requests/get\": bad id\nmore".into(),
            ),
        );
        assert_eq!(e.kind(), &ErrorKind::BadRequest);
        assert_eq!(
            e.sentence(),
            "Dropbox rejected the request: \u{201c}Error in call to API function \
             \"file_requests/get\": bad id\u{201d}; this is likely a handin bug, see the log."
        );
        let long = "x".repeat(400);
        let e = DropboxError::from_sdk::<GetFileRequestError>("r", SdkError::BadRequest(long));
        assert!(e.sentence().chars().count() < 260);
    }

    #[test]
    fn what_a_server_says_reaches_the_sentence_only_made_visible() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::BadRequest("\u{1b}]0;owned\u{7}bad \u{9b}2J \u{202e}id".into()),
        );
        assert!(
            e.sentence()
                .contains("\\u{1b}]0;owned\\u{7}bad \\u{9b}2J \\u{202e}id"),
            "{}",
            e.sentence()
        );
        let reworded = e.reworded(ErrorKind::Auth, "refused: \u{1b}[2J");
        assert_eq!(reworded.sentence(), "refused: \\u{1b}[2J");
    }

    #[test]
    fn team_token_without_member_is_explained() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::BadRequest(
                "Error in call to API function \"file_requests/get\": This API function \
                 operates on a single Dropbox account, but the OAuth 2 access token you \
                 provided is for an entire Dropbox Business team. Since your API app key has \
                 team member file access permissions, you can operate on a team member's \
                 Dropbox by providing the \"Dropbox-API-Select-User\" HTTP header"
                    .into(),
            ),
        );
        assert_eq!(e.kind(), &ErrorKind::Settings);
        assert_eq!(e.sentence(), TEAM_TOKEN_NEEDS_MEMBER);
    }

    #[test]
    fn revoked_refresh_token_asks_to_sign_in() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::BadRequest(
                r#"{"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"}"#
                    .into(),
            ),
        );
        assert_eq!(e.kind(), &ErrorKind::Auth);
        assert_eq!(e.tag(), Some("invalid_grant"));
    }

    #[test]
    fn path_root_errors_are_parsed() {
        let body = serde_json::json!({
            "error_summary": "invalid_root/..",
            "error": {
                ".tag": "invalid_root",
                "invalid_root": {
                    ".tag": "team",
                    "root_namespace_id": "7",
                    "home_namespace_id": "8",
                    "home_path": "/Ada"
                }
            }
        })
        .to_string();
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/list_v2",
            SdkError::UnexpectedHttpError {
                code: 422,
                response: body,
            },
        );
        assert_eq!(e.kind(), &ErrorKind::PathRoot);
        assert_eq!(e.tag(), Some("invalid_root"));
        assert!(e.sentence().contains("now 7"), "{}", e.sentence());

        let body = r#"{"error_summary": "no_permission/", "error": {".tag": "no_permission"}}"#;
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::UnexpectedHttpError {
                code: 422,
                response: body.into(),
            },
        );
        assert_eq!(e.tag(), Some("no_permission"));

        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::UnexpectedHttpError {
                code: 422,
                response: "garbage".into(),
            },
        );
        assert_eq!(e.kind(), &ErrorKind::PathRoot);
        assert_eq!(e.tag(), None);
    }

    #[test]
    fn access_errors() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::AccessDenied(AccessError::TeamAccessDenied),
        );
        assert_eq!(e.kind(), &ErrorKind::AccessDenied);
        assert_eq!(e.tag(), Some("team_access_denied"));
        assert!(e.sentence().contains("team admin"));
    }

    #[test]
    fn server_and_malformed_responses() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::ServerError("oops".into()),
        );
        assert_eq!(e.kind(), &ErrorKind::Server);
        assert!(e.sentence().contains("try again in a few minutes"));

        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::UnexpectedResponse("no header".into()),
        );
        assert_eq!(e.kind(), &ErrorKind::Unexpected);
        assert_eq!(e.sentence(), UNEXPECTED_RESPONSE);

        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::UnexpectedHttpError {
                code: 404,
                response: "Not Found".into(),
            },
        );
        assert_eq!(e.kind(), &ErrorKind::Unexpected);
        assert!(e.sentence().contains("HTTP 404"));
    }

    #[test]
    fn detail_carries_route_and_cause_once() {
        let e = api(DeleteFileRequestError::FileRequestOpen);
        assert!(e.detail().starts_with("test/route: "), "{}", e.detail());
        assert_eq!(e.to_string(), e.detail());
        assert_eq!(
            e.detail().matches("currently open").count(),
            1,
            "{}",
            e.detail()
        );
    }

    #[test]
    fn errors_are_shareable() {
        fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
        assert_shareable::<DropboxError>();
    }

    #[test]
    fn unknown_409_tags_are_told_from_known_ones() {
        let body = |error: &str| format!(r#"{{"error_summary": "x/..", "error": {error}}}"#);
        let unknown = |route: &str, error: &str| {
            unknown_api_error(route, body(error).as_bytes()).map(|unknown| unknown.tag)
        };
        let brand_new = r#"{".tag": "brand_new_error"}"#;
        for route in [
            "file_requests/get",
            "file_requests/list_v2",
            "file_requests/list/continue",
            "file_requests/create",
            "file_requests/update",
            "file_requests/count",
            "files/list_folder",
            "files/list_folder/continue",
            "files/list_folder/longpoll",
            "files/get_metadata",
            "files/download",
            "users/get_current_account",
        ] {
            assert_eq!(
                unknown(route, brand_new).as_deref(),
                Some("brand_new_error"),
                "{route}"
            );
        }
        // Known tags, nested or not, and `other` itself, stay with the SDK.
        assert_eq!(
            unknown("file_requests/get", r#"{".tag": "not_found"}"#),
            None
        );
        assert_eq!(unknown("file_requests/get", r#"{".tag": "other"}"#), None);
        assert_eq!(
            unknown("files/list_folder/continue", r#"{".tag": "reset"}"#),
            None
        );
        let not_found = r#"{".tag": "path", "path": {".tag": "not_found"}}"#;
        assert_eq!(unknown("files/download", not_found), None);
        let nested = r#"{".tag": "path", "path": {".tag": "brand_new"}}"#;
        assert_eq!(
            unknown("files/download", nested).as_deref(),
            Some("path/brand_new")
        );
        // Not a union at all, or a route handin does not call: the SDK reports it.
        assert_eq!(unknown("file_requests/get", "5"), None);
        assert_eq!(unknown("file_requests/get", "{}"), None);
        assert_eq!(unknown("files/upload", brand_new), None);
        assert!(unknown_api_error("file_requests/get", b"not json").is_none());

        let found =
            unknown_api_error("file_requests/get", body(brand_new).as_bytes()).expect("unknown");
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "file_requests/get",
            SdkError::HttpClient(Box::new(found)),
        );
        assert_eq!(e.kind(), &ErrorKind::Api);
        assert_eq!(e.tag(), Some("brand_new_error"));
        assert_eq!(
            e.sentence(),
            "Dropbox refused file_requests/get for a reason this version of handin does not \
             know (\u{201c}brand_new_error\u{201d}); update handin, or report it if it is up to \
             date."
        );
        assert!(e.detail().contains("x/.."), "{}", e.detail());
    }

    #[test]
    fn server_tags_are_quoted_tame() {
        assert_eq!(quotable("brand_new"), "brand_new");
        assert_eq!(quotable("a b\n\u{1b}[2J"), "a?b??[2J");
        let long = quotable(&"x".repeat(500));
        assert_eq!(long.chars().count(), 81);
        assert!(long.ends_with('\u{2026}'));
    }

    #[test]
    fn unreadable_answers_say_why_in_the_log() {
        let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect_err("bad");
        let e = unreadable("r", &json(""));
        assert_eq!(e.kind(), &ErrorKind::Unexpected);
        assert_eq!(e.sentence(), UNEXPECTED_RESPONSE);
        assert!(e.detail().contains("empty or cut short"), "{}", e.detail());
        let e = unreadable("r", &json("nope"));
        assert!(e.detail().contains("is not JSON"), "{}", e.detail());
        let shape = serde_json::from_str::<Vec<u8>>("{}").expect_err("not an array");
        let e = unreadable("r", &shape);
        assert!(e.detail().contains("of another shape"), "{}", e.detail());
        let variant = serde_json::from_str::<dropbox_sdk::files::Metadata>(
            r#"{".tag": "symlink", "name": "s"}"#,
        )
        .expect_err("unknown variant");
        let e = unreadable("files/list_folder", &variant);
        assert!(
            e.sentence().contains("\u{201c}symlink\u{201d}"),
            "{}",
            e.sentence()
        );
        assert!(e.sentence().contains("update handin"), "{}", e.sentence());
    }

    #[test]
    fn too_large_answers_are_one_sentence_however_they_arrive() {
        use super::super::client::AnswerTooLarge;
        let expected = "Dropbox's answer was larger than 32 MiB, which handin does not expect; \
                        try again, and report it if it persists.";
        for cause in [
            Box::new(AnswerTooLarge::new("r", Some(1 << 40))) as Box<dyn StdError + Send + Sync>,
            Box::new(std::io::Error::other(AnswerTooLarge::new("r", None))),
        ] {
            let e = DropboxError::from_sdk::<GetFileRequestError>("r", SdkError::HttpClient(cause));
            assert_eq!(e.kind(), &ErrorKind::Unexpected);
            assert_eq!(e.sentence(), expected);
            assert!(e.detail().contains("33554432"), "{}", e.detail());
        }
    }

    #[test]
    fn long_details_are_cut_for_the_log() {
        let e = DropboxError::from_sdk::<GetFileRequestError>(
            "r",
            SdkError::ServerError("\u{e9}".repeat(10_000)),
        );
        assert!(e.detail().len() < DETAIL_LIMIT + 40, "{}", e.detail().len());
        assert!(e.detail().ends_with("more bytes)"), "{}", e.detail());
        let short = bounded("short".to_owned());
        assert_eq!(short, "short");
    }

    #[test]
    fn first_line_truncates_on_characters() {
        assert_eq!(first_line("  héllo\nworld", 10), "héllo");
        assert_eq!(first_line("ééééé", 3), "ééé\u{2026}");
        assert_eq!(first_line("", 3), "");
    }
}
