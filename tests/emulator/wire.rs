//! Every route's envelope: content types, error shapes, credentials, latency.

use super::*;

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
