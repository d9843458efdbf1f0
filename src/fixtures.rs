//! Deterministic file requests for view snapshots, reducer tests and benchmarks.
//! (The emulator has its own, richer demo term; these are small and fixed.)

use chrono::{DateTime, Duration, Utc};

use crate::dropbox::{FileRequest, FileRequestDeadline, GracePeriod};
use crate::file_request::grace;
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
                    grace::CHOICES[i % grace::CHOICES.len()].clone(),
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

/// The request whose files [`sample_files`] lists: "Lab report 1" (PHYS150), nine days
/// past its deadline with a one-day grace period, so its files can be on time, late
/// inside the grace and late beyond it, all before `now`. (Lab 3 is only three hours
/// past its deadline, which its two-day grace covers whatever arrives by now.)
pub fn sample_files_request(now: DateTime<Utc>) -> FileRequest {
    sample_requests(now)
        .into_iter()
        .find(|request| request.title == "Lab report 1")
        .expect("the sample term has Lab report 1")
}

/// One file of `folder`, received `received`, uploaded from a computer whose clock said
/// 20 minutes earlier.
fn file_in(
    folder: &str,
    id: &str,
    name: &str,
    received: DateTime<Utc>,
    size: u64,
) -> crate::dropbox::FileMetadata {
    let path = format!("{folder}/{name}");
    crate::dropbox::FileMetadata::new(
        name.to_string(),
        format!("id:{id}"),
        to_dropbox(received - Duration::minutes(20)),
        to_dropbox(received),
        format!("{:016x}", size * 31 + name.len() as u64),
        size,
    )
    .with_path_lower(path.to_lowercase())
    .with_path_display(path)
    .with_content_hash(format!("{:064x}", size.wrapping_mul(0x9e37_79b9)))
}

/// The twelve files of [`sample_files_request`], as `files/list_folder` lists them:
/// names typed with accents, hyphens and apostrophes, one in lower case, one as
/// "Last, First", a duplicate Dropbox suffixed " (1)", a phone photo with no name, and
/// someone who is not on [`sample_roster`]. By the student's latest file: Ada, Zoë and
/// Grace on time; Jean-Luc and José late inside the grace; Alan late beyond it (the
/// deadline was moved after his upload); Siobhán and Katherine missing.
pub fn sample_files(now: DateTime<Utc>) -> Vec<crate::dropbox::FileMetadata> {
    let request = sample_files_request(now);
    let folder = request.destination.clone().unwrap_or_default();
    let deadline = request
        .deadline
        .as_ref()
        .and_then(|d| crate::time::parse_dropbox(&d.deadline))
        .expect("Lab report 1 has a deadline");
    let minutes = Duration::minutes;
    let files: [(&str, i64, u64); 12] = [
        ("Ada Lovelace - lab report.pdf", -2 * 24 * 60, 482_113),
        ("Ada Lovelace - lab report (1).pdf", -60, 495_870),
        ("Zoë Müller - pendulum.pdf", -30, 1_203_554),
        ("Müller, Zoë - data.csv", -25, 18_230),
        ("Jean-Luc O'Neil - report.pdf", 5 * 60, 733_002),
        (
            "José García López - informe del laboratorio.pdf",
            20 * 60,
            2_640_118,
        ),
        ("Alan Turing - report.pdf", 3 * 24 * 60, 351_740),
        ("IMG_2041.jpg", -4 * 60, 3_912_447),
        ("Grace Hopper - measurements.xlsx", -24 * 60, 88_406),
        ("grace hopper - report.pdf", -2 * 60, 612_990),
        ("Wei Zhang - report.pdf", -3 * 60, 401_225),
        ("Alan Turing - report draft.pdf", -3 * 24 * 60, 298_004),
    ];
    files
        .iter()
        .enumerate()
        .map(|(i, &(name, offset, size))| {
            file_in(
                &folder,
                &format!("labreport1file{i:02}AAAAAAAAAA"),
                name,
                deadline + minutes(offset),
                size,
            )
        })
        .collect()
}

/// The PHYS150 class list: eight students, one written "Last, First" (quoted, as a
/// spreadsheet exports it). Six of them sent something to [`sample_files`].
pub fn sample_roster() -> crate::submissions::Roster {
    crate::submissions::parse_roster(
        "name,email,id\n\
         Ada Lovelace,ada.lovelace@example.edu,s1815\n\
         Alan Turing,alan.turing@example.edu,s1912\n\
         Grace Hopper,grace.hopper@example.edu,s1906\n\
         Zoë Müller,zoe.mueller@example.edu,s2003\n\
         \"O'Neil, Jean-Luc\",jl.oneil@example.edu,s2004\n\
         José García López,jose.garcia@example.edu,s2005\n\
         Siobhán Ní Bhriain,siobhan.nibhriain@example.edu,s2006\n\
         Katherine Johnson,katherine.johnson@example.edu,s1918\n",
    )
    .expect("the sample roster is valid")
}

/// Given names and family names that combine into 400 distinct, international students.
pub const MANY_FIRST: [&str; 20] = [
    "Ada",
    "Alan",
    "Grace",
    "Zoë",
    "Jean-Luc",
    "María José",
    "Wei",
    "Siobhán",
    "Łukasz",
    "Amélie",
    "Omar",
    "Priya",
    "Kenji",
    "Ngozi",
    "Søren",
    "Chloé",
    "Mateus",
    "Aylin",
    "Dmitri",
    "Fatima",
];
pub const MANY_LAST: [&str; 20] = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Müller",
    "O'Neil",
    "García López",
    "Zhang",
    "Ní Bhriain",
    "Żółć",
    "Dubois",
    "Haddad",
    "Raman",
    "Watanabe",
    "Okafor",
    "Kierkegaard",
    "Lefèvre",
    "Silva",
    "Yılmaz",
    "Volkov",
    "Benali",
];

/// Student `i` of [`many_students`]: 400 distinct names before they repeat.
fn many_name(i: usize) -> String {
    format!(
        "{} {}",
        MANY_FIRST[i % MANY_FIRST.len()],
        MANY_LAST[(i / MANY_FIRST.len()) % MANY_LAST.len()]
    )
}

/// A roster of `count` students whose names [`many_files`] uses (distinct up to 400).
pub fn many_students(count: usize) -> crate::submissions::Roster {
    crate::submissions::Roster {
        students: (0..count)
            .map(|i| crate::submissions::Student {
                name: many_name(i),
                email: format!("student{i:04}@example.edu"),
                id: Some(format!("s{i:05}")),
            })
            .collect(),
    }
}

/// `count` files spread over 50 request folders of one course, sent by the first
/// `students` of [`many_students`] (nine files in ten carry a name, a few as "Last,
/// First" or in lower case, with Dropbox's " (n)" copies; the rest are phone photos).
/// They arrive in the two weeks before the deadline of [`sample_files_request`], except
/// that one student in ten also sends to every fourth request up to three days after it
/// (inside its one-day grace or beyond). For benchmarks.
pub fn many_files(
    count: usize,
    students: usize,
    now: DateTime<Utc>,
) -> Vec<crate::dropbox::FileMetadata> {
    const REQUESTS: usize = 50;
    let students = students.max(1);
    let deadline = sample_files_request(now)
        .deadline
        .and_then(|d| crate::time::parse_dropbox(&d.deadline))
        .unwrap_or(now);
    (0..count)
        .map(|n| {
            let request = n % REQUESTS;
            let student = (n / REQUESTS) % students;
            let copy = n / (REQUESTS * students);
            let suffix = if copy == 0 {
                String::new()
            } else {
                format!(" ({copy})")
            };
            let name = match (request * 3 + student + copy) % 10 {
                9 => format!("IMG_{:05}.jpg", n % 100_000),
                7 => {
                    let first = MANY_FIRST[student % MANY_FIRST.len()];
                    let last = MANY_LAST[(student / MANY_FIRST.len()) % MANY_LAST.len()];
                    format!("{last}, {first} - homework {request:02}{suffix}.pdf")
                }
                5 => format!(
                    "{} - homework {request:02}{suffix}.pdf",
                    many_name(student).to_lowercase()
                ),
                _ => format!("{} - homework {request:02}{suffix}.pdf", many_name(student)),
            };
            let received = if student % 10 == 3 && request.is_multiple_of(4) {
                deadline + Duration::minutes((n as i64).wrapping_mul(131) % (3 * 24 * 60) + 1)
            } else {
                deadline - Duration::minutes((n as i64).wrapping_mul(7_919) % (14 * 24 * 60))
            };
            let folder = format!("/Courses/PHYS150 Mechanics/HW{request:02}");
            file_in(
                &folder,
                &format!("many{n:07}AAAAAAAAAAAA"),
                &name,
                received,
                40_000 + (n as u64 * 7_919) % 5_000_000,
            )
        })
        .collect()
}
