//! Operations made of several one-route calls, or of one call and a rule about its
//! answer, that the screen and the command line both need: each is written once here.

use super::{Dropbox, DropboxError, Metadata};

impl Dropbox {
    /// Every entry under a file request's folder, recursively. Dropbox makes the folder
    /// with the first upload, so a request nobody has uploaded to yet, or whose folder
    /// was removed since, has none: that is an empty folder, not a failure.
    pub async fn list_request_folder(
        &self,
        destination: &str,
    ) -> Result<Vec<Metadata>, DropboxError> {
        match self.list_folder_all(destination, true).await {
            Ok((entries, _cursor)) => Ok(entries),
            Err(error) if error.tag() == Some("path/not_found") => Ok(Vec::new()),
            Err(error) => Err(error),
        }
    }
}
