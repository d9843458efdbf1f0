//! Signing in: OAuth 2 with PKCE and no redirect URI (the user approves in any browser,
//! Dropbox shows a code, the user pastes it back), the token endpoint, and what handin
//! knows about the credentials in use.
//!
//! The authorize URL and the PKCE verifier come from the SDK's `oauth2` module. The token
//! endpoint is called here rather than through `Authorization::obtain_access_token_async`
//! because the SDK drops what handin needs from the answer: `expires_in` (to refresh
//! before expiry) and `team_id` (a team token needs a member to act as). It is the plain
//! OAuth 2 wire: a form-encoded POST to `/oauth2/token`, through our own transport, so it
//! follows `api_base`, timeouts and the retry rules of changes (a code is single-use, so
//! a request that may have arrived is never repeated).

use std::fmt;
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use dropbox_sdk::Error as SdkError;
use dropbox_sdk::async_client_trait::{HttpClient, HttpRequest as _};
use dropbox_sdk::auth::RateLimitReason;
use dropbox_sdk::oauth2::{AuthorizeUrlBuilder, Oauth2Type, PkceCode};
use serde::Deserialize;

use super::ClientSettings;
use super::client::{TokenlessClient, normalise_api_base};
use super::error::{DropboxError, ErrorKind};
use crate::credentials::{Credentials, Secret};

/// Where the SDK (and so our transport, which rewrites the host) sends token requests.
const TOKEN_URL: &str = "https://api.dropboxapi.com/oauth2/token";

/// The token endpoint's answers are small; more means something else is answering.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

// The sentences of the service layer are shown by the TUI and the command line alike, so
// they name the way out on both sides and no key of the TUI's.

/// What the user sees when Dropbox refuses a pasted code.
pub const CODE_REFUSED: &str = "Dropbox did not accept that code; codes work once and expire \
                                after a few minutes \u{2014} start the sign-in again for a new \
                                one.";

/// What the user sees when the refresh token no longer works.
pub const SIGN_IN_AGAIN: &str = "Dropbox no longer accepts handin's sign-in; sign in again \
                                 (handin auth login, or Settings in the TUI).";

/// What every call says when there are no credentials at all.
pub const NOT_SIGNED_IN: &str = "handin is not signed in to Dropbox; sign in (handin auth login, \
                                 or Settings in the TUI), or give it an access token from the \
                                 App Console.";

/// How handin is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// No credentials: every call fails with [`NOT_SIGNED_IN`].
    None,
    /// An access token pasted from the App Console (or given with `--token`): it lasts a
    /// few hours and cannot be renewed.
    PastedToken,
    /// OAuth 2 with a refresh token: handin renews access by itself.
    OAuth,
}

/// What handin knows about its credentials without asking Dropbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStatus {
    pub method: AuthMethod,
    /// When the current access token expires (OAuth only, once one has been minted).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the token acts for a whole Business team; `None` until a token response
    /// or a call has told.
    pub is_team_token: Option<bool>,
}

/// A member of the team a team token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    /// `dbmid:...`, for `Dropbox-API-Select-User`.
    pub member_id: String,
    pub name: String,
    pub email: String,
}

/// A sign-in in progress: the URL to open, and the PKCE verifier that only this process
/// knows (Dropbox only saw its hash), which the code exchange must present.
#[derive(Clone)]
pub struct LoginStart {
    pub url: String,
    app_key: String,
    pkce: PkceCode,
}

impl LoginStart {
    /// The app key the URL was built for.
    pub fn app_key(&self) -> &str {
        &self.app_key
    }
}

impl fmt::Debug for LoginStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginStart")
            .field("url", &self.url)
            .field("app_key", &self.app_key)
            .finish_non_exhaustive()
    }
}

/// Builds the authorize URL: PKCE S256, `token_access_type=offline` (so Dropbox issues a
/// refresh token), no redirect URI (Dropbox then shows a code to paste back). With
/// `settings.api_base` set it points at `{api_base}/oauth2/authorize` (the emulator's
/// approval page) instead of www.dropbox.com.
pub fn start_login(app_key: &str, settings: &ClientSettings) -> Result<LoginStart, DropboxError> {
    let app_key = checked_app_key(app_key)?;
    let pkce = PkceCode::new();
    let flow = Oauth2Type::PKCE(pkce.clone());
    let dropbox_url = AuthorizeUrlBuilder::new(app_key, &flow).build();
    let url = match settings
        .api_base
        .as_deref()
        .filter(|base| !base.trim().is_empty())
    {
        Some(base) => format!(
            "{}/oauth2/authorize?{}",
            normalise_api_base(base)?,
            dropbox_url.query().unwrap_or_default()
        ),
        None => dropbox_url.to_string(),
    };
    Ok(LoginStart {
        url,
        app_key: app_key.to_owned(),
        pkce,
    })
}

fn checked_app_key(app_key: &str) -> Result<&str, DropboxError> {
    let app_key = app_key.trim();
    if app_key.is_empty() {
        return Err(DropboxError::settings(
            "Signing in needs the app key of a Dropbox app: create one in the App Console \
             (scoped access, with the files and file_requests permissions), then set app_key \
             in the config file or pass --app-key.",
            "no app key",
        ));
    }
    if !app_key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(DropboxError::settings(
            "That app key is not one: Dropbox app keys are letters and digits; copy it again \
             from the App Console (Settings, App key).",
            format!("app key with other characters: {app_key:?}"),
        ));
    }
    Ok(app_key)
}

/// Exchanges the code the user pasted (trimmed) for a refresh token. A wrong, reused or
/// expired code gets [`CODE_REFUSED`], never Dropbox's JSON.
///
/// The access token that comes with the refresh token is dropped: a handle built from
/// the credentials mints its own. [`super::Dropbox::sign_in`] keeps it instead.
pub async fn finish_login(
    start: &LoginStart,
    code: &str,
    settings: &ClientSettings,
) -> Result<Credentials, DropboxError> {
    let client = TokenlessClient::new(settings)?;
    Ok(exchange_code(start, code, &client).await?.credentials)
}

/// A code exchanged: the credentials to keep, and the first access token, which a handle
/// can use at once.
pub(crate) struct Exchanged {
    pub(crate) credentials: Credentials,
    pub(crate) refresh_token: String,
    pub(crate) first: Issued,
}

/// An access token as the token endpoint issued it, and when it was asked for (its
/// lifetime counts from then).
pub(crate) struct Issued {
    pub(crate) response: TokenResponse,
    pub(crate) asked: Instant,
    pub(crate) asked_at: DateTime<Utc>,
}

/// See [`finish_login`].
pub(crate) async fn exchange_code(
    start: &LoginStart,
    code: &str,
    client: &TokenlessClient,
) -> Result<Exchanged, DropboxError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(DropboxError::settings(
            "No code was pasted; approve handin in the browser, then paste the code Dropbox shows.",
            "empty authorization code",
        ));
    }
    if !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DropboxError::settings(
            CODE_REFUSED,
            "code with spaces or non-ASCII",
        ));
    }
    let form = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", &start.app_key),
        ("code_verifier", &start.pkce.code),
    ]);
    let first = issue(client, form).await.map_err(|error| {
        let error = DropboxError::from_sdk::<dropbox_sdk::NoError>("oauth2/token", error);
        match error.tag() {
            Some("invalid_grant") => error.reworded(ErrorKind::Auth, CODE_REFUSED),
            Some(_) if error.kind() == &ErrorKind::Auth => {
                let sentence = format!(
                    "Dropbox refused to sign handin in ({}); check app_key in the config file, \
                     then start the sign-in again.",
                    error.tag().unwrap_or_default()
                );
                error.reworded(ErrorKind::Auth, sentence)
            }
            _ => error,
        }
    })?;
    let refresh_token = first
        .response
        .refresh_token
        .clone()
        .filter(|token| !token.trim().is_empty())
        .ok_or_else(|| {
            DropboxError::unexpected(
                "oauth2/token",
                "no refresh token in the answer to a code exchange with token_access_type=offline",
            )
        })?;
    tracing::info!(
        team = first.response.team_id.is_some(),
        "signed in to Dropbox with OAuth"
    );
    Ok(Exchanged {
        credentials: Credentials::OAuth {
            app_key: start.app_key.clone(),
            saved: Secret::new(format!("2&{refresh_token}")),
            // The refresh token goes back only where it came from.
            api_base: client.origin()?.api_base(),
        },
        refresh_token,
        first,
    })
}

/// Asks the token endpoint for an access token, noting when.
pub(crate) async fn issue(client: &TokenlessClient, form: String) -> Result<Issued, SdkError> {
    let asked = Instant::now();
    let asked_at = Utc::now();
    let response = request_token(client, form).await?;
    Ok(Issued {
        response,
        asked,
        asked_at,
    })
}

/// `grant_type=refresh_token&refresh_token=..&client_id=..`.
pub(crate) fn refresh_form(app_key: &str, refresh_token: &str) -> String {
    form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", app_key),
    ])
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The token endpoint's answer. Only what handin uses is read.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) team_id: Option<String>,
    #[serde(default)]
    pub(crate) account_id: Option<String>,
}

impl TokenResponse {
    /// `team_id` comes with team tokens, `account_id` with user tokens; a refresh answer
    /// may carry neither.
    pub(crate) fn is_team(&self) -> Option<bool> {
        match (&self.team_id, &self.account_id) {
            (Some(_), _) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        }
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("team_id", &self.team_id)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// The token endpoint refused: `{"error": "invalid_grant", "error_description": ...}`.
/// It travels to [`DropboxError`] inside the SDK's `Error::HttpClient`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the token endpoint answered HTTP {status} {error}: {description}")]
pub struct TokenRefused {
    pub status: u16,
    /// The OAuth error code: `invalid_grant`, `invalid_request`, `invalid_client`, ...
    pub error: String,
    pub description: String,
}

/// A call made without credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not signed in to Dropbox")]
pub struct NotSignedIn;

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// POSTs `form` to the token endpoint and reads the answer. Failures come back as the
/// SDK's errors, so [`DropboxError::from_sdk`] words them like any other call's.
pub(crate) async fn request_token(
    client: &TokenlessClient,
    form: String,
) -> Result<TokenResponse, SdkError> {
    let request = client
        .new_request(TOKEN_URL)
        .set_header("Content-Type", "application/x-www-form-urlencoded");
    let mut raw = client.execute(request, Bytes::from(form)).await?;
    let mut body = Vec::new();
    let mut limited = futures::AsyncReadExt::take(&mut raw.body, MAX_TOKEN_RESPONSE as u64 + 1);
    futures::AsyncReadExt::read_to_end(&mut limited, &mut body)
        .await
        .map_err(|error| SdkError::HttpClient(Box::new(error)))?;
    if body.len() > MAX_TOKEN_RESPONSE {
        return Err(SdkError::UnexpectedResponse(
            "the token endpoint's answer is far too large".to_owned(),
        ));
    }
    match raw.status {
        200 => serde_json::from_slice::<TokenResponse>(&body).map_err(|error| {
            // serde's message may quote a value, and values here are tokens.
            SdkError::UnexpectedResponse(format!(
                "the token endpoint's answer is not a token (JSON {:?} error at column {})",
                error.classify(),
                error.column()
            ))
        }),
        400 | 401 => match serde_json::from_slice::<OAuthErrorBody>(&body) {
            Ok(refusal) => Err(SdkError::HttpClient(Box::new(TokenRefused {
                status: raw.status,
                error: refusal.error,
                description: refusal.error_description,
            }))),
            Err(_) if raw.status == 400 => Err(SdkError::BadRequest(
                String::from_utf8_lossy(&body).into_owned(),
            )),
            Err(_) => Err(SdkError::UnexpectedHttpError {
                code: raw.status,
                response: String::from_utf8_lossy(&body).into_owned(),
            }),
        },
        429 => Err(SdkError::RateLimited {
            reason: RateLimitReason::TooManyRequests,
            retry_after_seconds: serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|value| value["error"]["retry_after"].as_u64())
                .and_then(|seconds| u32::try_from(seconds).ok())
                .unwrap_or(0),
        }),
        500..=599 => Err(SdkError::ServerError(
            String::from_utf8_lossy(&body).into_owned(),
        )),
        code => Err(SdkError::UnexpectedHttpError {
            code,
            response: String::from_utf8_lossy(&body).into_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(url: &str) -> Vec<(String, String)> {
        let query = url.split_once('?').expect("a query").1;
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn the_authorize_url_asks_for_pkce_and_a_refresh_token() {
        let start = start_login(" abc123 ", &ClientSettings::default()).expect("url");
        assert!(
            start
                .url
                .starts_with("https://www.dropbox.com/oauth2/authorize?"),
            "{}",
            start.url
        );
        let pairs = query(&start.url);
        assert_eq!(param(&pairs, "client_id"), Some("abc123"));
        assert_eq!(param(&pairs, "response_type"), Some("code"));
        assert_eq!(param(&pairs, "token_access_type"), Some("offline"));
        assert_eq!(param(&pairs, "code_challenge_method"), Some("S256"));
        assert_eq!(param(&pairs, "redirect_uri"), None);
        assert_eq!(
            param(&pairs, "code_challenge"),
            Some(start.pkce.s256().as_str())
        );
        assert_eq!(start.app_key(), "abc123");
        // The verifier never leaves the process.
        assert!(!start.url.contains(&start.pkce.code));
        assert!(!format!("{start:?}").contains(&start.pkce.code));
        // Every sign-in has its own verifier.
        let again = start_login("abc123", &ClientSettings::default()).expect("url");
        assert_ne!(again.pkce.code, start.pkce.code);
    }

    #[test]
    fn the_authorize_url_follows_the_base_url() {
        let settings = ClientSettings {
            api_base: Some("http://127.0.0.1:9/".to_owned()),
            ..ClientSettings::default()
        };
        let start = start_login("abc", &settings).expect("url");
        assert!(
            start
                .url
                .starts_with("http://127.0.0.1:9/oauth2/authorize?response_type=code&"),
            "{}",
            start.url
        );
        let settings = ClientSettings {
            api_base: Some("http://example.org".to_owned()),
            ..ClientSettings::default()
        };
        let error = start_login("abc", &settings).expect_err("clear text elsewhere");
        assert_eq!(error.kind(), &ErrorKind::Settings);
    }

    #[test]
    fn a_missing_or_garbled_app_key_is_a_settings_sentence() {
        for key in ["", "   ", "has space", "k\u{e9}y", "key;drop"] {
            let error = start_login(key, &ClientSettings::default()).expect_err(key);
            assert_eq!(error.kind(), &ErrorKind::Settings, "{key:?}");
            assert!(error.sentence().ends_with('.'), "{}", error.sentence());
        }
        let error = start_login("", &ClientSettings::default()).expect_err("empty");
        assert!(error.sentence().contains("app_key"), "{}", error.sentence());
        assert!(
            error.sentence().contains("--app-key"),
            "{}",
            error.sentence()
        );
    }

    #[test]
    fn forms_are_encoded() {
        assert_eq!(
            refresh_form("key", "a&b=c d"),
            "grant_type=refresh_token&refresh_token=a%26b%3Dc+d&client_id=key"
        );
    }

    #[test]
    fn token_responses_tell_team_from_user_and_hide_the_tokens() {
        let user: TokenResponse = serde_json::from_str(
            r#"{"access_token": "sl.secret", "token_type": "bearer", "expires_in": 14400,
                "refresh_token": "refresh-secret", "scope": "files.metadata.read",
                "uid": "12345", "account_id": "dbid:abc"}"#,
        )
        .expect("parses");
        assert_eq!(user.is_team(), Some(false));
        assert_eq!(user.expires_in, Some(14400));
        let shown = format!("{user:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let team: TokenResponse =
            serde_json::from_str(r#"{"access_token": "t", "team_id": "dbtid:x"}"#).expect("parses");
        assert_eq!(team.is_team(), Some(true));
        let refreshed: TokenResponse =
            serde_json::from_str(r#"{"access_token": "t", "expires_in": 2}"#).expect("parses");
        assert_eq!(refreshed.is_team(), None);
    }

    #[tokio::test]
    async fn an_empty_code_is_refused_before_asking_dropbox() {
        let start = start_login("abc", &ClientSettings::default()).expect("url");
        let error = finish_login(&start, "  \n", &ClientSettings::default())
            .await
            .expect_err("empty");
        assert_eq!(error.kind(), &ErrorKind::Settings);
        let error = finish_login(&start, "two words", &ClientSettings::default())
            .await
            .expect_err("garbled");
        assert_eq!(error.sentence(), CODE_REFUSED);
    }
}
