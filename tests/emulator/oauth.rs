//! Signing in: /oauth2/authorize, /oauth2/token (uid in every exchange, HTTP Basic,
//! /1/oauth2/token), expiry, revocation.

use super::*;

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
