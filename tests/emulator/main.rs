//! The emulator over real HTTP, checked the way a client sees it.

use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

mod control;
mod faults;
mod file_requests;
mod files;
mod oauth;
mod paths;
mod persist;
mod team;
mod wire;

use handin::emulator::test_hooks::{self as seeded, header_safe_json};
use handin::emulator::*;

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// An empty account kept in `path`.
fn kept_in(path: &std::path::Path) -> EmulatorOptions {
    EmulatorOptions {
        seed: Seed::Empty,
        state_file: Some(path.to_owned()),
        ..EmulatorOptions::default()
    }
}

async fn start(seed: Seed) -> Emulator {
    Emulator::start(
        any_port(),
        EmulatorOptions {
            seed,
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("the emulator starts")
}

/// A raw HTTP client, so the tests see exactly what goes over the wire.
struct Api {
    client: reqwest::Client,
    base_url: String,
    token: String,
}

impl Api {
    fn new(emulator: &Emulator) -> Api {
        // Plain http needs no TLS, but reqwest insists on a provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Api {
            client: reqwest::Client::new(),
            base_url: emulator.base_url().to_owned(),
            token: emulator.token().to_owned(),
        }
    }

    fn url(&self, route: &str) -> String {
        format!("{}/2/{route}", self.base_url)
    }

    /// A call of `route` with the token and nothing else.
    fn authorized(&self, route: &str) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(route))
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
    }

    async fn rpc_raw(&self, route: &str, body: &str) -> reqwest::Response {
        self.authorized(route)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("the call gets an answer")
    }

    async fn rpc(&self, route: &str, body: Value) -> (StatusCode, Value) {
        let response = self.rpc_raw(route, &body.to_string()).await;
        let status = response.status();
        let text = response.text().await.expect("a body");
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{route} answered {status} with non-JSON: {text}"));
        (status, value)
    }

    async fn create_request(&self, title: &str, destination: &str) -> Value {
        let (status, request) = self
            .rpc(
                "file_requests/create",
                json!({"title": title, "destination": destination}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{request}");
        request
    }

    async fn download(&self, arg: &str, range: Option<&str>) -> reqwest::Response {
        let mut call = self
            .authorized("files/download")
            .header("Dropbox-API-Arg", arg);
        if let Some(range) = range {
            call = call.header("Range", range);
        }
        call.send().await.expect("the call gets an answer")
    }

    async fn control(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.control_as(Some(&self.token), path, body).await
    }

    /// A control call with `token` as the bearer, or with no `Authorization` at all.
    async fn control_as(
        &self,
        token: Option<&str>,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut call = self
            .client
            .post(format!("{}/_emulator/{path}", self.base_url));
        if let Some(token) = token {
            call = call.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = call
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the control call gets an answer");
        let status = response.status();
        let value = json_body(response).await;
        (status, value)
    }
}

async fn json_body(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.expect("a whole body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
}

fn content_type(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// Percent-encodes everything but ASCII letters and digits.
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

fn submission(request: &Value, student: &str, file: &str, content: &[u8]) -> Submission {
    Submission {
        request_id: request["id"].as_str().unwrap().to_owned(),
        student_name: Some(student.to_owned()),
        file_name: file.to_owned(),
        content: content.to_vec(),
        at: None,
    }
}

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

impl Api {
    /// `api` acting with another bearer token.
    fn with_token(&self, token: &str) -> Api {
        Api {
            client: self.client.clone(),
            base_url: self.base_url.clone(),
            token: token.to_owned(),
        }
    }

    fn authorize_url(&self, extra: &str) -> String {
        format!(
            "{}/oauth2/authorize?response_type=code&client_id=appkey1&code_challenge={CHALLENGE}\
             &code_challenge_method=S256&token_access_type=offline{extra}",
            self.base_url
        )
    }

    /// Opens the approval page, submits its form with `decision`, and returns the page
    /// that comes back.
    async fn approve(&self, decision: &str) -> (StatusCode, String) {
        self.approve_at(&self.authorize_url(""), decision).await
    }

    /// Opens the approval page at `url` (an `/oauth2/authorize?...` address), submits
    /// its form with `decision`, and returns the page that comes back.
    async fn approve_at(&self, url: &str, decision: &str) -> (StatusCode, String) {
        let page = self.client.get(url).send().await.expect("the page loads");
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(content_type(&page), "text/html; charset=utf-8");
        let html = page.text().await.expect("html");
        let app_key = url
            .split("client_id=")
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .expect("a client_id");
        assert!(html.contains(app_key), "{html}");
        let mut form: Vec<(String, String)> = html
            .split("<input type=\"hidden\" ")
            .skip(1)
            .map(|input| {
                let attribute = |name: &str| {
                    let start = input.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                    input[start..start + input[start..].find('"').expect("closed")].to_owned()
                };
                (attribute("name"), attribute("value"))
            })
            .collect();
        form.push(("decision".to_owned(), decision.to_owned()));
        let body: String = form
            .iter()
            .map(|(name, value)| format!("{name}={}", form_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let answer = self
            .client
            .post(format!("{}/oauth2/authorize", self.base_url))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("approved");
        let status = answer.status();
        (status, answer.text().await.expect("html"))
    }

    /// Approves and scrapes the code off the page, as a user copies it.
    async fn code(&self, decision: &str) -> String {
        self.code_at(&self.authorize_url(""), decision).await
    }

    async fn code_at(&self, url: &str, decision: &str) -> String {
        let (status, html) = self.approve_at(url, decision).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let start = html.find("<code id=\"code\">").expect("a code") + 16;
        html[start..start + html[start..].find("</code>").expect("closed")].to_owned()
    }

    async fn token_call(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        self.token_call_at("/oauth2/token", None, form).await
    }

    /// A token call posted to `path`, with the app's key and secret as HTTP Basic
    /// (`curl -u KEY:SECRET`) when `basic` is given.
    async fn token_call_at(
        &self,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let body: String = form
            .iter()
            .map(|(name, value)| format!("{name}={}", form_encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let mut call = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some((key, secret)) = basic {
            call = call.basic_auth(key, Some(secret));
        }
        let response = call
            .body(body)
            .send()
            .await
            .expect("the token endpoint answers");
        let status = response.status();
        assert_eq!(content_type(&response), "application/json");
        (status, json_body(response).await)
    }

    async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        self.token_call(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", "appkey1"),
            ("code_verifier", VERIFIER),
        ])
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", "appkey1"),
        ])
        .await
    }
}

fn oauth_error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}
