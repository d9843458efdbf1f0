//! Deterministic file requests for view snapshots, reducer tests and benchmarks.
//! (The emulator has its own, richer demo term; these are small and fixed.)

use chrono::{DateTime, Duration, Utc};

use crate::dropbox::{FileRequest, FileRequestDeadline, GracePeriod};
use crate::state::form::GRACE_CHOICES;
use crate::time::to_dropbox;

/// The instant fixtures are built around: Friday 27 November 2026, 12:00 UTC.
pub fn fixed_now() -> DateTime<Utc> {
    crate::time::parse_dropbox("2026-11-27T12:00:00Z").expect("valid fixture time")
}

fn request(
    index: usize,
    title: &str,
    course: &str,
    deadline: Option<(i64, Option<GracePeriod>)>,
    is_open: bool,
    file_count: i64,
    now: DateTime<Utc>,
) -> FileRequest {
    let id = format!("fr{index:018}");
    let created = now - Duration::days(40) + Duration::hours(index as i64);
    let mut request = FileRequest::new(
        id.clone(),
        format!("https://www.dropbox.com/request/{id}"),
        title.to_string(),
        to_dropbox(created),
        is_open,
        file_count,
    )
    .with_destination(format!("/Courses/{course}/{title}"));
    if let Some((hours, grace)) = deadline {
        let mut d = FileRequestDeadline::new(to_dropbox(now + Duration::hours(hours)));
        if let Some(grace) = grace {
            d = d.with_allow_late_uploads(grace);
        }
        request = request.with_deadline(d);
    }
    request
}

/// A small term: open and closed, deadlines past and future, every grace period,
/// one without a deadline, one whose folder was removed.
pub fn sample_requests(now: DateTime<Utc>) -> Vec<FileRequest> {
    let cs = "CS101 Intro to Programming";
    let la = "MATH210 Linear Algebra";
    let ph = "PHYS150 Mechanics";
    let mut list = vec![
        request(
            1,
            "Lab 1 - Hello, World",
            cs,
            Some((-24 * 30, None)),
            false,
            41,
            now,
        ),
        request(
            2,
            "Lab 2 - Loops",
            cs,
            Some((-24 * 16, Some(GracePeriod::OneDay))),
            false,
            39,
            now,
        ),
        request(
            3,
            "Lab 3 - Sorting",
            cs,
            Some((-3, Some(GracePeriod::TwoDays))),
            true,
            35,
            now,
        ),
        request(
            4,
            "Project proposal",
            cs,
            Some((24 * 7, Some(GracePeriod::SevenDays))),
            true,
            12,
            now,
        ),
        request(
            5,
            "Problem set 1",
            la,
            Some((-24 * 20, Some(GracePeriod::ThirtyDays))),
            true,
            38,
            now,
        ),
        request(
            6,
            "Problem set 2",
            la,
            Some((24 * 3, Some(GracePeriod::Always))),
            true,
            9,
            now,
        ),
        request(7, "Midterm corrections", la, None, true, 4, now),
        request(
            8,
            "Lab report 1",
            ph,
            Some((-24 * 9, Some(GracePeriod::OneDay))),
            true,
            27,
            now,
        ),
        request(9, "Lab report 2", ph, Some((50, None)), true, 3, now),
        request(
            10,
            "Old draft request",
            ph,
            Some((-24 * 60, None)),
            false,
            0,
            now,
        ),
    ];
    list[3] = list[3].clone().with_description(
        "One PDF, at most two pages: the problem, your approach, and a timeline. Name it after yourself."
            .to_string(),
    );
    let mut removed = list[9].clone();
    removed.destination = None;
    list[9] = removed;
    list
}

/// `count` requests spread over courses and deadlines, for benchmarks and paging tests.
pub fn many_requests(count: usize, now: DateTime<Utc>) -> Vec<FileRequest> {
    const COURSES: [&str; 6] = [
        "CS101 Intro to Programming",
        "CS240 Data Structures",
        "MATH210 Linear Algebra",
        "MATH330 Probability",
        "PHYS150 Mechanics",
        "CHEM101 General Chemistry",
    ];
    (0..count)
        .map(|i| {
            let course = COURSES[i % COURSES.len()];
            let deadline = if i % 11 == 0 {
                None
            } else {
                Some((
                    (i as i64 % 97) * 7 - 300,
                    GRACE_CHOICES[i % GRACE_CHOICES.len()].clone(),
                ))
            };
            request(
                i,
                &format!("Assignment {:04} week {}", i, i % 15 + 1),
                course,
                deadline,
                i % 3 != 0,
                (i % 45) as i64,
                now,
            )
        })
        .collect()
}

/// A network failure as the client reports it, for views of the failed state.
pub fn network_error() -> crate::dropbox::DropboxError {
    let refused = std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "connection refused (os error 111)",
    );
    crate::dropbox::DropboxError::from_sdk::<dropbox_sdk::NoError>(
        "file_requests/list_v2",
        dropbox_sdk::Error::HttpClient(Box::new(refused)),
    )
}
