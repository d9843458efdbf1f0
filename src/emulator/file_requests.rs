//! The `file_requests` namespace, and what happens when a student uploads.

use chrono::{DateTime, Duration, Utc};
use dropbox_sdk::file_requests::{
    CountFileRequestsResult, CreateFileRequestArgs, CreateFileRequestError,
    DeleteAllClosedFileRequestsResult, DeleteFileRequestArgs, DeleteFileRequestError,
    DeleteFileRequestsResult, FileRequest, FileRequestDeadline, GetFileRequestArgs,
    GetFileRequestError, GracePeriod, ListFileRequestsArg, ListFileRequestsContinueArg,
    ListFileRequestsContinueError, ListFileRequestsResult, ListFileRequestsV2Result,
    UpdateFileRequestArgs, UpdateFileRequestDeadline, UpdateFileRequestError,
};
use dropbox_sdk::files::FileMetadata;
use dropbox_sdk::users_common::AccountType;
use serde::{Deserialize, Serialize};

use super::http::{Call, CallError, Reply};
use super::state::{Core, Store, StoredRequest};
use super::{EmulatorError, Submission, paths, wire};

/// Dropbox's limit on file requests per account, open and closed together.
pub(crate) const MAX_FILE_REQUESTS: usize = 4000;

/// The largest page `list:2` returns; the spec's default.
const MAX_PAGE: u64 = 1000;

const ID_PATTERN: &str = "[-_0-9a-zA-Z]+";
const PATH_PATTERN: &str = "/(.|[\\r\\n])*";

pub(crate) fn count(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    let count = core.read(|store| store.requests.len() as u64);
    Ok(Reply::json(&CountFileRequestsResult::new(count)))
}

pub(crate) fn create(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: CreateFileRequestArgs = call.arg()?;
    check_title(call, &args.title)?;
    check_path_pattern(call, "destination", &args.destination)?;
    if let Some(deadline) = &args.deadline {
        check_deadline(call, deadline)?;
    }
    let request = core
        .write(|store| store.create_file_request(&args, Utc::now()))
        .map_err(CallError::route)?;
    Ok(Reply::json(&request))
}

pub(crate) fn get(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: GetFileRequestArgs = call.arg()?;
    check_id(call, "id", &args.id)?;
    core.read(|store| {
        let request = store
            .file_request(&args.id)
            .ok_or(GetFileRequestError::NotFound)
            .map_err(CallError::route)?;
        Ok(Reply::json(&store.file_request_view(request)))
    })
}

pub(crate) fn list(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    let requests = core.read(|store| {
        store
            .requests
            .iter()
            .map(|request| store.file_request_view(request))
            .collect()
    });
    Ok(Reply::json(&ListFileRequestsResult::new(requests)))
}

pub(crate) fn list_v2(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: ListFileRequestsArg = call.arg()?;
    // The spec sets no bounds; a page of zero could never make progress, and
    // a larger page is served as the largest one, as Dropbox does with hints.
    if args.limit == 0 {
        return Err(call.invalid("limit: 0 is not a valid page size"));
    }
    let limit = args.limit.min(MAX_PAGE);
    Ok(Reply::json(
        &core.read(|store| store.file_request_page(0, limit)),
    ))
}

pub(crate) fn list_continue(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: ListFileRequestsContinueArg = call.arg()?;
    core.read(|store| {
        let cursor = wire::decode_cursor::<RequestCursor>(&args.cursor)
            .filter(|cursor| cursor.epoch == store.epoch && cursor.limit > 0)
            .ok_or(ListFileRequestsContinueError::InvalidCursor)
            .map_err(CallError::route)?;
        Ok(Reply::json(&store.file_request_page(
            cursor.after_seq,
            cursor.limit.min(MAX_PAGE),
        )))
    })
}

pub(crate) fn update(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: UpdateFileRequestArgs = call.arg()?;
    check_id(call, "id", &args.id)?;
    if let Some(title) = &args.title {
        check_title(call, title)?;
    }
    if let Some(destination) = &args.destination {
        check_path_pattern(call, "destination", destination)?;
    }
    match &args.deadline {
        UpdateFileRequestDeadline::NoUpdate | UpdateFileRequestDeadline::Update(None) => {}
        UpdateFileRequestDeadline::Update(Some(deadline)) => check_deadline(call, deadline)?,
        _ => return Err(call.invalid("deadline: unknown union tag")),
    }
    let request = core
        .write(|store| store.update_file_request(&args))
        .map_err(CallError::route)?;
    Ok(Reply::json(&request))
}

pub(crate) fn delete(core: &Core, call: &Call) -> Result<Reply, CallError> {
    let args: DeleteFileRequestArgs = call.arg()?;
    for id in &args.ids {
        check_id(call, "ids", id)?;
    }
    let deleted = core
        .write(|store| store.delete_file_requests(&args.ids))
        .map_err(CallError::route)?;
    Ok(Reply::json(&DeleteFileRequestsResult::new(deleted)))
}

pub(crate) fn delete_all_closed(core: &Core, call: &Call) -> Result<Reply, CallError> {
    call.void()?;
    let deleted = core.write(Store::delete_closed_file_requests);
    Ok(Reply::json(&DeleteAllClosedFileRequestsResult::new(
        deleted,
    )))
}

/// Stone's `String(min_length=1)`: an empty title is a malformed call.
fn check_title(call: &Call, title: &str) -> Result<(), CallError> {
    if title.is_empty() {
        return Err(call.invalid("title: '' has fewer than 1 character(s)"));
    }
    Ok(())
}

fn check_id(call: &Call, field: &str, id: &str) -> Result<(), CallError> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(call.invalid(wire::pattern_mismatch(field, id, ID_PATTERN)));
    }
    Ok(())
}

/// `files.Path`: must start with a slash.
fn check_path_pattern(call: &Call, field: &str, path: &str) -> Result<(), CallError> {
    if !path.starts_with('/') {
        return Err(call.invalid(wire::pattern_mismatch(field, path, PATH_PATTERN)));
    }
    Ok(())
}

/// `common.DropboxTimestamp` and a known `GracePeriod`.
fn check_deadline(call: &Call, deadline: &FileRequestDeadline) -> Result<(), CallError> {
    if wire::parse_timestamp(&deadline.deadline).is_none() {
        return Err(call.invalid(format!(
            "deadline.deadline: '{}' is not a timestamp of the form %Y-%m-%dT%H:%M:%SZ",
            deadline.deadline
        )));
    }
    if matches!(deadline.allow_late_uploads, Some(GracePeriod::Other)) {
        return Err(call.invalid("deadline.allow_late_uploads: unknown union tag"));
    }
    Ok(())
}

/// Why a destination is refused once its syntax is right.
enum DestinationProblem {
    /// The root itself: Dropbox offers file requests on folders inside it.
    Root,
    /// Disallowed characters or components, which the spec files under
    /// `validation_error`.
    Invalid,
}

/// The destination folder as Dropbox reads it (see [`paths`]), or why it is
/// refused.
fn read_destination(raw: &str) -> Result<String, DestinationProblem> {
    let path = paths::normalize(raw).map_err(|paths::MalformedPath| DestinationProblem::Invalid)?;
    if path == "/" {
        return Err(DestinationProblem::Root);
    }
    let invalid_component = |component: &str| component.len() > 255 || component.contains('\\');
    if path.split('/').skip(1).any(invalid_component) {
        return Err(DestinationProblem::Invalid);
    }
    Ok(path)
}

/// When uploads stop being accepted, if ever.
pub(crate) fn uploads_close_at(deadline: &FileRequestDeadline) -> Option<DateTime<Utc>> {
    let due = wire::parse_timestamp(&deadline.deadline)?;
    let grace = match deadline.allow_late_uploads {
        None => Duration::zero(),
        Some(GracePeriod::OneDay) => Duration::days(1),
        Some(GracePeriod::TwoDays) => Duration::days(2),
        Some(GracePeriod::SevenDays) => Duration::days(7),
        Some(GracePeriod::ThirtyDays) => Duration::days(30),
        Some(GracePeriod::Always) => return None,
        Some(_) => Duration::zero(),
    };
    Some(due + grace)
}

/// Position in the list of requests, for `list/continue`.
#[derive(Serialize, Deserialize)]
struct RequestCursor {
    #[serde(rename = "e")]
    epoch: String,
    #[serde(rename = "a")]
    after_seq: u64,
    #[serde(rename = "l")]
    limit: u64,
}

impl Store {
    pub(crate) fn file_request_view(&self, request: &StoredRequest) -> FileRequest {
        let folder = self
            .entry(&request.destination_lower)
            .filter(|entry| entry.id == request.folder_id && entry.file().is_none());
        let file_count = match folder {
            Some(_) => self
                .children(&request.destination_lower)
                .filter(|(_, entry)| entry.file().is_some())
                .count(),
            None => 0,
        };
        let mut view = FileRequest::new(
            request.id.clone(),
            format!("https://www.dropbox.com/request/{}", request.id),
            request.title.clone(),
            wire::format_timestamp(request.created),
            request.is_open,
            file_count as i64,
        );
        if let Some(folder) = folder {
            view = view.with_destination(folder.path_display.clone());
        }
        if let Some(deadline) = &request.deadline {
            view = view.with_deadline(deadline.clone());
        }
        if let Some(description) = &request.description {
            view = view.with_description(description.clone());
        }
        if let Some(video_project_id) = &request.video_project_id {
            view = view.with_video_project_id(video_project_id.clone());
        }
        view
    }

    fn file_request_page(&self, after_seq: u64, limit: u64) -> ListFileRequestsV2Result {
        let mut remaining = self
            .requests
            .iter()
            .filter(|request| request.seq > after_seq);
        let page: Vec<&StoredRequest> = remaining.by_ref().take(limit as usize).collect();
        let has_more = remaining.next().is_some();
        let cursor = RequestCursor {
            epoch: self.epoch.clone(),
            after_seq: page.last().map_or(after_seq, |request| request.seq),
            limit,
        };
        ListFileRequestsV2Result::new(
            page.into_iter()
                .map(|request| self.file_request_view(request))
                .collect(),
            wire::encode_cursor(&cursor),
            has_more,
        )
    }

    fn new_file_request_id(&mut self) -> String {
        loop {
            let id = self.random_alphanumeric(20);
            if self.file_request(&id).is_none() {
                return id;
            }
        }
    }

    pub(crate) fn create_file_request(
        &mut self,
        args: &CreateFileRequestArgs,
        now: DateTime<Utc>,
    ) -> Result<FileRequest, CreateFileRequestError> {
        if args.title.trim().is_empty() {
            return Err(CreateFileRequestError::ValidationError);
        }
        let destination = match read_destination(&args.destination) {
            Ok(destination) => destination,
            Err(DestinationProblem::Root) => return Err(CreateFileRequestError::InvalidLocation),
            Err(DestinationProblem::Invalid) => {
                return Err(CreateFileRequestError::ValidationError);
            }
        };
        if args.deadline.is_some() && self.account_type == AccountType::Basic {
            return Err(CreateFileRequestError::ValidationError);
        }
        if self.requests.len() >= MAX_FILE_REQUESTS {
            return Err(CreateFileRequestError::RateLimit);
        }
        self.check_folder_path(&destination)
            .map_err(|_| CreateFileRequestError::NotAFolder)?;

        let version = self.next_version();
        let (destination_lower, folder_id) = self
            .ensure_folder(&destination, version)
            .map_err(|_| CreateFileRequestError::NotAFolder)?;
        let request = StoredRequest {
            seq: self.next_request_seq,
            id: self.new_file_request_id(),
            title: args.title.clone(),
            destination_lower,
            folder_id,
            created: wire::whole_seconds(now),
            deadline: args.deadline.clone(),
            is_open: args.open,
            description: args.description.clone().filter(|text| !text.is_empty()),
            video_project_id: args.video_project_id.clone(),
        };
        self.next_request_seq += 1;
        let view = self.file_request_view(&request);
        self.requests.push(request);
        Ok(view)
    }

    pub(crate) fn update_file_request(
        &mut self,
        args: &UpdateFileRequestArgs,
    ) -> Result<FileRequest, UpdateFileRequestError> {
        if self.file_request(&args.id).is_none() {
            return Err(UpdateFileRequestError::NotFound);
        }
        if args
            .title
            .as_ref()
            .is_some_and(|title| title.trim().is_empty())
        {
            return Err(UpdateFileRequestError::ValidationError);
        }
        if matches!(args.deadline, UpdateFileRequestDeadline::Update(Some(_)))
            && self.account_type == AccountType::Basic
        {
            return Err(UpdateFileRequestError::ValidationError);
        }
        let destination = match &args.destination {
            Some(raw) => {
                let destination =
                    read_destination(raw).map_err(|_| UpdateFileRequestError::ValidationError)?;
                self.check_folder_path(&destination)
                    .map_err(|_| UpdateFileRequestError::NotAFolder)?;
                Some(destination)
            }
            None => None,
        };

        let version = self.next_version();
        let new_folder = match &destination {
            Some(destination) => Some(
                self.ensure_folder(destination, version)
                    .map_err(|_| UpdateFileRequestError::NotAFolder)?,
            ),
            None => None,
        };
        let request = self
            .file_request_mut(&args.id)
            .ok_or(UpdateFileRequestError::NotFound)?;
        if let Some((destination_lower, folder_id)) = new_folder {
            request.destination_lower = destination_lower;
            request.folder_id = folder_id;
        }
        if let Some(title) = &args.title {
            request.title.clone_from(title);
        }
        if let UpdateFileRequestDeadline::Update(deadline) = &args.deadline {
            request.deadline.clone_from(deadline);
        }
        if let Some(open) = args.open {
            request.is_open = open;
        }
        if let Some(description) = &args.description {
            // An empty description is how a client clears it.
            request.description = Some(description.clone()).filter(|text| !text.is_empty());
        }
        let request = request.clone();
        Ok(self.file_request_view(&request))
    }

    /// All or nothing: one unknown or open request refuses the whole batch.
    pub(crate) fn delete_file_requests(
        &mut self,
        ids: &[String],
    ) -> Result<Vec<FileRequest>, DeleteFileRequestError> {
        for id in ids {
            match self.file_request(id) {
                None => return Err(DeleteFileRequestError::NotFound),
                Some(request) if request.is_open => {
                    return Err(DeleteFileRequestError::FileRequestOpen);
                }
                Some(_) => {}
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.next_version();
        Ok(self.remove_file_requests(|request| ids.contains(&request.id)))
    }

    pub(crate) fn delete_closed_file_requests(&mut self) -> Vec<FileRequest> {
        if self.requests.iter().all(|request| request.is_open) {
            return Vec::new();
        }
        self.next_version();
        self.remove_file_requests(|request| !request.is_open)
    }

    fn remove_file_requests(
        &mut self,
        doomed: impl Fn(&StoredRequest) -> bool,
    ) -> Vec<FileRequest> {
        let (removed, kept): (Vec<StoredRequest>, Vec<StoredRequest>) =
            std::mem::take(&mut self.requests)
                .into_iter()
                .partition(|request| doomed(request));
        self.requests = kept;
        removed
            .iter()
            .map(|request| self.file_request_view(request))
            .collect()
    }

    /// A student's upload through the request's page: checked the way
    /// Dropbox checks it, then stored as `Name - file` in the destination.
    pub(crate) fn receive_submission(
        &mut self,
        submission: &Submission,
        now: DateTime<Utc>,
    ) -> Result<FileMetadata, EmulatorError> {
        let at = submission.at.unwrap_or(now);
        let request = self
            .file_request(&submission.request_id)
            .ok_or_else(|| EmulatorError::UnknownRequest(submission.request_id.clone()))?;
        if !request.is_open {
            return Err(EmulatorError::RequestClosed(request.id.clone()));
        }
        if let Some(closes) = request.deadline.as_ref().and_then(uploads_close_at)
            && at > closes
        {
            return Err(EmulatorError::PastDeadline(request.id.clone()));
        }
        let folder_lower = request.destination_lower.clone();
        let folder_id = request.folder_id.clone();
        if !self
            .entry(&folder_lower)
            .is_some_and(|folder| folder.id == folder_id && folder.file().is_none())
        {
            return Err(EmulatorError::DestinationRemoved(request.id.clone()));
        }
        let name = submitted_name(submission)?;
        let version = self.next_version();
        Ok(self.add_file(
            &folder_lower,
            &name,
            submission.content.clone().into(),
            at,
            version,
        ))
    }
}

/// `First Last - original.pdf` when the uploader typed a name, as Dropbox
/// names uploads from people who are not signed in.
fn submitted_name(submission: &Submission) -> Result<String, EmulatorError> {
    let file_name = submission.file_name.trim();
    let invalid = file_name.is_empty()
        || file_name == "."
        || file_name == ".."
        || file_name.contains('/')
        || file_name.chars().any(char::is_control);
    if invalid {
        return Err(EmulatorError::InvalidFileName(submission.file_name.clone()));
    }
    let name = match submission.student_name.as_deref().map(str::trim) {
        Some(student) if !student.is_empty() => format!("{student} - {file_name}"),
        _ => file_name.to_owned(),
    };
    if name.contains('/') || name.chars().any(char::is_control) || name.len() > 255 {
        return Err(EmulatorError::InvalidFileName(name));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(AccountType::Pro)
    }

    fn create(store: &mut Store, title: &str, destination: &str) -> FileRequest {
        store
            .create_file_request(
                &CreateFileRequestArgs::new(title.into(), destination.into()),
                Utc::now(),
            )
            .expect("created")
    }

    fn submission(request: &FileRequest, student: &str, file: &str) -> Submission {
        Submission {
            request_id: request.id.clone(),
            student_name: Some(student.into()),
            file_name: file.into(),
            content: b"%PDF-1.4".to_vec(),
            at: None,
        }
    }

    #[test]
    fn created_requests_look_like_dropbox_ones() {
        let mut store = store();
        let request = create(&mut store, "Homework 1", "/Courses/CS101/HW1");
        assert_eq!(request.id.len(), 20);
        assert!(request.id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(
            request.url,
            format!("https://www.dropbox.com/request/{}", request.id)
        );
        assert_eq!(request.destination.as_deref(), Some("/Courses/CS101/HW1"));
        assert!(request.is_open);
        assert_eq!(request.file_count, 0);
        assert!(store.is_folder("/courses/cs101/hw1"));
    }

    #[test]
    fn destinations_are_validated() {
        let mut store = store();
        let try_create = |store: &mut Store, destination: &str| {
            store.create_file_request(
                &CreateFileRequestArgs::new("t".into(), destination.into()),
                Utc::now(),
            )
        };
        assert_eq!(
            try_create(&mut store, "/"),
            Err(CreateFileRequestError::InvalidLocation)
        );
        assert_eq!(
            try_create(&mut store, "//"),
            Err(CreateFileRequestError::InvalidLocation)
        );
        assert_eq!(
            try_create(&mut store, "/a/b/"),
            Err(CreateFileRequestError::ValidationError)
        );
        assert_eq!(
            try_create(&mut store, "/a/../b"),
            Err(CreateFileRequestError::ValidationError)
        );
        let request = create(&mut store, "t", "/hw");
        store
            .receive_submission(&submission(&request, "Ana", "x.pdf"), Utc::now())
            .unwrap();
        assert_eq!(
            try_create(&mut store, "/hw/Ana - x.pdf/sub"),
            Err(CreateFileRequestError::NotAFolder)
        );
    }

    #[test]
    fn basic_accounts_cannot_set_deadlines() {
        let mut store = Store::new(AccountType::Basic);
        let args = CreateFileRequestArgs::new("t".into(), "/hw".into())
            .with_deadline(FileRequestDeadline::new("2030-01-01T00:00:00Z".into()));
        assert_eq!(
            store.create_file_request(&args, Utc::now()),
            Err(CreateFileRequestError::ValidationError)
        );
    }

    #[test]
    fn the_limit_is_four_thousand_requests() {
        let mut store = store();
        for i in 0..MAX_FILE_REQUESTS {
            create(&mut store, "t", &format!("/r/{i}"));
        }
        assert_eq!(
            store.create_file_request(
                &CreateFileRequestArgs::new("t".into(), "/r/x".into()),
                Utc::now()
            ),
            Err(CreateFileRequestError::RateLimit)
        );
    }

    #[test]
    fn update_distinguishes_no_update_clear_and_set() {
        let mut store = store();
        let deadline = FileRequestDeadline::new("2030-01-01T17:00:00Z".into())
            .with_allow_late_uploads(GracePeriod::SevenDays);
        let request = store
            .create_file_request(
                &CreateFileRequestArgs::new("t".into(), "/hw".into())
                    .with_deadline(deadline.clone()),
                Utc::now(),
            )
            .unwrap();

        let unchanged = store
            .update_file_request(
                &UpdateFileRequestArgs::new(request.id.clone()).with_title("T2".into()),
            )
            .unwrap();
        assert_eq!(unchanged.deadline, Some(deadline));
        assert_eq!(unchanged.title, "T2");

        let cleared = store
            .update_file_request(
                &UpdateFileRequestArgs::new(request.id.clone())
                    .with_deadline(UpdateFileRequestDeadline::Update(None)),
            )
            .unwrap();
        assert_eq!(cleared.deadline, None);

        let later = FileRequestDeadline::new("2031-01-01T00:00:00Z".into());
        let set = store
            .update_file_request(
                &UpdateFileRequestArgs::new(request.id.clone())
                    .with_deadline(UpdateFileRequestDeadline::Update(Some(later.clone())))
                    .with_open(false),
            )
            .unwrap();
        assert_eq!(set.deadline, Some(later));
        assert!(!set.is_open);
    }

    #[test]
    fn moving_the_destination_counts_the_new_folder() {
        let mut store = store();
        let request = create(&mut store, "t", "/old");
        store
            .receive_submission(&submission(&request, "Ana", "x.pdf"), Utc::now())
            .unwrap();
        let moved = store
            .update_file_request(
                &UpdateFileRequestArgs::new(request.id.clone()).with_destination("/New".into()),
            )
            .unwrap();
        assert_eq!(moved.destination.as_deref(), Some("/New"));
        assert_eq!(moved.file_count, 0);
    }

    #[test]
    fn delete_refuses_open_requests_and_unknown_ids() {
        let mut store = store();
        let open = create(&mut store, "open", "/a");
        let closed = store
            .create_file_request(
                &CreateFileRequestArgs::new("closed".into(), "/b".into()).with_open(false),
                Utc::now(),
            )
            .unwrap();
        assert_eq!(
            store.delete_file_requests(&[closed.id.clone(), open.id.clone()]),
            Err(DeleteFileRequestError::FileRequestOpen)
        );
        assert_eq!(
            store.delete_file_requests(&["nope".into()]),
            Err(DeleteFileRequestError::NotFound)
        );
        assert_eq!(store.requests.len(), 2);
        let deleted = store
            .delete_file_requests(std::slice::from_ref(&closed.id))
            .unwrap();
        assert_eq!(deleted.len(), 1);
        assert_eq!(store.requests.len(), 1);
        assert!(store.delete_closed_file_requests().is_empty());
    }

    #[test]
    fn submissions_respect_open_deadline_and_grace() {
        let mut store = store();
        let now = Utc::now();
        let due = wire::whole_seconds(now - Duration::days(1));
        let deadline = FileRequestDeadline::new(wire::format_timestamp(due))
            .with_allow_late_uploads(GracePeriod::TwoDays);
        let request = store
            .create_file_request(
                &CreateFileRequestArgs::new("t".into(), "/hw".into()).with_deadline(deadline),
                now - Duration::days(10),
            )
            .unwrap();
        let mut late = submission(&request, "Zoë Müller", "essay.pdf");
        let stored = store.receive_submission(&late, now).unwrap();
        assert_eq!(stored.name, "Zoë Müller - essay.pdf");

        late.at = Some(due + Duration::days(3));
        assert_eq!(
            store.receive_submission(&late, now),
            Err(EmulatorError::PastDeadline(request.id.clone()))
        );

        store
            .update_file_request(&UpdateFileRequestArgs::new(request.id.clone()).with_open(false))
            .unwrap();
        late.at = None;
        assert_eq!(
            store.receive_submission(&late, now),
            Err(EmulatorError::RequestClosed(request.id.clone()))
        );
        let view = store.file_request_view(store.file_request(&request.id).unwrap());
        assert_eq!(view.file_count, 1);
    }

    #[test]
    fn a_removed_destination_reads_as_null() {
        let mut store = store();
        let request = create(&mut store, "t", "/Gone");
        let version = store.next_version();
        store.remove_subtree("/gone", version);
        store.ensure_folder("/Gone", version).unwrap();
        let view = store.file_request_view(store.file_request(&request.id).unwrap());
        assert_eq!(view.destination, None);
        assert_eq!(
            store.receive_submission(&submission(&request, "Ana", "x.pdf"), Utc::now()),
            Err(EmulatorError::DestinationRemoved(request.id.clone()))
        );
    }

    #[test]
    fn pages_survive_deletions_between_calls() {
        let mut store = store();
        let ids: Vec<String> = (0..5)
            .map(|i| create(&mut store, "t", &format!("/r{i}")).id)
            .collect();
        let first = store.file_request_page(0, 2);
        assert!(first.has_more);
        let cursor: RequestCursor = wire::decode_cursor(&first.cursor).unwrap();
        // Closing and deleting an already listed request shifts nothing.
        store
            .update_file_request(&UpdateFileRequestArgs::new(ids[0].clone()).with_open(false))
            .unwrap();
        store.delete_file_requests(&[ids[0].clone()]).unwrap();
        let second = store.file_request_page(cursor.after_seq, cursor.limit);
        let second_ids: Vec<&str> = second.file_requests.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(second_ids, [ids[2].as_str(), ids[3].as_str()]);
    }
}
