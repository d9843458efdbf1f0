//! Who the emulated user is (`users/get_current_account`), token revocation,
//! and `check/user`.
//!
//! The account belongs to a professor, Inés Carvalho. On a business account she
//! is a member of the team "Northbridge University" (see [`super::team`]); a team
//! token acting as another member sees that member's name and ids, but the same
//! files and file requests (the emulator keeps one account's data).

use dropbox_sdk::check::{EchoArg, EchoResult};
use dropbox_sdk::common::{RootInfo, TeamRootInfo, UserRootInfo};
use dropbox_sdk::team_policies::{
    DefaultLinkExpirationDaysPolicy, EnforceLinkPasswordPolicy, GroupCreation, OfficeAddInPolicy,
    SharedFolderBlanketLinkRestrictionPolicy, SharedFolderJoinPolicy, SharedFolderMemberPolicy,
    SharedLinkCreatePolicy, SharedLinkDefaultPermissionsPolicy, TeamSharingPolicies,
    TopLevelContentPolicy,
};
use dropbox_sdk::users::{FullAccount, FullTeam, Name};
use dropbox_sdk::users_common::AccountType;
use serde_json::Value;

use super::http::{Call, CallError, Reply};
use super::state::Core;

/// The namespace of the user's own files. For basic and pro accounts it is
/// also the root; paths with `ns:` name it.
pub(crate) const HOME_NAMESPACE_ID: &str = "3235641";
/// The team space a business account's root sits in, with the user's home
/// folder inside it at [`home_path`].
pub const TEAM_ROOT_NAMESPACE_ID: &str = "7190524866";
pub const TEAM_ID: &str = "dbtid:AAC9lG7WqMoIp1bq6pBJKm3XnJ7Uj1x2bOc";
pub(crate) const TEAM_NAME: &str = "Northbridge University";
/// `check/user`'s `query` is a `String(max_length=500)`.
const MAX_ECHO_QUERY: usize = 500;

/// Someone with a Dropbox account (and, on the team, a member id).
pub struct Person {
    pub account_id: &'static str,
    pub member_id: &'static str,
    pub given_name: &'static str,
    pub surname: &'static str,
    pub email: &'static str,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }

    pub(crate) fn name(&self) -> Name {
        let initials: String = [self.given_name, self.surname]
            .iter()
            .filter_map(|part| part.chars().next())
            .collect();
        Name::new(
            self.given_name.to_owned(),
            self.surname.to_owned(),
            self.given_name.to_owned(),
            self.display_name(),
            initials,
        )
    }

    /// The member's home folder under the team root: Dropbox names it after them.
    fn home_path(&self) -> String {
        format!("/{}", self.display_name())
    }
}

/// The professor's API v1 user id: Dropbox still sends it as `uid` in every
/// code exchange, and the official SDKs still read it.
pub const PROFESSOR_UID: &str = "40291838";

/// The owner of the emulated account.
pub const PROFESSOR: Person = Person {
    account_id: "dbid:AADbW4Nm0rXJkq7u2Cq8KTGxu0HTnsi3Cx8",
    member_id: "dbmid:AAHhy7WsR0x-u4ZCqiDl5Fz5zvuL3kmspwU",
    given_name: "Inés",
    surname: "Carvalho",
    email: "ines.carvalho@northbridge.example.edu",
};

/// `common.RootInfo` as Dropbox reports it: a business member of a team with
/// its own space gets `TeamRootInfo` (root and home differ); anyone else gets
/// `UserRootInfo`, whose root is the home.
pub(crate) fn root_info(account_type: &AccountType) -> RootInfo {
    root_info_of(account_type, &PROFESSOR)
}

fn root_info_of(account_type: &AccountType, person: &Person) -> RootInfo {
    match account_type {
        AccountType::Business => RootInfo::Team(TeamRootInfo::new(
            root_namespace_id(account_type).to_owned(),
            HOME_NAMESPACE_ID.to_owned(),
            person.home_path(),
        )),
        _ => RootInfo::User(UserRootInfo::new(
            root_namespace_id(account_type).to_owned(),
            HOME_NAMESPACE_ID.to_owned(),
        )),
    }
}

/// Whether the account can reach namespace `id` (for `ns:` paths and
/// `Dropbox-API-Path-Root`'s `namespace_id`): its home, and its team space if
/// it has one.
pub(crate) fn can_access_namespace(account_type: &AccountType, id: &str) -> bool {
    id == HOME_NAMESPACE_ID || id == root_namespace_id(account_type)
}

/// `RootInfo.root_namespace_id`: what `Dropbox-API-Path-Root`'s `root` must name.
pub(crate) fn root_namespace_id(account_type: &AccountType) -> &'static str {
    match account_type {
        AccountType::Business => TEAM_ROOT_NAMESPACE_ID,
        _ => HOME_NAMESPACE_ID,
    }
}

pub(crate) fn full_account(account_type: AccountType) -> FullAccount {
    full_account_of(account_type, &PROFESSOR)
}

fn full_account_of(account_type: AccountType, person: &Person) -> FullAccount {
    let business = account_type == AccountType::Business;
    let account = FullAccount::new(
        person.account_id.to_owned(),
        person.name(),
        person.email.to_owned(),
        true,
        false,
        "en".to_owned(),
        "https://www.dropbox.com/referrals/AADx4Jf2q8nZ1dQwZ7bqRk0yI1c4w5nB2oE?src=global9"
            .to_owned(),
        false,
        account_type.clone(),
        root_info_of(&account_type, person),
    )
    .with_country("PT".to_owned());
    if business {
        account
            .with_team(team())
            .with_team_member_id(person.member_id.to_owned())
    } else {
        account
    }
}

fn team() -> FullTeam {
    let policies = TeamSharingPolicies::new(
        SharedFolderMemberPolicy::Anyone,
        SharedFolderJoinPolicy::FromAnyone,
        SharedLinkCreatePolicy::DefaultPublic,
        GroupCreation::AdminsOnly,
        SharedFolderBlanketLinkRestrictionPolicy::Anyone,
        EnforceLinkPasswordPolicy::Optional,
        DefaultLinkExpirationDaysPolicy::None,
        SharedLinkDefaultPermissionsPolicy::Default,
    );
    FullTeam::new(
        TEAM_ID.to_owned(),
        TEAM_NAME.to_owned(),
        policies,
        OfficeAddInPolicy::Enabled,
        TopLevelContentPolicy::AdminOnly,
    )
}

/// The signed-in user, or with a team token the member it acts as (always a
/// business account then).
pub(crate) fn get_current_account(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    if let Some(member) = call.member() {
        return Ok(Reply::json(&full_account_of(AccountType::Business, member)));
    }
    let account_type = core.read(|store| store.account_type.clone());
    Ok(Reply::json(&full_account(account_type)))
}

/// After this the token is refused with `invalid_access_token`, as Dropbox
/// refuses a revoked one; for a token minted from a refresh token, the refresh
/// token and every token minted from it die too.
pub(crate) fn revoke(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    core.revoke(call.bearer());
    Ok(Reply::Json(Value::Null))
}

pub(crate) fn check_user(call: &Call) -> Result<Reply, CallError> {
    let args: EchoArg = call.arg()?;
    if args.query.chars().count() > MAX_ECHO_QUERY {
        return Err(call.invalid(format!("query: longer than {MAX_ECHO_QUERY} character(s)")));
    }
    Ok(Reply::json(&EchoResult::default().with_result(args.query)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::wire;

    #[test]
    fn business_accounts_carry_their_team_and_team_root() {
        let account = wire::to_json(&full_account(AccountType::Business));
        assert_eq!(account["account_type"][".tag"], "business");
        assert_eq!(account["team"]["name"], "Northbridge University");
        assert!(
            account["team_member_id"]
                .as_str()
                .unwrap()
                .starts_with("dbmid:")
        );
        assert_eq!(
            account["root_info"],
            serde_json::json!({
                ".tag": "team",
                "root_namespace_id": TEAM_ROOT_NAMESPACE_ID,
                "home_namespace_id": HOME_NAMESPACE_ID,
                "home_path": "/Inés Carvalho",
            })
        );

        let pro = wire::to_json(&full_account(AccountType::Pro));
        assert!(pro.get("team").is_none());
        assert_eq!(
            pro["root_info"],
            serde_json::json!({
                ".tag": "user",
                "root_namespace_id": HOME_NAMESPACE_ID,
                "home_namespace_id": HOME_NAMESPACE_ID,
            })
        );
        assert_eq!(pro["name"]["display_name"], "Inés Carvalho");
        assert_eq!(pro["email_verified"], true);
    }
}
