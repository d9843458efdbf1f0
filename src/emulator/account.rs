//! Who the emulated user is (`users/get_current_account`), token revocation,
//! and `check/user`.

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
pub(crate) const TEAM_ROOT_NAMESPACE_ID: &str = "7190524866";
const ACCOUNT_ID: &str = "dbid:AADbW4Nm0rXJkq7u2Cq8KTGxu0HTnsi3Cx8";
const TEAM_MEMBER_ID: &str = "dbmid:AAHhy7WsR0x-u4ZCqiDl5Fz5zvuL3kmspwU";
const TEAM_ID: &str = "dbtid:AAC9lG7WqMoIp1bq6pBJKm3XnJ7Uj1x2bOc";
const GIVEN_NAME: &str = "Inés";
const SURNAME: &str = "Carvalho";
/// `check/user`'s `query` is a `String(max_length=500)`.
const MAX_ECHO_QUERY: usize = 500;

fn display_name() -> String {
    format!("{GIVEN_NAME} {SURNAME}")
}

/// The user's home folder under the team root: Dropbox names it after the
/// member.
fn home_path() -> String {
    format!("/{}", display_name())
}

/// `common.RootInfo` as Dropbox reports it: a business member of a team with
/// its own space gets `TeamRootInfo` (root and home differ); anyone else gets
/// `UserRootInfo`, whose root is the home.
pub(crate) fn root_info(account_type: &AccountType) -> RootInfo {
    match account_type {
        AccountType::Business => RootInfo::Team(TeamRootInfo::new(
            root_namespace_id(account_type).to_owned(),
            HOME_NAMESPACE_ID.to_owned(),
            home_path(),
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
    let name = Name::new(
        GIVEN_NAME.to_owned(),
        SURNAME.to_owned(),
        GIVEN_NAME.to_owned(),
        display_name(),
        "IC".to_owned(),
    );
    let business = account_type == AccountType::Business;
    let account = FullAccount::new(
        ACCOUNT_ID.to_owned(),
        name,
        "ines.carvalho@northbridge.example.edu".to_owned(),
        true,
        false,
        "en".to_owned(),
        "https://www.dropbox.com/referrals/AADx4Jf2q8nZ1dQwZ7bqRk0yI1c4w5nB2oE?src=global9"
            .to_owned(),
        false,
        account_type.clone(),
        root_info(&account_type),
    )
    .with_country("PT".to_owned());
    if business {
        account
            .with_team(team())
            .with_team_member_id(TEAM_MEMBER_ID.to_owned())
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
        "Northbridge University".to_owned(),
        policies,
        OfficeAddInPolicy::Enabled,
        TopLevelContentPolicy::AdminOnly,
    )
}

pub(crate) fn get_current_account(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    let account_type = core.read(|store| store.account_type.clone());
    Ok(Reply::json(&full_account(account_type)))
}

/// After this the token is refused with `invalid_access_token`, as Dropbox
/// refuses a revoked one.
pub(crate) fn revoke(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    core.revoke_token();
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
