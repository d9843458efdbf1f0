//! Screen geometry shared by the views and the reducer (which needs the page size).

use ratatui::layout::{Constraint, Layout, Rect};

/// Lines of the request detail pane, its title line included.
pub const DETAIL_HEIGHT: u16 = 7;

/// The frame split into the tab bar, the body and the status bar.
pub struct Areas {
    pub tabs: Rect,
    pub body: Rect,
    pub status: Rect,
}

pub fn frame(area: Rect) -> Areas {
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas { tabs, body, status }
}

/// The Requests tab body: the table above the detail pane.
pub fn requests(body: Rect) -> (Rect, Rect) {
    let [table, detail] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(DETAIL_HEIGHT)]).areas(body);
    (table, detail)
}

/// How many request rows fit on a screen `height` lines tall: the frame's tab and status
/// lines, the table's title and header lines, and the detail pane take the rest.
pub fn request_table_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(1 + 1 + 2 + DETAIL_HEIGHT))
}

/// Lines of the mail overlay's head (counts, warnings, how mail goes), inside its border.
pub const MAIL_HEAD: u16 = 3;

/// The mail overlay covers the body, up to this wide.
pub const MAIL_WIDTH: u16 = 100;

/// The mail overlay's recipients column (checkbox and tag included), at most.
pub const MAIL_LIST_WIDTH: u16 = 32;

/// The columns of the mail overlay's two panes on a screen `width` cells wide: the
/// recipients and the preview (a column between them).
pub fn mail_columns(width: u16) -> (u16, u16) {
    // The border and a column of padding either side.
    let inner = width.min(MAIL_WIDTH).saturating_sub(4);
    let list = MAIL_LIST_WIDTH.min(inner / 2);
    (list, inner.saturating_sub(list + 1))
}

/// How many recipients the mail overlay lists at once on a screen `height` lines tall:
/// the frame's tab and status lines, the border, the head, the list's title and the keys
/// line take the rest.
pub fn mail_list_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(1 + 1 + 2 + MAIL_HEAD + 1 + 1))
}

/// What the reducer needs to know of a `width` x `height` screen, for the loop to hand
/// it over with each resize.
pub fn screen(width: u16, height: u16) -> crate::state::Screen {
    crate::state::Screen {
        width,
        height,
        list_rows: request_table_rows(height),
        mail_rows: mail_list_rows(height),
        mail_preview_columns: mail_columns(width).1,
    }
}

/// A centred rectangle for overlays, at most `width` x `height`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_count_matches_the_drawn_table() {
        let area = Rect::new(0, 0, 80, 24);
        let (table, _) = requests(frame(area).body);
        // The table block spends one line on its title and one on the column header.
        assert_eq!(usize::from(table.height - 2), request_table_rows(24));
        assert_eq!(request_table_rows(5), 0);
    }
}
