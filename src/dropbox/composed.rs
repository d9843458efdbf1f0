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

    /// Every entry under each of `folders` (recursively), one listing per folder, in
    /// order; a folder that is gone has none. The entries of all the folders together
    /// are held to `max_listing_entries`, as one listing's are: a course of many
    /// requests is shown (and kept in memory) at once, so a server that fills each folder
    /// up to the limit must not multiply it.
    pub async fn list_folders_all(
        &self,
        folders: &[String],
    ) -> Result<Vec<Vec<Metadata>>, DropboxError> {
        let limit = self.api().max_listing_entries();
        let mut listings = Vec::with_capacity(folders.len());
        let mut total = 0usize;
        for folder in folders {
            let entries = self.list_request_folder(folder).await?;
            total = total.saturating_add(entries.len());
            if total > limit {
                return Err(DropboxError::listing_too_long(
                    "files/list_folder",
                    "course's folders",
                    limit,
                ));
            }
            listings.push(entries);
        }
        Ok(listings)
    }
}
