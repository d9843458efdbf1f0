//! file_requests/*: paging, deleting, destinations.

use super::*;

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
