//! The mail overlay: the class with checkboxes beside a preview of the first letter;
//! once sending, each student's result as it comes, and at the end what to do with the
//! ones that did not go.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr as _;

use super::layout::{self, MAIL_HEAD, MAIL_WIDTH};
use super::theme::Theme;
use crate::mail::{Delivery, Kind};
use crate::state::State;
use crate::state::mail::{MailOverlay, MailPhase, MailRow, students};
use crate::untrusted::visible;

pub fn render(overlay: &MailOverlay, state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let what = match overlay.kind {
        Kind::Invite => "Invite",
        Kind::Remind => "Remind",
    };
    if let MailPhase::Notice(text) = &overlay.phase {
        render_notice(what, &overlay.request.title, text, theme, frame, area);
        return;
    }
    let popup = layout::centered(area, area.width.min(MAIL_WIDTH), area.height);
    let room = usize::from(popup.width).saturating_sub(what.width() + 8);
    let title = format!(
        " {what} · {} ",
        super::truncate(&overlay.request.title, room)
    );
    let border = match &overlay.phase {
        MailPhase::Done {
            problem: Some(_), ..
        } => theme.error(),
        MailPhase::Done { .. } if overlay.tally().failed > 0 => theme.error(),
        _ => theme.key(),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(border)
        .padding(Padding::horizontal(1))
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [head_area, middle, foot_area] = Layout::vertical([
        Constraint::Length(MAIL_HEAD),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let width = usize::from(inner.width);
    let head: Vec<Line> = head(overlay, state, theme)
        .into_iter()
        .map(|line| fit(line, width))
        .collect();
    frame.render_widget(Paragraph::new(head), head_area);
    frame.render_widget(Paragraph::new(fit(foot(overlay, theme), width)), foot_area);
    if overlay.phase == MailPhase::Loading {
        return;
    }
    let list_width = layout::MAIL_LIST_WIDTH.min(middle.width / 2);
    let [list_area, _, detail_area] = Layout::horizontal([
        Constraint::Length(list_width),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(middle);
    render_list(overlay, theme, frame, list_area);
    match overlay.phase {
        MailPhase::Picking => render_preview(overlay, state, theme, frame, detail_area),
        _ => render_result(overlay, state, theme, frame, detail_area),
    }
}

/// Why nothing can be sent, in a box of its own: the sentence says how to fix it and
/// must be read whole.
fn render_notice(
    what: &str,
    title: &str,
    text: &str,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let width = area.width.min(70);
    let text_width = usize::from(width.saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = text
        .lines()
        .map(|l| Line::raw(visible(l).into_owned()))
        .collect();
    lines.push(Line::raw(""));
    lines.push(key_hint(&[("Esc", "closes")], theme));
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(text_width).max(1))
        .sum();
    let popup = layout::centered(area, width, rows as u16 + 2);
    let room = text_width.saturating_sub(what.width() + 5);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.in_grace())
        .padding(Padding::horizontal(1))
        .title(Span::styled(
            format!(" {what} · {} ", super::truncate(title, room)),
            theme.title(),
        ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}

/// A line cut to `width` columns (the head and foot never wrap: the list's height
/// depends on theirs).
fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let room = width.saturating_sub(used);
        if room == 0 {
            break;
        }
        let text = if span.content.width() > room {
            super::truncate(&span.content, room)
        } else {
            span.content.to_string()
        };
        used += text.width();
        spans.push(Span::styled(text, span.style));
    }
    Line::from(spans)
}

fn key_hint(pairs: &[(&'static str, &'static str)], theme: &Theme) -> Line<'static> {
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

fn head(overlay: &MailOverlay, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let spinner = super::spinner(state.spinner_frame);
    let via = match &overlay.transport {
        Some(Ok(how)) => Line::from(vec![
            Span::styled("Via ", theme.label()),
            Span::raw(how.clone()),
        ]),
        Some(Err(sentence)) => Line::from(vec![
            Span::styled("Cannot send yet: ", theme.error()),
            Span::styled(visible(sentence).into_owned(), theme.error()),
        ]),
        None => Line::raw(""),
    };
    match &overlay.phase {
        // Drawn as a box of its own.
        MailPhase::Notice(_) => Vec::new(),
        MailPhase::Loading => {
            let doing = match overlay.kind {
                Kind::Invite => "Reading the class list…",
                Kind::Remind => "Reading the class list and finding who is missing…",
            };
            vec![
                Line::raw(format!("{spinner} {doing}")),
                Line::raw(""),
                Line::raw(""),
            ]
        }
        MailPhase::Picking => {
            let chosen = overlay.chosen();
            let total = overlay.rows.len();
            let mut counts = match overlay.kind {
                Kind::Invite => vec![Span::raw(format!("{chosen} of {} chosen", students(total)))],
                Kind::Remind => vec![
                    Span::styled(
                        format!(
                            "{} {} not handed in",
                            students(overlay.missing),
                            if overlay.missing == 1 { "has" } else { "have" }
                        ),
                        theme.title(),
                    ),
                    Span::raw(format!(" · {chosen} of {total} chosen")),
                ],
            };
            let skipped = overlay.skipped();
            if skipped > 0 {
                counts.push(Span::styled(format!(" · {skipped} skipped"), theme.error()));
            }
            vec![Line::from(counts), warning(overlay, state, theme), via]
        }
        MailPhase::Sending { stopping } => {
            let tally = overlay.tally();
            let total = tally.sent + tally.failed + tally.waiting;
            let first = if *stopping {
                format!("{spinner} Stopping after the message on its way…")
            } else {
                format!(
                    "{spinner} Sending {} of {total}…",
                    (tally.sent + tally.failed + 1).min(total)
                )
            };
            vec![Line::raw(first), tally_line(overlay, theme), via]
        }
        MailPhase::Done { stopped, problem } => {
            let tally = overlay.tally();
            let first = match problem {
                Some(sentence) => Line::from(vec![
                    Span::styled("Nothing was sent: ", theme.error()),
                    Span::styled(visible(sentence).into_owned(), theme.error()),
                ]),
                None if *stopped => Line::styled("Stopped.", theme.in_grace()),
                None if tally.failed > 0 => Line::styled("Done, with failures.", theme.error()),
                None => Line::styled("Done.", theme.title()),
            };
            vec![first, tally_line(overlay, theme), via]
        }
    }
}

/// "7 sent · 1 failed · 1 skipped · 3 waiting".
fn tally_line(overlay: &MailOverlay, theme: &Theme) -> Line<'static> {
    let tally = overlay.tally();
    let waiting = match overlay.phase {
        MailPhase::Done { .. } => "not sent",
        _ => "waiting",
    };
    let mut spans = vec![Span::styled(format!("{} sent", tally.sent), theme.open())];
    let mut part = |text: String, style: Style| {
        spans.push(Span::styled(" · ", theme.dim()));
        spans.push(Span::styled(text, style));
    };
    if tally.failed > 0 {
        part(format!("{} failed", tally.failed), theme.error());
    }
    if tally.skipped > 0 {
        part(format!("{} skipped", tally.skipped), theme.error());
    }
    if tally.waiting > 0 {
        part(format!("{} {waiting}", tally.waiting), Style::new());
    }
    Line::from(spans)
}

/// The warning that matters most before sending: a second message to the same students,
/// addresses skipped, or a link that takes no uploads.
fn warning(overlay: &MailOverlay, state: &State, theme: &Theme) -> Line<'static> {
    let already = overlay.already();
    if already > 0 {
        let mut text = format!(
            "⚠ {} of the chosen {} already {}",
            already,
            if already == 1 { "was" } else { "were" },
            overlay.kind.past()
        );
        if let Some(summary) = state.mail_log.summary(&overlay.request.id, state.zone) {
            text.push_str(&format!(" ({summary})"));
        }
        return Line::styled(text, theme.in_grace());
    }
    if let Some(row) = overlay
        .rows
        .iter()
        .find(|r| r.chosen && r.problem.is_some())
    {
        return Line::styled(
            format!(
                "Skipped: {}, {}",
                visible(&row.recipient.name),
                visible(row.problem.as_deref().unwrap_or_default())
            ),
            theme.error(),
        );
    }
    if !overlay.request.is_open {
        return Line::styled(
            "⚠ This request is closed: its link takes no uploads until you reopen it (x).",
            theme.in_grace(),
        );
    }
    Line::raw("")
}

fn foot(overlay: &MailOverlay, theme: &Theme) -> Line<'static> {
    match &overlay.phase {
        MailPhase::Loading | MailPhase::Notice(_) => key_hint(&[("Esc", "cancels")], theme),
        MailPhase::Picking => key_hint(
            &[
                ("Space", "choose"),
                ("a", "all/none"),
                ("PgDn", "preview"),
                ("Enter", "send…"),
                ("Esc", "close"),
            ],
            theme,
        ),
        MailPhase::Sending { stopping: false } => key_hint(
            &[("↑↓", "results"), ("Esc", "stops (what went stays sent)")],
            theme,
        ),
        MailPhase::Sending { stopping: true } => Line::styled(
            "Stopping: the message on its way finishes, no other starts.",
            theme.in_grace(),
        ),
        MailPhase::Done { .. } => {
            let tally = overlay.tally();
            if tally.failed + tally.waiting > 0 {
                let again = if tally.waiting == 0 {
                    "sends the failed again…"
                } else {
                    "sends the rest…"
                };
                key_hint(&[("r", again), ("↑↓", "results"), ("Esc", "closes")], theme)
            } else {
                key_hint(&[("↑↓", "results"), ("Esc", "closes")], theme)
            }
        }
    }
}

/// The row's tag and its style: what sets it apart from a plain chosen student.
fn tag(overlay: &MailOverlay, row: &MailRow, theme: &Theme) -> (&'static str, Style) {
    if overlay.phase != MailPhase::Picking {
        return match &row.result {
            Some(Delivery::Sent) => ("sent", theme.open()),
            Some(Delivery::Failed(_)) => ("failed", theme.error()),
            Some(Delivery::Skipped(_)) => ("skipped", theme.error()),
            None if matches!(overlay.phase, MailPhase::Done { .. }) => ("not sent", theme.dim()),
            None => ("waiting", theme.dim()),
        };
    }
    if row.problem.is_some() {
        ("skipped", theme.error())
    } else if row.already {
        (overlay.kind.past(), theme.in_grace())
    } else if overlay.kind == Kind::Remind && !row.missing {
        ("handed in", theme.dim())
    } else {
        ("", Style::new())
    }
}

fn render_list(overlay: &MailOverlay, theme: &Theme, frame: &mut Frame, area: Rect) {
    let heading = match overlay.phase {
        MailPhase::Picking => format!("Recipients ({})", overlay.rows.len()),
        _ => format!("Results ({})", overlay.visible.len()),
    };
    let mut lines = vec![Line::styled(heading, theme.header())];
    let width = usize::from(area.width);
    let rows = usize::from(area.height.saturating_sub(1));
    for (position, &index) in overlay
        .visible
        .iter()
        .enumerate()
        .skip(overlay.offset)
        .take(rows)
    {
        let row = &overlay.rows[index];
        let (tag, tag_style) = tag(overlay, row, theme);
        let (mark, mark_style) = match overlay.phase {
            MailPhase::Picking if row.chosen => ("[x] ", theme.key()),
            MailPhase::Picking => ("[ ] ", theme.key()),
            _ => match &row.result {
                Some(Delivery::Sent) => ("✓ ", tag_style),
                Some(Delivery::Failed(_)) | Some(Delivery::Skipped(_)) => ("✗ ", tag_style),
                None => ("· ", tag_style),
            },
        };
        let name_room = width.saturating_sub(mark.width() + tag.width() + 1);
        let name = super::truncate(&row.recipient.name, name_room);
        let pad = width.saturating_sub(mark.width() + name.width() + tag.width());
        let name_style = if overlay.phase == MailPhase::Picking && !row.chosen {
            theme.dim()
        } else {
            Style::new()
        };
        let mut line = Line::from(vec![
            Span::styled(mark, mark_style),
            Span::styled(name, name_style),
            Span::raw(" ".repeat(pad)),
            Span::styled(tag, tag_style),
        ]);
        if position == overlay.selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_preview(
    overlay: &MailOverlay,
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let label = |text: &'static str| Span::styled(text, theme.label());
    let mut lines: Vec<Line> = Vec::new();
    let heading = match overlay.preview_row() {
        Some(_) if overlay.sendable() > 1 => {
            format!("Preview (the first of {})", overlay.sendable())
        }
        _ => "Preview".to_string(),
    };
    if let Some(Err(sentence)) = &overlay.transport {
        lines.push(Line::styled(sentence.clone(), theme.error()));
        lines.push(Line::raw(""));
    }
    match overlay.preview() {
        None => lines.push(Line::styled(
            "Nobody is chosen: Space chooses a student, a chooses everyone.",
            theme.dim(),
        )),
        Some(Err(problem)) => {
            lines.push(Line::styled("The template cannot be used:", theme.error()));
            lines.push(Line::styled(problem, theme.error()));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Fix [mail.templates] in the config file; nothing is sent until then.",
                theme.dim(),
            ));
        }
        Some(Ok(letter)) => {
            if let Some(from) = &state.config().mail.from {
                // The name and the address on lines of their own, as for To.
                let from = from.trim();
                let (name, address) = match from.rsplit_once('<') {
                    Some((name, address)) if !name.trim().is_empty() => (
                        name.trim().trim_matches('"').to_string(),
                        address.trim_end_matches('>').to_string(),
                    ),
                    _ => (from.to_string(), String::new()),
                };
                lines.push(Line::from(vec![
                    label("From     "),
                    Span::raw(visible(&name).into_owned()),
                ]));
                if !address.is_empty() {
                    lines.push(Line::from(vec![
                        Span::raw("         "),
                        Span::styled(address, theme.dim()),
                    ]));
                }
            }
            lines.push(Line::from(vec![
                label("To       "),
                Span::raw(visible(&letter.recipient.name).into_owned()),
            ]));
            lines.push(Line::from(vec![
                Span::raw("         "),
                Span::styled(visible(&letter.recipient.email).into_owned(), theme.dim()),
            ]));
            lines.push(Line::from(vec![
                label("Subject  "),
                Span::styled(visible(&letter.subject).into_owned(), theme.title()),
            ]));
            lines.push(Line::raw(""));
            lines.extend(
                letter
                    .body
                    .lines()
                    .map(|l| Line::raw(visible(l).into_owned())),
            );
        }
    }
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    // Stops at the end: the last screenful stays.
    let text_width = usize::from(body.width).max(1);
    let total: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(text_width).max(1))
        .sum();
    let scroll = overlay
        .preview_scroll
        .min(total.saturating_sub(usize::from(body.height)));
    let more = if total > usize::from(body.height) + scroll {
        " ↓ more"
    } else {
        ""
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(heading, theme.header()),
            Span::styled(more, theme.dim()),
        ])),
        Rect { height: 1, ..area },
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        body,
    );
}

/// The cursor's student in the results: who, where, and what became of the letter.
fn render_result(
    overlay: &MailOverlay,
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let label = |text: &'static str| Span::styled(text, theme.label());
    let mut lines = vec![Line::styled("Result", theme.header())];
    if let Some(row) = overlay.selected_row() {
        lines.push(Line::from(vec![
            label("Student  "),
            Span::raw(visible(&row.recipient.name).into_owned()),
        ]));
        lines.push(Line::from(vec![
            label("Address  "),
            Span::raw(visible(&row.recipient.email).into_owned()),
        ]));
        let (what, style, why) = match &row.result {
            Some(Delivery::Sent) => ("sent", theme.open(), None),
            Some(Delivery::Failed(reason)) => ("not sent", theme.error(), Some(reason)),
            Some(Delivery::Skipped(reason)) => ("skipped", theme.error(), Some(reason)),
            None if matches!(overlay.phase, MailPhase::Done { .. }) => {
                ("not sent (stopped before its turn)", theme.dim(), None)
            }
            None => ("waiting its turn", theme.dim(), None),
        };
        lines.push(Line::from(vec![
            label("Outcome  "),
            Span::styled(what, style),
        ]));
        if let Some(why) = why {
            lines.push(Line::raw(""));
            lines.push(Line::raw(visible(why).into_owned()));
        }
    }
    if let Some(summary) = state.mail_log.summary(&overlay.request.id, state.zone) {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![label("Record   "), Span::raw(summary)]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
