//! Signing in, staying signed in and signing out, against the local emulator: the
//! `handin auth` commands through the real binary, and the service layer's refresh,
//! re-link and team handling through `Dropbox` handles.

#[path = "support/browser.rs"]
mod browser;
#[path = "support/cli.rs"]
mod cli_runner;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use cli_runner::{Home, Output, run};
use futures::future::join_all;
use handin::credentials::{CredentialStore, Credentials, Secret};
use handin::dropbox::auth::{CODE_REFUSED, NOT_SIGNED_IN, SIGN_IN_AGAIN};
use handin::dropbox::error::TEAM_TOKEN_NEEDS_MEMBER;
use handin::dropbox::retry::RetryPolicy;
use handin::dropbox::{
    AuthMethod, ClientSettings, Dropbox, DropboxError, ErrorKind, finish_login, start_login,
};
use handin::emulator::{Emulator, EmulatorOptions, PROFESSOR_MEMBER_ID, Seed};
use tokio::sync::mpsc;

const APP_KEY: &str = "handintest01";
const PROFESSOR: &str = "Inés Carvalho <ines.carvalho@northbridge.example.edu>";

// ---------------------------------------------------------------------------------------
// Set-up

fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn emulator_with(lifetime: Duration) -> Emulator {
    install_crypto();
    Emulator::start(
        "127.0.0.1:0".parse().expect("address"),
        EmulatorOptions {
            seed: Seed::Empty,
            access_token_lifetime: lifetime,
            ..EmulatorOptions::default()
        },
    )
    .await
    .expect("emulator starts")
}

async fn emulator() -> Emulator {
    emulator_with(Duration::from_secs(14_400)).await
}

fn settings(emulator: &Emulator) -> ClientSettings {
    ClientSettings {
        api_base: Some(emulator.base_url().to_owned()),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            total_budget: Duration::from_secs(5),
        },
        ..ClientSettings::default()
    }
}

fn expect_error<T: std::fmt::Debug>(result: Result<T, DropboxError>) -> DropboxError {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// Signs in through the service layer, as the Settings tab does.
async fn sign_in(emulator: &Emulator, decision: &str) -> Credentials {
    let settings = settings(emulator);
    let start = start_login(APP_KEY, &settings).expect("authorize url");
    let code = browser::approve_in_browser(&start.url, decision).await;
    finish_login(&start, &format!("  {code}\n"), &settings)
        .await
        .expect("signed in")
}

fn refresh_token_of(credentials: &Credentials) -> String {
    match credentials {
        Credentials::OAuth { saved, .. } => saved
            .expose()
            .strip_prefix("2&")
            .expect("a saved refresh token")
            .to_owned(),
        Credentials::Token { .. } => panic!("not an OAuth sign-in"),
    }
}

// ---------------------------------------------------------------------------------------
// The binary

/// A private home for one CLI session: config file, data folder, log.
struct Session {
    home: Home,
}

impl Session {
    fn new(emulator: &Emulator) -> Session {
        Session {
            home: Home::new(emulator.base_url()),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.home.data_dir()
    }

    fn credentials(&self) -> PathBuf {
        self.data_dir().join("credentials.toml")
    }

    /// `handin ARGS` with the home given by flags, signed in only by what it stores.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.home.bare_command(args);
        command
            .arg("--config")
            .arg(self.home.config_file())
            .arg("--data-dir")
            .arg(self.data_dir())
            .arg("--api-base")
            .arg(&self.home.api_base)
            .arg("--verbose")
            // Everything goes to the log, so a token that leaks anywhere shows up there.
            .env("HANDIN_LOG", "trace")
            // The flags, not the environment, say where the home is.
            .env_remove("HANDIN_CONFIG")
            .env_remove("HANDIN_DATA_DIR");
        command
    }

    /// Runs `handin ARGS` to the end with nothing on stdin.
    async fn run(&self, args: &[&str]) -> Output {
        run(self.command(args)).await
    }

    /// `handin auth login ARGS`, answering its prompt with what `answer` makes of the
    /// authorize URL it printed.
    async fn login<F, Fut>(&self, args: &[&str], answer: F) -> Output
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = String>,
    {
        let mut all = vec!["auth", "login"];
        all.extend_from_slice(args);
        let mut child = self
            .command(&all)
            .stdin(Stdio::piped())
            .spawn()
            .expect("handin starts");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, mut received) = mpsc::unbounded_channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = Vec::new();
        let url = loop {
            let line = tokio::time::timeout(Duration::from_secs(20), received.recv())
                .await
                .expect("handin prints the authorize URL in time")
                .expect("handin printed the URL before ending");
            printed.push(line.clone());
            if let Some(url) = line.trim().strip_prefix(&self.home.api_base) {
                break format!("{}{url}", self.home.api_base);
            }
        };
        let code = answer(url).await;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{code}\n").as_bytes())
            .expect("the code is typed");
        drop(stdin);
        let output = tokio::task::spawn_blocking(move || {
            let output = child.wait_with_output().expect("handin ends");
            reader.join().expect("reader");
            output
        })
        .await
        .expect("joined");
        while let Ok(line) = received.try_recv() {
            printed.push(line);
        }
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: printed.join("\n"),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir().join("handin.log")).unwrap_or_default()
    }

    fn leftovers(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.data_dir())
            .map(|entries| {
                entries
                    .map(|entry| {
                        entry
                            .expect("entry")
                            .file_name()
                            .to_string_lossy()
                            .into_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_status_logout_through_the_binary() {
    let emulator = emulator().await;
    let session = Session::new(&emulator);
    let code = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = std::sync::Arc::clone(&code);

    let login = session
        .login(&["--app-key", APP_KEY], |url| async move {
            assert!(url.contains("code_challenge_method=S256"), "{url}");
            assert!(url.contains("token_access_type=offline"), "{url}");
            assert!(url.contains(&format!("client_id={APP_KEY}")), "{url}");
            let code = browser::approve_in_browser(&url, "allow").await;
            *seen.lock().expect("lock") = code.clone();
            code
        })
        .await;
    assert_eq!(login.code, 0, "{}\n{}", login.stdout, login.stderr);
    assert!(
        login.stdout.contains(&format!(
            "Signed in as {PROFESSOR} (Pro) with OAuth; handin refreshes access by itself."
        )),
        "{}",
        login.stdout
    );
    assert!(login.stdout.contains("Paste the code Dropbox shows: "));
    assert_eq!(login.stderr, "");
    let stats = emulator.oauth_stats();
    assert_eq!(
        (stats.code_exchanges, stats.refreshes),
        (1, 0),
        "the account was read with the token of the exchange: {stats:?}"
    );

    // The credentials file: private, atomic (nothing else left behind), holding the
    // refresh token and no access token.
    let credentials = session.credentials();
    #[cfg(unix)]
    assert_eq!(mode(&credentials), 0o600);
    assert_eq!(
        session.leftovers(),
        [".credentials.toml.lock", "credentials.toml", "handin.log"]
    );
    let text = std::fs::read_to_string(&credentials).expect("credentials");
    assert!(text.contains(&format!("app_key = \"{APP_KEY}\"")), "{text}");
    assert!(!text.contains("access_token"), "{text}");
    assert!(!text.contains("sl.emu."), "{text}");
    // The server that issued the sign-in, the only one it is ever sent to.
    assert!(
        text.contains(&format!(
            "api_base = \"{}\"",
            emulator.base_url().trim_end_matches('/')
        )),
        "{text}"
    );
    let stored = CredentialStore::new(credentials.clone())
        .load()
        .expect("readable")
        .expect("signed in");
    let refresh_token = refresh_token_of(&stored);
    assert!(text.contains(&format!("authorization = \"2&{refresh_token}\"")));
    assert!(emulator.refresh_token_is_live(&refresh_token));

    let status = session.run(&["auth", "status"]).await;
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    assert!(
        status
            .stdout
            .contains(&format!("Signed in as {PROFESSOR} (Pro).")),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains(&format!("Method: OAuth 2 with app key {APP_KEY}")),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("lasts until"), "{}", status.stdout);

    let logout = session.run(&["auth", "logout"]).await;
    assert_eq!(logout.code, 0, "{}\n{}", logout.stdout, logout.stderr);
    assert!(logout.stdout.contains("Signed out"), "{}", logout.stdout);
    assert!(!credentials.exists());
    assert!(
        !emulator.refresh_token_is_live(&refresh_token),
        "logging out revokes the sign-in at Dropbox"
    );

    let status = session.run(&["auth", "status"]).await;
    assert_eq!(status.code, 1);
    assert!(
        status.stdout.starts_with("Not signed in."),
        "{}",
        status.stdout
    );
    let again = session.run(&["auth", "logout"]).await;
    assert_eq!(again.code, 0, "signing out twice is fine");

    // Nothing secret reached the log of any of these sessions.
    let log = session.log();
    assert!(log.contains("handin auth"), "the log was written: {log}");
    let code = code.lock().expect("lock").clone();
    for secret in [refresh_token.as_str(), "sl.emu.", code.as_str()] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_refuses_bad_input_with_one_sentence() {
    let emulator = emulator().await;
    let session = Session::new(&emulator);

    // No app key at all: exit 2 before anything is printed for the browser.
    let output = session.run(&["auth", "login"]).await;
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("app_key"), "{}", output.stderr);
    assert!(output.stderr.contains("--app-key"), "{}", output.stderr);
    assert_eq!(output.stderr.trim().lines().count(), 1, "{}", output.stderr);

    // A wrong code: Dropbox refuses, exit 1, nothing saved.
    let output = session
        .login(&["--app-key", APP_KEY], |_| async {
            "not-the-code".to_owned()
        })
        .await;
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains("Dropbox did not accept that code"),
        "{}",
        output.stderr
    );
    assert!(
        !output.stderr.contains("invalid_grant"),
        "{}",
        output.stderr
    );
    assert!(!session.credentials().exists());

    // No code typed (end of input): exit 2.
    let output = session
        .login(&["--app-key", APP_KEY], |_| async { String::new() })
        .await;
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains("no code was entered"),
        "{}",
        output.stderr
    );

    // A credentials file other users can read is refused, with the fix.
    std::fs::create_dir_all(session.data_dir()).expect("data dir");
    std::fs::write(
        session.credentials(),
        format!(
            "access_token = \"sl.pasted-secret\"\napi_base = \"{}\"\n",
            emulator.base_url()
        ),
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            session.credentials(),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        let output = session.run(&["auth", "status"]).await;
        assert_eq!(output.code, 2, "{}", output.stderr);
        assert!(
            output
                .stderr
                .contains(&format!("chmod 600 {}", session.credentials().display())),
            "{}",
            output.stderr
        );
        assert!(!output.stderr.contains("sl.pasted-secret"));
    }

    // A garbage token: Dropbox refuses it, exit 1, and the sentence says what to do.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            session.credentials(),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
    }
    let output = session.run(&["auth", "status"]).await;
    assert_eq!(output.code, 1, "{}\n{}", output.stdout, output.stderr);
    assert!(
        output
            .stderr
            .contains("Dropbox no longer accepts this access token"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("handin auth login"),
        "{}",
        output.stderr
    );
    assert!(
        output.stdout.contains("pasted from the App Console"),
        "{}",
        output.stdout
    );

    // HANDIN_TOKEN wins over the file, and is never written to it.
    let mut command = session.command(&["auth", "status"]);
    command.env("HANDIN_TOKEN", emulator.token());
    let output = tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .expect("joined");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("HANDIN_TOKEN"), "{stdout}");
    let text = std::fs::read_to_string(session.credentials()).expect("credentials");
    assert!(!text.contains(emulator.token()), "{text}");

    let log = session.log();
    assert!(!log.contains("sl.pasted-secret"), "{log}");
    assert!(!log.contains(emulator.token()), "{log}");
}

// ---------------------------------------------------------------------------------------
// The service layer

#[tokio::test]
async fn an_oauth_handle_refreshes_before_expiry_and_on_expiry() {
    let emulator = emulator_with(Duration::from_secs(2)).await;
    let credentials = sign_in(&emulator, "allow").await;
    let dropbox = Dropbox::from_credentials(settings(&emulator), &credentials).expect("handle");
    assert_eq!(dropbox.auth_status().method, AuthMethod::OAuth);
    assert_eq!(dropbox.auth_status().expires_at, None, "nothing minted yet");

    // A long-running session: calls every 200 ms for 5 s, each of them working, the
    // token renewed ahead of its expiry every 1.5 s.
    let started = tokio::time::Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        assert_eq!(dropbox.count_requests().await.expect("count"), 0);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stats = emulator.oauth_stats();
    assert!(stats.refreshes >= 3, "{stats:?}");
    assert_eq!(
        stats.expired_rejections, 0,
        "renewed before expiry: {stats:?}"
    );
    let status = dropbox.auth_status();
    assert_eq!(status.is_team_token, Some(false));
    let expires_at = status.expires_at.expect("an expiry");
    let left = expires_at - chrono::Utc::now();
    assert!(
        left <= chrono::Duration::seconds(2) && left > chrono::Duration::zero(),
        "{left:?}"
    );

    // Dropbox expires the token early: the call that meets expired_access_token renews
    // it once and goes through, and so do calls racing it, with one renewal between them.
    emulator.set_access_token_lifetime(Duration::from_secs(3600));
    emulator.expire_access_tokens();
    let before = emulator.oauth_stats();
    let results = join_all((0..6).map(|_| dropbox.count_requests())).await;
    for result in results {
        assert_eq!(result.expect("count after a renewal"), 0);
    }
    let after = emulator.oauth_stats();
    assert_eq!(
        after.refreshes,
        before.refreshes + 1,
        "{before:?} {after:?}"
    );
    assert!(after.expired_rejections >= 1, "{after:?}");
    // The stored credentials did not change: the refresh token stays the same.
    assert_eq!(
        dropbox.saved_authorization().await.as_deref(),
        Some(match &credentials {
            Credentials::OAuth { saved, .. } => saved.expose(),
            Credentials::Token { .. } => unreachable!(),
        })
    );
}

#[tokio::test]
async fn a_sign_in_revoked_elsewhere_asks_to_sign_in_again() {
    let emulator = emulator().await;
    let credentials = sign_in(&emulator, "allow").await;
    let dropbox = Dropbox::from_credentials(settings(&emulator), &credentials).expect("handle");
    dropbox.current_account().await.expect("works at first");

    // Removed under Connected apps at dropbox.com.
    emulator.revoke_refresh_tokens();
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Auth);
    assert!(error.needs_sign_in());
    assert_eq!(error.sentence(), SIGN_IN_AGAIN);

    // The next start of handin refreshes with the dead refresh token: invalid_grant.
    let restarted = Dropbox::from_credentials(settings(&emulator), &credentials).expect("handle");
    let error = expect_error(restarted.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Auth);
    assert_eq!(error.tag(), Some("invalid_grant"));
    assert_eq!(
        error.sentence(),
        "Dropbox no longer accepts handin's sign-in; sign in again (handin auth login, or \
         Settings in the TUI)."
    );
    assert!(!error.detail().contains(&refresh_token_of(&credentials)));
}

#[tokio::test]
async fn a_team_token_needs_a_member_and_then_carries_it() {
    let emulator = emulator().await;
    let team_token = Credentials::Token {
        access_token: Secret::new(emulator.team_token()),
        api_base: Some(emulator.base_url().to_owned()),
    };
    let dropbox = Dropbox::from_credentials(settings(&emulator), &team_token).expect("handle");
    assert_eq!(dropbox.auth_status().is_team_token, None, "not known yet");

    let error = expect_error(dropbox.list_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Settings);
    assert_eq!(
        error.sentence(),
        "This is a team token: choose the member to act as (--as-member, or Settings in the TUI)."
    );
    assert_eq!(error.sentence(), TEAM_TOKEN_NEEDS_MEMBER);
    assert_eq!(dropbox.auth_status().is_team_token, Some(true));

    let members = dropbox.team_members().await.expect("members");
    let names: Vec<&str> = members.iter().map(|member| member.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Amara Okafor",
            "Inés Carvalho",
            "Priya Raman",
            "Tomás Ferreira"
        ],
        "active members, by name"
    );
    assert!(
        members
            .iter()
            .all(|member| member.member_id.starts_with("dbmid:"))
    );

    // A clone made before the change acts as the member too: one identity per handle.
    let task_copy = dropbox.clone();
    dropbox
        .set_team_context(Some(PROFESSOR_MEMBER_ID.to_owned()), None)
        .expect("member set");
    assert_eq!(task_copy.count_requests().await.expect("count"), 0);
    let account = dropbox.current_account().await.expect("account");
    assert_eq!(account.email, "ines.carvalho@northbridge.example.edu");
    assert_eq!(account.team_member_id.as_deref(), Some(PROFESSOR_MEMBER_ID));

    // The header follows the choice: another member sees their own account.
    let tomas = members
        .iter()
        .find(|member| member.name == "Tomás Ferreira")
        .expect("Tomás");
    dropbox
        .set_team_context(Some(tomas.member_id.clone()), None)
        .expect("member set");
    let account = dropbox.current_account().await.expect("account");
    assert_eq!(account.email, tomas.email);
    assert_eq!(dropbox.auth_status().is_team_token, Some(true));

    // The team space as Path-Root works; a stale one is explained.
    let root = match &account.root_info {
        dropbox_sdk::common::RootInfo::Team(team) => team.root_namespace_id.clone(),
        other => panic!("a member has a team root: {other:?}"),
    };
    dropbox
        .set_team_context(Some(tomas.member_id.clone()), Some(root))
        .expect("space set");
    dropbox
        .count_requests()
        .await
        .expect("count in the team space");
    dropbox
        .set_team_context(Some(tomas.member_id.clone()), Some("1".to_owned()))
        .expect("space set");
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::PathRoot);
    assert!(
        error.sentence().contains("Path root in Settings"),
        "{}",
        error.sentence()
    );

    // Someone not on the team, and a value that is no member id at all.
    dropbox
        .set_team_context(Some("dbmid:AAAnobody".to_owned()), None)
        .expect("well-formed");
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.tag(), Some("invalid_select_user"));
    assert!(
        error.sentence().contains("--as-member"),
        "{}",
        error.sentence()
    );
    let error = expect_error(dropbox.set_team_context(Some("Tomás".to_owned()), None));
    assert_eq!(error.kind(), &ErrorKind::Settings);

    // Cleared: back to the team sentence.
    dropbox.set_team_context(None, None).expect("cleared");
    assert_eq!(
        expect_error(dropbox.count_requests().await).sentence(),
        TEAM_TOKEN_NEEDS_MEMBER
    );
}

/// An OAuth sign-in of a team-linked app: Dropbox's refresh answers do not say whose
/// the token is, so the first team call tells.
#[tokio::test]
async fn a_team_sign_in_lists_its_members() {
    let emulator = emulator().await;
    let credentials = sign_in(&emulator, "allow_team").await;
    let dropbox = Dropbox::from_credentials(settings(&emulator), &credentials).expect("handle");
    let members = dropbox.team_members().await.expect("members");
    assert_eq!(members.len(), 4);
    assert_eq!(dropbox.auth_status().is_team_token, Some(true));
    assert_eq!(
        expect_error(dropbox.count_requests().await).sentence(),
        TEAM_TOKEN_NEEDS_MEMBER
    );
}

#[tokio::test]
async fn a_user_token_has_no_team_to_list() {
    let emulator = emulator().await;
    let dropbox = Dropbox::new(settings(&emulator), emulator.token().to_owned()).expect("handle");
    dropbox.count_requests().await.expect("count");
    assert_eq!(dropbox.auth_status().is_team_token, Some(false));
    let error = expect_error(dropbox.team_members().await);
    assert_eq!(error.kind(), &ErrorKind::Settings);
    assert!(
        error.sentence().contains("not a team"),
        "{}",
        error.sentence()
    );
}

#[tokio::test]
async fn credentials_change_in_place_and_signing_out_revokes() {
    let emulator = emulator().await;
    let dropbox = Dropbox::signed_out(settings(&emulator)).expect("handle");
    let task_copy = dropbox.clone();
    assert_eq!(dropbox.auth_status().method, AuthMethod::None);
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.kind(), &ErrorKind::Auth);
    assert_eq!(error.sentence(), NOT_SIGNED_IN);
    assert!(
        error.sentence().contains("handin auth login"),
        "{NOT_SIGNED_IN}"
    );
    dropbox.sign_out().await.expect("nothing to sign out of");

    // A pasted token.
    dropbox
        .set_credentials(Some(&Credentials::Token {
            access_token: Secret::new(format!("  {}\n", emulator.token())),
            api_base: Some(emulator.base_url().to_owned()),
        }))
        .expect("pasted");
    assert_eq!(dropbox.auth_status().method, AuthMethod::PastedToken);
    assert_eq!(task_copy.count_requests().await.expect("count"), 0);

    // Pasting garbage changes nothing.
    for garbage in ["", "two words", "tök"] {
        let error = expect_error(dropbox.set_credentials(Some(&Credentials::Token {
            access_token: Secret::new(garbage),
            api_base: Some(emulator.base_url().to_owned()),
        })));
        assert_eq!(error.kind(), &ErrorKind::Settings, "{garbage:?}");
    }
    assert_eq!(dropbox.count_requests().await.expect("still works"), 0);

    // An OAuth sign-in replaces it.
    let credentials = sign_in(&emulator, "allow").await;
    dropbox
        .set_credentials(Some(&credentials))
        .expect("signed in");
    assert_eq!(task_copy.auth_status().method, AuthMethod::OAuth);
    task_copy.current_account().await.expect("account");
    assert!(task_copy.auth_status().expires_at.is_some());

    // Signing out revokes at Dropbox, and every copy is signed out.
    dropbox.sign_out().await.expect("signed out");
    assert!(!emulator.refresh_token_is_live(&refresh_token_of(&credentials)));
    assert_eq!(task_copy.auth_status().method, AuthMethod::None);
    assert_eq!(
        expect_error(task_copy.count_requests().await).sentence(),
        NOT_SIGNED_IN
    );

    // Signing out of a sign-in that is already dead is fine too.
    dropbox
        .set_credentials(Some(&credentials))
        .expect("the dead sign-in");
    dropbox
        .sign_out()
        .await
        .expect("already revoked counts as signed out");
    assert_eq!(dropbox.auth_status().method, AuthMethod::None);
}

#[tokio::test]
async fn bad_sign_in_input_is_refused_with_sentences() {
    let emulator = emulator().await;
    let settings = settings(&emulator);

    let error = start_login("  ", &settings).expect_err("no app key");
    assert_eq!(error.kind(), &ErrorKind::Settings);

    let start = start_login(APP_KEY, &settings).expect("url");
    let error = expect_error(finish_login(&start, "wrong-code", &settings).await);
    assert_eq!(error.kind(), &ErrorKind::Auth);
    assert_eq!(error.tag(), Some("invalid_grant"));
    assert_eq!(error.sentence(), CODE_REFUSED);
    assert!(!error.sentence().contains('{'), "never the raw JSON");

    // A code from another sign-in (another verifier) is refused too, and spent.
    let other = start_login(APP_KEY, &settings).expect("url");
    let code = browser::approve_in_browser(&other.url, "allow").await;
    let error = expect_error(finish_login(&start, &code, &settings).await);
    assert_eq!(error.sentence(), CODE_REFUSED);
    let error = expect_error(finish_login(&other, &code, &settings).await);
    assert_eq!(error.sentence(), CODE_REFUSED, "codes work once");

    // A garbage pasted token is accepted locally and refused by Dropbox.
    let dropbox = Dropbox::from_credentials(
        settings.clone(),
        &Credentials::Token {
            access_token: Secret::new("sl.garbage"),
            api_base: Some(emulator.base_url().to_owned()),
        },
    )
    .expect("handle");
    let error = expect_error(dropbox.count_requests().await);
    assert_eq!(error.tag(), Some("invalid_access_token"));
    assert!(
        error.sentence().contains("handin auth login"),
        "{}",
        error.sentence()
    );

    // Saved OAuth credentials that are not a refresh token.
    let error = expect_error(Dropbox::from_credentials(
        settings,
        &Credentials::OAuth {
            app_key: APP_KEY.to_owned(),
            saved: Secret::new("not-saved-by-handin"),
            api_base: Some(emulator.base_url().to_owned()),
        },
    ));
    assert_eq!(error.kind(), &ErrorKind::Settings);
}

#[tokio::test]
async fn signing_in_on_the_handle_uses_the_first_token() {
    let emulator = emulator().await;
    let dropbox = Dropbox::signed_out(settings(&emulator)).expect("handle");
    let task_copy = dropbox.clone();

    let start = start_login(APP_KEY, &settings(&emulator)).expect("url");
    let error = expect_error(dropbox.sign_in(&start, "wrong-code").await);
    assert_eq!(error.sentence(), CODE_REFUSED);
    assert_eq!(
        dropbox.auth_status().method,
        AuthMethod::None,
        "nothing changed"
    );

    let code = browser::approve_in_browser(&start.url, "allow").await;
    let credentials = dropbox.sign_in(&start, &code).await.expect("signed in");
    let status = task_copy.auth_status();
    assert_eq!(status.method, AuthMethod::OAuth);
    assert_eq!(
        status.is_team_token,
        Some(false),
        "the token answer said so"
    );
    let left = status.expires_at.expect("known at once") - chrono::Utc::now();
    assert!(left > chrono::Duration::seconds(14_000), "{left:?}");
    task_copy.current_account().await.expect("account");
    let stats = emulator.oauth_stats();
    assert_eq!((stats.code_exchanges, stats.refreshes), (1, 0), "{stats:?}");
    assert!(emulator.refresh_token_is_live(&refresh_token_of(&credentials)));

    // A team app's sign-in is known to be a team's before any call.
    let start = start_login(APP_KEY, &settings(&emulator)).expect("url");
    let code = browser::approve_in_browser(&start.url, "allow_team").await;
    dropbox.sign_in(&start, &code).await.expect("signed in");
    assert_eq!(dropbox.auth_status().is_team_token, Some(true));
}
