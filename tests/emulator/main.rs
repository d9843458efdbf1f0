//! The emulator over real HTTP, checked the way a client sees it.

use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

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

#[tokio::test]
async fn json_answers_carry_exactly_application_json() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    let ok = api.rpc_raw("users/get_current_account", "null").await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(content_type(&ok), "application/json");
    let account = json_body(ok).await;
    assert_eq!(account["account_type"][".tag"], "pro");
    assert_eq!(account["root_info"][".tag"], "user");
    assert!(account["account_id"].as_str().unwrap().starts_with("dbid:"));

    let conflict = api.rpc_raw("file_requests/get", r#"{"id": "nope"}"#).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    assert_eq!(content_type(&conflict), "application/json");

    // Void routes also take an empty body without a content type.
    let empty = api.authorized("file_requests/count").send().await.unwrap();
    assert_eq!(empty.status(), StatusCode::OK);
    assert_eq!(content_type(&empty), "application/json");
    assert_eq!(empty.text().await.unwrap(), r#"{"file_request_count":0}"#);
}

#[tokio::test]
async fn route_errors_are_409_with_summary_and_tag() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    let (status, body) = api
        .rpc("file_requests/get", json!({"id": "oaCAVmEyrqYnkZX9955Y"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body,
        json!({"error_summary": "not_found/...", "error": {".tag": "not_found"}})
    );

    let (status, body) = api
        .rpc("files/list_folder", json!({"path": "/missing"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error_summary"], "path/not_found/...");
    assert_eq!(
        body["error"],
        json!({".tag": "path", "path": {".tag": "not_found"}})
    );

    let (status, body) = api
        .rpc(
            "file_requests/list/continue",
            json!({"cursor": "not-a-cursor"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"][".tag"], "invalid_cursor");
}

#[tokio::test]
async fn malformed_calls_get_400_plain_text() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let prefix = "Error in call to API function \"file_requests/create\": ";

    let cases = [
        ("not json", "request body: could not decode input as JSON"),
        (
            r#"{"destination": "/hw"}"#,
            "request body: missing field `title`",
        ),
        (
            r#"{"title": 5, "destination": "/hw"}"#,
            "request body: invalid type",
        ),
        (
            r#"{"title": "t", "destination": "hw"}"#,
            "request body: destination: 'hw' did not match pattern",
        ),
        (
            r#"{"title": "t", "destination": "/hw", "deadline": {"deadline": "tomorrow"}}"#,
            "request body: deadline.deadline:",
        ),
        (
            r#"{"title": "t", "destination": "/hw", "deadline": {"deadline": "2030-01-01T00:00:00Z", "allow_late_uploads": {".tag": "forever"}}}"#,
            "request body: deadline.allow_late_uploads: unknown union tag",
        ),
        (
            r#"{"title": "", "destination": "/hw"}"#,
            "request body: title:",
        ),
    ];
    for (body, expected) in cases {
        let response = api.rpc_raw("file_requests/create", body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(content_type(&response).starts_with("text/plain"));
        let text = response.text().await.unwrap();
        assert!(
            text.starts_with(&format!("{prefix}{expected}")),
            "{body} gave {text}"
        );
    }

    let wrong_type = api
        .authorized("file_requests/count")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
    assert!(
        wrong_type
            .text()
            .await
            .unwrap()
            .contains("Bad HTTP \"Content-Type\" header")
    );

    let object_for_void = api.rpc_raw("file_requests/count", r#"{"x": 1}"#).await;
    assert_eq!(object_for_void.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn credentials_are_checked_like_dropbox_does() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    let wrong = api
        .client
        .post(api.url("users/get_current_account"))
        .header(AUTHORIZATION, "Bearer not-the-token")
        .header(CONTENT_TYPE, "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(content_type(&wrong), "application/json");
    let body = json_body(wrong).await;
    assert_eq!(
        body,
        json!({"error_summary": "invalid_access_token/...", "error": {".tag": "invalid_access_token"}})
    );

    let missing = api
        .client
        .post(api.url("users/get_current_account"))
        .header(CONTENT_TYPE, "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Must provide HTTP header \"Authorization\"")
    );

    let (status, echo) = api.rpc("check/user", json!({"query": "ping"})).await;
    assert_eq!((status, echo), (StatusCode::OK, json!({"result": "ping"})));

    let revoked = api.rpc_raw("auth/token/revoke", "null").await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(revoked.text().await.unwrap(), "null");
    let (status, body) = api.rpc("check/user", json!({"query": "ping"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"][".tag"], "invalid_access_token");
}

#[tokio::test]
async fn longpoll_refuses_credentials_and_wakes_on_upload() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Essay", "/Essays").await;
    let (_, latest) = api
        .rpc(
            "files/list_folder/get_latest_cursor",
            json!({"path": "/Essays"}),
        )
        .await;
    let poll = json!({"cursor": latest["cursor"], "timeout": 30}).to_string();

    let with_token = api.rpc_raw("files/list_folder/longpoll", &poll).await;
    assert_eq!(with_token.status(), StatusCode::BAD_REQUEST);
    assert!(content_type(&with_token).starts_with("text/plain"));

    let waiting = {
        let client = api.client.clone();
        let url = api.url("files/list_folder/longpoll");
        let poll = poll.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let response = client
                .post(url)
                .header(CONTENT_TYPE, "application/json")
                .body(poll)
                .send()
                .await
                .unwrap();
            (
                started.elapsed(),
                response.status(),
                response.text().await.unwrap(),
            )
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    emulator
        .submit(submission(&request, "Zoë Müller", "essay.pdf", b"%PDF"))
        .unwrap();
    let (elapsed, status, body) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the upload wakes the long poll")
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"changes": true})
    );
    assert!(elapsed < Duration::from_secs(5));

    // The change is then there to fetch.
    let (_, changes) = api
        .rpc(
            "files/list_folder/continue",
            json!({"cursor": latest["cursor"]}),
        )
        .await;
    assert_eq!(changes["entries"][0]["name"], "Zoë Müller - essay.pdf");
    assert_eq!(changes["entries"][0]["is_downloadable"], true);
}

#[tokio::test]
async fn download_honours_ranges() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Lab", "/Lab").await;
    let content: Vec<u8> = (0..100u8).collect();
    let stored = emulator
        .submit(submission(&request, "Ana", "data.bin", &content))
        .unwrap();
    let arg = json!({"path": stored.path_lower.clone().unwrap()}).to_string();

    let whole = api.download(&arg, None).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(content_type(&whole), "application/octet-stream");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &content[..]);

    for (range, first, last) in [
        ("bytes=10-19", 10, 19),
        ("bytes=95-", 95, 99),
        ("bytes=-5", 95, 99),
    ] {
        let part = api.download(&arg, Some(range)).await;
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            part.headers()["content-range"],
            format!("bytes {first}-{last}/100").as_str()
        );
        assert_eq!(
            part.bytes().await.unwrap().as_ref(),
            &content[first..=last],
            "{range}"
        );
    }

    let beyond = api.download(&arg, Some("bytes=100-")).await;
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()["content-range"], "bytes */100");

    let folder = api.download(r#"{"path": "/Lab"}"#, None).await;
    assert_eq!(folder.status(), StatusCode::CONFLICT);
    let body = json_body(folder).await;
    assert_eq!(body["error_summary"], "path/not_file/...");
}

#[tokio::test]
async fn download_result_header_is_ascii_escaped() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Essays", "/Kurs Ü").await;
    let stored = emulator
        .submit(submission(&request, "Zoë Müller", "essay.pdf", b"%PDF-1.4"))
        .unwrap();

    // The argument arrives escaped the way the SDK escapes it.
    let arg = r#"{"path": "/Kurs \u00dc/Zo\u00eb M\u00fcller - essay.pdf"}"#;
    let response = api.download(arg, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = response.headers()["dropbox-api-result"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(header.is_ascii());
    assert!(
        header.contains(r"Zo\u00eb M\u00fcller - essay.pdf"),
        "{header}"
    );
    let result: Value = serde_json::from_str(&header).unwrap();
    assert_eq!(result["name"], "Zoë Müller - essay.pdf");
    assert_eq!(result["path_display"], "/Kurs Ü/Zoë Müller - essay.pdf");
    assert_eq!(result["content_hash"], stored.content_hash.clone().unwrap());
    assert_eq!(result["is_downloadable"], true);
    assert!(
        result.get(".tag").is_none(),
        "download answers a bare FileMetadata"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"%PDF-1.4");

    // The same argument as a URL parameter.
    let arg = json!({"path": stored.id}).to_string();
    let by_parameter = api
        .client
        .post(format!(
            "{}?arg={}",
            api.url("files/download"),
            form_encode(&arg)
        ))
        .header(AUTHORIZATION, format!("Bearer {}", api.token))
        .send()
        .await
        .unwrap();
    assert_eq!(by_parameter.status(), StatusCode::OK);
}

#[tokio::test]
async fn list_v2_pages_through_2500_requests() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    emulator.create_numbered_file_requests(2500);

    let (status, mut page) = api.rpc("file_requests/list_v2", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let mut sizes = Vec::new();
    let mut titles = Vec::new();
    loop {
        let requests = page["file_requests"].as_array().unwrap();
        sizes.push(requests.len());
        titles.extend(
            requests
                .iter()
                .map(|r| r["title"].as_str().unwrap().to_owned()),
        );
        if page["has_more"] == false {
            break;
        }
        let (status, next) = api
            .rpc(
                "file_requests/list/continue",
                json!({"cursor": page["cursor"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        page = next;
    }
    assert_eq!(sizes, [1000, 1000, 500]);
    let expected: Vec<String> = (0..2500).map(|i| format!("Request {i}")).collect();
    assert_eq!(titles, expected);

    let (_, small) = api.rpc("file_requests/list_v2", json!({"limit": 7})).await;
    assert_eq!(small["file_requests"].as_array().unwrap().len(), 7);
    let zero = api
        .rpc_raw("file_requests/list_v2", r#"{"limit": 0}"#)
        .await;
    assert_eq!(zero.status(), StatusCode::BAD_REQUEST);
    let (_, count) = api.rpc("file_requests/count", Value::Null).await;
    assert_eq!(count, json!({"file_request_count": 2500}));
}

#[tokio::test]
async fn delete_refuses_open_requests() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Quiz", "/Quiz").await;
    let id = request["id"].clone();

    let (status, body) = api.rpc("file_requests/delete", json!({"ids": [id]})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"][".tag"], "file_request_open");

    let (status, closed) = api
        .rpc("file_requests/update", json!({"id": id, "open": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(closed["is_open"], false);

    let (status, body) = api.rpc("file_requests/delete", json!({"ids": [id]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["file_requests"][0]["id"], id);
    let (status, body) = api.rpc("file_requests/get", json!({"id": id})).await;
    assert_eq!(
        (status, &body["error"][".tag"]),
        (StatusCode::CONFLICT, &json!("not_found"))
    );
}

#[tokio::test]
async fn state_file_persists_and_reloads() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let options = kept_in(&path);

    let first = Emulator::start(any_port(), options.clone()).await.unwrap();
    assert!(path.exists(), "a fresh state is written at start");
    let api = Api::new(&first);
    let request = api.create_request("Homework 1", "/CS101/HW1").await;
    let stored = first
        .submit(submission(
            &request,
            "Siobhán O'Connor",
            "hw1.pdf",
            b"%PDF-1.4 answers",
        ))
        .unwrap();
    // Written after each change, not only at shutdown.
    first.flush().await.unwrap();
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains(request["id"].as_str().unwrap()));
    // A change right before shutdown is written by it.
    let late = api.create_request("Homework 1b", "/CS101/HW1b").await;
    let before = first.snapshot_json();
    first.shutdown().await;
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains(late["id"].as_str().unwrap()));

    let second = Emulator::start(any_port(), options).await.unwrap();
    assert_eq!(second.snapshot_json(), before);
    let api = Api::new(&second);
    let response = api
        .download(&json!({"path": stored.id}).to_string(), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"%PDF-1.4 answers"
    );
    let (_, listed) = api
        .rpc("file_requests/get", json!({"id": request["id"]}))
        .await;
    assert_eq!(listed["file_count"], 1);
    // New ids keep coming from where the first run left off.
    let other = api.create_request("Homework 2", "/CS101/HW2").await;
    assert_ne!(other["id"], request["id"]);
}

#[tokio::test]
async fn every_api_call_waits_the_configured_latency() {
    let emulator = Emulator::start(
        any_port(),
        EmulatorOptions {
            seed: Seed::Empty,
            latency: Duration::from_millis(80),
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("the emulator starts");
    let api = Api::new(&emulator);
    let started = std::time::Instant::now();
    let (status, _) = api.rpc("file_requests/count", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(80));
    // Benchmarks change it while the emulator runs.
    emulator.set_latency(Duration::ZERO);
    let started = std::time::Instant::now();
    let (status, _) = api.rpc("file_requests/count", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(80));
}

#[tokio::test]
async fn injected_faults_misbehave_as_announced() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    emulator.inject_fault(
        "file_requests/count",
        Fault::TooManyRequests {
            retry_after: 7,
            plain_text: false,
        },
        1,
    );
    let limited = api.rpc_raw("file_requests/count", "null").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(content_type(&limited), "application/json");
    let body = json_body(limited).await;
    assert_eq!(
        body,
        json!({"error_summary": "too_many_requests/...", "error": {"reason": {".tag": "too_many_requests"}, "retry_after": 7}})
    );

    let (status, _) = api
        .control(
            "faults",
            json!({"route": "file_requests/count", "fault": {"kind": "429", "retry_after": 2, "plain_text": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let plain = api.rpc_raw("file_requests/count", "null").await;
    assert_eq!(plain.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(plain.headers()["retry-after"], "2");
    assert_eq!(plain.text().await.unwrap(), "Too many requests");

    emulator.inject_fault("file_requests/count", Fault::ServerError(503), 1);
    assert_eq!(
        api.rpc_raw("file_requests/count", "null").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );

    emulator.inject_fault("file_requests/count", Fault::DropConnection, 1);
    let dropped = api.authorized("file_requests/count").send().await;
    assert!(dropped.is_err(), "no response at all: {dropped:?}");

    emulator.inject_fault("file_requests/count", Fault::TruncateBody, 1);
    let truncated = api.rpc_raw("file_requests/count", "null").await;
    assert_eq!(truncated.status(), StatusCode::OK);
    assert!(truncated.bytes().await.is_err(), "the body breaks off");

    emulator.inject_fault("file_requests/count", Fault::CorruptBody, 1);
    let corrupted = api.rpc_raw("file_requests/count", "null").await;
    let bytes = corrupted.bytes().await.unwrap();
    assert_eq!(bytes.len(), r#"{"file_request_count":0}"#.len());
    assert_ne!(bytes.as_ref(), br#"{"file_request_count":0}"#);

    emulator.inject_fault(
        "file_requests/count",
        Fault::Delay(Duration::from_millis(300)),
        1,
    );
    let started = std::time::Instant::now();
    assert_eq!(
        api.rpc_raw("file_requests/count", "null").await.status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    // All used up: calls behave again.
    assert_eq!(
        api.rpc_raw("file_requests/count", "null").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn control_routes_submit_switch_accounts_and_show_state() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Report", "/Report").await;

    let (status, stored) = api
        .control(
            "submit",
            json!({"request_id": request["id"], "student_name": "Łukasz Wiśniewski", "file_name": "report.pdf", "content_base64": "JVBERi0xLjQ="}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["name"], "Łukasz Wiśniewski - report.pdf");
    assert_eq!(stored["size"], 8);
    assert_eq!(
        stored["content_hash"],
        handin::dropbox::content_hash::content_hash(b"%PDF-1.4")
    );

    let (status, _) = api
        .control(
            "submit",
            json!({"request_id": "unknown", "file_name": "x.pdf", "size": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = api
        .control("account", json!({"account_type": "basic"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api
        .rpc(
            "file_requests/create",
            json!({"title": "t", "destination": "/t", "deadline": {"deadline": "2030-01-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"][".tag"], "validation_error");

    let state: Value = serde_json::from_slice(
        &api.client
            .get(format!("{}/_emulator/state", api.base_url))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(state["account_type"], "basic");
    assert_eq!(state["file_requests"][0]["file_count"], 1);
}

#[test]
fn random_tokens_are_long_plain_and_never_the_same() {
    let tokens: Vec<String> = (0..50)
        .map(|_| random_token().expect("/dev/urandom"))
        .collect();
    for token in &tokens {
        assert_eq!(token.len(), 32, "{token}");
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()), "{token}");
        assert_ne!(token, DEFAULT_TOKEN);
    }
    let mut distinct = tokens.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), tokens.len());
    // Every character class turns up across 1,600 draws, so none is left out of the alphabet.
    let all: String = tokens.concat();
    assert!(all.bytes().any(|b| b.is_ascii_uppercase()));
    assert!(all.bytes().any(|b| b.is_ascii_lowercase()));
    assert!(all.bytes().any(|b| b.is_ascii_digit()));
}

#[tokio::test]
async fn control_routes_refuse_calls_without_the_emulators_own_token() {
    let emulator = Emulator::start(
        any_port(),
        EmulatorOptions {
            seed: Seed::Empty,
            token: "operator-secret-token".to_owned(),
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("the emulator starts");
    let api = Api::new(&emulator);
    let request = api.create_request("Report", "/Report").await;
    let before = emulator.snapshot_json();
    let team_token = emulator.team_token();
    let wrong = [
        None,
        Some("handin-emulator-token"),
        Some("operator-secret-tokeN"),
        Some("operator-secret-token-and-more"),
        // A token minted for the account acts for the account, not for the operator.
        Some(team_token.as_str()),
    ];
    for token in wrong {
        let calls = [
            (
                "submit",
                json!({"request_id": request["id"], "file_name": "planted.sh", "content": "evil"}),
            ),
            (
                "faults",
                json!({"route": "*", "fault": {"kind": "500"}, "count": 5}),
            ),
            ("account", json!({"account_type": "basic"})),
            ("oauth", json!({"revoke_refresh_tokens": true})),
            ("team_token", Value::Null),
        ];
        for (path, body) in calls {
            let (status, answer) = api.control_as(token, path, body).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with {token:?}");
            let message = answer["error"].as_str().unwrap_or_default();
            assert!(message.contains("Authorization: Bearer"), "{message}");
        }
        let mut read = api.client.get(format!("{}/_emulator/state", api.base_url));
        if let Some(token) = token {
            read = read.bearer_auth(token);
        }
        let answer = read.send().await.expect("an answer");
        assert_eq!(
            answer.status(),
            StatusCode::UNAUTHORIZED,
            "state with {token:?}"
        );
    }
    // Nothing changed: no upload, no fault waiting, the same account.
    assert_eq!(emulator.snapshot_json(), before);
    let (status, _) = api.rpc("file_requests/count", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "no fault was injected");
    // With the token, the same calls work.
    let (status, stored) = api
        .control(
            "submit",
            json!({"request_id": request["id"], "file_name": "essay.pdf", "content": "mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
}

#[tokio::test]
async fn folders_list_and_zip_through_http() {
    let emulator = start(Seed::Demo).await;
    let api = Api::new(&emulator);

    let (status, root) = api.rpc("files/list_folder", json!({"path": ""})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(root["entries"][0]["path_display"], "/Courses");

    let slash = api.rpc_raw("files/list_folder", r#"{"path": "/"}"#).await;
    assert_eq!(slash.status(), StatusCode::BAD_REQUEST);

    let (status, all) = api
        .rpc(
            "files/list_folder",
            json!({"path": "/courses", "recursive": true, "limit": 100}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["has_more"], true);

    let folder = "/Courses/CS101 Intro to Programming/Homework 1 – Variables and Types";
    let zip = api
        .authorized("files/download_zip")
        .header(
            "Dropbox-API-Arg",
            json!({"path": folder}).to_string().replace('–', "\\u2013"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(zip.status(), StatusCode::OK);
    let result: Value =
        serde_json::from_str(zip.headers()["dropbox-api-result"].to_str().unwrap()).unwrap();
    assert_eq!(result["metadata"]["path_display"], folder);
    let bytes = zip.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let (_, listing) = api.rpc("files/list_folder", json!({"path": folder})).await;
    let files = listing["entries"].as_array().unwrap().len();
    let entries_in_zip = u16::from_le_bytes([bytes[bytes.len() - 12], bytes[bytes.len() - 11]]);
    assert_eq!(
        usize::from(entries_in_zip),
        files + 1,
        "the folder and its files"
    );

    let file = listing["entries"][0]["path_lower"].as_str().unwrap();
    let (status, body) = api.rpc("files/list_folder", json!({"path": file})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error_summary"], "path/not_folder/...");
}

#[tokio::test]
async fn shutdown_ends_pending_long_polls() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let (_, latest) = api
        .rpc("files/list_folder/get_latest_cursor", json!({"path": ""}))
        .await;
    let poll = {
        let client = api.client.clone();
        let url = api.url("files/list_folder/longpoll");
        let body = json!({"cursor": latest["cursor"], "timeout": 480}).to_string();
        tokio::spawn(async move {
            client
                .post(url)
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = std::time::Instant::now();
    emulator.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let answered = tokio::time::timeout(Duration::from_secs(2), poll)
        .await
        .unwrap()
        .unwrap();
    if let Ok(response) = answered {
        assert_eq!(response.text().await.unwrap(), r#"{"changes":false}"#);
    }
}

#[tokio::test]
async fn arrivals_keep_coming_until_the_emulator_stops() {
    let emulator = start(Seed::Demo).await;
    let files = |emulator: &Emulator| {
        emulator.snapshot_json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry[".tag"] == "file")
            .count()
    };
    let before = files(&emulator);
    let arrivals = spawn_arrivals(&emulator, Duration::from_millis(20));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while files(&emulator) < before + 3 {
        assert!(std::time::Instant::now() < deadline, "no arrivals");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    emulator.shutdown().await;
    tokio::time::timeout(Duration::from_secs(1), arrivals)
        .await
        .expect("the arrivals end with the emulator")
        .unwrap();
}

#[tokio::test]
async fn state_writes_coalesce_off_the_request_path() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.json");
    let emulator = Emulator::start(any_port(), kept_in(&path)).await.unwrap();
    let writes = || emulator.state_file_writes().unwrap();
    let api = Api::new(&emulator);
    let request = api.create_request("Burst", "/Burst").await;
    emulator.flush().await.unwrap();
    let before = writes();

    // A burst of changes with no chance for the writer to run in between.
    for n in 0..50 {
        emulator
            .submit(submission(&request, "Ana", &format!("{n}.txt"), b"x"))
            .unwrap();
    }
    emulator.flush().await.unwrap();
    assert_eq!(writes(), before + 1, "one write for the whole burst");
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains("Ana - 49.txt"));

    // Nothing changed: a flush writes nothing.
    emulator.flush().await.unwrap();
    assert_eq!(writes(), before + 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_failing_state_write_is_reported_by_flush() {
    let directory = tempfile::tempdir().unwrap();
    let folder = directory.path().join("state");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("state.json");
    let emulator = Emulator::start(any_port(), kept_in(&path)).await.unwrap();
    let api = Api::new(&emulator);
    // The folder goes away: the next write cannot create its temporary file.
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_dir(&folder).unwrap();
    let request = api.create_request("Lost", "/Lost").await;
    assert!(emulator.flush().await.is_err());
    // Calls go on regardless, and the writer tries again once it can.
    std::fs::create_dir(&folder).unwrap();
    emulator.flush().await.unwrap();
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(on_disk.contains(request["id"].as_str().unwrap()));
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_start_with_an_unwritable_state_file_fails_at_once() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("missing folder").join("state.json");
    let started = Emulator::start(any_port(), kept_in(&path)).await;
    assert!(started.is_err());
}

#[tokio::test]
async fn raw_utf8_in_the_argument_header_is_refused() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Essays", "/Essays").await;
    let stored = emulator
        .submit(submission(&request, "Zoë Müller", "essay.pdf", b"%PDF-1.4"))
        .unwrap();
    let path = stored.path_display.clone().unwrap();

    // What a client that forgot the escaping sends: UTF-8 bytes in the header.
    let raw = json!({ "path": path }).to_string();
    assert!(!raw.is_ascii());
    let value = reqwest::header::HeaderValue::from_bytes(raw.as_bytes()).unwrap();
    let refused = api
        .authorized("files/download")
        .header("Dropbox-API-Arg", value)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(content_type(&refused).starts_with("text/plain"));
    assert_eq!(
        refused.text().await.unwrap(),
        "Error in call to API function \"files/download\": HTTP header \"Dropbox-API-Arg\": could not decode input as JSON"
    );

    // The same argument escaped is served.
    let escaped = header_safe_json(&json!({ "path": path }));
    let served = api.download(&escaped, None).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.unwrap().as_ref(), b"%PDF-1.4");
}

#[tokio::test]
async fn business_accounts_get_a_team_root_and_path_roots_are_checked() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let count_with_root = |root: Value| {
        api.authorized("file_requests/count")
            .header("Dropbox-API-Path-Root", root.to_string())
            .send()
    };

    // Basic and pro: the root is the home.
    let (_, account) = api.rpc("users/get_current_account", Value::Null).await;
    let home = account["root_info"]["home_namespace_id"].clone();
    assert_eq!(account["root_info"][".tag"], "user");
    assert_eq!(account["root_info"]["root_namespace_id"], home);
    for root in [
        json!({".tag": "home"}),
        json!({".tag": "root", "root": home}),
        json!({".tag": "namespace_id", "namespace_id": home}),
    ] {
        let answer = count_with_root(root.clone()).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{root}");
    }
    let wrong = count_with_root(json!({".tag": "root", "root": "999"}))
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type(&wrong), "application/json");
    let body = json_body(wrong).await;
    assert_eq!(
        body,
        json!({
            "error_summary": "invalid_root/...",
            "error": {".tag": "invalid_root", "invalid_root": account["root_info"]},
        })
    );
    // Decodes as the SDK's PathRootError.
    let error: dropbox_sdk::common::PathRootError =
        serde_json::from_str(&body["error"].to_string()).unwrap();
    assert!(matches!(
        error,
        dropbox_sdk::common::PathRootError::InvalidRoot(dropbox_sdk::common::RootInfo::User(_))
    ));
    let foreign = count_with_root(json!({".tag": "namespace_id", "namespace_id": "999"}))
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json_body(foreign).await;
    assert_eq!(body["error"], json!({".tag": "no_permission"}));

    // Business: a team space above the home.
    emulator.set_account_type(AccountType::Business);
    let (_, account) = api.rpc("users/get_current_account", Value::Null).await;
    let root_info = account["root_info"].clone();
    assert_eq!(root_info[".tag"], "team");
    assert_eq!(root_info["home_namespace_id"], home);
    assert_eq!(root_info["home_path"], "/Inés Carvalho");
    let team_root = root_info["root_namespace_id"].clone();
    assert_ne!(team_root, home);
    for root in [
        json!({".tag": "home"}),
        json!({".tag": "root", "root": team_root}),
        json!({".tag": "namespace_id", "namespace_id": team_root}),
        json!({".tag": "namespace_id", "namespace_id": home}),
    ] {
        let answer = count_with_root(root.clone()).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{root}");
    }
    // The home is not the root any more: Dropbox says what the root is.
    for stale in [home, json!("999")] {
        let answer = count_with_root(json!({".tag": "root", "root": stale}))
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = json_body(answer).await;
        assert_eq!(body["error_summary"], "invalid_root/...");
        assert_eq!(body["error"]["invalid_root"], root_info);
    }

    let garbled = count_with_root(json!("root")).await.unwrap();
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn download_bodies_can_be_truncated_or_corrupted() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("Lab", "/Lab").await;
    let content: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let stored = emulator
        .submit(submission(&request, "Ana", "data.bin", &content))
        .unwrap();
    let arg = json!({"path": stored.id}).to_string();
    let announced_hash = |response: &reqwest::Response| {
        let result: Value =
            serde_json::from_str(response.headers()["dropbox-api-result"].to_str().unwrap())
                .unwrap();
        result["content_hash"].as_str().unwrap().to_owned()
    };

    emulator.inject_fault("files/download", Fault::TruncateBody, 1);
    let truncated = api.download(&arg, None).await;
    assert_eq!(truncated.status(), StatusCode::OK);
    assert_eq!(truncated.content_length(), Some(10_000));
    assert_eq!(
        announced_hash(&truncated),
        stored.content_hash.clone().unwrap()
    );
    let mut received = 0;
    let mut stream = truncated.bytes_stream();
    let ended = loop {
        match stream.next().await {
            Some(Ok(chunk)) => received += chunk.len(),
            Some(Err(error)) => break Err(error),
            None => break Ok(()),
        }
    };
    assert!(ended.is_err(), "the body breaks off");
    assert!(received < 10_000, "got {received} bytes");

    // A truncated range answer breaks off as well.
    emulator.inject_fault("files/download", Fault::TruncateBody, 1);
    let part = api.download(&arg, Some("bytes=100-1099")).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.content_length(), Some(1000));
    assert!(part.bytes().await.is_err());

    emulator.inject_fault("files/download", Fault::CorruptBody, 1);
    let corrupted = api.download(&arg, None).await;
    assert_eq!(corrupted.status(), StatusCode::OK);
    let announced = announced_hash(&corrupted);
    let bytes = corrupted.bytes().await.unwrap();
    assert_eq!(bytes.len(), content.len());
    assert_ne!(bytes.as_ref(), &content[..]);
    assert_ne!(
        handin::dropbox::content_hash::content_hash(&bytes),
        announced,
        "the content no longer matches its metadata"
    );
    assert_eq!(
        announced,
        handin::dropbox::content_hash::content_hash(&content)
    );

    // Used up: the next download is whole again.
    let whole = api.download(&arg, None).await;
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &content[..]);
}

// ---------------------------------------------------------------------------------------
// Signing in: /oauth2/authorize, /oauth2/token, expiry, revocation

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

#[tokio::test]
async fn the_pkce_flow_issues_tokens_that_work() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let code = api.code("allow").await;
    assert!(code.len() >= 40, "{code}");

    let (status, tokens) = api.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 14_400);
    assert_eq!(tokens["account_id"], seeded::PROFESSOR.account_id);
    assert!(tokens.get("team_id").is_none());
    let access = tokens["access_token"].as_str().expect("access token");
    let refresh = tokens["refresh_token"].as_str().expect("refresh token");

    let (status, account) = api
        .with_token(access)
        .rpc("users/get_current_account", Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["email"], seeded::PROFESSOR.email);

    // Codes work once.
    let (status, error) = api.exchange(&code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&error), "invalid_grant");

    // The refresh token mints new access tokens, without a new refresh token.
    let (status, minted) = api.refresh(refresh).await;
    assert_eq!(status, StatusCode::OK, "{minted}");
    assert!(minted.get("refresh_token").is_none());
    assert_ne!(minted["access_token"], tokens["access_token"]);
    let stats = emulator.oauth_stats();
    assert_eq!(
        (stats.codes_issued, stats.code_exchanges, stats.refreshes),
        (1, 1, 1)
    );
    assert_eq!(stats.live_refresh_tokens, 1);
}

#[tokio::test]
async fn the_token_endpoint_refuses_like_dropbox() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    // A wrong verifier spends the code.
    let code = api.code("allow").await;
    let (status, error) = api
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "appkey1"),
            ("code_verifier", &"x".repeat(43)),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&error), "invalid_grant");
    assert_eq!(api.exchange(&code).await.0, StatusCode::BAD_REQUEST);

    // Another app's key.
    let code = api.code("allow").await;
    let (_, error) = api
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "someoneelse"),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(oauth_error(&error), "invalid_grant");

    for (form, expected) in [
        (vec![("code", "x")], "invalid_request"),
        (vec![("grant_type", "password")], "unsupported_grant_type"),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", "appkey1"),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "never-issued"),
                ("client_id", "appkey1"),
            ],
            "invalid_grant",
        ),
    ] {
        let (status, error) = api.token_call(&form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}");
        assert_eq!(oauth_error(&error), expected, "{form:?}: {error}");
        assert!(error["error_description"].is_string());
    }

    // JSON is not what the endpoint takes.
    let response = api
        .client
        .post(format!("{}/oauth2/token", api.base_url))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"grant_type": "refresh_token"}"#)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&json_body(response).await), "invalid_request");

    // Faults reach the token endpoint only when aimed at it.
    emulator.inject_fault("*", Fault::ServerError(503), 1);
    emulator.inject_fault("oauth2/token", Fault::ServerError(500), 1);
    let response = api
        .client
        .post(format!("{}/oauth2/token", api.base_url))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("grant_type=refresh_token")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.refresh("never-issued").await.0, StatusCode::BAD_REQUEST);
    let count = api.rpc_raw("file_requests/count", "null").await;
    assert_eq!(
        count.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "the * fault waited for an API call"
    );
}

#[tokio::test]
async fn the_approval_page_checks_its_parameters() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    for url in [
        api.authorize_url("")
            .replace("code_challenge_method=S256", "code_challenge_method=plain"),
        api.authorize_url("")
            .replace("client_id=appkey1", "client_id="),
        api.authorize_url("&redirect_uri=http%3A%2F%2Flocalhost"),
        api.authorize_url("").replace(CHALLENGE, "short"),
        api.authorize_url("")
            .replace("response_type=code", "response_type=token"),
    ] {
        let response = api.client.get(&url).send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        let html = response.text().await.expect("html");
        assert!(html.contains("id=\"error\""), "{html}");
    }
    let (status, html) = api.approve("deny").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Access denied"), "{html}");
    assert!(!html.contains("id=\"code\""), "{html}");
    assert_eq!(emulator.oauth_stats().codes_issued, 0);
}

#[tokio::test]
async fn minted_tokens_expire_and_revoking_one_kills_the_refresh_token() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let (_, tokens) = api.exchange(&api.code("allow").await).await;
    let access = tokens["access_token"].as_str().expect("token").to_owned();
    let refresh = tokens["refresh_token"].as_str().expect("token").to_owned();
    let user = api.with_token(&access);
    assert_eq!(
        user.rpc("file_requests/count", Value::Null).await.0,
        StatusCode::OK
    );

    // Expired: 401 expired_access_token, counted; a refresh brings a working token.
    let (status, stats) = api
        .control(
            "oauth",
            json!({"expire_access_tokens": true, "access_token_lifetime_secs": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["access_token_lifetime_secs"], 2);
    let (status, error) = user.rpc("file_requests/count", Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"][".tag"], "expired_access_token");
    assert_eq!(emulator.oauth_stats().expired_rejections, 1);
    let (_, minted) = api.refresh(&refresh).await;
    assert_eq!(minted["expires_in"], 2);
    let fresh = api.with_token(minted["access_token"].as_str().expect("token"));
    assert_eq!(
        fresh.rpc("file_requests/count", Value::Null).await.0,
        StatusCode::OK
    );

    // Revoking the fresh token revokes the whole sign-in.
    let revoked = fresh.rpc_raw("auth/token/revoke", "null").await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(!emulator.refresh_token_is_live(&refresh));
    let (status, error) = fresh.rpc("file_requests/count", Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error["error"][".tag"], "invalid_access_token");
    let (status, error) = api.refresh(&refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&error), "invalid_grant");
    // The fixed token was not touched.
    assert_eq!(
        api.rpc("file_requests/count", Value::Null).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn refresh_tokens_can_be_revoked_from_elsewhere() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let (_, tokens) = api.exchange(&api.code("allow").await).await;
    let refresh = tokens["refresh_token"].as_str().expect("token").to_owned();
    let (status, stats) = api
        .control("oauth", json!({"revoke_refresh_tokens": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["live_refresh_tokens"], 0);
    assert_eq!(oauth_error(&api.refresh(&refresh).await.1), "invalid_grant");
    let user = api.with_token(tokens["access_token"].as_str().expect("token"));
    assert_eq!(
        user.rpc("file_requests/count", Value::Null).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = api
        .control("oauth", json!({"access_token_lifetime_secs": 0}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let state = api
        .client
        .get(format!("{}/_emulator/oauth", api.base_url))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("state");
    let state = json_body(state).await;
    assert_eq!(state["codes_issued"], 1);
    assert_eq!(state["code_exchanges"], 1);
}

// ---------------------------------------------------------------------------------------
// Team tokens

#[tokio::test]
async fn team_tokens_need_a_member_on_user_routes() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let (status, minted) = api.control("team_token", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let team = api.with_token(minted["access_token"].as_str().expect("token"));

    // No member: Dropbox's 400 text.
    let response = team.rpc_raw("file_requests/count", "null").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(content_type(&response), "text/plain; charset=utf-8");
    let text = response.text().await.expect("text");
    assert!(
        text.starts_with("Error in call to API function \"file_requests/count\": This API function operates on a single Dropbox account, but the OAuth 2 access token you provided is for an entire Dropbox Business team."),
        "{text}"
    );

    // Someone not on the team (or only invited): 401 invalid_select_user.
    for member in ["dbmid:nobody", seeded::MEMBERS[4].person.member_id] {
        let response = team
            .authorized("file_requests/count")
            .header("Dropbox-API-Select-User", member)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{member}");
        assert_eq!(
            json_body(response).await["error"][".tag"],
            "invalid_select_user"
        );
    }

    // A member: works, and the account is theirs, on the team's business plan.
    for person in [&seeded::PROFESSOR, &seeded::MEMBERS[1].person] {
        let response = team
            .authorized("users/get_current_account")
            .header("Dropbox-API-Select-User", person.member_id)
            .header(CONTENT_TYPE, "application/json")
            .body("null")
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::OK);
        let account = json_body(response).await;
        assert_eq!(account["email"], person.email);
        assert_eq!(account["team_member_id"], person.member_id);
        assert_eq!(account["account_type"][".tag"], "business");
        assert_eq!(account["team"]["name"], "Northbridge University");
    }

    // Acting as a member, the team root is a valid Path-Root; another is a 422.
    let with_root = |root: &str| {
        team.authorized("file_requests/count")
            .header("Dropbox-API-Select-User", seeded::PROFESSOR.member_id)
            .header("Dropbox-API-Path-Root", root.to_owned())
    };
    let ok = with_root(&format!(
        r#"{{".tag": "root", "root": "{}"}}"#,
        seeded::TEAM_ROOT_NAMESPACE_ID
    ))
    .send()
    .await
    .expect("answer");
    assert_eq!(ok.status(), StatusCode::OK);
    let bad = with_root(r#"{".tag": "root", "root": "1"}"#)
        .send()
        .await
        .expect("answer");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A user token naming a member is refused.
    let response = api
        .authorized("file_requests/count")
        .header("Dropbox-API-Select-User", seeded::PROFESSOR.member_id)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // A team token revokes itself without a member.
    let revoked = team.rpc_raw("auth/token/revoke", "null").await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let response = team
        .authorized("file_requests/count")
        .header("Dropbox-API-Select-User", seeded::PROFESSOR.member_id)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn team_members_are_listed_in_pages_for_team_tokens_only() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let team = api.with_token(&emulator.team_token());

    let (status, first) = team.rpc("team/members/list_v2", json!({"limit": 2})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["members"].as_array().expect("members").len(), 2);
    assert_eq!(first["has_more"], true);
    assert_eq!(
        first["members"][0]["profile"]["team_member_id"],
        PROFESSOR_MEMBER_ID
    );
    let (status, rest) = team
        .rpc(
            "team/members/list/continue_v2",
            json!({"cursor": first["cursor"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    // The cursor keeps the page size.
    assert_eq!(rest["members"].as_array().expect("members").len(), 2);
    let (_, last) = team
        .rpc(
            "team/members/list/continue_v2",
            json!({"cursor": rest["cursor"]}),
        )
        .await;
    assert_eq!(last["members"].as_array().expect("members").len(), 1);
    assert_eq!(last["has_more"], false);
    assert_eq!(last["members"][0]["profile"]["status"][".tag"], "invited");

    let (status, error) = team
        .rpc(
            "team/members/list/continue_v2",
            json!({"cursor": "garbage"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"][".tag"], "invalid_cursor");
    let response = team
        .rpc_raw("team/members/list_v2", r#"{"limit": 0}"#)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // A user token cannot list a team.
    let response = api.rpc_raw("team/members/list_v2", "{}").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // An approval "for the whole team" yields a team token with the team's id.
    let (_, tokens) = api.exchange(&api.code("allow_team").await).await;
    assert_eq!(tokens["team_id"], seeded::TEAM_ID);
    assert!(tokens.get("account_id").is_none());
    let linked = api.with_token(tokens["access_token"].as_str().expect("token"));
    assert_eq!(
        linked.rpc("team/members/list_v2", json!({})).await.0,
        StatusCode::OK
    );
}

// ---------------------------------------------------------------------------------------
// Paths as Dropbox reads them: repeated slashes collapse (rclone sends "//Folder")

#[tokio::test]
async fn repeated_slashes_in_a_path_name_the_same_place() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("HW1", "/Courses/CS101/HW1").await;
    emulator
        .submit(submission(&request, "Ana Lima", "hw1.pdf", b"%PDF-1.4"))
        .expect("uploaded");

    let (status, listing) = api
        .rpc("files/list_folder", json!({"path": "//Courses/CS101"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{listing}");
    assert_eq!(listing["entries"][0]["path_display"], "/Courses/CS101/HW1");

    for path in [
        "//Courses/CS101/HW1",
        "/Courses//CS101///HW1",
        "ns:3235641//Courses/CS101/HW1",
    ] {
        let (status, metadata) = api.rpc("files/get_metadata", json!({"path": path})).await;
        assert_eq!(status, StatusCode::OK, "{path}: {metadata}");
        assert_eq!(metadata["path_display"], "/Courses/CS101/HW1", "{path}");
    }

    let file = "//Courses//CS101/HW1//Ana Lima - hw1.pdf";
    let download = api.download(&json!({"path": file}).to_string(), None).await;
    assert_eq!(download.status(), StatusCode::OK);
    let result: Value =
        serde_json::from_str(download.headers()["dropbox-api-result"].to_str().unwrap()).unwrap();
    assert_eq!(
        result["path_display"],
        "/Courses/CS101/HW1/Ana Lima - hw1.pdf"
    );
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF-1.4");

    let zip = api
        .authorized("files/download_zip")
        .header(
            "Dropbox-API-Arg",
            json!({"path": "//Courses/CS101/HW1"}).to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(zip.status(), StatusCode::OK);

    // A listing's cursor started from "//Courses" follows the same folder.
    let (_, cursor) = api
        .rpc(
            "files/list_folder/get_latest_cursor",
            json!({"path": "//Courses", "recursive": true}),
        )
        .await;
    emulator
        .submit(submission(&request, "Bo Chen", "hw1.pdf", b"%PDF"))
        .expect("uploaded");
    let (status, changes) = api
        .rpc(
            "files/list_folder/continue",
            json!({"cursor": cursor["cursor"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changes}");
    assert_eq!(
        changes["entries"][0]["path_display"],
        "/Courses/CS101/HW1/Bo Chen - hw1.pdf"
    );
}

#[tokio::test]
async fn paths_dropbox_refuses_stay_refused_after_slashes_collapse() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    api.create_request("HW1", "/Courses/CS101/HW1").await;

    for path in [
        "//Courses/CS101/",
        "/Courses/CS101 ",
        "//Courses/./CS101",
        "/Courses//../CS101",
        "/Courses/CS\u{1}101",
    ] {
        let (status, error) = api.rpc("files/get_metadata", json!({"path": path})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path:?}: {error}");
        assert_eq!(error["error"]["path"][".tag"], "malformed_path", "{path:?}");
        let (status, error) = api.rpc("files/list_folder", json!({"path": path})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path:?}: {error}");
        assert_eq!(error["error"]["path"][".tag"], "malformed_path", "{path:?}");
    }
    // Slashes alone are the root written as "/", which Dropbox refuses with a 400.
    for path in ["/", "//"] {
        let slash = api
            .rpc_raw("files/list_folder", &json!({"path": path}).to_string())
            .await;
        assert_eq!(slash.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(
            slash.text().await.unwrap().contains("empty string"),
            "{path}"
        );
    }
    // Relative paths still break the Stone pattern.
    let relative = api
        .rpc_raw("files/get_metadata", r#"{"path": "Courses/CS101"}"#)
        .await;
    assert_eq!(relative.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn file_request_destinations_collapse_repeated_slashes() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let request = api.create_request("HW1", "//Courses//CS101/HW1").await;
    assert_eq!(request["destination"], "/Courses/CS101/HW1");
    let (status, folder) = api
        .rpc("files/get_metadata", json!({"path": "/Courses/CS101/HW1"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{folder}");
    assert_eq!(folder["path_display"], "/Courses/CS101/HW1");

    let (status, moved) = api
        .rpc(
            "file_requests/update",
            json!({"id": request["id"], "destination": "//Courses/CS101//HW1 late"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["destination"], "/Courses/CS101/HW1 late");

    for (destination, tag) in [
        ("//", "invalid_location"),
        ("//Courses/CS101/", "validation_error"),
        ("//Courses/../CS101", "validation_error"),
    ] {
        let (status, error) = api
            .rpc(
                "file_requests/create",
                json!({"title": "t", "destination": destination}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{destination}: {error}");
        assert_eq!(error["error"][".tag"], tag, "{destination}");
    }
}

// ---------------------------------------------------------------------------------------
// The token endpoint as Dropbox's: uid in every exchange, HTTP Basic, /1/oauth2/token

/// The field names of a JSON object, sorted.
fn field_names(object: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

#[tokio::test]
async fn every_code_exchange_carries_uid_and_refreshes_carry_only_the_token() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    let (status, user) = api.exchange(&api.code("allow").await).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        field_names(&user),
        [
            "access_token",
            "account_id",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type",
            "uid"
        ]
    );
    assert_eq!(user["uid"], seeded::PROFESSOR_UID);
    assert_eq!(user["account_id"], seeded::PROFESSOR.account_id);

    // A team-linked app: uid (the official SDKs read it unconditionally) and team_id.
    let (status, team) = api.exchange(&api.code("allow_team").await).await;
    assert_eq!(status, StatusCode::OK, "{team}");
    assert_eq!(
        field_names(&team),
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "scope",
            "team_id",
            "token_type",
            "uid"
        ]
    );
    assert_eq!(team["uid"], seeded::PROFESSOR_UID);
    assert_eq!(team["team_id"], seeded::TEAM_ID);

    for tokens in [&user, &team] {
        let (status, minted) = api
            .refresh(tokens["refresh_token"].as_str().expect("offline access"))
            .await;
        assert_eq!(status, StatusCode::OK, "{minted}");
        assert_eq!(
            field_names(&minted),
            ["access_token", "expires_in", "token_type"]
        );
    }
}

/// The approval URL of an app that signs in with its secret instead of PKCE.
fn confidential_authorize_url(api: &Api, app_key: &str) -> String {
    format!(
        "{}/oauth2/authorize?response_type=code&client_id={app_key}&token_access_type=offline",
        api.base_url
    )
}

#[tokio::test]
async fn the_token_endpoint_takes_the_app_secret_by_http_basic_like_dropbox() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);

    // Without PKCE an app the emulator holds no secret for cannot start.
    let unknown = api
        .client
        .get(confidential_authorize_url(&api, "appkey2"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(unknown.text().await.unwrap().contains("register_app"));

    let (status, registered) = api
        .control(
            "oauth",
            json!({"register_app": {"app_key": "appkey2", "app_secret": "s3cret"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{registered}");

    // Dropbox's OAuth guide: curl -d code=.. -d grant_type=authorization_code -u KEY:SECRET
    let code = api
        .code_at(&confidential_authorize_url(&api, "appkey2"), "allow")
        .await;
    let (status, tokens) = api
        .token_call_at(
            "/oauth2/token",
            Some(("appkey2", "s3cret")),
            &[("code", &code), ("grant_type", "authorization_code")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["uid"], seeded::PROFESSOR_UID);
    let refresh = tokens["refresh_token"].as_str().expect("offline access");
    let (status, account) = api
        .with_token(tokens["access_token"].as_str().unwrap())
        .rpc("users/get_current_account", Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");

    let (status, minted) = api
        .token_call_at(
            "/oauth2/token",
            Some(("appkey2", "s3cret")),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{minted}");
    // The secret in the form works as well as in the header.
    let (status, minted) = api
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "appkey2"),
            ("client_secret", "s3cret"),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{minted}");

    // A wrong secret, by header or form: Dropbox's invalid_client.
    for (basic, form_secret) in [(Some(("appkey2", "wrong")), None), (None, Some("wrong"))] {
        let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", refresh)];
        if let Some(secret) = form_secret {
            form.extend([("client_id", "appkey2"), ("client_secret", secret)]);
        }
        let (status, error) = api.token_call_at("/oauth2/token", basic, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(oauth_error(&error), "invalid_client", "{error}");
        assert_eq!(
            error["error_description"],
            "Invalid client_id or client_secret"
        );
    }

    // What was granted to a secret needs the secret: the key alone proves nothing.
    let (status, error) = api
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", "appkey2"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(oauth_error(&error), "invalid_request");
    assert_eq!(
        error["error_description"],
        "No auth function available for given request"
    );
    let code = api
        .code_at(&confidential_authorize_url(&api, "appkey2"), "allow")
        .await;
    let (status, error) = api
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "appkey2"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(oauth_error(&error), "invalid_request");

    // A PKCE app may authenticate too; its verifier is still checked.
    let (status, registered) = api
        .control(
            "oauth",
            json!({"register_app": {"app_key": "appkey1", "app_secret": "other"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    let code = api.code("allow").await;
    let (status, tokens) = api
        .token_call_at(
            "/oauth2/token",
            Some(("appkey1", "other")),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    // The header and the form must not name two different apps.
    let (status, error) = api
        .token_call_at(
            "/oauth2/token",
            Some(("appkey1", "other")),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
                ("client_id", "appkey2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(oauth_error(&error), "invalid_request");

    let (status, refused) = api
        .control(
            "oauth",
            json!({"register_app": {"app_key": "appkey3", "app_secret": ""}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
}

#[tokio::test]
async fn older_clients_reach_the_token_endpoint_under_1() {
    let emulator = start(Seed::Empty).await;
    let api = Api::new(&emulator);
    let code = api.code("allow").await;
    let (status, tokens) = api
        .token_call_at(
            "/1/oauth2/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", "appkey1"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["uid"], seeded::PROFESSOR_UID);
    let (status, minted) = api
        .token_call_at(
            "/1/oauth2/token",
            None,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
                ("client_id", "appkey1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{minted}");
    let (status, error) = api
        .token_call_at(
            "/1/oauth2/token",
            None,
            &[("grant_type", "refresh_token"), ("client_id", "appkey1")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&error), "invalid_request");
    assert_eq!(emulator.oauth_stats().code_exchanges, 1);
}
