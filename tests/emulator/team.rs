//! Team tokens: members on user routes, the member list.

use super::*;

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
