//! The Requests tab: the list as loaded, the filtered and sorted view of it, the selection.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler as _;

use super::Load;

mod changes;
use crate::action::Effect;
use crate::dropbox::{FileRequest, GracePeriod};
use crate::file_request::grace;
use crate::time;
pub use changes::Mutations;

/// One request with what the views and the filter need, computed once per load.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub request: FileRequest,
    pub created: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    /// Lower-cased title and destination, so a filter keystroke allocates nothing per row.
    haystack: String,
}

impl RequestRow {
    pub fn new(request: FileRequest) -> RequestRow {
        let created = time::parse_dropbox(&request.created);
        let deadline = request
            .deadline
            .as_ref()
            .and_then(|d| time::parse_dropbox(&d.deadline));
        let haystack = format!(
            "{}\n{}",
            request.title.to_lowercase(),
            request.destination.as_deref().unwrap_or("").to_lowercase()
        );
        RequestRow {
            request,
            created,
            deadline,
            haystack,
        }
    }

    /// Where an open request stands against its deadline at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        if !self.request.is_open {
            return Standing::Closed;
        }
        let Some(deadline) = self.deadline else {
            return Standing::Upcoming;
        };
        if now <= deadline {
            return Standing::Upcoming;
        }
        if grace::covers(self.grace(), now - deadline) {
            Standing::InGrace
        } else {
            Standing::PastDue
        }
    }

    pub fn grace(&self) -> Option<&GracePeriod> {
        self.request
            .deadline
            .as_ref()
            .and_then(|d| d.allow_late_uploads.as_ref())
    }
}

/// Where an open request stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Closed,
    /// No deadline, or the deadline is still ahead.
    Upcoming,
    /// Past the deadline but still taking late uploads.
    InGrace,
    /// Past the deadline and the grace period: Dropbox refuses uploads.
    PastDue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Deadline,
    Title,
    State,
    Grace,
    Files,
    Destination,
    Created,
}

impl SortColumn {
    const CYCLE: [SortColumn; 7] = [
        SortColumn::Deadline,
        SortColumn::Title,
        SortColumn::State,
        SortColumn::Grace,
        SortColumn::Files,
        SortColumn::Destination,
        SortColumn::Created,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Deadline => "deadline",
            SortColumn::Title => "title",
            SortColumn::State => "state",
            SortColumn::Grace => "grace",
            SortColumn::Files => "files",
            SortColumn::Destination => "folder",
            SortColumn::Created => "created",
        }
    }

    fn next(self) -> SortColumn {
        let at = Self::CYCLE.iter().position(|c| *c == self).unwrap_or(0);
        Self::CYCLE[(at + 1) % Self::CYCLE.len()]
    }

    fn compare(self, a: &RequestRow, b: &RequestRow) -> Ordering {
        let (ra, rb) = (&a.request, &b.request);
        match self {
            // Requests without a deadline go last: they are the least urgent.
            SortColumn::Deadline => match (a.deadline, b.deadline) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            SortColumn::Title => a.haystack.cmp(&b.haystack),
            SortColumn::State => rb.is_open.cmp(&ra.is_open),
            SortColumn::Grace => grace::rank(a.grace()).cmp(&grace::rank(b.grace())),
            SortColumn::Files => ra.file_count.cmp(&rb.file_count),
            SortColumn::Destination => ra.destination.cmp(&rb.destination),
            SortColumn::Created => a.created.cmp(&b.created),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestsState {
    pub generation: u64,
    pub load: Load,
    pub rows: Vec<RequestRow>,
    /// Every index into `rows`, in sort order; a filter keystroke only scans it.
    sorted: Vec<usize>,
    /// Indices into `rows` that pass the filter, in display order.
    pub visible: Vec<usize>,
    /// Position in `visible` of the selected row.
    pub selected: usize,
    /// First position of `visible` on screen; kept here so scrolling is part of the state.
    pub offset: usize,
    pub viewport: usize,
    pub sort: SortColumn,
    pub descending: bool,
    pub filter: Input,
    pub filter_editing: bool,
    pub loaded_at: Option<DateTime<Utc>>,
    /// Dropbox's own count (open and closed), for the header; `None` until it answers.
    pub count: Option<u64>,
    pub count_generation: u64,
}

impl RequestsState {
    pub fn begin_load(&mut self) -> Effect {
        self.generation += 1;
        self.load = Load::Loading;
        Effect::LoadRequests {
            generation: self.generation,
        }
    }

    /// Replaces the list, keeping the selection on the same request when it still exists.
    pub fn loaded(&mut self, list: Vec<FileRequest>, now: DateTime<Utc>) {
        let keep = self.selected_row().map(|row| row.request.id.clone());
        self.rows = list.into_iter().map(RequestRow::new).collect();
        self.load = Load::Loaded;
        self.loaded_at = Some(now);
        self.sort_rows();
        self.apply_filter();
        if let Some(id) = keep
            && let Some(at) = self.position_of(&id)
        {
            self.selected = at;
        }
        self.clamp();
    }

    /// Puts Dropbox's answer for one request in the list (replacing or adding it) and
    /// selects it, so the table and the detail pane show what Dropbox now holds. Returns
    /// the load to start when one was on its way (see [`Self::supersede_load`]).
    #[must_use]
    pub fn upsert(&mut self, request: FileRequest, now: DateTime<Utc>) -> Option<Effect> {
        let reload = self.supersede_load();
        let id = request.id.clone();
        let row = RequestRow::new(request);
        match self.rows.iter_mut().find(|r| r.request.id == id) {
            Some(existing) => *existing = row,
            None => self.rows.push(row),
        }
        self.loaded_at.get_or_insert(now);
        self.sort_rows();
        self.apply_filter();
        if self.position_of(&id).is_none() && !self.filter_text().is_empty() {
            // A filter must never hide the request just changed.
            self.filter.reset();
            self.filter_editing = false;
            self.apply_filter();
        }
        if let Some(at) = self.position_of(&id) {
            self.selected = at;
        }
        self.clamp();
        reload
    }

    /// The number of files a request's folder holds, as its listing just showed.
    pub fn set_file_count(&mut self, id: &str, count: i64) {
        if let Some(row) = self.rows.iter_mut().find(|row| row.request.id == id) {
            row.request.file_count = count;
        }
    }

    /// Drops the requests Dropbox deleted. The selection stays on the request it was on
    /// when that one is still there, else on the row now at the same place. Returns the
    /// load to start when one was on its way (see [`Self::supersede_load`]).
    #[must_use]
    pub fn remove(&mut self, ids: &[&str]) -> Option<Effect> {
        let reload = self.supersede_load();
        let keep = self.selected_row().map(|row| row.request.id.clone());
        let position = self.selected;
        self.rows
            .retain(|row| !ids.contains(&row.request.id.as_str()));
        self.sort_rows();
        self.apply_filter();
        self.selected = keep
            .and_then(|id| self.position_of(&id))
            .unwrap_or(position);
        self.clamp();
        reload
    }

    /// A change just landed: a list asked for before it may not hold it, and must not
    /// replace what Dropbox just answered. The generation moves on, so that reply is
    /// dropped; if one was on its way, a fresh load (asked after the change) replaces it.
    fn supersede_load(&mut self) -> Option<Effect> {
        if self.load.is_loading() {
            Some(self.begin_load())
        } else {
            self.generation += 1;
            None
        }
    }

    /// Where the request with `id` is in the visible rows.
    fn position_of(&self, id: &str) -> Option<usize> {
        self.visible
            .iter()
            .position(|&i| self.rows[i].request.id == id)
    }

    pub fn selected_row(&self) -> Option<&RequestRow> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.rows.get(i))
    }

    pub fn filter_text(&self) -> &str {
        self.filter.value()
    }

    pub fn set_viewport(&mut self, rows: usize) {
        self.viewport = rows;
        self.clamp();
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        self.clamp();
    }

    pub fn page(&mut self, direction: isize) {
        let step = self.viewport.max(1) as isize;
        self.move_by(direction * step);
    }

    pub fn select_first(&mut self) {
        self.selected = 0;
        self.clamp();
    }

    pub fn select_last(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
        self.clamp();
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.descending = false;
        self.resort_keeping_selection();
    }

    pub fn reverse_sort(&mut self) {
        self.descending = !self.descending;
        self.resort_keeping_selection();
    }

    pub fn start_filter(&mut self) {
        self.filter_editing = true;
    }

    pub fn clear_filter(&mut self) {
        self.filter.reset();
        self.filter_editing = false;
        self.refilter_keeping_selection();
    }

    pub fn paste_into_filter(&mut self, text: &str) {
        if super::focus::paste_into(&mut self.filter, text) {
            self.refilter_keeping_selection();
        }
    }

    /// A key while the filter has focus: Enter keeps the filter, Esc drops it, arrows
    /// still move the selection, anything else edits the text and filters live.
    pub fn filter_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.filter_editing = false,
            KeyCode::Esc => self.clear_filter(),
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::PageUp => self.page(-1),
            KeyCode::PageDown => self.page(1),
            _ => {
                let before = self.filter.value().len();
                let changed = self.filter.handle_event(&Event::Key(key));
                if changed.is_some_and(|c| c.value) || before != self.filter.value().len() {
                    self.refilter_keeping_selection();
                }
            }
        }
    }

    fn resort_keeping_selection(&mut self) {
        self.sort_rows();
        self.refilter_keeping_selection();
    }

    fn refilter_keeping_selection(&mut self) {
        let keep = self.visible.get(self.selected).copied();
        self.apply_filter();
        self.selected = keep
            .and_then(|row| self.visible.iter().position(|&i| i == row))
            .unwrap_or(0);
        self.clamp();
    }

    /// Orders every row by the sort column into `sorted`.
    fn sort_rows(&mut self) {
        let (rows, sort, descending) = (&self.rows, self.sort, self.descending);
        self.sorted.clear();
        self.sorted.extend(0..rows.len());
        self.sorted.sort_by(|&a, &b| {
            // Ties fall back on the title, so equal keys never shuffle between reloads.
            let order = sort
                .compare(&rows[a], &rows[b])
                .then_with(|| rows[a].haystack.cmp(&rows[b].haystack))
                .then_with(|| rows[a].request.id.cmp(&rows[b].request.id));
            if descending { order.reverse() } else { order }
        });
    }

    /// Keeps the sorted rows that match the filter in `visible`.
    fn apply_filter(&mut self) {
        let needle = self.filter.value().trim().to_lowercase();
        let rows = &self.rows;
        self.visible.clear();
        self.visible.extend(
            self.sorted
                .iter()
                .copied()
                .filter(|&i| needle.is_empty() || rows[i].haystack.contains(&needle)),
        );
    }

    /// Keeps the selection inside the list and on screen.
    fn clamp(&mut self) {
        (self.selected, self.offset) = super::keep_in_view(
            self.selected,
            self.offset,
            self.viewport,
            self.visible.len(),
        );
    }
}
