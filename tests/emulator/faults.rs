//! Injected faults and damaged download bodies.

use super::*;

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
