//! OAuth 2 as Dropbox does it for apps without a redirect URI, plus the tokens the
//! API accepts.
//!
//! - `GET /oauth2/authorize?response_type=code&client_id=..&code_challenge=..&
//!   code_challenge_method=S256&token_access_type=offline`: a plain approval page.
//!   With PKCE (S256 only) any non-empty app key is accepted; without it the app
//!   must be registered with its secret (`POST /_emulator/oauth {"register_app":
//!   {"app_key", "app_secret"}}`, the emulator's App Console), because the code
//!   can then only be exchanged with that secret. Approving (a `POST` of the
//!   page's form) shows a code to paste back into the app; "Allow for the whole
//!   team" stands in for a team-linked app and yields a team token. No
//!   `redirect_uri`.
//! - `POST /oauth2/token`, and `/1/oauth2/token` which Dropbox still serves for
//!   older clients (form-encoded): `grant_type=authorization_code` with `code` and
//!   `code_verifier` (checked against the challenge; codes work once and for ten
//!   minutes), or `grant_type=refresh_token` with `refresh_token`. The app is
//!   named by `client_id`, and authenticated, as Dropbox allows, by HTTP Basic
//!   (`-u APP_KEY:APP_SECRET`, as Dropbox's OAuth guide does) or `client_secret`
//!   in the form; a code issued without PKCE, and a refresh token from one, need
//!   the secret. A code exchange answers `uid` (the deprecated v1 user id every
//!   official SDK still reads) and `account_id`, or `team_id` for a team-linked
//!   app; a refresh answers only the new access token, its type and lifetime, as
//!   Dropbox's does. Errors are Dropbox's 400 JSON `{"error": "invalid_grant" |
//!   "invalid_request" | "invalid_client" | "unsupported_grant_type",
//!   "error_description": ...}`; a wrong secret is `invalid_client`, "Invalid
//!   client_id or client_secret".
//!
//! Access tokens minted here last [`super::EmulatorOptions::access_token_lifetime`]
//! (settable later through `POST /_emulator/oauth`); an expired one is answered
//! 401 `expired_access_token`, a revoked or unknown one `invalid_access_token`.
//! Revoking a minted token also kills its refresh token and every token minted
//! from that. Tokens live in memory only: a restarted emulator has forgotten
//! every sign-in (the fixed `--token` keeps working).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use dropbox_sdk::auth::AuthError;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::account::{PROFESSOR, PROFESSOR_UID, TEAM_ID};
use super::http::{Outgoing, serve_with_fault};
use super::state::Core;

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// Expired tokens are remembered this long (to answer `expired_access_token`
/// rather than `invalid_access_token`), then forgotten.
const EXPIRED_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);

/// Scopes a handin app asks for; the emulator grants them all.
const SCOPES: &str = "account_info.read file_requests.read file_requests.write \
                      files.content.read files.metadata.read team_data.member";

/// Who a token acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Principal {
    /// One account: the professor's.
    User,
    /// A whole team: user routes need `Dropbox-API-Select-User`.
    Team,
}

/// What the OAuth side has done, for tests and `GET /_emulator/oauth`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OAuthStats {
    /// Codes shown on the approval page.
    pub codes_issued: u64,
    /// Codes exchanged for tokens.
    pub code_exchanges: u64,
    /// Access tokens minted from a refresh token.
    pub refreshes: u64,
    /// Calls refused with `expired_access_token`.
    pub expired_rejections: u64,
    /// Refresh tokens still usable.
    pub live_refresh_tokens: usize,
    /// The lifetime of access tokens minted from now on, in seconds.
    pub access_token_lifetime_secs: u64,
}

struct CodeGrant {
    client_id: String,
    /// `None` for an app that authenticates with its secret instead of PKCE.
    challenge: Option<String>,
    offline: bool,
    principal: Principal,
    issued: Instant,
}

struct AccessGrant {
    principal: Principal,
    /// `None` for team tokens minted by the control route: they do not expire.
    expires: Option<Instant>,
    /// The refresh token it was minted from, if any.
    refresh_token: Option<String>,
}

struct RefreshGrant {
    client_id: String,
    principal: Principal,
    /// Issued without PKCE: refreshing it needs the app secret too.
    needs_secret: bool,
}

struct Grants {
    lifetime: Duration,
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    /// App key -> app secret, for apps that authenticate with their secret.
    apps: HashMap<String, String>,
    stats: OAuthStats,
    rng: fastrand::Rng,
}

/// Every code and token the OAuth endpoints have issued.
pub(crate) struct Tokens {
    grants: Mutex<Grants>,
}

/// Why a token endpoint call failed: Dropbox's OAuth error code and description.
#[derive(Debug)]
struct Refusal(&'static str, String);

/// Dropbox's answer when neither a secret nor a PKCE verifier proves who calls.
fn no_client_authentication() -> Refusal {
    Refusal(
        "invalid_request",
        "No auth function available for given request".into(),
    )
}

/// The app calling the token endpoint, as it named itself.
#[derive(Debug)]
struct Client {
    id: String,
    /// It proved itself with the app secret (HTTP Basic or `client_secret`).
    authenticated: bool,
}

impl Tokens {
    pub(crate) fn new(lifetime: Duration) -> Self {
        Tokens {
            grants: Mutex::new(Grants {
                lifetime,
                codes: HashMap::new(),
                access: HashMap::new(),
                refresh: HashMap::new(),
                apps: HashMap::new(),
                stats: OAuthStats::default(),
                rng: fastrand::Rng::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Who `token` acts for, or why Dropbox would refuse it.
    pub(crate) fn principal(&self, token: &str) -> Result<Principal, AuthError> {
        let mut grants = self.lock();
        let Some(grant) = grants.access.get(token) else {
            return Err(AuthError::InvalidAccessToken);
        };
        if grant.expires.is_some_and(|at| Instant::now() >= at) {
            grants.stats.expired_rejections += 1;
            return Err(AuthError::ExpiredAccessToken);
        }
        Ok(grant.principal)
    }

    /// Revokes `token` and, if it was minted from a refresh token, that refresh
    /// token and everything minted from it. Whether the token was one of ours.
    pub(crate) fn revoke(&self, token: &str) -> bool {
        let mut grants = self.lock();
        let Some(grant) = grants.access.remove(token) else {
            return false;
        };
        if let Some(refresh_token) = grant.refresh_token {
            grants.kill_refresh_token(&refresh_token);
        }
        true
    }

    /// A team token that does not expire (what an admin would get for a
    /// team-linked app).
    pub(crate) fn mint_team_token(&self) -> String {
        let mut grants = self.lock();
        let token = format!("sl.team.{}", grants.random(40));
        grants.access.insert(
            token.clone(),
            AccessGrant {
                principal: Principal::Team,
                expires: None,
                refresh_token: None,
            },
        );
        token
    }

    pub(crate) fn set_lifetime(&self, lifetime: Duration) {
        self.lock().lifetime = lifetime;
    }

    /// Every minted access token expires now; refresh tokens keep working.
    pub(crate) fn expire_all(&self) {
        let now = Instant::now();
        for grant in self.lock().access.values_mut() {
            if grant.expires.is_some() {
                grant.expires = Some(now);
            }
        }
    }

    /// Revokes every refresh token (and the tokens minted from them), as when
    /// the user removes the app at dropbox.com.
    pub(crate) fn revoke_all_refresh_tokens(&self) {
        let mut grants = self.lock();
        let refresh: Vec<String> = grants.refresh.keys().cloned().collect();
        for token in refresh {
            grants.kill_refresh_token(&token);
        }
    }

    /// Makes `key` an app whose `secret` the token endpoint checks, as the App
    /// Console does when an app is created.
    pub(crate) fn register_app(&self, key: &str, secret: &str) {
        self.lock().apps.insert(key.to_owned(), secret.to_owned());
    }

    fn is_registered(&self, key: &str) -> bool {
        self.lock().apps.contains_key(key)
    }

    /// Who calls, from HTTP Basic or the form's `client_id` (and `client_secret`);
    /// a secret given is checked.
    fn identify(
        &self,
        basic: Option<(String, String)>,
        params: &Params,
    ) -> Result<Client, Refusal> {
        let form_id = params.get("client_id").filter(|id| !id.is_empty());
        let form_secret = params
            .get("client_secret")
            .filter(|secret| !secret.is_empty());
        let (id, secret) = match basic {
            Some((id, secret)) => {
                let disagrees = form_id.is_some_and(|form_id| *form_id != id)
                    || form_secret.is_some_and(|form_secret| *form_secret != secret);
                if disagrees {
                    return Err(Refusal(
                        "invalid_request",
                        "client_id or client_secret in the body differs from the Authorization \
                         header; send the app's key and secret once"
                            .into(),
                    ));
                }
                (id, Some(secret))
            }
            None => match form_id {
                Some(id) => (id.clone(), form_secret.cloned()),
                None => {
                    return Err(Refusal("invalid_request", "No client_id provided.".into()));
                }
            },
        };
        let authenticated = match secret {
            None => false,
            Some(secret) if self.lock().apps.get(&id) == Some(&secret) => true,
            Some(_) => {
                return Err(Refusal(
                    "invalid_client",
                    "Invalid client_id or client_secret".into(),
                ));
            }
        };
        Ok(Client { id, authenticated })
    }

    pub(crate) fn refresh_token_is_live(&self, refresh_token: &str) -> bool {
        self.lock().refresh.contains_key(refresh_token)
    }

    pub(crate) fn stats(&self) -> OAuthStats {
        let grants = self.lock();
        OAuthStats {
            live_refresh_tokens: grants.refresh.len(),
            access_token_lifetime_secs: grants.lifetime.as_secs(),
            ..grants.stats.clone()
        }
    }

    fn issue_code(
        &self,
        client_id: &str,
        challenge: Option<&str>,
        offline: bool,
        team: bool,
    ) -> String {
        let mut grants = self.lock();
        let now = Instant::now();
        grants
            .codes
            .retain(|_, code| now.duration_since(code.issued) < CODE_LIFETIME);
        let code = format!("{}-{}", grants.random(32), grants.random(11));
        grants.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: client_id.to_owned(),
                challenge: challenge.map(str::to_owned),
                offline,
                principal: if team {
                    Principal::Team
                } else {
                    Principal::User
                },
                issued: now,
            },
        );
        grants.stats.codes_issued += 1;
        code
    }

    fn exchange_code(
        &self,
        code: &str,
        client: &Client,
        verifier: Option<&str>,
    ) -> Result<serde_json::Value, Refusal> {
        let mut grants = self.lock();
        // A code is spent by any attempt, right or wrong, so it cannot be guessed at.
        let grant = grants
            .codes
            .remove(code)
            .filter(|grant| grant.issued.elapsed() < CODE_LIFETIME)
            .ok_or_else(|| Refusal("invalid_grant", "code doesn't exist or has expired".into()))?;
        if grant.client_id != client.id {
            return Err(Refusal(
                "invalid_grant",
                "code was issued to a different app".into(),
            ));
        }
        match (&grant.challenge, verifier) {
            (Some(_), None) => {
                return Err(Refusal(
                    "invalid_request",
                    "No code_verifier provided.".into(),
                ));
            }
            (Some(challenge), Some(verifier)) if s256(verifier) != *challenge => {
                return Err(Refusal("invalid_grant", "invalid code verifier".into()));
            }
            (None, Some(_)) => {
                return Err(Refusal("invalid_grant", "invalid code verifier".into()));
            }
            (None, None) if !client.authenticated => return Err(no_client_authentication()),
            _ => {}
        }
        grants.stats.code_exchanges += 1;
        let refresh_token = grant.offline.then(|| {
            let token = grants.random(64);
            grants.refresh.insert(
                token.clone(),
                RefreshGrant {
                    client_id: grant.client_id.clone(),
                    principal: grant.principal,
                    needs_secret: grant.challenge.is_none(),
                },
            );
            token
        });
        let (access_token, expires_in) = grants.mint_access(grant.principal, refresh_token.clone());
        let mut answer = json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "scope": SCOPES,
        });
        if let Some(refresh_token) = refresh_token {
            answer["refresh_token"] = json!(refresh_token);
        }
        // The official SDKs read `uid` from every exchange; a team-linked app
        // gets the linking admin's, and `team_id` where a user gets `account_id`.
        answer["uid"] = json!(PROFESSOR_UID);
        match grant.principal {
            Principal::User => answer["account_id"] = json!(PROFESSOR.account_id),
            Principal::Team => answer["team_id"] = json!(TEAM_ID),
        }
        Ok(answer)
    }

    fn refresh(&self, refresh_token: &str, client: &Client) -> Result<serde_json::Value, Refusal> {
        let mut grants = self.lock();
        let grant = grants.refresh.get(refresh_token).ok_or_else(|| {
            Refusal(
                "invalid_grant",
                "refresh token is invalid or revoked".into(),
            )
        })?;
        if grant.client_id != client.id {
            return Err(Refusal(
                "invalid_grant",
                "refresh token was issued to a different app".into(),
            ));
        }
        if grant.needs_secret && !client.authenticated {
            return Err(no_client_authentication());
        }
        let principal = grant.principal;
        grants.stats.refreshes += 1;
        let (access_token, expires_in) =
            grants.mint_access(principal, Some(refresh_token.to_owned()));
        Ok(json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": expires_in,
        }))
    }
}

impl Grants {
    fn random(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.alphanumeric()).collect()
    }

    /// A new access token and its lifetime in seconds.
    fn mint_access(
        &mut self,
        principal: Principal,
        refresh_token: Option<String>,
    ) -> (String, u64) {
        let now = Instant::now();
        self.access.retain(|_, grant| {
            grant
                .expires
                .is_none_or(|at| now.saturating_duration_since(at) < EXPIRED_MEMORY)
        });
        let token = format!("sl.emu.{}", self.random(48));
        self.access.insert(
            token.clone(),
            AccessGrant {
                principal,
                expires: Some(now + self.lifetime),
                refresh_token,
            },
        );
        (token, self.lifetime.as_secs())
    }

    fn kill_refresh_token(&mut self, refresh_token: &str) {
        self.refresh.remove(refresh_token);
        self.access
            .retain(|_, grant| grant.refresh_token.as_deref() != Some(refresh_token));
    }
}

/// `BASE64URL(SHA256(verifier))` without padding (RFC 7636, S256).
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub(crate) fn routes() -> Router<Arc<Core>> {
    Router::new()
        .route("/oauth2/authorize", get(authorize_page).post(approve))
        .route("/oauth2/token", post(token))
        .route("/1/oauth2/token", post(token))
}

/// The parameters of an authorization request, checked.
struct AuthorizeRequest {
    client_id: String,
    /// `None` when the app uses its secret rather than PKCE.
    challenge: Option<String>,
    offline: bool,
}

type Params = HashMap<String, String>;

fn parse_params(text: &[u8]) -> Params {
    form_urlencoded::parse(text).into_owned().collect()
}

fn authorize_request(params: &Params) -> Result<AuthorizeRequest, String> {
    let get = |name: &str| {
        params
            .get(name)
            .map(|value| value.trim())
            .unwrap_or_default()
    };
    if get("response_type") != "code" {
        return Err("response_type must be code (the emulator has no implicit grant)".into());
    }
    let client_id = get("client_id");
    if client_id.is_empty() {
        return Err("client_id (the app key) is missing".into());
    }
    if params.contains_key("redirect_uri") {
        return Err(
            "redirect_uri is not supported by the emulator: it shows the code instead".into(),
        );
    }
    let challenge = match (get("code_challenge_method"), get("code_challenge")) {
        ("", "") => None,
        ("S256", challenge) => Some(challenge),
        _ => {
            return Err(
                "code_challenge_method must be S256 with a code_challenge (the emulator's \
                 PKCE is S256 only), or both must be left out"
                    .into(),
            );
        }
    };
    let valid_challenge = |challenge: &str| {
        (43..=128).contains(&challenge.len())
            && challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    if challenge.is_some_and(|challenge| !valid_challenge(challenge)) {
        return Err("code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into());
    }
    let offline = match get("token_access_type") {
        "offline" => true,
        "" | "online" | "legacy" => false,
        other => return Err(format!("unknown token_access_type {other:?}")),
    };
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        challenge: challenge.map(str::to_owned),
        offline,
    })
}

/// An authorization request the emulator can finish: without PKCE only a
/// registered app could ever exchange the code.
fn checked_authorize_request(core: &Core, params: &Params) -> Result<AuthorizeRequest, String> {
    let request = authorize_request(params)?;
    if request.challenge.is_none() && !core.oauth.is_registered(&request.client_id) {
        return Err(format!(
            "the app {:?} has no secret here, so without PKCE its code could never be \
             exchanged: register it first with POST /_emulator/oauth \
             {{\"register_app\": {{\"app_key\": ..., \"app_secret\": ...}}}}, or send a \
             code_challenge",
            request.client_id
        ));
    }
    Ok(request)
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} \u{2013} Dropbox emulator</title></head>\n<body>\n{body}\n</body></html>\n"
    );
    let mut response = (status, page).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn bad_authorize_request(reason: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        "Invalid request",
        &format!(
            "<h1>Invalid request</h1>\n<p id=\"error\">{}</p>",
            escape(reason)
        ),
    )
}

/// The fields the approval form posts back.
const FORWARDED: &[&str] = &[
    "response_type",
    "client_id",
    "code_challenge",
    "code_challenge_method",
    "token_access_type",
];

async fn authorize_page(State(core): State<Arc<Core>>, uri: Uri) -> Response {
    let params = parse_params(uri.query().unwrap_or_default().as_bytes());
    let request = match checked_authorize_request(&core, &params) {
        Ok(request) => request,
        Err(reason) => return bad_authorize_request(&reason),
    };
    let hidden: String = FORWARDED
        .iter()
        .filter_map(|name| {
            params.get(*name).map(|value| {
                format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                    escape(value)
                )
            })
        })
        .collect();
    let body = format!(
        "<h1>Allow the app \u{201c}{app}\u{201d} to access your Dropbox?</h1>\n\
         <p>Signed in as {name} &lt;{email}&gt; (emulated).</p>\n\
         <form method=\"post\" action=\"authorize\">\n{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"allow_team\">Allow for the whole \
         team (team app)</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button>\n</form>",
        app = escape(&request.client_id),
        name = escape(&PROFESSOR.display_name()),
        email = escape(PROFESSOR.email),
    );
    html(StatusCode::OK, "Allow access", &body)
}

async fn approve(State(core): State<Arc<Core>>, body: Bytes) -> Response {
    let params = parse_params(&body);
    let request = match checked_authorize_request(&core, &params) {
        Ok(request) => request,
        Err(reason) => return bad_authorize_request(&reason),
    };
    let team = match params.get("decision").map(String::as_str) {
        Some("allow") => false,
        Some("allow_team") => true,
        Some("deny") => {
            return html(
                StatusCode::OK,
                "Access denied",
                "<h1>Access denied</h1>\n<p>The app was not given access. You can close this page.</p>",
            );
        }
        _ => return bad_authorize_request("decision must be allow, allow_team or deny"),
    };
    let code = core.oauth.issue_code(
        &request.client_id,
        request.challenge.as_deref(),
        request.offline,
        team,
    );
    let body = format!(
        "<h1>Enter this code into {app} to finish linking</h1>\n\
         <p>Copy it, go back to the app and paste it:</p>\n\
         <p><code id=\"code\">{code}</code></p>\n\
         <p>It works once, within ten minutes.</p>",
        app = escape(&request.client_id),
    );
    html(StatusCode::OK, "Access code", &body)
}

fn token_error(refusal: Refusal) -> Outgoing {
    let Refusal(error, description) = refusal;
    Outgoing::json(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error, "error_description": description }),
    )
}

async fn token(State(core): State<Arc<Core>>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = core.faults.take_exact("oauth2/token");
    serve_with_fault(fault, "oauth2/token", async {
        token_answer(&core, &headers, &body).unwrap_or_else(token_error)
    })
    .await
}

fn token_answer(core: &Core, headers: &HeaderMap, body: &[u8]) -> Result<Outgoing, Refusal> {
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').next().is_some_and(|kind| {
                kind.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !form {
        return Err(Refusal(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded".into(),
        ));
    }
    let params = parse_params(body);
    let optional = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    };
    let get = |name: &'static str| {
        optional(name).ok_or_else(|| Refusal("invalid_request", format!("No {name} provided.")))
    };
    let grant_type = get("grant_type")?;
    let answer = match grant_type {
        "authorization_code" => {
            let code = get("code")?;
            let client = core.oauth.identify(basic_credentials(headers)?, &params)?;
            core.oauth
                .exchange_code(code, &client, optional("code_verifier"))?
        }
        "refresh_token" => {
            let refresh_token = get("refresh_token")?;
            let client = core.oauth.identify(basic_credentials(headers)?, &params)?;
            core.oauth.refresh(refresh_token, &client)?
        }
        other => {
            return Err(Refusal(
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported"),
            ));
        }
    };
    Ok(Outgoing::json(StatusCode::OK, &answer))
}

/// `Authorization: Basic base64(APP_KEY:APP_SECRET)`, if the call carries one.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, Refusal> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || {
        Refusal(
            "invalid_client",
            "the Authorization header must be \"Basic \" and base64 of APP_KEY:APP_SECRET".into(),
        )
    };
    let encoded = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, encoded)| encoded.trim())
        .ok_or_else(malformed)?;
    let decoded = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(malformed)?;
    let (key, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some((key.to_owned(), secret.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An app that names itself without proving it (a PKCE client).
    fn public(id: &str) -> Client {
        Client {
            id: id.to_owned(),
            authenticated: false,
        }
    }

    #[test]
    fn s256_matches_rfc_7636() {
        // Appendix B of RFC 7636.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        // And agrees with the challenge the SDK puts in the authorize URL.
        let pkce = dropbox_sdk::oauth2::PkceCode::new();
        assert_eq!(s256(&pkce.code), pkce.s256());
    }

    #[test]
    fn authorization_requests_are_checked() {
        let good = "response_type=code&client_id=key&code_challenge_method=S256&\
                    code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&\
                    token_access_type=offline";
        let request = authorize_request(&parse_params(good.as_bytes())).expect("valid");
        assert!(request.offline);
        assert_eq!(request.client_id, "key");
        for (change, why) in [
            ("response_type=code", "response_type=token"),
            ("client_id=key", "client_id="),
            ("code_challenge_method=S256", "code_challenge_method=plain"),
            ("code_challenge=E9Melhoa", "code_challenge=short&x=E9Melhoa"),
            ("token_access_type=offline", "token_access_type=forever"),
        ] {
            let bad = good.replace(change, why);
            assert!(
                authorize_request(&parse_params(bad.as_bytes())).is_err(),
                "{bad}"
            );
        }
        let redirect = format!("{good}&redirect_uri=http://x");
        assert!(authorize_request(&parse_params(redirect.as_bytes())).is_err());
    }

    #[test]
    fn codes_are_single_use_and_tied_to_app_and_verifier() {
        let tokens = Tokens::new(Duration::from_secs(60));
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = s256(verifier);
        let code = tokens.issue_code("key", Some(&challenge), true, false);
        assert!(
            tokens
                .exchange_code(&code, &public("key"), Some("wrong"))
                .is_err()
        );
        // Spent by the failed attempt.
        assert!(
            tokens
                .exchange_code(&code, &public("key"), Some(verifier))
                .is_err()
        );
        let code = tokens.issue_code("key", Some(&challenge), true, false);
        assert!(
            tokens
                .exchange_code(&code, &public("other"), Some(verifier))
                .is_err()
        );
        let code = tokens.issue_code("key", Some(&challenge), true, false);
        let answer = tokens
            .exchange_code(&code, &public("key"), Some(verifier))
            .expect("exchanged");
        assert_eq!(answer["expires_in"], 60);
        assert_eq!(answer["account_id"], PROFESSOR.account_id);
        let access = answer["access_token"].as_str().expect("token");
        let refresh = answer["refresh_token"].as_str().expect("refresh token");
        assert_eq!(tokens.principal(access), Ok(Principal::User));
        assert!(tokens.refresh_token_is_live(refresh));
        let Err(Refusal(error, _)) = tokens.exchange_code(&code, &public("key"), Some(verifier))
        else {
            panic!("a code works once");
        };
        assert_eq!(error, "invalid_grant");

        let minted = tokens.refresh(refresh, &public("key")).expect("refreshed");
        assert!(minted.get("refresh_token").is_none());
        let fresh = minted["access_token"].as_str().expect("token");
        tokens.expire_all();
        assert_eq!(tokens.principal(fresh), Err(AuthError::ExpiredAccessToken));
        assert_eq!(tokens.stats().expired_rejections, 1);
        // Revoking any token of the sign-in kills the refresh token and its tokens.
        assert!(tokens.revoke(access));
        assert!(!tokens.refresh_token_is_live(refresh));
        assert_eq!(tokens.principal(fresh), Err(AuthError::InvalidAccessToken));
        assert!(tokens.refresh(refresh, &public("key")).is_err());
        let stats = tokens.stats();
        assert_eq!(
            (stats.codes_issued, stats.code_exchanges, stats.refreshes),
            (3, 1, 1)
        );
    }

    #[test]
    fn team_grants_carry_the_team_id() {
        let tokens = Tokens::new(Duration::from_secs(60));
        let verifier = "v".repeat(50);
        let code = tokens.issue_code("key", Some(&s256(&verifier)), false, true);
        let answer = tokens
            .exchange_code(&code, &public("key"), Some(&verifier))
            .expect("exchanged");
        assert_eq!(answer["team_id"], TEAM_ID);
        assert!(answer.get("refresh_token").is_none(), "online access");
        let access = answer["access_token"].as_str().expect("token");
        assert_eq!(tokens.principal(access), Ok(Principal::Team));
        let team = tokens.mint_team_token();
        assert_eq!(tokens.principal(&team), Ok(Principal::Team));
        tokens.expire_all();
        assert_eq!(
            tokens.principal(&team),
            Ok(Principal::Team),
            "never expires"
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
