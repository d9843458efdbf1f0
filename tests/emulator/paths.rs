//! Paths as Dropbox reads them: repeated slashes collapse (rclone sends "//Folder").

use super::*;

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
