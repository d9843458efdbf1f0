//! Who the emulated user is (`users/get_current_account`), token revocation,
//! and `check/user`.

use dropbox_sdk::check::{EchoArg, EchoResult};
use dropbox_sdk::common::{RootInfo, UserRootInfo};
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

/// The account's only namespace: its home is also its root, as for any
/// account without a separate team space.
pub(crate) const ROOT_NAMESPACE_ID: &str = "3235641";
const ACCOUNT_ID: &str = "dbid:AADbW4Nm0rXJkq7u2Cq8KTGxu0HTnsi3Cx8";
const TEAM_MEMBER_ID: &str = "dbmid:AAHhy7WsR0x-u4ZCqiDl5Fz5zvuL3kmspwU";
const TEAM_ID: &str = "dbtid:AAC9lG7WqMoIp1bq6pBJKm3XnJ7Uj1x2bOc";
/// `check/user`'s `query` is a `String(max_length=500)`.
const MAX_ECHO_QUERY: usize = 500;

pub(crate) fn root_info() -> RootInfo {
    RootInfo::User(UserRootInfo::new(
        ROOT_NAMESPACE_ID.to_owned(),
        ROOT_NAMESPACE_ID.to_owned(),
    ))
}

pub(crate) fn full_account(account_type: AccountType) -> FullAccount {
    let name = Name::new(
        "Inés".to_owned(),
        "Carvalho".to_owned(),
        "Inés".to_owned(),
        "Inés Carvalho".to_owned(),
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
        account_type,
        root_info(),
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
    fn business_accounts_carry_their_team() {
        let account = wire::to_json(&full_account(AccountType::Business));
        assert_eq!(account["account_type"][".tag"], "business");
        assert_eq!(account["team"]["name"], "Northbridge University");
        assert!(
            account["team_member_id"]
                .as_str()
                .unwrap()
                .starts_with("dbmid:")
        );
        assert_eq!(account["root_info"]["root_namespace_id"], ROOT_NAMESPACE_ID);

        let pro = wire::to_json(&full_account(AccountType::Pro));
        assert!(pro.get("team").is_none());
        assert_eq!(pro["name"]["display_name"], "Inés Carvalho");
        assert_eq!(pro["email_verified"], true);
    }
}
