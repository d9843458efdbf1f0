//! The seeded Business team and `team/members/list_v2` (+ `list/continue_v2`),
//! which a team token calls to find the member to act as.
//!
//! The team is fixed: the professor and a few colleagues, one of them only
//! invited (Dropbox lists invited members too; nobody can act as them). Every
//! active member can be selected with `Dropbox-API-Select-User`; they all see
//! the one account's files and file requests (see [`super::account`]).

use dropbox_sdk::team::{
    MembersListArg, MembersListContinueArg, MembersListContinueError, MembersListV2Result,
    TeamMemberInfoV2, TeamMemberProfile, TeamMemberStatus, TeamMembershipType,
};
use serde::{Deserialize, Serialize};

use super::account::{HOME_NAMESPACE_ID, PROFESSOR, Person, TEAM_ROOT_NAMESPACE_ID};
use super::http::{Call, CallError, Reply};
use super::state::Core;
use super::wire;

/// `MembersListArg.limit` is `UInt32(min_value=1, max_value=1000)`.
const MAX_LIMIT: u32 = 1000;

/// A member of the seeded team.
pub struct Member {
    pub person: Person,
    pub active: bool,
    /// Their own namespace (the professor's is the account's home).
    folder_id: &'static str,
    joined_on: &'static str,
}

pub static MEMBERS: [Member; 5] = [
    Member {
        person: PROFESSOR,
        active: true,
        folder_id: HOME_NAMESPACE_ID,
        joined_on: "2019-08-26T09:14:02Z",
    },
    Member {
        person: Person {
            account_id: "dbid:AAC1Zq0nYw8iR3sVvJ2mLk5xT9pQe7uHbFd",
            member_id: "dbmid:AAD7Lq2VwX9sT1nR5mKp0YzJc3uHe8bGf4A",
            given_name: "Tomás",
            surname: "Ferreira",
            email: "tomas.ferreira@northbridge.example.edu",
        },
        active: true,
        folder_id: "3235702",
        joined_on: "2020-01-13T08:02:45Z",
    },
    Member {
        person: Person {
            account_id: "dbid:AAB8uK3cXe1wQ7rT0yPz5nLm9vJd2sHgF6a",
            member_id: "dbmid:AAE2pR8sK0wV4tY6nM1qLz9XcJ5uHb3Gd7B",
            given_name: "Amara",
            surname: "Okafor",
            email: "amara.okafor@northbridge.example.edu",
        },
        active: true,
        folder_id: "3235788",
        joined_on: "2021-09-01T07:30:00Z",
    },
    Member {
        person: Person {
            account_id: "dbid:AAA4mN7bVc2xZ9qW1eRt6yUi3oPl8kJh5Gs",
            member_id: "dbmid:AAF9kS3dL7qW2eR0tY5uI8oPz1xCv6bNm4C",
            given_name: "Priya",
            surname: "Raman",
            email: "priya.raman@northbridge.example.edu",
        },
        active: true,
        folder_id: "3235811",
        joined_on: "2022-02-14T10:45:12Z",
    },
    Member {
        person: Person {
            account_id: "dbid:AAD2hG5fD8sA1pO4iU7yT0rE3wQ6zX9cVbN",
            member_id: "dbmid:AAG3nB6vC9xZ2lK5jH8gF1dS4aP7oI0uY2D",
            given_name: "Jonas",
            surname: "Weber",
            email: "jonas.weber@northbridge.example.edu",
        },
        active: false,
        folder_id: "3235902",
        joined_on: "",
    },
];

/// The active member a `Dropbox-API-Select-User` value names, if any.
pub(crate) fn active_member(member_id: &str) -> Option<&'static Member> {
    MEMBERS
        .iter()
        .find(|member| member.active && member.person.member_id == member_id)
}

fn profile(member: &Member) -> TeamMemberProfile {
    let status = if member.active {
        TeamMemberStatus::Active
    } else {
        TeamMemberStatus::Invited
    };
    let profile = TeamMemberProfile::new(
        member.person.member_id.to_owned(),
        member.person.email.to_owned(),
        member.active,
        status,
        member.person.name(),
        TeamMembershipType::Full,
        Vec::new(),
        member.folder_id.to_owned(),
        TEAM_ROOT_NAMESPACE_ID.to_owned(),
    );
    if member.active {
        profile
            .with_account_id(member.person.account_id.to_owned())
            .with_joined_on(member.joined_on.to_owned())
    } else {
        profile
    }
}

/// Where the next page starts; opaque to clients.
#[derive(Serialize, Deserialize)]
struct Cursor {
    next: usize,
    limit: u32,
}

fn page(next: usize, limit: u32) -> MembersListV2Result {
    let end = (next + limit as usize).min(MEMBERS.len());
    let members = MEMBERS[next.min(end)..end]
        .iter()
        .map(|member| TeamMemberInfoV2::new(profile(member)))
        .collect();
    MembersListV2Result::new(
        members,
        wire::encode_cursor(&Cursor { next: end, limit }),
        end < MEMBERS.len(),
    )
}

pub(crate) fn members_list(_core: &Core, call: &Call) -> Result<Reply, CallError> {
    let arg: MembersListArg = call.arg()?;
    if !(1..=MAX_LIMIT).contains(&arg.limit) {
        return Err(call.invalid(format!(
            "limit: value must be between 1 and {MAX_LIMIT}, got {}",
            arg.limit
        )));
    }
    Ok(Reply::json(&page(0, arg.limit)))
}

pub(crate) fn members_list_continue(_core: &Core, call: &Call) -> Result<Reply, CallError> {
    let arg: MembersListContinueArg = call.arg()?;
    let cursor: Cursor = wire::decode_cursor(&arg.cursor)
        .filter(|cursor: &Cursor| cursor.next <= MEMBERS.len() && cursor.limit >= 1)
        .ok_or_else(|| CallError::route(MembersListContinueError::InvalidCursor))?;
    Ok(Reply::json(&page(cursor.next, cursor.limit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_page_through_and_only_active_ones_can_be_selected() {
        let first = page(0, 2);
        assert_eq!(first.members.len(), 2);
        assert!(first.has_more);
        assert_eq!(first.members[0].profile.team_member_id, PROFESSOR.member_id);
        let rest = page(2, 10);
        assert_eq!(rest.members.len(), 3);
        assert!(!rest.has_more);
        assert!(active_member(PROFESSOR.member_id).is_some());
        assert!(
            active_member(MEMBERS[4].person.member_id).is_none(),
            "invited"
        );
        assert!(active_member("dbmid:nobody").is_none());
        let json = wire::to_json(&rest);
        assert_eq!(json["members"][2]["profile"]["status"][".tag"], "invited");
        assert_eq!(
            json["members"][0]["profile"]["name"]["display_name"],
            "Amara Okafor"
        );
    }
}
