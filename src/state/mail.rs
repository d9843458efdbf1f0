//! Emailing a request's upload link from the TUI: `m` invites the class (or a chosen
//! part of it), `M` reminds the students who have not handed in. The overlay picks the
//! recipients, previews the first letter, asks, sends one letter at a time and shows
//! each result as it comes; what went out is kept in the mail log, one save per letter,
//! so nothing sent is ever forgotten (not even when handin is stopped half-way).

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent};

use super::{Confirm, Level, Load, Modal, Pending, State, Tab};
use crate::action::{Effect, MailPrepared};
use crate::config::MailTransport;
use crate::dropbox::{FileRequest, Metadata};
use crate::file_request::course_of;
use crate::mail::{self, Delivery, Kind, Letter, Recipient, Sent, Templates, Values};
use crate::submissions::Roster;

/// The mail overlay: what is being sent, to whom, and how it went.
#[derive(Debug, Clone)]
pub struct MailOverlay {
    pub kind: Kind,
    pub request: FileRequest,
    /// The course folder's name ("PHYS150 Mechanics").
    pub course: String,
    pub phase: MailPhase,
    /// One per student of the roster, in its order.
    pub rows: Vec<MailRow>,
    /// Indices into `rows` on screen: every student while picking, the ones in the
    /// sending once it starts.
    pub visible: Vec<usize>,
    /// Position in `visible` of the cursor.
    pub selected: usize,
    pub offset: usize,
    /// The first line of the preview on screen.
    pub preview_scroll: usize,
    /// How mail goes ("smtp.university.edu:587 (STARTTLS)"), or what to set first;
    /// `None` until the settings were checked.
    pub transport: Option<Result<String, String>>,
    pub templates: Templates,
    pub values: Values,
    /// Why the templates cannot be filled: shown instead of the preview.
    pub template_problem: Option<String>,
    /// To remind: how many students have not handed in.
    pub missing: usize,
    /// The roster and who is missing, when the Submissions tab already knew them.
    reuse_roster: Option<Roster>,
    reuse_missing: Option<HashSet<usize>>,
    /// The entry of the mail log this sending adds to, once a letter went.
    run_entry: Option<usize>,
    /// The rows of the sending under way or last done, and whether it was a retry.
    run: Vec<usize>,
    retrying: bool,
}

/// One student of the roster in the overlay.
#[derive(Debug, Clone)]
pub struct MailRow {
    pub recipient: Recipient,
    pub chosen: bool,
    /// Why nothing can be sent to this row (the address is not one): reported, skipped.
    pub problem: Option<String>,
    /// Whether the student has handed nothing in (known when reminding).
    pub missing: bool,
    /// Whether this student was already sent this kind of message for this request.
    pub already: bool,
    /// Part of the sending under way or done.
    pub attempted: bool,
    pub result: Option<Delivery>,
}

impl MailRow {
    /// Chosen, with an address that can take a letter.
    pub fn sendable(&self) -> bool {
        self.chosen && self.problem.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailPhase {
    /// Checking the settings, reading the roster (and, to remind, listing the folder).
    Loading,
    Picking,
    Sending {
        /// Esc was confirmed: the letter in flight finishes, no other starts.
        stopping: bool,
    },
    /// The sending ended; `problem` says why it could not begin.
    Done {
        stopped: bool,
        problem: Option<String>,
    },
    /// Nothing can be sent, and this says why (and how to change that).
    Notice(String),
}

/// Counts of a sending, for the overlay and the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub sent: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Not tried (yet, or at all when stopped).
    pub waiting: usize,
}

impl MailOverlay {
    /// The rows that would be sent a letter.
    pub fn sendable(&self) -> usize {
        self.rows.iter().filter(|r| r.sendable()).count()
    }

    pub fn chosen(&self) -> usize {
        self.rows.iter().filter(|r| r.chosen).count()
    }

    /// Chosen rows whose address is not one.
    pub fn skipped(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.chosen && r.problem.is_some())
            .count()
    }

    /// Chosen rows already sent this kind before.
    pub fn already(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.sendable() && r.already)
            .count()
    }

    /// The row the preview is for: the first chosen one that can be sent.
    pub fn preview_row(&self) -> Option<usize> {
        self.rows.iter().position(MailRow::sendable)
    }

    /// The letter for `row`, as it would go.
    pub fn letter(&self, row: usize) -> Result<Letter, String> {
        if let Some(problem) = &self.template_problem {
            return Err(problem.clone());
        }
        mail::template::letter(
            &self.templates,
            self.kind,
            &self.values,
            &self.rows[row].recipient,
        )
        .map_err(|error| error.to_string())
    }

    /// The preview's letter, or why there is none.
    pub fn preview(&self) -> Option<Result<Letter, String>> {
        self.preview_row().map(|row| self.letter(row))
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.phase, MailPhase::Loading | MailPhase::Sending { .. })
    }

    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for row in self.rows.iter().filter(|r| r.attempted) {
            match &row.result {
                Some(Delivery::Sent) => tally.sent += 1,
                Some(Delivery::Failed(_)) => tally.failed += 1,
                Some(Delivery::Skipped(_)) => tally.skipped += 1,
                None => tally.waiting += 1,
            }
        }
        tally
    }

    pub fn selected_row(&self) -> Option<&MailRow> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    /// Keeps the cursor inside the list and on screen.
    pub(super) fn clamp(&mut self, viewport: usize) {
        (self.selected, self.offset) =
            super::keep_in_view(self.selected, self.offset, viewport, self.visible.len());
    }

    fn move_by(&mut self, delta: isize, viewport: usize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
        self.clamp(viewport);
    }

    /// How far the preview scrolls on `screen`: its lines once wrapped (counted by
    /// characters, a little short of word wrapping, which the view makes up for by
    /// stopping at the end) less the pane's height.
    fn preview_scroll_limit(&self, screen: super::Screen) -> usize {
        let Some(Ok(letter)) = self.preview() else {
            return 0;
        };
        let columns = usize::from(screen.mail_preview_columns).max(1);
        let wrapped: usize = letter
            .body
            .lines()
            .chain([letter.subject.as_str()])
            .map(|line| line.chars().count().div_ceil(columns).max(1))
            .sum();
        // From, To (two lines each), the blank line after the subject, and some room.
        (wrapped + 7).saturating_sub(screen.mail_rows)
    }
}

/// "messages", "message".
pub fn messages(count: usize) -> String {
    match count {
        1 => "1 message".to_string(),
        n => format!("{n} messages"),
    }
}

/// "5 students", "1 student".
pub fn students(count: usize) -> String {
    match count {
        1 => "1 student".to_string(),
        n => format!("{n} students"),
    }
}

impl State {
    /// The request `m`/`M` act on: the selected one, or in the Submissions tab the open one.
    fn mail_request(&self) -> Option<FileRequest> {
        match self.tab {
            Tab::Submissions => self.submissions.request.clone(),
            _ => self.requests.selected_row().map(|row| row.request.clone()),
        }
    }

    /// `m` (invite) and `M` (remind): opens the overlay and asks for what it needs. What
    /// stands in the way (no course, no class list) is said in the overlay, in full: the
    /// status bar would cut the sentence that says how to fix it.
    pub(super) fn start_mail(&mut self, kind: Kind) -> Vec<Effect> {
        let Some(request) = self.mail_request() else {
            let text = match self.tab {
                Tab::Submissions => "Open a request first (Enter in the Requests tab).",
                _ => "No request is selected.",
            };
            self.tell(Level::Info, text);
            return Vec::new();
        };
        let config = self.config();
        let root = config.courses_root.clone();
        let templates = Templates::from_config(&config.mail.templates);
        let template_problem = templates.check().err().map(|e| e.to_string());
        let professor = mail::professor_name(config.mail.from.as_deref())
            .or_else(|| {
                self.account
                    .account
                    .as_ref()
                    .map(|a| a.name.display_name.clone())
            })
            .unwrap_or_default();
        let values = Values::for_request(&request, self.zone, &root, &professor);
        let mail = Box::new(config.mail.clone());
        self.mail_generation += 1;
        let title = format!("\u{201c}{}\u{201d}", request.title);
        let destination = request.destination.clone();
        let mut overlay = MailOverlay {
            kind,
            request,
            course: values.course.clone(),
            phase: MailPhase::Loading,
            rows: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            preview_scroll: 0,
            transport: None,
            templates,
            values,
            template_problem,
            missing: 0,
            reuse_roster: None,
            reuse_missing: None,
            run_entry: None,
            run: Vec::new(),
            retrying: false,
        };
        let Some(destination) = destination else {
            overlay.phase = MailPhase::Notice(format!(
                "{title} has no folder in Dropbox any more, so it belongs to no course and handin has no class list to write to."
            ));
            self.mail = Some(overlay);
            return Vec::new();
        };
        let Some(course) = course_of(&destination, &root) else {
            overlay.phase = MailPhase::Notice(format!(
                "{title} is not in a course folder under {root}, so handin has no class list to write to. Requests live in {root}/<course>/<request>; the courses root is a setting (3)."
            ));
            self.mail = Some(overlay);
            return Vec::new();
        };
        let Some(roster_path) = crate::file_request::roster_for(
            self.config(),
            &course,
            self.environment.home.as_deref(),
        ) else {
            overlay.phase = MailPhase::Notice(format!(
                "{} has no class list yet. Open the request (Enter), press R in the Submissions tab and give the CSV file (name,email), or add the course under [rosters] in the config file:\n\n[rosters]\n\"{course}\" = \"~/rosters/{}.csv\"",
                overlay.course,
                overlay
                    .course
                    .split_whitespace()
                    .next()
                    .unwrap_or("course")
                    .to_lowercase()
            ));
            self.mail = Some(overlay);
            return Vec::new();
        };
        // What the Submissions tab already holds for this request or its course.
        let subs = &self.submissions;
        let same_course = subs
            .request
            .as_ref()
            .and_then(|r| r.destination.as_deref())
            .and_then(|d| course_of(d, &root))
            .is_some_and(|c| c.eq_ignore_ascii_case(&course));
        overlay.reuse_roster = subs.roster.clone().filter(|_| same_course);
        let same_request = subs
            .request
            .as_ref()
            .is_some_and(|r| r.id == overlay.request.id)
            && subs.load == Load::Loaded
            && !subs.folder_missing;
        overlay.reuse_missing = match (&subs.class, kind) {
            (Some(class), Kind::Remind) if same_request && overlay.reuse_roster.is_some() => {
                Some(class.to_remind().into_iter().collect())
            }
            _ => None,
        };
        let folder =
            (kind == Kind::Remind && overlay.reuse_missing.is_none()).then_some(destination);
        let roster = overlay.reuse_roster.is_none().then_some(roster_path);
        self.mail = Some(overlay);
        vec![Effect::PrepareMail {
            generation: self.mail_generation,
            mail,
            roster,
            folder,
        }]
    }

    /// The settings checked, the roster read, the folder listed: the rows are built.
    pub(super) fn mail_prepared(&mut self, prepared: MailPrepared) {
        if prepared.generation != self.mail_generation {
            return;
        }
        let Some(mut overlay) = self.mail.take() else {
            return;
        };
        if overlay.phase != MailPhase::Loading {
            self.mail = Some(overlay);
            return;
        }
        let roster = match (overlay.reuse_roster.take(), prepared.roster) {
            (Some(roster), _) | (None, Some(Ok(roster))) => roster,
            (None, Some(Err(sentence))) => {
                let text = format!(
                    "The class list of {} cannot be used. {sentence} Fix the file, or give another with R in the Submissions tab.",
                    overlay.course
                );
                self.mail_notice(overlay, text);
                return;
            }
            (None, None) => Roster::default(),
        };
        let title = format!("\u{201c}{}\u{201d}", overlay.request.title);
        let missing: Option<HashSet<usize>> = match (overlay.reuse_missing.take(), prepared.files) {
            (Some(missing), _) => Some(missing),
            (None, Some(Ok(entries))) => {
                Some(self.missing_students(&overlay.request, &roster, entries))
            }
            (None, Some(Err(error))) => {
                let text = format!(
                    "handin could not list the folder of {title} to find who is missing: {}",
                    error.sentence()
                );
                self.mail_notice(overlay, text);
                return;
            }
            (None, None) => None,
        };
        if roster.students.is_empty() {
            let text = format!(
                "The class list of {} has nobody on it: nobody to write to.",
                overlay.course
            );
            self.mail_notice(overlay, text);
            return;
        }
        if overlay.kind == Kind::Remind && missing.as_ref().is_none_or(HashSet::is_empty) {
            let text =
                format!("Everyone on the class list has handed in {title}: nobody to remind.");
            self.mail_notice(overlay, text);
            return;
        }
        let already: HashSet<String> = self
            .mail_log
            .already(&overlay.request.id, overlay.kind)
            .into_iter()
            .map(str::to_lowercase)
            .collect();
        overlay.rows = roster
            .students
            .iter()
            .enumerate()
            .map(|(index, student)| {
                let is_missing = missing.as_ref().is_some_and(|m| m.contains(&index));
                MailRow {
                    recipient: Recipient {
                        name: student.name.clone(),
                        email: student.email.clone(),
                    },
                    chosen: match overlay.kind {
                        Kind::Invite => true,
                        Kind::Remind => is_missing,
                    },
                    problem: mail::check_address(&student.email).err(),
                    missing: is_missing,
                    already: already.contains(&student.email.trim().to_lowercase()),
                    attempted: false,
                    result: None,
                }
            })
            .collect();
        overlay.missing = missing.map_or(0, |m| m.len());
        overlay.visible = (0..overlay.rows.len()).collect();
        if overlay.kind == Kind::Remind {
            // The students a reminder is for are listed first (each group in roster
            // order), so the professor sees them without scrolling.
            overlay
                .visible
                .sort_by_key(|&row| !overlay.rows[row].missing);
        }
        overlay.transport = Some(
            prepared
                .transport
                .map_err(|sentence| with_settings_row(&sentence)),
        );
        overlay.phase = MailPhase::Picking;
        // The cursor starts on the first student chosen.
        overlay.selected = overlay
            .visible
            .iter()
            .position(|&row| overlay.rows[row].chosen)
            .unwrap_or(0);
        overlay.clamp(self.screen.mail_rows);
        self.mail = Some(overlay);
    }

    /// The overlay, saying why it cannot go on.
    fn mail_notice(&mut self, mut overlay: MailOverlay, text: String) {
        overlay.phase = MailPhase::Notice(text);
        self.mail = Some(overlay);
    }

    /// Who on `roster` has handed nothing in to `request`, from its folder's listing.
    fn missing_students(
        &self,
        request: &FileRequest,
        roster: &Roster,
        entries: Vec<Metadata>,
    ) -> HashSet<usize> {
        let submissions = crate::submissions::of_request(
            &crate::submissions::files_in(entries),
            request,
            &self.submissions.assignments,
        );
        crate::submissions::class_view(roster, &submissions)
            .to_remind()
            .into_iter()
            .collect()
    }

    /// A key while the overlay is up.
    pub(super) fn mail_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let viewport = self.screen.mail_rows;
        let Some(overlay) = self.mail.as_mut() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => overlay.move_by(1, viewport),
            KeyCode::Up | KeyCode::Char('k') => overlay.move_by(-1, viewport),
            KeyCode::Home | KeyCode::Char('g') => overlay.move_by(isize::MIN / 2, viewport),
            KeyCode::End | KeyCode::Char('G') => overlay.move_by(isize::MAX / 2, viewport),
            _ => return self.mail_phase_key(key, viewport),
        }
        Vec::new()
    }

    fn mail_phase_key(&mut self, key: KeyEvent, viewport: usize) -> Vec<Effect> {
        let Some(overlay) = self.mail.as_mut() else {
            return Vec::new();
        };
        match overlay.phase.clone() {
            MailPhase::Notice(_) => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    self.mail = None;
                }
                Vec::new()
            }
            MailPhase::Loading => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) {
                    // A late answer finds no overlay of its generation.
                    self.mail = None;
                    self.mail_generation += 1;
                }
                Vec::new()
            }
            MailPhase::Picking => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => {
                    self.mail = None;
                    Vec::new()
                }
                KeyCode::Char(' ') => {
                    if let Some(&row) = overlay.visible.get(overlay.selected) {
                        let row = &mut overlay.rows[row];
                        row.chosen = !row.chosen;
                        overlay.preview_scroll = 0;
                        overlay.move_by(1, viewport);
                    }
                    Vec::new()
                }
                KeyCode::Char('a') => {
                    // All, unless all are chosen already: then none.
                    let all = overlay.rows.iter().all(|r| r.chosen);
                    for row in &mut overlay.rows {
                        row.chosen = !all;
                    }
                    overlay.preview_scroll = 0;
                    Vec::new()
                }
                KeyCode::PageDown | KeyCode::Char('J') => {
                    let most = overlay.preview_scroll_limit(self.screen);
                    overlay.preview_scroll = (overlay.preview_scroll + 5).min(most);
                    Vec::new()
                }
                KeyCode::PageUp | KeyCode::Char('K') => {
                    overlay.preview_scroll = overlay.preview_scroll.saturating_sub(5);
                    Vec::new()
                }
                KeyCode::Enter => self.ask_to_send(false),
                _ => Vec::new(),
            },
            MailPhase::Sending { stopping } => {
                if key.code == KeyCode::Esc && !stopping {
                    let tally = overlay.tally();
                    self.modal = Some(Modal::Confirm(Confirm {
                        title: "Stop sending?".to_string(),
                        lines: vec![
                            format!(
                                "{} of {} went out; they stay sent and recorded.",
                                tally.sent,
                                messages(tally.sent + tally.failed + tally.waiting)
                            ),
                            format!(
                                "The {} not sent yet are not sent; r sends them later.",
                                tally.waiting
                            ),
                        ],
                        yes: "stop".to_string(),
                        pending: Pending::StopMail,
                    }));
                }
                Vec::new()
            }
            MailPhase::Done { .. } => match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
                    self.mail = None;
                    Vec::new()
                }
                KeyCode::Char('r') => self.ask_to_send(true),
                _ => Vec::new(),
            },
        }
    }

    /// Enter (or `r` for the ones that did not go): checks everything, then asks.
    fn ask_to_send(&mut self, retry: bool) -> Vec<Effect> {
        let Some(overlay) = self.mail.as_ref() else {
            return Vec::new();
        };
        let transport_is_dry = self.config().mail.transport == MailTransport::DryRun;
        let refusal = match &overlay.transport {
            None => Some("Still checking the mail settings.".to_string()),
            Some(Err(sentence)) => Some(sentence.clone()),
            Some(Ok(_)) => None,
        };
        if let Some(text) = refusal {
            self.tell(Level::Error, text);
            return Vec::new();
        }
        let rows: Vec<usize> = if retry {
            overlay
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.attempted && matches!(r.result, Some(Delivery::Failed(_)) | None)
                })
                .map(|(i, _)| i)
                .collect()
        } else {
            overlay
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.sendable())
                .map(|(i, _)| i)
                .collect()
        };
        if rows.is_empty() {
            let text = if retry {
                "Nothing to send again: every message went out (or was skipped)."
            } else if overlay.chosen() > 0 {
                "None of the chosen addresses can take a message."
            } else {
                "Nobody is chosen: Space chooses a student, a chooses everyone."
            };
            self.tell(Level::Info, text);
            return Vec::new();
        }
        if let Some(Err(problem)) = rows.first().map(|&row| overlay.letter(row)) {
            self.tell(
                Level::Error,
                format!("Nothing can be sent until the template is fixed: {problem}"),
            );
            return Vec::new();
        }
        let how = match &overlay.transport {
            Some(Ok(how)) => how.clone(),
            _ => String::new(),
        };
        let count = messages(rows.len());
        let mut lines = vec![if transport_is_dry {
            format!("{count}, one per student, are written as .eml files ({how}); none is sent.")
        } else {
            format!("{count}, one per student, go through {how}.")
        }];
        if !retry {
            let skipped = overlay.skipped();
            if skipped > 0 {
                lines.push(format!(
                    "{} with an address that is not one: skipped.",
                    students(skipped)
                ));
            }
            let already = overlay.already();
            if already > 0 {
                lines.push(format!(
                    "{already} of them were already {} for this request.",
                    overlay.kind.past()
                ));
            }
        }
        let what = match (overlay.kind, retry) {
            (_, true) => "again",
            (Kind::Invite, false) => "the invitation",
            (Kind::Remind, false) => "the reminder",
        };
        self.modal = Some(Modal::Confirm(Confirm {
            title: format!("Send {what} ({count})?"),
            lines,
            yes: "send".to_string(),
            pending: Pending::SendMail { retry },
        }));
        Vec::new()
    }

    /// The question was answered yes: the letters go.
    pub(super) fn send_mail(&mut self, retry: bool) -> Vec<Effect> {
        let viewport = self.screen.mail_rows;
        let Some(overlay) = self.mail.as_mut() else {
            return Vec::new();
        };
        let mut letters = Vec::new();
        for index in 0..overlay.rows.len() {
            let row = &overlay.rows[index];
            let take = if retry {
                row.attempted && matches!(row.result, Some(Delivery::Failed(_)) | None)
            } else {
                row.chosen
            };
            if !take {
                continue;
            }
            if let Some(problem) = row.problem.clone() {
                let row = &mut overlay.rows[index];
                row.attempted = true;
                row.result = Some(Delivery::Skipped(problem));
                continue;
            }
            match overlay.letter(index) {
                Ok(letter) => letters.push((index, letter)),
                Err(problem) => {
                    self.tell(
                        Level::Error,
                        format!("Nothing was sent, the template cannot be filled: {problem}"),
                    );
                    return Vec::new();
                }
            }
        }
        if !retry {
            for row in &mut overlay.rows {
                row.attempted = row.chosen;
            }
        }
        for &(index, _) in &letters {
            overlay.rows[index].result = None;
        }
        overlay.visible = (0..overlay.rows.len())
            .filter(|&i| overlay.rows[i].attempted)
            .collect();
        overlay.selected = 0;
        overlay.offset = 0;
        overlay.clamp(viewport);
        overlay.run_entry = None;
        overlay.run = letters.iter().map(|(row, _)| *row).collect();
        overlay.retrying = retry;
        if letters.is_empty() {
            overlay.phase = MailPhase::Done {
                stopped: false,
                problem: None,
            };
            return Vec::new();
        }
        overlay.phase = MailPhase::Sending { stopping: false };
        self.mail_generation += 1;
        // The last sending's outcome no longer stands.
        self.status = None;
        vec![Effect::SendMail {
            generation: self.mail_generation,
            mail: Box::new(self.config().mail.clone()),
            letters,
        }]
    }

    /// Esc while sending, confirmed.
    pub(super) fn stop_mail(&mut self) -> Vec<Effect> {
        match self.mail.as_mut() {
            Some(overlay) if matches!(overlay.phase, MailPhase::Sending { .. }) => {
                overlay.phase = MailPhase::Sending { stopping: true };
                vec![Effect::StopMail]
            }
            _ => Vec::new(),
        }
    }

    /// One letter went, or did not; a sent one is recorded (and saved) at once.
    pub(super) fn mail_delivered(
        &mut self,
        generation: u64,
        row: usize,
        delivery: Delivery,
    ) -> Vec<Effect> {
        if generation != self.mail_generation {
            return Vec::new();
        }
        let Some(overlay) = self.mail.as_mut() else {
            return Vec::new();
        };
        let Some(line) = overlay.rows.get_mut(row) else {
            return Vec::new();
        };
        let sent = delivery.is_sent();
        line.result = Some(delivery);
        if !sent {
            return Vec::new();
        }
        let email = line.recipient.email.clone();
        line.already = true;
        let entries = self
            .mail_log
            .requests
            .entry(overlay.request.id.clone())
            .or_default();
        match overlay.run_entry.and_then(|at| entries.get_mut(at)) {
            Some(entry) => entry.to.push(email),
            None => {
                entries.push(Sent {
                    kind: overlay.kind,
                    at: self.now,
                    to: vec![email],
                });
                overlay.run_entry = Some(entries.len() - 1);
            }
        }
        vec![Effect::SaveMailLog {
            log: Box::new(self.mail_log.clone()),
        }]
    }

    /// The sending ended (or never began).
    pub(super) fn mail_finished(&mut self, generation: u64, result: Result<(), String>) {
        if generation != self.mail_generation {
            return;
        }
        let Some(overlay) = self.mail.as_mut() else {
            return;
        };
        let stopped = matches!(overlay.phase, MailPhase::Sending { stopping: true });
        let tally = overlay.tally();
        let title = format!("\u{201c}{}\u{201d}", overlay.request.title);
        let (level, text) = match &result {
            Err(sentence) => (Level::Error, format!("Nothing was sent: {sentence}")),
            Ok(()) => {
                let mut text = match (overlay.retrying, overlay.kind) {
                    (true, _) => {
                        let went = overlay
                            .run
                            .iter()
                            .filter(|&&row| {
                                overlay.rows[row]
                                    .result
                                    .as_ref()
                                    .is_some_and(Delivery::is_sent)
                            })
                            .count();
                        format!(
                            "Sent again: {went} of {} went; {} have it now",
                            messages(overlay.run.len()),
                            tally.sent
                        )
                    }
                    (false, Kind::Invite) => {
                        format!("Invited {} to {title}", students(tally.sent))
                    }
                    (false, Kind::Remind) => {
                        format!("Reminded {} about {title}", students(tally.sent))
                    }
                };
                if tally.failed > 0 {
                    let still = if overlay.retrying { "still " } else { "" };
                    text.push_str(&format!("; {} {still}failed (r retries)", tally.failed));
                }
                if tally.skipped > 0 {
                    text.push_str(&format!("; {} skipped", tally.skipped));
                }
                if stopped && tally.waiting > 0 {
                    text.push_str(&format!("; stopped, {} not sent", tally.waiting));
                }
                text.push('.');
                let level = if tally.failed > 0 {
                    Level::Error
                } else {
                    Level::Info
                };
                (level, text)
            }
        };
        overlay.phase = MailPhase::Done {
            stopped,
            problem: result.err(),
        };
        self.tell(level, text);
    }

    pub(super) fn mail_log_saved(&mut self, result: Result<(), String>) {
        if let Err(sentence) = result {
            self.tell(
                Level::Error,
                format!("The record of what was sent could not be saved: {sentence}"),
            );
        }
    }
}

/// The mailer's sentence about a missing or wrong setting, with the Settings tab's row
/// that changes it, when it has one.
fn with_settings_row(sentence: &str) -> String {
    let row = super::SettingKey::ALL
        .into_iter()
        .find(|key| key.config_key().starts_with("mail.") && sentence.contains(key.config_key()));
    match row {
        Some(key) => format!(
            "{}. In handin: the row “{}” of the Settings tab (3).",
            sentence.trim_end_matches('.'),
            key.label()
        ),
        None => sentence.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use super::*;
    use crate::action::Action;
    use crate::config::{Config, MailTemplates};
    use crate::fixtures::{fixed_now, sample_files, sample_files_request, sample_requests};
    use crate::state::test_support::press;
    use crate::state::{Environment, update};
    use crate::time::Zone;

    const COURSE: &str = "/Courses/PHYS150 Mechanics";

    fn config() -> Config {
        let mut config = Config::default();
        config
            .rosters
            .insert(COURSE.to_string(), "/rosters/phys150.csv".into());
        config.mail.transport = MailTransport::DryRun;
        config.mail.from = Some("Prof. Ada Byron <ada@university.example>".to_string());
        config.mail.pause_ms = 0;
        config
    }

    /// The sample term loaded, "Lab report 1" selected in the Requests tab.
    fn on_lab_report(config: Config) -> State {
        let mut state =
            State::new(fixed_now(), Zone::utc(), Environment::default()).with_config(config);
        update(
            &mut state,
            Action::Resize(crate::ui::layout::screen(80, 24)),
        );
        state.start();
        update(
            &mut state,
            Action::RequestsLoaded {
                generation: 1,
                result: Ok(sample_requests(fixed_now())),
            },
        );
        let title = sample_files_request(fixed_now()).title;
        while state
            .requests
            .selected_row()
            .is_some_and(|row| row.request.title != title)
        {
            press(&mut state, KeyCode::Down);
        }
        state
    }

    fn status(state: &State) -> String {
        state
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    fn listing() -> Vec<Metadata> {
        sample_files(fixed_now())
            .into_iter()
            .map(Metadata::File)
            .collect()
    }

    /// `key` pressed, and the overlay's needs answered as the effect runner would.
    fn opened(state: &mut State, key: char) -> Effect {
        let effects = press(state, KeyCode::Char(key));
        let [effect @ Effect::PrepareMail { generation, .. }] = effects.as_slice() else {
            panic!("expected PrepareMail, got {effects:?}");
        };
        let generation = *generation;
        let effect = effect.clone();
        let Effect::PrepareMail { roster, folder, .. } = &effect else {
            unreachable!()
        };
        update(
            state,
            Action::MailPrepared(Box::new(MailPrepared {
                generation,
                transport: Ok("dry run into /tmp/mail".to_string()),
                roster: roster
                    .as_ref()
                    .map(|_| Ok(crate::fixtures::sample_roster())),
                files: folder.as_ref().map(|_| Ok(listing())),
            })),
        );
        effect
    }

    fn overlay(state: &State) -> &MailOverlay {
        state.mail.as_ref().expect("the mail overlay is open")
    }

    fn chosen_names(state: &State) -> Vec<String> {
        overlay(state)
            .rows
            .iter()
            .filter(|r| r.chosen)
            .map(|r| r.recipient.name.clone())
            .collect()
    }

    /// Enter, then y: the letters that go.
    fn send(state: &mut State) -> (u64, Vec<(usize, Letter)>) {
        assert!(press(state, KeyCode::Enter).is_empty());
        assert!(
            matches!(state.modal, Some(Modal::Confirm(_))),
            "asks first: {:?}",
            state.status
        );
        let effects = press(state, KeyCode::Char('y'));
        match effects.as_slice() {
            [
                Effect::SendMail {
                    generation,
                    letters,
                    ..
                },
            ] => (*generation, letters.clone()),
            other => panic!("expected SendMail, got {other:?}"),
        }
    }

    #[test]
    fn the_class_list_is_found_under_a_key_in_another_case_written_with_a_tilde() {
        let mut config = config();
        config.rosters.clear();
        config
            .rosters
            .insert(COURSE.to_uppercase(), "~/rosters/phys150.csv".into());
        let mut state = on_lab_report(config);
        state.environment.home = Some("/home/ada".into());
        let Effect::PrepareMail { roster, .. } = opened(&mut state, 'm') else {
            unreachable!()
        };
        // The home folder the run was given, never read by the reducer itself.
        assert_eq!(roster, Some("/home/ada/rosters/phys150.csv".into()));
        assert_eq!(overlay(&state).phase, MailPhase::Picking);
    }

    #[test]
    fn invite_chooses_the_whole_class_and_previews_the_first_letter() {
        let mut state = on_lab_report(config());
        let effect = opened(&mut state, 'm');
        let Effect::PrepareMail { roster, folder, .. } = effect else {
            unreachable!()
        };
        assert_eq!(
            roster.as_deref(),
            Some(std::path::Path::new("/rosters/phys150.csv"))
        );
        assert_eq!(folder, None, "an invitation needs no listing");
        let overlay = overlay(&state);
        assert_eq!(overlay.phase, MailPhase::Picking);
        assert_eq!(overlay.rows.len(), 8);
        assert_eq!(overlay.chosen(), 8);
        let letter = overlay.preview().expect("a preview").expect("fills");
        assert_eq!(letter.recipient.name, "Ada Lovelace");
        assert!(
            letter.body.contains(&sample_files_request(fixed_now()).url),
            "{}",
            letter.body
        );
    }

    #[test]
    fn space_and_a_choose_and_the_preview_follows_the_first_chosen() {
        let mut state = on_lab_report(config());
        opened(&mut state, 'm');
        press(&mut state, KeyCode::Char(' '));
        assert_eq!(chosen_names(&state).len(), 7);
        assert_eq!(overlay(&state).selected, 1, "space moves on");
        let preview = overlay(&state).preview().unwrap().unwrap();
        assert_eq!(preview.recipient.name, "Alan Turing");
        press(&mut state, KeyCode::Char('a'));
        assert_eq!(chosen_names(&state).len(), 8, "a chooses everyone");
        press(&mut state, KeyCode::Char('a'));
        assert!(chosen_names(&state).is_empty(), "then no one");
        assert!(overlay(&state).preview().is_none());
        assert!(press(&mut state, KeyCode::Enter).is_empty());
        assert!(state.modal.is_none());
        assert!(
            status(&state).starts_with("Nobody is chosen"),
            "{}",
            status(&state)
        );
    }

    #[test]
    fn the_preview_scrolls_to_its_end_and_no_further() {
        let mut state = on_lab_report(config());
        opened(&mut state, 'm');
        for _ in 0..50 {
            press(&mut state, KeyCode::PageDown);
        }
        let end = overlay(&state).preview_scroll;
        assert!(end > 0, "the letter is longer than the pane");
        assert_eq!(end, overlay(&state).preview_scroll_limit(state.screen));
        press(&mut state, KeyCode::PageUp);
        assert_eq!(overlay(&state).preview_scroll, end.saturating_sub(5));
        press(&mut state, KeyCode::Char(' '));
        assert_eq!(
            overlay(&state).preview_scroll,
            0,
            "another letter starts at its top"
        );
    }

    #[test]
    fn remind_chooses_only_the_missing_and_says_how_many() {
        let mut state = on_lab_report(config());
        let effect = opened(&mut state, 'M');
        let Effect::PrepareMail { folder, .. } = effect else {
            unreachable!()
        };
        assert_eq!(
            folder.as_deref(),
            sample_files_request(fixed_now()).destination.as_deref(),
            "the folder is listed to find who is missing"
        );
        assert_eq!(overlay(&state).missing, 2);
        assert_eq!(
            chosen_names(&state),
            ["Siobhán Ní Bhriain", "Katherine Johnson"]
        );
        let letter = overlay(&state).preview().unwrap().unwrap();
        assert_eq!(letter.recipient.name, "Siobhán Ní Bhriain");
        // The missing students are listed first, so the cursor starts at the top, on
        // the first of them; the row behind it is the sixth of the roster.
        let shown = overlay(&state);
        assert_eq!(shown.selected, 0, "the cursor on the first chosen");
        assert_eq!(shown.visible[0], 6);
        assert_eq!(
            shown.visible[1..2]
                .iter()
                .map(|&i| shown.rows[i].missing)
                .collect::<Vec<_>>(),
            [true]
        );
        assert!(shown.visible[2..].iter().all(|&i| !shown.rows[i].missing));
    }

    #[test]
    fn remind_never_chooses_a_student_whose_file_folds_to_their_name() {
        let mut state = on_lab_report(config());
        let effects = press(&mut state, KeyCode::Char('M'));
        let [Effect::PrepareMail { generation, .. }] = effects.as_slice() else {
            panic!("expected PrepareMail, got {effects:?}");
        };
        let roster = crate::submissions::parse_roster(
            "name,email\nLan Nguyen,lan@example.edu\noluwaseun adebayo,seun@example.edu\n\
             Ana Silva,ana.silva@example.edu\nAna Silva,ana.s@example.edu\n\
             Katherine Johnson,kj@example.edu\n",
        )
        .expect("a roster");
        let names = [
            "Lan Nguyễn - functions.py",
            "Oluwaseun Adébáyọ̀ - essay.pdf",
            "Ana Silva - hw.pdf",
        ];
        let files = sample_files(fixed_now())
            .into_iter()
            .zip(names)
            .map(|(mut file, name)| {
                let folder = file
                    .path_display
                    .as_deref()
                    .and_then(|path| path.rsplit_once('/'))
                    .map(|(folder, _)| folder.to_string())
                    .unwrap_or_default();
                file.name = name.to_string();
                file.path_display = Some(format!("{folder}/{name}"));
                file.path_lower = Some(format!("{folder}/{name}").to_lowercase());
                Metadata::File(file)
            })
            .collect();
        update(
            &mut state,
            Action::MailPrepared(Box::new(MailPrepared {
                generation: *generation,
                transport: Ok("dry run into /tmp/mail".to_string()),
                roster: Some(Ok(roster)),
                files: Some(Ok(files)),
            })),
        );
        assert_eq!(chosen_names(&state), ["Katherine Johnson"]);
        assert_eq!(overlay(&state).missing, 1);
        // The two a file may belong to can still be chosen by hand.
        let ana = overlay(&state)
            .rows
            .iter()
            .filter(|row| row.recipient.name == "Ana Silva")
            .count();
        assert_eq!(ana, 2);
    }

    #[test]
    fn remind_reuses_the_class_view_of_the_open_request() {
        let mut state = on_lab_report(config());
        press(&mut state, KeyCode::Enter);
        let generation = state.submissions.generation;
        update(
            &mut state,
            Action::FilesListed {
                generation,
                result: Ok((listing(), "cursor".into())),
            },
        );
        update(
            &mut state,
            Action::RosterLoaded {
                generation,
                result: Ok(crate::fixtures::sample_roster()),
            },
        );
        assert_eq!(state.tab, Tab::Submissions);
        let effects = press(&mut state, KeyCode::Char('M'));
        let [
            Effect::PrepareMail {
                generation,
                roster: None,
                folder: None,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("nothing to read or list again: {effects:?}");
        };
        update(
            &mut state,
            Action::MailPrepared(Box::new(MailPrepared {
                generation: *generation,
                transport: Ok("sendmail".to_string()),
                roster: None,
                files: None,
            })),
        );
        assert_eq!(
            chosen_names(&state),
            ["Siobhán Ní Bhriain", "Katherine Johnson"]
        );
    }

    #[test]
    fn a_request_without_a_class_list_says_how_to_set_one() {
        let mut state = on_lab_report(Config::default());
        assert!(press(&mut state, KeyCode::Char('m')).is_empty());
        let MailPhase::Notice(text) = &overlay(&state).phase else {
            panic!("a notice: {:?}", overlay(&state).phase);
        };
        assert!(
            text.contains("PHYS150 Mechanics has no class list"),
            "{text}"
        );
        assert!(
            text.contains("press R") && text.contains("[rosters]"),
            "{text}"
        );
        assert!(
            text.contains("\"/Courses/PHYS150 Mechanics\" = \"~/rosters/phys150.csv\""),
            "{text}"
        );
        press(&mut state, KeyCode::Esc);
        assert!(state.mail.is_none());
    }

    #[test]
    fn an_unknown_placeholder_shows_instead_of_the_preview_and_nothing_is_sent() {
        let mut config = config();
        config.mail.templates = MailTemplates {
            invite_body: Some("Hello {studnet}, here: {url}".to_string()),
            ..MailTemplates::default()
        };
        let mut state = on_lab_report(config);
        opened(&mut state, 'm');
        let preview = overlay(&state).preview().expect("someone is chosen");
        let problem = preview.expect_err("the template is refused");
        assert!(problem.contains("{studnet}"), "{problem}");
        assert!(press(&mut state, KeyCode::Enter).is_empty());
        assert!(state.modal.is_none(), "no question: nothing can go");
        assert!(status(&state).contains("{studnet}"), "{}", status(&state));
    }

    #[test]
    fn missing_settings_refuse_before_anything_is_asked() {
        let mut state = on_lab_report(config());
        let effects = press(&mut state, KeyCode::Char('m'));
        let [Effect::PrepareMail { generation, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        let sentence = "mail.from is not set; add from = \"…\" under [mail]".to_string();
        update(
            &mut state,
            Action::MailPrepared(Box::new(MailPrepared {
                generation: *generation,
                transport: Err(sentence.clone()),
                roster: Some(Ok(crate::fixtures::sample_roster())),
                files: None,
            })),
        );
        assert!(press(&mut state, KeyCode::Enter).is_empty());
        assert!(state.modal.is_none());
        let text = status(&state);
        assert!(text.starts_with("mail.from is not set"), "{text}");
        assert!(
            text.ends_with("In handin: the row “Mail from” of the Settings tab (3)."),
            "{text}"
        );
    }

    #[test]
    fn results_arrive_one_by_one_are_recorded_and_failures_can_be_retried() {
        let mut state = on_lab_report(config());
        opened(&mut state, 'M');
        let (generation, letters) = send(&mut state);
        let rows: Vec<usize> = letters.iter().map(|(row, _)| *row).collect();
        assert_eq!(rows, [6, 7]);
        assert_eq!(
            letters[1].1.recipient.email,
            "katherine.johnson@example.edu"
        );
        assert!(matches!(
            overlay(&state).phase,
            MailPhase::Sending { stopping: false }
        ));
        let saved = update(
            &mut state,
            Action::MailDelivered {
                generation,
                row: 6,
                delivery: Delivery::Sent,
            },
        );
        assert!(matches!(saved.as_slice(), [Effect::SaveMailLog { .. }]));
        update(
            &mut state,
            Action::MailDelivered {
                generation,
                row: 7,
                delivery: Delivery::Failed("550 mailbox unavailable".to_string()),
            },
        );
        update(
            &mut state,
            Action::MailFinished {
                generation,
                result: Ok(()),
            },
        );
        let tally = overlay(&state).tally();
        assert_eq!((tally.sent, tally.failed, tally.waiting), (1, 1, 0));
        assert!(
            status(&state)
                .starts_with("Reminded 1 student about “Lab report 1”; 1 failed (r retries)"),
            "{}",
            status(&state)
        );
        let id = sample_files_request(fixed_now()).id;
        assert_eq!(
            state.mail_log.already(&id, Kind::Remind),
            ["siobhan.nibhriain@example.edu"]
        );
        // r: only the failed one goes again, and it is a new entry in the log.
        let (generation, letters) = {
            assert!(press(&mut state, KeyCode::Char('r')).is_empty());
            let effects = press(&mut state, KeyCode::Char('y'));
            match effects.as_slice() {
                [
                    Effect::SendMail {
                        generation,
                        letters,
                        ..
                    },
                ] => (*generation, letters.clone()),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0].0, 7);
        update(
            &mut state,
            Action::MailDelivered {
                generation,
                row: 7,
                delivery: Delivery::Sent,
            },
        );
        update(
            &mut state,
            Action::MailFinished {
                generation,
                result: Ok(()),
            },
        );
        assert_eq!(overlay(&state).tally().sent, 2);
        assert_eq!(
            status(&state),
            "Sent again: 1 of 1 message went; 2 have it now."
        );
        assert_eq!(state.mail_log.requests[&id].len(), 2);
        press(&mut state, KeyCode::Char('r'));
        assert!(state.modal.is_none(), "nothing left to retry");
        press(&mut state, KeyCode::Esc);
        assert!(state.mail.is_none());
    }

    #[test]
    fn a_reply_from_an_older_sending_is_dropped() {
        let mut state = on_lab_report(config());
        opened(&mut state, 'M');
        let (generation, _) = send(&mut state);
        update(
            &mut state,
            Action::MailDelivered {
                generation: generation - 1,
                row: 6,
                delivery: Delivery::Sent,
            },
        );
        assert_eq!(overlay(&state).tally().sent, 0);
        assert!(state.mail_log.requests.is_empty());
    }

    #[test]
    fn esc_while_sending_asks_then_stops_and_keeps_what_went() {
        let mut state = on_lab_report(config());
        opened(&mut state, 'm');
        let (generation, letters) = send(&mut state);
        assert_eq!(letters.len(), 8);
        update(
            &mut state,
            Action::MailDelivered {
                generation,
                row: 0,
                delivery: Delivery::Sent,
            },
        );
        assert!(press(&mut state, KeyCode::Esc).is_empty());
        assert!(matches!(
            &state.modal,
            Some(Modal::Confirm(Confirm {
                pending: Pending::StopMail,
                ..
            }))
        ));
        assert_eq!(
            press(&mut state, KeyCode::Char('y')),
            vec![Effect::StopMail]
        );
        update(
            &mut state,
            Action::MailFinished {
                generation,
                result: Ok(()),
            },
        );
        assert_eq!(
            overlay(&state).phase,
            MailPhase::Done {
                stopped: true,
                problem: None
            }
        );
        assert!(
            status(&state).contains("stopped, 7 not sent"),
            "{}",
            status(&state)
        );
        let id = sample_files_request(fixed_now()).id;
        assert_eq!(state.mail_log.already(&id, Kind::Invite).len(), 1);
        // What was never tried can go later with r.
        press(&mut state, KeyCode::Char('r'));
        let effects = press(&mut state, KeyCode::Char('y'));
        let [Effect::SendMail { letters, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(letters.len(), 7);
    }

    #[test]
    fn a_second_reminder_is_announced_in_the_question() {
        let mut state = on_lab_report(config());
        let id = sample_files_request(fixed_now()).id;
        state.mail_log.requests.insert(
            id,
            vec![Sent {
                kind: Kind::Remind,
                at: fixed_now(),
                to: vec!["Katherine.Johnson@example.edu".to_string()],
            }],
        );
        opened(&mut state, 'M');
        assert_eq!(overlay(&state).already(), 1);
        press(&mut state, KeyCode::Enter);
        let Some(Modal::Confirm(confirm)) = &state.modal else {
            panic!("asks first");
        };
        assert!(
            confirm
                .lines
                .iter()
                .any(|l| l == "1 of them were already reminded for this request."),
            "{confirm:?}"
        );
    }

    #[test]
    fn a_bad_address_is_shown_as_skipped_and_the_others_still_go() {
        let mut state = on_lab_report(config());
        let effects = press(&mut state, KeyCode::Char('m'));
        let [Effect::PrepareMail { generation, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        let mut roster = crate::fixtures::sample_roster();
        roster.students[1].email = "alan turing at example".to_string();
        update(
            &mut state,
            Action::MailPrepared(Box::new(MailPrepared {
                generation: *generation,
                transport: Ok("sendmail".to_string()),
                roster: Some(Ok(roster)),
                files: None,
            })),
        );
        assert_eq!(overlay(&state).skipped(), 1);
        assert_eq!(overlay(&state).sendable(), 7);
        let (_, letters) = send(&mut state);
        assert_eq!(letters.len(), 7);
        assert!(letters.iter().all(|(row, _)| *row != 1));
        assert!(matches!(
            overlay(&state).rows[1].result,
            Some(Delivery::Skipped(_))
        ));
        assert_eq!(overlay(&state).tally().skipped, 1);
    }
}
