//! files/*: long polls, downloads, folders and zips, the team root.

use super::*;

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
