//! The emulator's own routes and lifecycle: control calls, its token, arrivals, shutdown.

use super::*;

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
