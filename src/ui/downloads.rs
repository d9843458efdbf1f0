//! The download overlay: totals, a gauge and the files in flight while it runs; at the
//! end what was downloaded, what was already there, what failed and why, and where.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Padding, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr as _;

use super::layout;
use super::theme::Theme;
use crate::download::{Snapshot, Summary, human_duration};
use crate::size::human_bytes;
use crate::state::DownloadsState;
use crate::untrusted::visible;

/// The overlay's widest, so lines stay readable on a wide terminal.
const WIDTH: u16 = 76;

pub fn render(downloads: &DownloadsState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.min(WIDTH);
    // Inside the border and a column of padding either side.
    let text_width = usize::from(width.saturating_sub(4)).max(1);
    match &downloads.outcome {
        Some(outcome) if !downloads.running => {
            render_end(downloads, outcome, theme, frame, area, text_width)
        }
        _ => render_progress(downloads, theme, frame, area, text_width),
    }
}

/// The rows `lines` take once wrapped to `width` columns.
fn rows(lines: &[Line], width: usize) -> u16 {
    lines
        .iter()
        .map(|line| line.width().div_ceil(width).max(1))
        .sum::<usize>() as u16
}

fn frame_block<'a>(title: String, theme: &Theme, border: Style) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .padding(Padding::horizontal(1))
        .title(Span::styled(title, theme.title()))
}

/// " Downloading to …/PHYS150 Mechanics/Lab report 1 ", cut from the left to fit.
fn title(prefix: &str, downloads: &DownloadsState, text_width: usize) -> String {
    let folder = downloads.destination.display().to_string();
    let room = text_width.saturating_sub(prefix.width() + 2);
    format!(" {prefix}{} ", super::truncate_left(&folder, room))
}

fn key_hint<'a>(pairs: &[(&'a str, &'a str)], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (n, (key, what)) in pairs.iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

fn render_progress(
    downloads: &DownloadsState,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    text_width: usize,
) {
    let label = |text: &'static str| Span::styled(text, theme.label());
    let mut head: Vec<Line> = vec![Line::raw(visible(&downloads.what))];
    let snapshot = downloads.snapshot.as_ref();
    match snapshot {
        None => head.push(Line::raw(format!(
            "{} Listing the folders of the course's requests…",
            super::spinner(0)
        ))),
        Some(s) => {
            let mut counts = format!("{} of {} done", s.files_done, s.files_total);
            if s.skipped > 0 {
                counts.push_str(&format!(" · {} already there", s.skipped));
            }
            let mut files_line = vec![label("Files  "), Span::raw(counts)];
            if s.failed > 0 {
                files_line.push(Span::styled(
                    format!(" · {} failed", s.failed),
                    theme.error(),
                ));
            }
            head.push(Line::from(files_line));
            head.push(Line::from(vec![
                label("Size   "),
                Span::raw(format!(
                    "{} of {}",
                    human_bytes(s.bytes_done),
                    human_bytes(s.bytes_total)
                )),
            ]));
            let speed = match (s.rate(), s.time_left()) {
                (Some(rate), Some(left)) => format!(
                    "{}/s · about {} left",
                    human_bytes(rate as u64),
                    human_duration(left)
                ),
                (Some(rate), None) => format!("{}/s", human_bytes(rate as u64)),
                _ => "starting…".to_string(),
            };
            head.push(Line::from(vec![label("Speed  "), Span::raw(speed)]));
        }
    }
    let foot: Vec<Line> = if downloads.cancelling {
        vec![Line::styled(
            "Cancelling: the files in flight stop where they are…",
            theme.in_grace(),
        )]
    } else {
        vec![
            key_hint(
                &[("h", "or Enter hides (it goes on)"), ("Esc", "cancels")],
                theme,
            ),
            Line::styled(
                "Cancelling keeps the finished files; the rest resume next time.",
                theme.dim(),
            ),
        ]
    };
    let in_flight = snapshot.map(|s| s.in_flight.as_slice()).unwrap_or_default();
    let head_rows = rows(&head, text_width);
    let gauge_rows = u16::from(snapshot.is_some());
    let foot_rows = rows(&foot, text_width);
    let list_rows = if in_flight.is_empty() {
        0
    } else {
        in_flight.len() as u16 + 2
    };
    let height = head_rows + gauge_rows + list_rows + 1 + foot_rows + 2;
    let popup = layout::centered(area, area.width.min(WIDTH), height);
    let block = frame_block(
        title("Downloading to ", downloads, text_width),
        theme,
        theme.key(),
    );
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [head_area, gauge_area, list_area, foot_area] = Layout::vertical([
        Constraint::Length(head_rows),
        Constraint::Length(gauge_rows),
        Constraint::Fill(1),
        Constraint::Length(foot_rows),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    if let Some(s) = snapshot {
        frame.render_widget(gauge(s, theme), gauge_area);
    }
    if !in_flight.is_empty() && list_area.height > 1 {
        let mut lines = vec![Line::raw(""), Line::styled("In flight", theme.header())];
        let percent_width = 5;
        let name_width = text_width.saturating_sub(percent_width);
        for file in in_flight {
            let percent = file
                .done
                .saturating_mul(100)
                .checked_div(file.size)
                .map_or(100, |p| p.min(100));
            let name = super::truncate_left(&file.label, name_width);
            let pad = name_width.saturating_sub(name.width());
            lines.push(Line::from(vec![
                Span::raw(name),
                Span::raw(" ".repeat(pad)),
                Span::raw(format!("{percent:>4}%")),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), list_area);
    }
    frame.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), foot_area);
}

fn gauge<'a>(s: &Snapshot, theme: &Theme) -> Gauge<'a> {
    let ratio = if s.bytes_total == 0 {
        if s.files_total == 0 {
            0.0
        } else {
            s.files_done as f64 / s.files_total as f64
        }
    } else {
        (s.bytes_done as f64 / s.bytes_total as f64).clamp(0.0, 1.0)
    };
    Gauge::default()
        .ratio(ratio)
        .label(format!("{:.0}%", ratio * 100.0))
        .use_unicode(true)
        .gauge_style(theme.open())
}

fn render_end(
    downloads: &DownloadsState,
    outcome: &Result<Summary, String>,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    text_width: usize,
) {
    let mut head: Vec<Line> = Vec::new();
    let mut failures: Vec<Line> = Vec::new();
    let (prefix, border) = match outcome {
        Err(sentence) => {
            head.push(Line::styled("The download could not start.", theme.error()));
            head.push(Line::raw(visible(sentence)));
            (" Download not started ", theme.error())
        }
        Ok(summary) => {
            let failed = summary.failed() > 0;
            if summary.outcomes.is_empty() && summary.cancelled {
                head.push(Line::raw(
                    "Cancelled while listing the folders: nothing was downloaded.",
                ));
            } else {
                head.push(Line::styled(
                    summary.headline(),
                    if failed { theme.error() } else { theme.title() },
                ));
            }
            head.push(Line::raw(format!(
                "{} received in {}, for {}.",
                human_bytes(summary.bytes_received),
                human_duration(summary.elapsed),
                visible(&downloads.what)
            )));
            if summary.cancelled && !summary.outcomes.is_empty() {
                head.push(Line::styled(
                    "Finished files stay; partial ones (.part) resume when you download again.",
                    theme.in_grace(),
                ));
            }
            head.push(Line::raw(""));
            head.push(Line::styled("The files are in", theme.label()));
            head.push(Line::raw(
                visible(&downloads.destination.display().to_string()).into_owned(),
            ));
            for (item, reason) in summary.failures().skip(downloads.scroll) {
                failures.push(Line::from(vec![
                    Span::styled(visible(&item.label), theme.error()),
                    Span::raw(format!(": {}", visible(reason))),
                ]));
            }
            let prefix = if summary.cancelled {
                " Download cancelled "
            } else if failed {
                " Download finished, with failures "
            } else {
                " Download finished "
            };
            (prefix, if failed { theme.error() } else { theme.key() })
        }
    };
    let failed_count = match outcome {
        Ok(summary) => summary.failed(),
        Err(_) => 0,
    };
    let mut hints = vec![("Enter", "or Esc closes")];
    if failed_count > 1 {
        hints.push(("↑ ↓", "scroll the failures"));
    }
    let foot = vec![Line::raw(""), key_hint(&hints, theme)];
    let head_rows = rows(&head, text_width);
    let foot_rows = rows(&foot, text_width);
    let failures_heading = if failed_count > 0 {
        let shown_from = downloads.scroll + 1;
        let heading = if downloads.scroll > 0 {
            format!("Failed ({failed_count}, from #{shown_from})")
        } else {
            format!("Failed ({failed_count})")
        };
        vec![Line::raw(""), Line::styled(heading, theme.header())]
    } else {
        Vec::new()
    };
    let list_rows = rows(&failures_heading, text_width) * u16::from(failed_count > 0)
        + if failures.is_empty() {
            0
        } else {
            rows(&failures, text_width)
        };
    let height = head_rows + list_rows + foot_rows + 2;
    let popup = layout::centered(area, area.width.min(WIDTH), height);
    let block = frame_block(prefix.to_string(), theme, border);
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [head_area, list_area, foot_area] = Layout::vertical([
        Constraint::Length(head_rows),
        Constraint::Fill(1),
        Constraint::Length(foot_rows),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    if failed_count > 0 {
        let mut lines = failures_heading;
        lines.extend(failures);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), list_area);
    }
    frame.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), foot_area);
}
