//! A hostile Dropbox of the tests' own: an axum server that answers each API route with
//! whatever a test scripted (names with escape sequences, listings that never end, bodies
//! that lie) and records every request it got, so a test can assert what handin sent it
//! (a refresh token that should never have left, say). The emulator rightly refuses to
//! hold such names, so attacks that need them are played against this server instead.

#![allow(dead_code)] // Each test module uses its own part of it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What the server answers on one route (`files/list_folder`, `oauth2/token`, ...).
#[derive(Clone, Debug)]
pub enum Answer {
    /// 200 with this JSON body.
    Json(Value),
    /// A download-style answer: `Dropbox-API-Result` header and these bytes.
    Download { result: Value, body: Vec<u8> },
    /// Any status with a text body.
    Status(u16, String),
    /// A Dropbox API error: this status with this JSON body (409 and an `error` union).
    Error(u16, Value),
    /// `has_more: true` forever, each page `per_page` new entries (files for a folder
    /// listing, file requests for a request listing). With `repeat_cursor`, every page
    /// carries the same cursor; else each a new one.
    Endless {
        per_page: usize,
        repeat_cursor: bool,
        kind: Endless,
    },
}

/// What an endless listing is made of.
#[derive(Clone, Copy, Debug)]
pub enum Endless {
    Files,
    FileRequests,
}

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Received {
    /// The route without the leading `/2/`, or the path (`oauth2/token`).
    pub route: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[derive(Default)]
struct Shared {
    answers: Mutex<HashMap<String, Answer>>,
    received: Mutex<Vec<Received>>,
    pages: AtomicU64,
}

/// The running server; dropped, it stops.
pub struct Hostile {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Starts on a free loopback port with the answers every handin start needs (an
    /// account, no file requests) already scripted.
    pub async fn start() -> Hostile {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let hostile = Hostile {
            address,
            shared,
            task,
        };
        hostile.answer("users/get_current_account", Answer::Json(account()));
        hostile.answer(
            "file_requests/list_v2",
            Answer::Json(json!({"file_requests": [], "has_more": false, "cursor": "c0"})),
        );
        hostile.answer(
            "file_requests/count",
            Answer::Json(json!({"file_request_count": 0})),
        );
        hostile
    }

    /// `http://127.0.0.1:PORT`, for `--api-base`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// From now on, `route` is answered with `answer`.
    pub fn answer(&self, route: &str, answer: Answer) {
        self.shared
            .answers
            .lock()
            .expect("answers")
            .insert(route.trim_start_matches('/').to_owned(), answer);
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("received").clone()
    }

    /// The requests received on `route`.
    pub fn received_on(&self, route: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.route == route)
            .collect()
    }

    /// How many pages of endless listings have been served.
    pub fn endless_pages(&self) -> u64 {
        self.shared.pages.load(Ordering::SeqCst)
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().trim_start_matches('/');
    let route = path.strip_prefix("2/").unwrap_or(path).to_owned();
    let received = Received {
        route: route.clone(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    shared.received.lock().expect("received").push(received);
    let scripted = shared.answers.lock().expect("answers").get(&route).cloned();
    // A continue route falls back on its listing's script (endless listings use both).
    let scripted = scripted.or_else(|| {
        let listing = route.strip_suffix("/continue")?;
        let listing = match listing {
            "file_requests/list" => "file_requests/list_v2",
            other => other,
        };
        shared
            .answers
            .lock()
            .expect("answers")
            .get(listing)
            .cloned()
    });
    match scripted {
        None => (
            StatusCode::NOT_FOUND,
            format!("the hostile server has no answer for {route}"),
        )
            .into_response(),
        Some(Answer::Json(value)) => json_response(&value),
        Some(Answer::Error(code, value)) => (
            StatusCode::from_u16(code).expect("a status code"),
            [("content-type", "application/json")],
            value.to_string(),
        )
            .into_response(),
        Some(Answer::Download { result, body }) => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/octet-stream")
            .header("dropbox-api-result", result.to_string())
            .body(axum::body::Body::from(body))
            .expect("response"),
        Some(Answer::Status(code, text)) => (
            StatusCode::from_u16(code).expect("a status code"),
            [("content-type", "text/plain; charset=utf-8")],
            text,
        )
            .into_response(),
        Some(Answer::Endless {
            per_page,
            repeat_cursor,
            kind,
        }) => {
            let page = shared.pages.fetch_add(1, Ordering::SeqCst);
            let cursor = if repeat_cursor {
                "endless".to_owned()
            } else {
                format!("endless-{page}")
            };
            let entries: Vec<Value> = (0..per_page)
                .map(|i| {
                    let n = page as usize * per_page + i;
                    match kind {
                        Endless::Files => file(
                            "/Courses/CS101/Essay",
                            &format!("Student {n} - essay.pdf"),
                            b"x",
                        ),
                        Endless::FileRequests => file_request(
                            &format!("req{n:08}"),
                            &format!("Request {n}"),
                            "/Courses/CS101/Essay",
                        ),
                    }
                })
                .collect();
            let listed = match kind {
                Endless::Files => "entries",
                Endless::FileRequests => "file_requests",
            };
            json_response(&json!({listed: entries, "cursor": cursor, "has_more": true}))
        }
    }
}

fn json_response(value: &Value) -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// A personal account, as `users/get_current_account` answers.
pub fn account() -> Value {
    json!({
        "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
        "name": {
            "given_name": "Ada",
            "surname": "Lovelace",
            "familiar_name": "Ada",
            "display_name": "Ada Lovelace",
            "abbreviated_name": "AL"
        },
        "email": "ada@university.example",
        "email_verified": true,
        "disabled": false,
        "locale": "en",
        "referral_link": "https://db.tt/hostile",
        "is_paired": false,
        "account_type": {".tag": "basic"},
        "root_info": {
            ".tag": "user",
            "root_namespace_id": "3235641",
            "home_namespace_id": "3235641"
        },
        "country": "GB"
    })
}

/// A file request as Dropbox describes one, open, with no deadline.
pub fn file_request(id: &str, title: &str, destination: &str) -> Value {
    json!({
        "id": id,
        "url": format!("https://www.dropbox.com/request/{id}"),
        "title": title,
        "destination": destination,
        "created": "2026-09-01T09:00:00Z",
        "is_open": true,
        "file_count": 1,
        "description": "",
    })
}

/// A file's metadata as a folder listing carries it, with the right content hash of
/// `contents`.
pub fn file(folder: &str, name: &str, contents: &[u8]) -> Value {
    let path = format!("{folder}/{name}");
    let mut id_hash: u64 = 1469598103934665603;
    for byte in path.bytes() {
        id_hash = (id_hash ^ u64::from(byte)).wrapping_mul(1099511628211);
    }
    json!({
        ".tag": "file",
        "name": name,
        "id": format!("id:{id_hash:016x}"),
        "client_modified": "2026-09-10T12:00:00Z",
        "server_modified": "2026-09-10T12:00:00Z",
        "rev": format!("{:015x}", id_hash & 0xfff_ffff_ffff_ffff),
        "size": contents.len(),
        "path_lower": path.to_lowercase(),
        "path_display": path,
        "is_downloadable": true,
        "content_hash": handin::dropbox::content_hash::content_hash(contents),
    })
}

/// A one-page folder listing of `entries`.
pub fn listing(entries: Vec<Value>) -> Answer {
    Answer::Json(json!({"entries": entries, "cursor": "c-done", "has_more": false}))
}

/// A one-page listing of file requests.
pub fn requests(requests: Vec<Value>) -> Answer {
    Answer::Json(json!({"file_requests": requests, "cursor": "r-done", "has_more": false}))
}

/// Dropbox's answer for a folder that does not exist (a request nobody has uploaded to:
/// Dropbox makes its folder with the first upload).
pub fn path_not_found() -> Answer {
    Answer::Error(
        409,
        json!({
            "error_summary": "path/not_found/..",
            "error": {".tag": "path", "path": {".tag": "not_found"}}
        }),
    )
}
