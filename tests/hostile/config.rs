//! A neighbour on the lab machine listening on a loopback port, and the professor's sign-in:
//! a one-off `--api-base` (or one left in the config file) never receives the refresh
//! token or a stored access token, and the credentials file never loses an update.

use std::io::Write as _;
use std::process::Stdio;

use serde_json::json;

use super::hostile_server::{Answer, Hostile};
use super::{Home, Output, run};

const DROPBOX_REFRESH: &str = "dropbox-refresh-secret";

/// Writes the credentials file (mode 0600) with `text`.
fn credentials(home: &Home, text: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let data = home.data_dir();
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let path = data.join("credentials.toml");
    std::fs::write(&path, text).expect("credentials");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

/// A sign-in with Dropbox itself, as files written before handin kept the server say it.
fn dropbox_sign_in(home: &Home) -> std::path::PathBuf {
    credentials(
        home,
        &format!("app_key = \"abc123\"\nauthorization = \"2&{DROPBOX_REFRESH}\"\n"),
    )
}

/// `handin ARGS --api-base BASE`, with the home's files and no token from the environment.
async fn against(home: &Home, base: &str, args: &[&str]) -> Output {
    let mut command = home.bare_command(args);
    command.arg("--api-base").arg(base);
    run(command).await
}

/// The token endpoint and the revoke route of a server that issued a sign-in.
fn issuing(server: &Hostile) {
    server.answer(
        "oauth2/token",
        Answer::Json(json!({
            "access_token": "sl.minted-by-the-issuer",
            "token_type": "bearer",
            "expires_in": 14400,
            "refresh_token": "issuer-refresh-secret",
            "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
        })),
    );
    server.answer("auth/token/revoke", Answer::Json(serde_json::Value::Null));
}

fn assert_refused_unsent(output: &Output, server: &Hostile, what: &str) {
    assert_eq!(output.code, 2, "{what}: {output:?}");
    assert!(
        server.received().is_empty(),
        "{what}: the server received {:?}",
        server.received()
    );
    assert!(
        !output.stderr.contains(DROPBOX_REFRESH),
        "{what}: {output:?}"
    );
}

#[tokio::test]
async fn a_one_off_api_base_never_receives_the_dropbox_sign_in() {
    let server = Hostile::start().await;
    let base = server.base_url();
    let home = Home::new(&base);
    let file = dropbox_sign_in(&home);
    for args in [
        &["requests", "list"][..],
        &["auth", "status"],
        &["auth", "logout"],
    ] {
        let output = against(&home, &base, args).await;
        assert_refused_unsent(&output, &server, &args.join(" "));
        let way_out = if args == ["auth", "logout"] {
            "sign out of it with handin auth logout without --api-base".to_owned()
        } else {
            format!("handin --api-base {base} auth login")
        };
        assert!(
            output.stderr.contains(&way_out),
            "{args:?}: {}",
            output.stderr
        );
    }
    // Signing out through the wrong server neither revokes nor deletes: the sign-in is
    // still there for a sign-out with Dropbox.
    assert!(
        std::fs::read_to_string(&file)
            .expect("kept")
            .contains(DROPBOX_REFRESH)
    );

    // A stored access token is held to the same rule.
    credentials(&home, "access_token = \"sl.dropbox-access-secret\"\n");
    let output = against(&home, &base, &["requests", "list"]).await;
    assert_refused_unsent(&output, &server, "a stored access token");
    assert!(!output.stderr.contains("sl.dropbox-access-secret"));
}

/// What the old Settings tab left behind: `api_base` saved into the config file. The next
/// plain run refuses instead of posting the refresh token to that port.
#[tokio::test]
async fn an_api_base_left_in_the_config_file_gets_no_token() {
    let server = Hostile::start().await;
    let home = Home::new(&server.base_url());
    dropbox_sign_in(&home);
    std::fs::write(
        home.config_file(),
        format!("api_base = \"{}\"\n", server.base_url()),
    )
    .expect("config");
    let output = run(home.bare_command(&["requests", "list"])).await;
    assert_refused_unsent(&output, &server, "a plain run");
    assert!(
        output.stderr.contains("issued by Dropbox"),
        "{}",
        output.stderr
    );
}

/// A sign-in made with a server refreshes and revokes there, and nowhere else.
#[tokio::test]
async fn a_sign_in_is_refreshed_and_revoked_only_where_it_was_issued() {
    let issuer = Hostile::start().await;
    issuing(&issuer);
    let neighbour = Hostile::start().await;
    issuing(&neighbour);
    let home = Home::new(&issuer.base_url());
    let file = credentials(
        &home,
        &format!(
            "app_key = \"abc123\"\nauthorization = \"2&issuer-refresh-secret\"\napi_base = \"{}\"\n",
            issuer.base_url()
        ),
    );

    let output = against(&home, &issuer.base_url(), &["requests", "list", "--json"]).await;
    assert_eq!(output.code, 0, "{output:?}");
    let refreshed = issuer.received_on("oauth2/token");
    assert_eq!(refreshed.len(), 1, "{:?}", issuer.received());
    assert!(
        refreshed[0]
            .body
            .contains("refresh_token=issuer-refresh-secret"),
        "{:?}",
        refreshed[0]
    );
    assert_eq!(
        issuer.received_on("file_requests/list_v2")[0].header("authorization"),
        Some("Bearer sl.minted-by-the-issuer")
    );

    for args in [&["requests", "list"][..], &["auth", "logout"]] {
        let output = against(&home, &neighbour.base_url(), args).await;
        assert_eq!(output.code, 2, "{args:?}: {output:?}");
        assert!(
            neighbour.received().is_empty(),
            "{args:?}: {:?}",
            neighbour.received()
        );
        assert!(
            output.stderr.contains(&format!(
                "handin --api-base {} auth logout",
                issuer.base_url()
            )) || output.stderr.contains(&format!(
                "handin --api-base {} auth login",
                neighbour.base_url()
            )),
            "{args:?}: {}",
            output.stderr
        );
    }
    assert!(file.exists(), "a refused sign-out deletes nothing");

    let output = against(&home, &issuer.base_url(), &["auth", "logout"]).await;
    assert_eq!(output.code, 0, "{output:?}");
    let revoked = issuer.received_on("auth/token/revoke");
    assert_eq!(revoked.len(), 1, "{:?}", issuer.received());
    assert_eq!(
        revoked[0].header("authorization"),
        Some("Bearer sl.minted-by-the-issuer")
    );
    assert!(!file.exists());
}

/// `handin --api-base X auth login` keeps X with the sign-in; a later run aimed at
/// Dropbox refuses to take it there.
#[tokio::test]
async fn a_sign_in_made_with_a_server_remembers_it() {
    let server = Hostile::start().await;
    issuing(&server);
    let home = Home::new(&server.base_url());
    let mut command = home.bare_command(&["auth", "login", "--app-key", "abc123"]);
    command
        .arg("--api-base")
        .arg(server.base_url())
        .stdin(Stdio::piped());
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("handin starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"the-code\n")
            .expect("code typed");
        child.wait_with_output().expect("handin ends")
    })
    .await
    .expect("joined");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(home.data_dir().join("credentials.toml")).expect("kept");
    assert!(
        text.contains(&format!("api_base = \"{}\"", server.base_url())),
        "{text}"
    );

    let before = server.received().len();
    let output = run(home.bare_command(&["auth", "status"])).await;
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.contains(&format!(
            "issued by {} and handin sends it to no other server, so not to Dropbox",
            server.base_url()
        )),
        "{}",
        output.stderr
    );
    assert_eq!(server.received().len(), before);
}

/// `handin mail password` racing `handin auth logout`, both real processes: the sign-out
/// always stays signed out, and the password always stays stored.
#[tokio::test]
async fn a_password_stored_during_a_sign_out_never_brings_the_sign_in_back() {
    let server = Hostile::start().await;
    issuing(&server);
    let home = Home::new(&server.base_url());
    let sign_in = format!(
        "app_key = \"abc123\"\nauthorization = \"2&issuer-refresh-secret\"\napi_base = \"{}\"\n",
        server.base_url()
    );
    for round in 0..20 {
        let file = credentials(&home, &sign_in);
        let mut logout = home.bare_command(&["auth", "logout"]);
        logout.arg("--api-base").arg(server.base_url());
        let mut password = home.bare_command(&["mail", "password"]);
        password.stdin(Stdio::piped());
        let secret = format!("mail-secret-{round}");
        let (signed_out, stored) = tokio::join!(
            run(logout),
            tokio::task::spawn_blocking(move || {
                let mut child = password.spawn().expect("handin starts");
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("{secret}\n").as_bytes())
                    .expect("typed");
                child.wait_with_output().expect("handin ends")
            })
        );
        let stored = stored.expect("joined");
        assert_eq!(signed_out.code, 0, "round {round}: {signed_out:?}");
        assert_eq!(stored.status.code(), Some(0), "round {round}");
        let text = std::fs::read_to_string(&file).expect("the password keeps the file");
        assert!(
            !text.contains("authorization") && !text.contains("app_key"),
            "round {round}: the sign-in came back after the sign-out:\n{text}"
        );
        assert!(
            text.contains(&format!("smtp_password = \"mail-secret-{round}\"")),
            "round {round}: the password was lost:\n{text}"
        );
    }
}
