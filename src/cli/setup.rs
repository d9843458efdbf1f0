//! What the screen and every subcommand start from: the paths, the configuration with
//! this run's flags laid over the file (never written back), the credentials file and
//! the log. One `Setup::from_cli` for all of them, so a flag means the same everywhere.

use super::Cli;
use crate::config::{Config, Overrides, Paths};
use crate::credentials::{CredentialStore, Credentials, CredentialsError};
use crate::dropbox::ClientSettings;
use crate::logging;
use crate::untrusted::visible;

pub struct Setup {
    pub paths: Paths,
    /// The file's settings with `--api-base`, `--app-key` and `--as-member` on top; the
    /// demo's start from the defaults, as it never reads the professor's file.
    pub config: Config,
    pub store: CredentialStore,
}

impl Setup {
    /// Paths, config and credentials file, and the log file started; the error is one
    /// sentence for a usage failure (exit 2).
    pub fn from_cli(cli: &Cli) -> Result<Setup, String> {
        let setup = Setup::without_log(cli)?;
        let log_file = setup.paths.log_file();
        logging::init(&log_file, cli.verbose).map_err(|error| {
            format!(
                "handin cannot write its log file {}: {error}; set HANDIN_DATA_DIR to a writable folder.",
                log_file.display()
            )
        })?;
        Ok(setup)
    }

    /// [`Setup::from_cli`] before the log is started (the log is once per process).
    pub fn without_log(cli: &Cli) -> Result<Setup, String> {
        let paths =
            Paths::resolve(cli.config.clone(), cli.data_dir.clone()).map_err(|e| e.to_string())?;
        let file = if cli.demo {
            Config::default()
        } else {
            Config::load(&paths.config_file).map_err(|e| e.to_string())?
        };
        let config = overrides(cli)?.apply(&file)?;
        Ok(Setup {
            store: CredentialStore::new(paths.credentials_file()),
            paths,
            config,
        })
    }

    pub fn settings(&self) -> ClientSettings {
        self.config.client_settings()
    }

    /// `--token`/`HANDIN_TOKEN` (never written anywhere), else the credentials file;
    /// `None` when neither holds any.
    pub fn credentials(&self, cli: &Cli) -> Result<Option<Credentials>, CredentialsError> {
        credentials(cli, &self.store, &self.settings())
    }
}

/// This run's flags, which apply to it alone.
fn overrides(cli: &Cli) -> Result<Overrides, String> {
    let select_user = match &cli.as_member {
        Some(member) => {
            let member = member.trim();
            if !member.starts_with("dbmid:") {
                return Err(format!(
                    "--as-member takes a team member id starting with dbmid:, and \"{}\" is \
                     not one; the member picker in the TUI's Settings shows them.",
                    visible(member)
                ));
            }
            Some(member.to_string())
        }
        None => None,
    };
    Ok(Overrides {
        api_base: cli.api_base.clone(),
        app_key: cli.app_key.clone(),
        select_user,
    })
}

/// `--token`/`HANDIN_TOKEN` (never written anywhere, and meant for the server `settings`
/// talk to this run), else the credentials file, whose sign-in goes only to the server
/// that issued it; `None` when neither holds any.
pub(super) fn credentials(
    cli: &Cli,
    store: &CredentialStore,
    settings: &ClientSettings,
) -> Result<Option<Credentials>, CredentialsError> {
    if let Some(token) = cli.token.as_ref().filter(|token| !token.is_blank()) {
        return Ok(Some(Credentials::Token {
            access_token: token.clone(),
            // A base that does not parse fails when the client is built, with its sentence.
            api_base: settings.origin().ok().and_then(|origin| origin.api_base()),
        }));
    }
    store.load()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(args: &[&str]) -> Result<Setup, String> {
        let home = tempfile::tempdir().expect("tempdir");
        let config = home.path().join("config.toml");
        let data = home.path().join("data");
        let mut all = vec![
            "handin",
            "--config",
            config.to_str().expect("utf-8"),
            "--data-dir",
            data.to_str().expect("utf-8"),
        ];
        all.extend_from_slice(args);
        Setup::without_log(&Cli::try_parse_args(all).expect("parses"))
    }

    #[test]
    fn the_screen_and_the_subcommands_act_as_the_member_named() {
        for args in [
            &["--as-member", "dbmid:abc"][..],
            &["--as-member", "dbmid:abc", "requests", "list"],
        ] {
            let setup = setup(args).expect("sets up");
            assert_eq!(
                setup.settings().select_user.as_deref(),
                Some("dbmid:abc"),
                "{args:?}"
            );
        }
    }

    #[test]
    fn a_member_id_without_dbmid_is_refused_with_a_sentence() {
        let refused = setup(&["--as-member", "ada"]).err().expect("refused");
        assert!(refused.contains("dbmid:"), "{refused}");
        assert!(refused.ends_with('.'), "{refused}");
    }
}
