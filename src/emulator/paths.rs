//! How Dropbox reads a slash path argument, once it has passed its Stone
//! pattern: every route that takes one (`files/*`'s `path`, a file request's
//! `destination`) decodes it here, so they all agree.
//!
//! Dropbox collapses runs of slashes (`//Courses//CS101` is `/Courses/CS101`;
//! rclone sends a doubled leading slash for every folder under the root), and
//! refuses a path that ends with a slash or whitespace, names `.` or `..`, or
//! holds a control character (its documentation: "Paths may not end with a
//! slash or whitespace").

/// Why a slash path names nothing Dropbox could hold: routes answer it as
/// their `malformed_path` (or, for a file request's destination,
/// `validation_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MalformedPath;

/// `raw` (which starts with `/`) as Dropbox reads it: repeated slashes made
/// one. `"/"` comes back for a path of slashes only, for the caller to treat
/// as the root it names.
pub(crate) fn normalize(raw: &str) -> Result<String, MalformedPath> {
    let mut path = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c == '/' && path.ends_with('/') {
            continue;
        }
        path.push(c);
    }
    if !path.starts_with('/') || path.chars().any(char::is_control) {
        return Err(MalformedPath);
    }
    if path == "/" {
        return Ok(path);
    }
    let ends_badly = path.ends_with('/') || path.ends_with(char::is_whitespace);
    let relative = path
        .split('/')
        .skip(1)
        .any(|component| component == "." || component == "..");
    if ends_badly || relative {
        return Err(MalformedPath);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_slashes_become_one() {
        for (raw, read) in [
            ("/Courses/CS101", "/Courses/CS101"),
            ("//Courses/CS101", "/Courses/CS101"),
            ("///Courses//CS101", "/Courses/CS101"),
            ("/Courses////CS101/HW 1.pdf", "/Courses/CS101/HW 1.pdf"),
            ("//", "/"),
            ("/", "/"),
        ] {
            assert_eq!(normalize(raw).as_deref(), Ok(read), "{raw:?}");
        }
    }

    #[test]
    fn what_dropbox_refuses_stays_refused() {
        for raw in [
            "Courses",
            "/Courses/",
            "//Courses//",
            "/Courses ",
            "/Courses\t",
            "/./Courses",
            "//Courses/../etc",
            "/Courses/..",
            "/Cour\u{7}ses",
            "/Courses\n/CS101",
        ] {
            assert_eq!(normalize(raw), Err(MalformedPath), "{raw:?}");
        }
        // Dots inside a name are just dots.
        assert_eq!(normalize("/a..b/.hidden").as_deref(), Ok("/a..b/.hidden"));
    }
}
