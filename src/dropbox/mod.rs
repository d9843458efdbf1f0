//! The Dropbox service layer: every Dropbox call handin makes, as typed results and typed
//! errors. It knows nothing of the UI; the TUI, the scripting subcommands and the tests
//! all go through [`Dropbox`].
//!
//! Types and routes come from the official `dropbox-sdk` crate; [`client`] supplies the
//! HTTP underneath it (base URL, timeouts, retries, tokens and their renewal), [`auth`]
//! signs in with OAuth 2 and PKCE, [`error`] turns failures into one sentence each.
//!
//! Who handin acts as can change while it runs (a sign-in, a pasted token, a sign-out, a
//! team member picked): [`Dropbox::set_credentials`] and [`Dropbox::set_team_context`]
//! swap the identity of every clone of the handle at once.

pub mod content_hash;

pub mod auth;
pub mod client;
mod composed;
pub mod error;
pub mod retry;

pub use auth::{AuthMethod, AuthStatus, LoginStart, TeamMember, finish_login, start_login};
pub use dropbox_sdk::file_requests::{
    CreateFileRequestArgs, FileRequest, FileRequestDeadline, GracePeriod, UpdateFileRequestArgs,
    UpdateFileRequestDeadline,
};
pub use dropbox_sdk::files::{FileMetadata, FolderMetadata, Metadata};
pub use dropbox_sdk::oauth2::Authorization;
pub use dropbox_sdk::users::FullAccount;
pub use error::{DropboxError, ErrorKind};

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use dropbox_sdk::Error as SdkError;
use dropbox_sdk::file_requests::{
    DeleteFileRequestArgs, GetFileRequestArgs, ListFileRequestsArg, ListFileRequestsContinueArg,
    ListFileRequestsContinueError,
};
use dropbox_sdk::files::{
    DownloadArg, DownloadZipArg, GetMetadataArg, ListFolderArg, ListFolderContinueArg,
    ListFolderContinueError, ListFolderLongpollArg, ListFolderResult,
};
use dropbox_sdk::team::{MembersListArg, MembersListContinueArg, TeamMemberStatus};
use dropbox_sdk::{check, file_requests, files, team, users};

use crate::credentials::Credentials;
pub use client::Origin;
use client::{ApiClient, FixedToken, TokenSource};
use retry::RetryPolicy;

/// How to reach Dropbox (or the emulator) and how patiently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSettings {
    /// `None` for the real Dropbox hosts; otherwise one base URL (`http://127.0.0.1:8080`)
    /// that serves every route, as the emulator does.
    pub api_base: Option<String>,
    /// How long to wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long one request may take, and how long a stalled download may sit idle.
    /// Long polls get their own deadline: their timeout plus a margin.
    pub request_timeout: Duration,
    /// Retries: reads for 429, 5xx, timeouts and connection failures; changes only for
    /// 429 and connections that could not be made (see [`client::route_is_read_only`]).
    pub retry: RetryPolicy,
    /// A team member id (`dbmid:...`) to act as, for team tokens; sent as
    /// `Dropbox-API-Select-User`.
    pub select_user: Option<String>,
    /// `Dropbox-API-Path-Root`: a root namespace id (`"1234567"`, for team space) or the
    /// header's JSON (`{".tag": "home"}`).
    pub path_root: Option<String>,
    /// The most entries one listing (a folder, the file requests, the team's members)
    /// may bring before it is stopped: a server that promises more forever must not
    /// grow handin without bound.
    pub max_listing_entries: usize,
}

impl ClientSettings {
    /// The server these settings send requests (and tokens) to; credentials issued here
    /// remember it.
    pub fn origin(&self) -> Result<Origin, DropboxError> {
        Origin::of_base(self.api_base.as_deref())
    }
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            api_base: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            select_user: None,
            path_root: None,
            max_listing_entries: DEFAULT_MAX_LISTING_ENTRIES,
        }
    }
}

/// Twice the files a large course folder holds; at about a kilobyte each in memory,
/// handin stays at a few hundred megabytes even at the limit.
pub const DEFAULT_MAX_LISTING_ENTRIES: usize = 200_000;

/// Page size for `file_requests/list_v2`, Dropbox's maximum.
const FILE_REQUEST_PAGE: u64 = 1000;

/// Dropbox accepts long-poll timeouts in this range (seconds).
const LONGPOLL_TIMEOUT_RANGE: std::ops::RangeInclusive<u64> = 30..=480;

/// `list_v2`/`list/continue` pages followed before giving up. An account holds at most
/// 4,000 requests, which pages of 1,000 deliver in 4; even pages of 40 would end within
/// this, so more means a server that keeps saying `has_more`.
const MAX_REQUEST_PAGES: u32 = 100;

/// Empty pages in a row that still say `has_more` before a folder listing gives up.
/// Dropbox may send a few (large recursive listings), never this many.
const MAX_EMPTY_PAGES: u32 = 100;

/// How sentences name a folder listing.
const FOLDER_LISTING: &str = "folder listing";

/// Dropbox adds up to 90 s of random jitter to a long poll's own timeout.
const LONGPOLL_MARGIN: Duration = Duration::from_secs(90);

/// The shortest a round of waiting for changes that brought nothing new may take
/// (see [`Dropbox::wait_for_changes`]).
const QUIET_POLL_ROUND: Duration = Duration::from_secs(5);

/// Pages of `team/members/list_v2` followed before giving up: a thousand members each.
const MAX_MEMBER_PAGES: u32 = 1000;

/// The service handle: cheap to clone, `Send + Sync`, meant to be moved into spawned tasks.
///
/// Clones share one identity: [`Dropbox::set_credentials`] and
/// [`Dropbox::set_team_context`] change who every clone acts as, in place. A call already
/// under way finishes as whom it started as.
#[derive(Clone)]
pub struct Dropbox {
    current: Arc<RwLock<Arc<ApiClient>>>,
}

impl fmt::Debug for Dropbox {
    /// Where requests go and how, never the credentials (see `ApiClient`'s `Debug`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dropbox").field("api", &self.api()).finish()
    }
}

/// A file being downloaded: its metadata, and its bytes as a stream.
pub struct Download {
    /// The file's metadata at the time of the download.
    pub metadata: FileMetadata,
    /// Bytes in `body` (from the requested offset on), when Dropbox said.
    pub content_length: Option<u64>,
    /// The file's bytes. A network failure mid-stream surfaces as an `io::Error`.
    pub body: Box<dyn futures::AsyncRead + Send + Unpin>,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("metadata", &self.metadata)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// A folder being downloaded as one zip archive: its metadata, and the archive as a
/// stream. Dropbox builds the archive on the fly, so it cannot be resumed from an offset.
pub struct ZipDownload {
    /// The folder's metadata at the time of the download.
    pub metadata: FolderMetadata,
    /// Bytes in `body`, when Dropbox said (a zip built on the fly often has no length).
    pub content_length: Option<u64>,
    /// The zip archive's bytes. A network failure mid-stream surfaces as an `io::Error`.
    pub body: Box<dyn futures::AsyncRead + Send + Unpin>,
}

impl fmt::Debug for ZipDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZipDownload")
            .field("metadata", &self.metadata)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// Stops a listing that would never end: more entries than the limit, a cursor the
/// server already sent while it promises more (the next page would repeat a request
/// already made), or `MAX_EMPTY_PAGES` empty pages in a row that promise more.
struct ListingGuard {
    route: &'static str,
    /// What is being listed, as the sentence names it ("folder listing").
    listing: &'static str,
    limit: usize,
    entries: usize,
    empty_in_a_row: u32,
    /// Hashes, not the cursors: a hostile server's cursors can be megabytes each.
    cursors: HashSet<u64>,
}

impl ListingGuard {
    fn new(route: &'static str, listing: &'static str, limit: usize) -> Self {
        Self {
            route,
            listing,
            limit,
            entries: 0,
            empty_in_a_row: 0,
            cursors: HashSet::new(),
        }
    }

    /// A listing that starts from a cursor (changes after it): that cursor counts as sent.
    fn starting_from(mut self, cursor: &str) -> Self {
        self.cursors.insert(cursor_hash(cursor));
        self
    }

    /// Records one page of `entries`, which says whether there is more and the cursor to
    /// ask for it with; an error when the listing must stop.
    fn page(&mut self, entries: usize, has_more: bool, cursor: &str) -> Result<(), DropboxError> {
        self.entries = self.entries.saturating_add(entries);
        if self.entries > self.limit {
            return Err(DropboxError::listing_too_long(
                self.route,
                self.listing,
                self.limit,
            ));
        }
        if !has_more {
            self.empty_in_a_row = 0;
            return Ok(());
        }
        if !self.cursors.insert(cursor_hash(cursor)) {
            return Err(DropboxError::listing_without_end(
                self.route,
                self.listing,
                &format!(
                    "a cursor sent again with has_more after {} entries",
                    self.entries
                ),
            ));
        }
        if entries > 0 {
            self.empty_in_a_row = 0;
            return Ok(());
        }
        self.empty_in_a_row += 1;
        if self.empty_in_a_row >= MAX_EMPTY_PAGES {
            return Err(DropboxError::listing_without_end(
                self.route,
                self.listing,
                &format!("{MAX_EMPTY_PAGES} empty pages in a row, each saying there was more"),
            ));
        }
        Ok(())
    }
}

fn cursor_hash(cursor: &str) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    cursor.hash(&mut hasher);
    hasher.finish()
}

impl Dropbox {
    /// A handle that uses a pasted (or otherwise obtained) access token as is.
    pub fn new(settings: ClientSettings, access_token: String) -> Result<Dropbox, DropboxError> {
        Ok(Self::from_client(ApiClient::with_access_token(
            &settings,
            access_token,
        )?))
    }

    /// A handle that mints and renews short-lived tokens from a saved OAuth authorization
    /// (see [`ApiClient::with_authorization`]).
    pub fn with_authorization(
        settings: ClientSettings,
        auth: Authorization,
    ) -> Result<Dropbox, DropboxError> {
        Ok(Self::from_client(ApiClient::with_authorization(
            &settings, auth,
        )?))
    }

    /// A handle acting with stored (or freshly obtained) credentials.
    pub fn from_credentials(
        settings: ClientSettings,
        credentials: &Credentials,
    ) -> Result<Dropbox, DropboxError> {
        Ok(Self::from_client(ApiClient::build(
            &settings,
            token_source(credentials)?,
        )?))
    }

    /// A handle with no credentials yet: every call fails with a "not signed in" Auth
    /// error until [`Dropbox::set_credentials`] gives it some.
    pub fn signed_out(settings: ClientSettings) -> Result<Dropbox, DropboxError> {
        Ok(Self::from_client(ApiClient::signed_out(&settings)?))
    }

    fn from_client(api: ApiClient) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(api))),
        }
    }

    /// The client calls go through now (a snapshot: later changes make a new one).
    fn api(&self) -> Arc<ApiClient> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Gives the client another token source, if `only_if` says yes to the current one;
    /// a source issued by another origin than the client's is refused.
    fn replace_source(
        &self,
        source: TokenSource,
        only_if: impl FnOnce(&TokenSource) -> bool,
    ) -> Result<(), DropboxError> {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if only_if(current.source()) {
            *current = Arc::new(current.with_source(source)?);
        }
        Ok(())
    }

    /// The SDK client underneath, for routes this layer does not wrap.
    pub fn client(&self) -> Arc<ApiClient> {
        self.api()
    }

    /// The OAuth authorization in its saved form (`2&...`), to persist after signing in.
    pub async fn saved_authorization(&self) -> Option<String> {
        self.api().saved_authorization().await
    }

    /// Finishes an OAuth sign-in with the code the user pasted back (see
    /// [`finish_login`]) and makes it this handle's identity at once. The access token of
    /// the exchange is used rather than dropped, so [`Dropbox::auth_status`] knows its
    /// expiry (and, from Dropbox's answer, whether it is a team token) straight away.
    /// Returns the credentials to store. On failure nothing changes.
    pub async fn sign_in(
        &self,
        start: &LoginStart,
        code: &str,
    ) -> Result<Credentials, DropboxError> {
        let api = self.api();
        let exchanged = auth::exchange_code(start, code, &api.tokenless()).await?;
        let credentials = exchanged.credentials.clone();
        let tokens = client::OAuthTokens::signed_in(exchanged)?;
        self.replace_source(TokenSource::OAuth(Arc::new(tokens)), |_| true)?;
        Ok(credentials)
    }

    /// Changes who this handle (and every clone) acts as: after a sign-in, a pasted
    /// token, or a sign-out (`None`: every call then fails with a "not signed in" Auth
    /// error). Credentials that cannot work (an empty token) are refused and nothing
    /// changes. The team context stays: change it with [`Dropbox::set_team_context`].
    pub fn set_credentials(&self, credentials: Option<&Credentials>) -> Result<(), DropboxError> {
        let source = match credentials {
            Some(credentials) => token_source(credentials)?,
            None => TokenSource::None,
        };
        self.replace_source(source, |_| true)
    }

    /// Changes the team context in place: the member to act as (`dbmid:...`, sent as
    /// `Dropbox-API-Select-User`) and the space (`Dropbox-API-Path-Root`: a root
    /// namespace id, or the header's JSON). `None` or blank clears either.
    pub fn set_team_context(
        &self,
        select_user: Option<String>,
        path_root: Option<String>,
    ) -> Result<(), DropboxError> {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let changed = current.with_team_context(select_user.as_deref(), path_root.as_deref())?;
        *current = Arc::new(changed);
        Ok(())
    }

    /// How handin is signed in, without any I/O.
    pub fn auth_status(&self) -> AuthStatus {
        let api = self.api();
        let (method, expires_at) = match api.source() {
            TokenSource::None => (AuthMethod::None, None),
            TokenSource::Fixed(_) => (AuthMethod::PastedToken, None),
            TokenSource::OAuth(tokens) => (AuthMethod::OAuth, tokens.expires_at()),
        };
        AuthStatus {
            method,
            expires_at,
            is_team_token: api.is_team_token(),
        }
    }

    /// Revokes the current token at Dropbox (`auth/token/revoke`; for an OAuth sign-in
    /// this also kills the refresh token and every token minted from it), then leaves
    /// this handle signed out. A token Dropbox already refuses counts as revoked. When
    /// the revoke fails (no network), the handle keeps its credentials.
    pub async fn sign_out(&self) -> Result<(), DropboxError> {
        let api = self.api();
        if matches!(api.source(), TokenSource::None) {
            return Ok(());
        }
        match dropbox_sdk::auth::token_revoke(api.as_ref()).await {
            Ok(()) => tracing::info!("revoked handin's Dropbox token"),
            Err(error) => {
                let error = api.error("auth/token/revoke", error);
                let already_dead = error.kind() == &ErrorKind::Auth
                    && matches!(
                        error.tag(),
                        Some("invalid_access_token" | "expired_access_token" | "invalid_grant")
                    );
                if !already_dead {
                    return Err(error);
                }
                tracing::info!(detail = error.detail(), "the token was already revoked");
            }
        }
        // Unless someone signed in anew meanwhile: a new team member keeps the revoked
        // sign-in, a new sign-in is not this one.
        self.replace_source(TokenSource::None, |current| current.same_as(api.source()))
    }

    /// For a team token: the team's active members, to pick one to act as. Sorted by
    /// name. Invited and suspended members are left out (nobody can act as them).
    pub async fn team_members(&self) -> Result<Vec<TeamMember>, DropboxError> {
        // Team routes take neither Select-User nor Path-Root.
        let api = self.api().without_team_context();
        let not_a_team = |error: DropboxError| {
            if error.kind() == &ErrorKind::BadRequest {
                error.reworded(
                    ErrorKind::Settings,
                    "This token is for a single Dropbox account, not a team: there is no member \
                     to pick.",
                )
            } else {
                error
            }
        };
        let first = team::members_list_v2(&api, &MembersListArg::default().with_limit(1000))
            .await
            .map_err(|e| not_a_team(api.error("team/members/list_v2", e)))?;
        let mut guard = ListingGuard::new(
            "team/members/list/continue_v2",
            "list of team members",
            api.max_listing_entries(),
        );
        guard.page(first.members.len(), first.has_more, &first.cursor)?;
        let mut members = first.members;
        let mut cursor = first.cursor;
        let mut has_more = first.has_more;
        let mut pages = 1;
        while has_more {
            if pages >= MAX_MEMBER_PAGES {
                return Err(DropboxError::listing_without_end(
                    "team/members/list/continue_v2",
                    "list of team members",
                    &format!("still more after {pages} pages"),
                ));
            }
            pages += 1;
            let page = team::members_list_continue_v2(&api, &MembersListContinueArg::new(cursor))
                .await
                .map_err(|e| api.error("team/members/list/continue_v2", e))?;
            guard.page(page.members.len(), page.has_more, &page.cursor)?;
            members.extend(page.members);
            cursor = page.cursor;
            has_more = page.has_more;
        }
        let mut members: Vec<TeamMember> = members
            .into_iter()
            .map(|member| member.profile)
            .filter(|profile| profile.status == TeamMemberStatus::Active)
            .map(|profile| TeamMember {
                member_id: profile.team_member_id,
                name: profile.name.display_name,
                email: profile.email,
            })
            .collect();
        members.sort_by_cached_key(|member| (member.name.to_lowercase(), member.email.clone()));
        Ok(members)
    }

    /// Every file request, open and closed: `list_v2` pages of up to 1000 followed until
    /// `has_more` is false. If Dropbox invalidates the cursor midway, the listing starts
    /// over once. A server that keeps promising more (beyond any account's 4,000
    /// requests) ends the listing with an `Unexpected` error.
    pub async fn list_requests(&self) -> Result<Vec<FileRequest>, DropboxError> {
        let api = self.api();
        let mut restarted = false;
        'listing: loop {
            let first = file_requests::list_v2(
                api.as_ref(),
                &ListFileRequestsArg::default().with_limit(FILE_REQUEST_PAGE),
            )
            .await
            .map_err(|e| api.error("file_requests/list_v2", e))?;
            let mut guard = ListingGuard::new(
                "file_requests/list/continue",
                "list of file requests",
                api.max_listing_entries(),
            );
            guard.page(first.file_requests.len(), first.has_more, &first.cursor)?;
            let mut requests = first.file_requests;
            let mut cursor = first.cursor;
            let mut has_more = first.has_more;
            let mut pages = 1;
            while has_more {
                if pages >= MAX_REQUEST_PAGES {
                    return Err(DropboxError::listing_without_end(
                        "file_requests/list/continue",
                        "list of file requests",
                        &format!(
                            "still more after {pages} pages ({} requests)",
                            requests.len()
                        ),
                    ));
                }
                pages += 1;
                let arg = ListFileRequestsContinueArg::new(cursor.clone());
                match file_requests::list_continue(api.as_ref(), &arg).await {
                    Ok(page) => {
                        guard.page(page.file_requests.len(), page.has_more, &page.cursor)?;
                        requests.extend(page.file_requests);
                        cursor = page.cursor;
                        has_more = page.has_more;
                    }
                    Err(SdkError::Api(ListFileRequestsContinueError::InvalidCursor))
                        if !restarted =>
                    {
                        tracing::info!("file request cursor invalidated; listing again");
                        restarted = true;
                        continue 'listing;
                    }
                    Err(e) => {
                        return Err(api.error("file_requests/list/continue", e));
                    }
                }
            }
            return Ok(requests);
        }
    }

    /// How many file requests the account holds, open and closed (at most 4,000).
    pub async fn count_requests(&self) -> Result<u64, DropboxError> {
        let api = self.api();
        file_requests::count(api.as_ref())
            .await
            .map(|result| result.file_request_count)
            .map_err(|e| api.error("file_requests/count", e))
    }

    /// One file request by id.
    pub async fn get_request(&self, id: &str) -> Result<FileRequest, DropboxError> {
        let api = self.api();
        file_requests::get(api.as_ref(), &GetFileRequestArgs::new(id.to_owned()))
            .await
            .map_err(|e| api.error("file_requests/get", e))
    }

    /// Creates a file request.
    pub async fn create_request(
        &self,
        args: CreateFileRequestArgs,
    ) -> Result<FileRequest, DropboxError> {
        let api = self.api();
        file_requests::create(api.as_ref(), &args)
            .await
            .map_err(|e| api.error("file_requests/create", e))
    }

    /// Changes a file request; closing is `open: false`, reopening `open: true`.
    pub async fn update_request(
        &self,
        args: UpdateFileRequestArgs,
    ) -> Result<FileRequest, DropboxError> {
        let api = self.api();
        file_requests::update(api.as_ref(), &args)
            .await
            .map_err(|e| api.error("file_requests/update", e))
    }

    /// Deletes closed file requests by id and returns them; an open one fails the call
    /// with `file_request_open`.
    pub async fn delete_requests(
        &self,
        ids: Vec<String>,
    ) -> Result<Vec<FileRequest>, DropboxError> {
        let api = self.api();
        file_requests::delete(api.as_ref(), &DeleteFileRequestArgs::new(ids))
            .await
            .map(|result| result.file_requests)
            .map_err(|e| api.error("file_requests/delete", e))
    }

    /// Deletes every closed file request and returns them.
    pub async fn delete_all_closed(&self) -> Result<Vec<FileRequest>, DropboxError> {
        let api = self.api();
        file_requests::delete_all_closed(api.as_ref())
            .await
            .map(|result| result.file_requests)
            .map_err(|e| api.error("file_requests/delete_all_closed", e))
    }

    /// The signed-in account.
    pub async fn current_account(&self) -> Result<FullAccount, DropboxError> {
        let api = self.api();
        users::get_current_account(api.as_ref())
            .await
            .map_err(|e| api.error("users/get_current_account", e))
    }

    /// Every entry under `path` (`""` or `"/"` for the root), recursively if asked, and
    /// the cursor for changes after it. If Dropbox resets the listing midway, it starts
    /// over once. A server that keeps sending empty pages that promise more ends the
    /// listing with an `Unexpected` error.
    pub async fn list_folder_all(
        &self,
        path: &str,
        recursive: bool,
    ) -> Result<(Vec<Metadata>, String), DropboxError> {
        let api = self.api();
        let arg = ListFolderArg::new(folder_path(path)).with_recursive(recursive);
        let mut restarted = false;
        'listing: loop {
            let first = files::list_folder(api.as_ref(), &arg)
                .await
                .map_err(|e| api.error("files/list_folder", e))?;
            let mut guard = ListingGuard::new(
                "files/list_folder/continue",
                FOLDER_LISTING,
                api.max_listing_entries(),
            );
            guard.page(first.entries.len(), first.has_more, &first.cursor)?;
            let mut entries = first.entries;
            let mut cursor = first.cursor;
            let mut has_more = first.has_more;
            while has_more {
                match Self::list_folder_page(&api, &cursor).await {
                    Ok(page) => {
                        guard.page(page.entries.len(), page.has_more, &page.cursor)?;
                        entries.extend(page.entries);
                        cursor = page.cursor;
                        has_more = page.has_more;
                    }
                    Err(SdkError::Api(ListFolderContinueError::Reset)) if !restarted => {
                        tracing::info!("folder listing reset by Dropbox; listing again");
                        restarted = true;
                        continue 'listing;
                    }
                    Err(e) => return Err(api.error("files/list_folder/continue", e)),
                }
            }
            return Ok((entries, cursor));
        }
    }

    /// The folders directly inside `path`, as display paths (for completing a folder
    /// name). A folder that does not exist has none: Dropbox creates it when needed.
    pub async fn list_subfolders(&self, path: &str) -> Result<Vec<String>, DropboxError> {
        let entries = match self.list_folder_all(path, false).await {
            Ok((entries, _)) => entries,
            Err(error) if error.tag() == Some("path/not_found") => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut folders: Vec<String> = entries
            .into_iter()
            .filter_map(|entry| match entry {
                Metadata::Folder(folder) => folder.path_display,
                _ => None,
            })
            .collect();
        folders.sort_by_key(|path| path.to_lowercase());
        Ok(folders)
    }

    /// Every change after `cursor` (following `has_more`) and the cursor after them.
    /// A `reset` error (tag `reset`) means the folder must be listed again from scratch.
    /// Endless empty pages end in an `Unexpected` error, as for [`Self::list_folder_all`].
    pub async fn list_folder_continue(
        &self,
        cursor: &str,
    ) -> Result<(Vec<Metadata>, String), DropboxError> {
        let api = self.api();
        let mut entries = Vec::new();
        let mut cursor = cursor.to_owned();
        let mut guard = ListingGuard::new(
            "files/list_folder/continue",
            FOLDER_LISTING,
            api.max_listing_entries(),
        )
        .starting_from(&cursor);
        loop {
            let page = Self::list_folder_page(&api, &cursor)
                .await
                .map_err(|e| api.error("files/list_folder/continue", e))?;
            guard.page(page.entries.len(), page.has_more, &page.cursor)?;
            entries.extend(page.entries);
            cursor = page.cursor;
            if !page.has_more {
                return Ok((entries, cursor));
            }
        }
    }

    async fn list_folder_page(
        api: &ApiClient,
        cursor: &str,
    ) -> Result<ListFolderResult, SdkError<ListFolderContinueError>> {
        files::list_folder_continue(api, &ListFolderContinueArg::new(cursor.to_owned())).await
    }

    /// A cursor for changes under `path` from now on, without listing it.
    pub async fn latest_cursor(&self, path: &str, recursive: bool) -> Result<String, DropboxError> {
        let api = self.api();
        let arg = ListFolderArg::new(folder_path(path)).with_recursive(recursive);
        files::list_folder_get_latest_cursor(api.as_ref(), &arg)
            .await
            .map(|result| result.cursor)
            .map_err(|e| api.error("files/list_folder/get_latest_cursor", e))
    }

    /// Waits until something changes after `cursor` or `timeout_secs` (clamped to
    /// Dropbox's 30..=480) pass. Returns whether there are changes, and how many seconds
    /// Dropbox asks to wait before polling again, if it says. Sends no token.
    pub async fn longpoll(
        &self,
        cursor: &str,
        timeout_secs: u64,
    ) -> Result<(bool, Option<u64>), DropboxError> {
        let timeout = timeout_secs.clamp(
            *LONGPOLL_TIMEOUT_RANGE.start(),
            *LONGPOLL_TIMEOUT_RANGE.end(),
        );
        let client = self
            .api()
            .longpoll(Duration::from_secs(timeout) + LONGPOLL_MARGIN);
        let arg = ListFolderLongpollArg::new(cursor.to_owned()).with_timeout(timeout);
        files::list_folder_longpoll(&client, &arg)
            .await
            .map(|result| (result.changes, result.backoff))
            .map_err(|e| DropboxError::from_sdk("files/list_folder/longpoll", e))
    }

    /// Waits (long-polling, no CPU) until something changes under `cursor`, then fetches
    /// the changes. Between polls it honours Dropbox's `backoff`. Ends with the changes and
    /// the cursor after them; a `reset` error means the folder must be listed again.
    pub async fn wait_for_changes(
        &self,
        cursor: &str,
        timeout_secs: u64,
    ) -> Result<(Vec<Metadata>, String), DropboxError> {
        loop {
            let started = tokio::time::Instant::now();
            let (changed, backoff) = self.longpoll(cursor, timeout_secs).await?;
            if let Some(seconds) = backoff {
                tokio::time::sleep(Duration::from_secs(seconds)).await;
            }
            let changes = if changed {
                Some(self.list_folder_continue(cursor).await?)
            } else {
                None
            };
            // Dropbox holds a long poll open until something changes; a server that
            // answers at once with nothing new would have handin poll it in a tight loop,
            // burning a shared machine's CPU, so such a round takes a while at least.
            let nothing_new = changes
                .as_ref()
                .is_none_or(|(entries, _)| entries.is_empty());
            if nothing_new {
                tokio::time::sleep_until(started + QUIET_POLL_ROUND).await;
            }
            if let Some(changes) = changes {
                return Ok(changes);
            }
        }
    }

    /// Metadata of a file or folder (not the root).
    pub async fn get_metadata(&self, path: &str) -> Result<Metadata, DropboxError> {
        let api = self.api();
        files::get_metadata(api.as_ref(), &GetMetadataArg::new(path.to_owned()))
            .await
            .map_err(|e| api.error("files/get_metadata", e))
    }

    /// Starts downloading a file, from byte `from` on if given (to resume a partial one).
    /// A `Content-Length` that fits neither the whole file nor the rest of it from `from`
    /// is refused before any byte is read: the body would not be the file.
    pub async fn download(&self, path: &str, from: Option<u64>) -> Result<Download, DropboxError> {
        let api = self.api();
        let result = files::download(api.as_ref(), &DownloadArg::new(path.to_owned()), from, None)
            .await
            .map_err(|e| api.error("files/download", e))?;
        let size = result.result.size;
        if let Some(length) = result.content_length {
            // A server may answer a range with the whole file; anything else is wrong.
            let rest = from.map_or(size, |from| size.saturating_sub(from));
            if length != size && length != rest {
                let expected = match from {
                    Some(from) => format!("{size} (the file) or {rest} (from byte {from} on)"),
                    None => size.to_string(),
                };
                return Err(DropboxError::unexpected(
                    "files/download",
                    &format!("Content-Length {length}, but the file's metadata says {expected}"),
                ));
            }
        }
        let body = result
            .body
            .ok_or_else(|| DropboxError::unexpected("files/download", "no response body"))?;
        Ok(Download {
            metadata: result.result,
            content_length: result.content_length,
            body,
        })
    }

    /// Starts downloading the folder at `path` as one zip archive. Dropbox refuses
    /// folders of 20 GB or more, with a file of 4 GB or more, or with 10,000 entries or
    /// more (tags `too_large`, `too_many_files`).
    pub async fn download_zip(&self, path: &str) -> Result<ZipDownload, DropboxError> {
        let api = self.api();
        let result = files::download_zip(
            api.as_ref(),
            &DownloadZipArg::new(path.to_owned()),
            None,
            None,
        )
        .await
        .map_err(|e| api.error("files/download_zip", e))?;
        let body = result
            .body
            .ok_or_else(|| DropboxError::unexpected("files/download_zip", "no response body"))?;
        Ok(ZipDownload {
            metadata: result.result.metadata,
            content_length: result.content_length,
            body,
        })
    }

    /// Revokes the access token (and, for an OAuth sign-in, its refresh token), and
    /// nothing else: every later call with this handle fails with `invalid_access_token`.
    /// [`Dropbox::sign_out`] is the way to sign out.
    pub async fn revoke_token(&self) -> Result<(), DropboxError> {
        let api = self.api();
        dropbox_sdk::auth::token_revoke(api.as_ref())
            .await
            .map_err(|e| api.error("auth/token/revoke", e))
    }

    /// Checks that the token works: Dropbox echoes `query` back.
    pub async fn check_user(&self, query: &str) -> Result<String, DropboxError> {
        let api = self.api();
        check::user(
            api.as_ref(),
            &check::EchoArg::default().with_query(query.to_owned()),
        )
        .await
        .map(|result| result.result)
        .map_err(|e| api.error("check/user", e))
    }
}

/// The token source for `credentials`, checked as far as it can be without Dropbox, and
/// bound to the origin that issued them.
fn token_source(credentials: &Credentials) -> Result<TokenSource, DropboxError> {
    let origin = Origin::of_issuer(credentials.api_base());
    match credentials {
        Credentials::Token { access_token, .. } => Ok(TokenSource::Fixed(Arc::new(
            FixedToken::new(access_token.expose(), origin)?,
        ))),
        Credentials::OAuth { app_key, saved, .. } => {
            client::source_from_saved(app_key, saved.expose(), origin)
        }
    }
}

/// Dropbox names the root folder `""`; people (and configs) write `/`.
fn folder_path(path: &str) -> String {
    if path == "/" {
        String::new()
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_defaults() {
        let settings = ClientSettings::default();
        assert_eq!(settings.api_base, None);
        assert_eq!(settings.connect_timeout, Duration::from_secs(10));
        assert_eq!(settings.request_timeout, Duration::from_secs(60));
        assert_eq!(settings.retry, RetryPolicy::default());
        assert_eq!(settings.select_user, None);
        assert_eq!(settings.path_root, None);
    }

    #[test]
    fn root_is_spelled_the_dropbox_way() {
        assert_eq!(folder_path("/"), "");
        assert_eq!(folder_path(""), "");
        assert_eq!(folder_path("/Homework"), "/Homework");
    }

    #[test]
    fn handle_is_shareable_across_tasks() {
        fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
        assert_shareable::<Dropbox>();
    }

    #[test]
    fn debug_never_shows_the_token() {
        let dropbox = Dropbox::new(ClientSettings::default(), "sl.secret".into()).expect("handle");
        let shown = format!("{dropbox:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("ApiClient"), "{shown}");
    }

    fn guard(limit: usize) -> ListingGuard {
        ListingGuard::new("files/list_folder/continue", FOLDER_LISTING, limit)
    }

    #[test]
    fn empty_pages_are_counted_in_a_row() {
        let mut guard = guard(1_000);
        let mut pages = 0..;
        let mut next = || format!("cursor-{}", pages.next().unwrap_or_default());
        for _ in 0..MAX_EMPTY_PAGES - 1 {
            guard.page(0, true, &next()).expect("still patient");
        }
        // A page with entries, or the last page, starts the count again.
        guard.page(1, true, &next()).expect("progress");
        for _ in 0..MAX_EMPTY_PAGES - 1 {
            guard.page(0, true, &next()).expect("still patient");
        }
        guard.page(0, false, &next()).expect("the end");
        for _ in 0..MAX_EMPTY_PAGES - 1 {
            guard.page(0, true, &next()).expect("still patient");
        }
        let error = guard.page(0, true, &next()).expect_err("gives up");
        assert_eq!(error.kind(), &ErrorKind::EndlessListing);
    }

    #[test]
    fn a_listing_stops_past_its_limit_naming_the_limit_and_the_key() {
        let mut guard = guard(250_000);
        for page in 0..250 {
            guard
                .page(1_000, true, &format!("c{page}"))
                .expect("within the limit");
        }
        let error = guard.page(1, false, "last").expect_err("one too many");
        assert_eq!(error.kind(), &ErrorKind::EndlessListing);
        let sentence = error.sentence();
        assert!(sentence.contains("250,000"), "{sentence}");
        assert!(sentence.contains("max_listing_entries"), "{sentence}");
        assert!(sentence.contains("folder listing"), "{sentence}");
    }

    #[test]
    fn a_cursor_sent_again_while_promising_more_stops_the_listing() {
        let mut guard = guard(1_000_000);
        guard.page(10, true, "a").expect("first");
        guard.page(10, true, "b").expect("second");
        let error = guard.page(10, true, "a").expect_err("a again");
        assert_eq!(error.kind(), &ErrorKind::EndlessListing);
        assert!(error.detail().contains("cursor sent again"), "{error}");
        // The last page may hand back the cursor it was asked with: nothing follows it.
        let mut guard = guard_from("start");
        guard.page(0, false, "start").expect("no changes");
        // A listing of changes may not come back to where it started.
        let mut guard = guard_from("start");
        let error = guard.page(5, true, "start").expect_err("back to the start");
        assert_eq!(error.kind(), &ErrorKind::EndlessListing);
    }

    fn guard_from(cursor: &str) -> ListingGuard {
        guard(1_000).starting_from(cursor)
    }

    #[test]
    fn the_default_limit_is_well_above_a_course_and_well_below_a_gigabyte() {
        let limit = ClientSettings::default().max_listing_entries;
        assert!(limit >= 100_000, "a large course folder fits: {limit}");
        // About a kilobyte per entry in memory.
        assert!(limit * 1024 < 512 * 1024 * 1024, "{limit}");
    }
}
