//! A file request's link as a QR code drawn in terminal cells, large enough for the
//! projector: students scan it with their phones in class.
//!
//! A terminal cell is about twice as tall as it is wide, so a module is `scale` columns
//! wide and `scale` half-cells tall. At scale 1 each cell shows two modules stacked (the
//! upper half block with the top module as foreground and the bottom one as background);
//! at an even scale a module covers whole cells, drawn as full blocks; an odd scale above
//! 1 mixes the two. The code is drawn at the largest scale the window holds, down to 1.

use qrcode::types::Color as Module;
use qrcode::{EcLevel, QrCode, QrResult};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthChar as _;

use super::layout;
use crate::untrusted::visible;

/// The light margin scanners need to find the code's edges; the standard asks for four
/// modules. The terminal's own background cannot serve: it is dark on most themes.
const QUIET_ZONE: usize = 4;

/// The lowest level, L: a screen is not a sheet of paper that gets creased or stained,
/// so recovering damage matters less than size. The smallest code has the largest
/// modules for a given projected size, which phones at the back of the room need, and
/// keeps a Dropbox request link (about 52 characters) at version 3 (29 modules), where
/// level M would need version 4 (33).
const ERROR_CORRECTION: EcLevel = EcLevel::L;

const UPPER_HALF_BLOCK: char = '▀';
const FULL_BLOCK: char = '█';

/// The largest scale tried: a version 3 code at 4 is 148 columns by 74 rows, about as
/// large as projector terminals get.
const MAX_SCALE: usize = 4;

/// Explicit colours whatever the theme or `NO_COLOR`: a QR code is function, not
/// decoration, and it scans only as dark modules on a light ground. The named colours
/// stay black and white on dark and light palettes alike, where truecolor would not
/// reach every terminal.
const DARK: Color = Color::Black;
const LIGHT: Color = Color::White;

/// The widest message box when the window is too small for the code.
const MESSAGE_WIDTH: u16 = 60;
/// The tallest message box: the sentence, a blank line and the link.
const MESSAGE_HEIGHT: u16 = 12;

/// The QR code of `text` at scale 1, as lines of half-block cells with explicit
/// black-on-white colours, including the quiet zone. Each line covers two module rows:
/// the upper half block has the top module's colour as foreground and the bottom one's
/// as background. The code has an odd number of rows, so the last line's bottom half is
/// quiet zone.
///
/// `Err` is one sentence saying why no code could be made (the text is too long).
pub fn qr_lines(text: &str) -> Result<Vec<Line<'static>>, String> {
    qr_lines_at(text, 1)
}

/// The QR code of `text` with each module `scale` columns wide and `scale` half-cells
/// tall (see the module documentation).
pub fn qr_lines_at(text: &str, scale: usize) -> Result<Vec<Line<'static>>, String> {
    Ok(encode(text)?.lines(scale.max(1)))
}

fn encode(text: &str) -> Result<ModuleGrid, String> {
    ModuleGrid::encode(text).map_err(|error| match error {
        qrcode::types::QrError::DataTooLong => {
            "The link is too long to fit in a QR code.".to_string()
        }
        other => format!("Could not make a QR code of the link ({other})."),
    })
}

/// Renders an overlay over `area`: the QR code of `url` centred, the URL under it and
/// `title` on the border, at the largest scale that fits. When `area` cannot hold even
/// the smallest code, it shows instead how big the window must be, and the URL: a cut
/// code would not scan.
pub fn render(url: &str, title: &str, frame: &mut Frame, area: Rect) {
    let modules = encode(url);
    // The code carries the link as Dropbox gave it; the text beside it is for reading.
    let (url, title) = (visible(url), visible(title));
    let (url, title) = (url.as_ref(), title.as_ref());
    let modules = match modules {
        Ok(modules) => modules,
        Err(reason) => return render_message(&reason, url, title, frame, area),
    };
    let fitting = (1..=MAX_SCALE).rev().find_map(|scale| {
        Placement::fit(modules.cells(scale), url, area).map(|placement| (scale, placement))
    });
    match fitting {
        Some((scale, placement)) => render_code(modules.lines(scale), &placement, title, frame),
        None => {
            // The overlay may cover less than the whole window (a caller's margin or a
            // status bar): ask for a window that leaves it room for the code.
            let window = frame.area();
            let minimum = modules.cells(1).minimum_overlay();
            let columns = minimum.0 + window.width.saturating_sub(area.width);
            let rows = minimum.1 + window.height.saturating_sub(area.height);
            let message = format!(
                "Enlarge the window to at least {columns}x{rows} (columns x rows) to show \
                 the QR code; it is {}x{} now.",
                window.width, window.height
            );
            render_message(&message, url, title, frame, area);
        }
    }
}

/// The modules of a code with its quiet zone around it, as a square of `size` x `size`.
struct ModuleGrid {
    size: usize,
    dark: Vec<bool>,
}

impl ModuleGrid {
    fn encode(text: &str) -> QrResult<ModuleGrid> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), ERROR_CORRECTION)?;
        Ok(ModuleGrid::with_quiet_zone(code.width(), &code.to_colors()))
    }

    fn with_quiet_zone(width: usize, colors: &[Module]) -> ModuleGrid {
        let size = width + 2 * QUIET_ZONE;
        let mut dark = vec![false; size * size];
        for (index, module) in colors.iter().enumerate() {
            let (row, column) = (index / width, index % width);
            dark[(row + QUIET_ZONE) * size + column + QUIET_ZONE] = *module == Module::Dark;
        }
        ModuleGrid { size, dark }
    }

    /// Whether the module at (`column`, `row`) is dark; past the last row is quiet zone.
    fn is_dark(&self, column: usize, row: usize) -> bool {
        row < self.size && self.dark[row * self.size + column]
    }

    /// The code's size in cells at `scale`.
    fn cells(&self, scale: usize) -> CodeSize {
        let side = self.size * scale;
        CodeSize {
            columns: u16::try_from(side).unwrap_or(u16::MAX),
            rows: u16::try_from(side.div_ceil(2)).unwrap_or(u16::MAX),
        }
    }

    fn lines(&self, scale: usize) -> Vec<Line<'static>> {
        let half_rows = self.size * scale;
        (0..half_rows.div_ceil(2))
            .map(|line| self.cell_line(scale, 2 * line))
            .collect()
    }

    /// The cells for half-cell rows `top` and `top + 1` at `scale`, one span per run of
    /// equal cells.
    fn cell_line(&self, scale: usize, top: usize) -> Line<'static> {
        let colour = |dark: bool| if dark { DARK } else { LIGHT };
        // At an even scale both halves of a cell always belong to the same module.
        let symbol = if scale.is_multiple_of(2) {
            FULL_BLOCK
        } else {
            UPPER_HALF_BLOCK
        };
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut run: Option<(Style, usize)> = None;
        for column in 0..self.size * scale {
            let module = column / scale;
            let style = Style::new()
                .fg(colour(self.is_dark(module, top / scale)))
                .bg(colour(self.is_dark(module, (top + 1) / scale)));
            run = match run {
                Some((run_style, length)) if run_style == style => Some((style, length + 1)),
                Some((run_style, length)) => {
                    spans.push(blocks(symbol, run_style, length));
                    Some((style, 1))
                }
                None => Some((style, 1)),
            };
        }
        if let Some((style, length)) = run {
            spans.push(blocks(symbol, style, length));
        }
        Line::from(spans)
    }
}

fn blocks(symbol: char, style: Style, length: usize) -> Span<'static> {
    Span::styled(symbol.to_string().repeat(length), style)
}

/// The code's size in cells.
#[derive(Debug, Clone, Copy)]
struct CodeSize {
    columns: u16,
    rows: u16,
}

impl CodeSize {
    /// The smallest overlay (columns, rows): the code, one line of URL and the border.
    fn minimum_overlay(self) -> (u16, u16) {
        (self.columns.saturating_add(2), self.rows.saturating_add(3))
    }
}

/// Where the parts of the overlay go when the code fits.
#[derive(Debug)]
struct Placement {
    overlay: Rect,
    code: Rect,
    url: Rect,
    url_rows: Vec<String>,
}

impl Placement {
    fn fit(code: CodeSize, url: &str, area: Rect) -> Option<Placement> {
        let (minimum_columns, minimum_rows) = code.minimum_overlay();
        if area.width < minimum_columns || area.height < minimum_rows {
            return None;
        }
        let url_width = u16::try_from(text_width(url)).unwrap_or(u16::MAX);
        // As wide as the URL when there is room, so it reads on one line.
        let inner_width = code.columns.max(url_width).min(area.width - 2);
        let spare_rows = area.height - 2 - code.rows;
        let url_rows = wrap(url, usize::from(inner_width), usize::from(spare_rows));
        let url_height = u16::try_from(url_rows.len()).unwrap_or(spare_rows);
        let overlay = layout::centered(area, inner_width + 2, code.rows + url_height + 2);
        let inner = Block::bordered().inner(overlay);
        Some(Placement {
            overlay,
            code: Rect {
                x: inner.x + (inner.width - code.columns) / 2,
                y: inner.y,
                width: code.columns,
                height: code.rows,
            },
            url: Rect {
                x: inner.x,
                y: inner.y + code.rows,
                width: inner.width,
                height: url_height,
            },
            url_rows,
        })
    }
}

fn render_code(lines: Vec<Line<'static>>, placement: &Placement, title: &str, frame: &mut Frame) {
    frame.render_widget(Clear, placement.overlay);
    frame.render_widget(overlay_block(title), placement.overlay);
    frame.render_widget(Paragraph::new(lines), placement.code);
    let url: Vec<Line> = placement
        .url_rows
        .iter()
        .map(|row| Line::from(row.as_str()).centered())
        .collect();
    frame.render_widget(Paragraph::new(url), placement.url);
}

fn render_message(message: &str, url: &str, title: &str, frame: &mut Frame, area: Rect) {
    let overlay = layout::centered(area, MESSAGE_WIDTH, MESSAGE_HEIGHT);
    let text = vec![Line::from(message), Line::from(""), Line::from(url)];
    frame.render_widget(Clear, overlay);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(overlay_block(title)),
        overlay,
    );
}

fn overlay_block(title: &str) -> Block<'_> {
    Block::bordered().title(Span::styled(
        format!(" {title} "),
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

fn text_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` cut into rows of at most `width` columns, at most `max_rows` of them; a cut
/// tail ends in an ellipsis. URLs have no spaces to break at, so this breaks anywhere.
fn wrap(text: &str, width: usize, max_rows: usize) -> Vec<String> {
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let c_width = c.width().unwrap_or(0);
        if used + c_width > width {
            if rows.len() == max_rows {
                let last = rows.last_mut().expect("rows starts with one");
                while text_width(last) + 1 > width {
                    last.pop();
                }
                last.push('…');
                break;
            }
            rows.push(String::new());
            used = 0;
        }
        rows.last_mut().expect("rows starts with one").push(c);
        used += c_width;
    }
    rows
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;

    use super::*;

    const URL: &str = "https://www.dropbox.com/request/AbCdEfGhIjKlMnOpQrSt";

    fn draw(width: u16, height: u16, url: &str) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| render(url, "Scan to hand in", frame, frame.area()))
            .expect("draw");
        terminal.backend().buffer().clone()
    }

    fn screen_text(buffer: &Buffer) -> Vec<String> {
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect()
            })
            .collect()
    }

    /// Whether a cell belongs to a drawn code.
    fn is_code_cell(cell: &ratatui::buffer::Cell) -> bool {
        ["▀", "█"].contains(&cell.symbol()) && [DARK, LIGHT].contains(&cell.bg)
    }

    /// Reads the code back from the buffer as a camera would see it: two pixels a cell,
    /// one above the other (a cell is twice as tall as it is wide), `true` for dark.
    fn pixels_in(buffer: &Buffer) -> Vec<Vec<bool>> {
        let mut pixels: Vec<Vec<bool>> = Vec::new();
        for y in 0..buffer.area.height {
            let row: Vec<&ratatui::buffer::Cell> = (0..buffer.area.width)
                .map(|x| &buffer[(x, y)])
                .filter(|cell| is_code_cell(cell))
                .collect();
            if row.is_empty() {
                continue;
            }
            let top: Vec<bool> = row.iter().map(|cell| cell.fg == DARK).collect();
            let bottom: Vec<bool> = row
                .iter()
                .map(|cell| {
                    if cell.symbol() == "█" {
                        cell.fg == DARK
                    } else {
                        cell.bg == DARK
                    }
                })
                .collect();
            pixels.push(top);
            pixels.push(bottom);
        }
        assert!(!pixels.is_empty(), "no code on screen");
        // The last line's lower half may lie beyond the square.
        let size = pixels[0].len();
        pixels.truncate(size);
        pixels
    }

    /// Reads a module square back from QR cells drawn at scale 1.
    fn modules_in(buffer: &Buffer) -> Vec<Vec<bool>> {
        pixels_in(buffer)
    }

    /// Decodes the pixels as a phone would, a few camera pixels per terminal pixel.
    fn scan(pixels: &[Vec<bool>]) -> String {
        let zoom = 3;
        let size = pixels.len() * zoom;
        let mut image =
            rqrr::PreparedImage::prepare_from_bitmap(size, size, |x, y| pixels[y / zoom][x / zoom]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decodes");
        content
    }

    #[test]
    fn a_dropbox_request_link_is_version_3_at_37_by_19_cells() {
        let code = QrCode::with_error_correction_level(URL, ERROR_CORRECTION).expect("encodes");
        assert_eq!(code.version(), qrcode::Version::Normal(3));
        assert_eq!(code.width(), 29);

        let lines = qr_lines(URL).expect("encodes");

        // 29 modules and two quiet zones of 4 make 37 rows, two to a line.
        assert_eq!(lines.len(), 19);
        assert!(lines.iter().all(|line| line.width() == 37));
    }

    #[test]
    fn every_cell_is_a_black_and_white_half_block() {
        for line in qr_lines(URL).expect("encodes") {
            assert_eq!(line.style, Style::default());
            for span in line.spans {
                assert!(span.content.chars().all(|c| c == UPPER_HALF_BLOCK));
                assert!([Some(DARK), Some(LIGHT)].contains(&span.style.fg));
                assert!([Some(DARK), Some(LIGHT)].contains(&span.style.bg));
                assert!(span.style.add_modifier.is_empty(), "nothing but colour");
            }
        }
    }

    #[test]
    fn the_cells_hold_the_crates_module_matrix_inside_a_light_quiet_zone() {
        let code = QrCode::with_error_correction_level(URL, ERROR_CORRECTION).expect("encodes");
        let width = code.width();
        let lines = qr_lines(URL).expect("encodes");
        let size = width + 2 * QUIET_ZONE;

        let mut decoded = vec![vec![false; size]; lines.len() * 2];
        for (line_index, line) in lines.iter().enumerate() {
            let cells = line
                .spans
                .iter()
                .flat_map(|span| std::iter::repeat_n(span.style, span.content.chars().count()));
            for (column, style) in cells.enumerate() {
                decoded[2 * line_index][column] = style.fg == Some(DARK);
                decoded[2 * line_index + 1][column] = style.bg == Some(DARK);
            }
        }

        for (row, decoded_row) in decoded.iter().enumerate() {
            for (column, &dark) in decoded_row.iter().enumerate() {
                let in_code = (QUIET_ZONE..QUIET_ZONE + width).contains(&row)
                    && (QUIET_ZONE..QUIET_ZONE + width).contains(&column);
                let expected =
                    in_code && code[(column - QUIET_ZONE, row - QUIET_ZONE)] == Module::Dark;
                assert_eq!(dark, expected, "module ({column}, {row})");
            }
        }
    }

    #[test]
    fn at_80x24_the_whole_code_shows_with_the_url_under_it() {
        let buffer = draw(80, 24, URL);
        let text = screen_text(&buffer);

        let code_rows: Vec<usize> = (0..text.len()).filter(|&y| text[y].contains('▀')).collect();
        assert_eq!(code_rows.len(), 19);
        assert!(code_rows.windows(2).all(|pair| pair[1] == pair[0] + 1));
        let last_code_row = code_rows[code_rows.len() - 1];
        assert!(
            text[last_code_row + 1].contains(URL),
            "URL right under the code:\n{}",
            text.join("\n")
        );
        assert!(text[code_rows[0] - 1].contains("Scan to hand in"));
        assert_eq!(modules_in(&buffer).len(), 37);
    }

    #[test]
    fn the_code_on_screen_scans_back_to_the_url() {
        let buffer = draw(80, 24, URL);
        assert_eq!(scan(&modules_in(&buffer)), URL);
    }

    #[test]
    fn every_scale_scans_back_to_the_url() {
        for scale in 1..=MAX_SCALE {
            let lines = qr_lines_at(URL, scale).expect("encodes");
            let columns = u16::try_from(lines[0].width()).expect("fits");
            let rows = u16::try_from(lines.len()).expect("fits");
            assert_eq!(usize::from(columns), 37 * scale, "scale {scale}");
            assert_eq!(usize::from(rows), (37 * scale).div_ceil(2), "scale {scale}");
            let mut terminal = Terminal::new(TestBackend::new(columns, rows)).expect("terminal");
            terminal
                .draw(|frame| frame.render_widget(Paragraph::new(lines), frame.area()))
                .expect("draw");
            let pixels = pixels_in(terminal.backend().buffer());
            assert_eq!(pixels.len(), 37 * scale, "square modules at scale {scale}");
            assert_eq!(scan(&pixels), URL, "scale {scale}");
        }
    }

    #[test]
    fn even_scales_draw_full_blocks_and_keep_modules_square() {
        for line in qr_lines_at(URL, 2).expect("encodes") {
            for span in line.spans {
                assert!(span.content.chars().all(|c| c == FULL_BLOCK));
                assert_eq!(span.style.fg, span.style.bg, "one module a cell");
            }
        }
    }

    #[test]
    fn the_largest_scale_that_fits_is_drawn() {
        let code_columns = |width, height| {
            let buffer = draw(width, height, URL);
            (0..height)
                .map(|y| {
                    (0..width)
                        .filter(|&x| is_code_cell(&buffer[(x, y)]))
                        .count()
                })
                .max()
                .unwrap_or(0)
        };
        assert_eq!(code_columns(80, 24), 37, "scale 1");
        assert_eq!(code_columns(120, 40), 74, "scale 2: 76x40 is enough");
        assert_eq!(code_columns(120, 39), 37, "one row short of scale 2");
        assert_eq!(code_columns(160, 60), 111, "scale 3");
        assert_eq!(code_columns(200, 80), 148, "scale 4");
        // And what is drawn at scale 2 scans.
        assert_eq!(scan(&pixels_in(&draw(120, 40, URL))), URL);
    }

    #[test]
    fn a_window_too_small_gets_a_sentence_instead_of_a_cut_code() {
        let buffer = draw(30, 10, URL);
        let text = screen_text(&buffer).join(" ");

        assert!(!text.contains('▀'), "no code at all:\n{text}");
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '│')
            .filter(|word| !word.is_empty())
            .collect();
        for expected in ["Enlarge", "39x22", "(columns", "rows)", "30x10", "now."] {
            assert!(words.contains(&expected), "{expected} in {words:?}");
        }
        assert!(text.contains("Scan to hand in"));
    }

    #[test]
    fn the_size_asked_for_is_exactly_the_size_needed() {
        let (columns, rows) = encode(URL).expect("encodes").cells(1).minimum_overlay();
        assert_eq!((columns, rows), (39, 22));

        let shows_code = |width, height| {
            screen_text(&draw(width, height, URL))
                .join("")
                .contains('▀')
        };

        assert!(shows_code(columns, rows));
        assert!(!shows_code(columns - 1, rows));
        assert!(!shows_code(columns, rows - 1));
    }

    #[test]
    fn a_url_wider_than_the_overlay_wraps_and_then_ends_in_an_ellipsis() {
        assert_eq!(wrap("abcdefgh", 3, 5), ["abc", "def", "gh"]);
        assert_eq!(wrap("abcdefgh", 3, 2), ["abc", "de…"]);
        assert_eq!(wrap("abc", 3, 1), ["abc"]);

        // In the smallest window the 52-character link is wider than the code.
        let buffer = draw(39, 22, URL);
        let text = screen_text(&buffer);
        assert!(
            text[20].contains("https://www.dropbox.com/request/AbCd…"),
            "{text:?}"
        );
    }

    #[test]
    fn a_link_too_long_for_any_code_is_one_sentence() {
        let long = format!("https://example.com/{}", "x".repeat(3000));

        assert_eq!(
            qr_lines(&long).map(|lines| lines.len()),
            Err("The link is too long to fit in a QR code.".to_string())
        );
        let text = screen_text(&draw(80, 24, &long)).join(" ");
        assert!(text.contains("The link is too long to fit in a QR code."));
    }

    #[test]
    fn the_overlay_hides_what_was_under_it() {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        terminal
            .draw(|frame| {
                let area = frame.area();
                frame.render_widget(
                    Paragraph::new("#".repeat(80 * 24)).wrap(Wrap { trim: false }),
                    area,
                );
                render(URL, "Scan to hand in", frame, area);
            })
            .expect("draw");
        let text = screen_text(terminal.backend().buffer()).join("");

        // The overlay is as wide as the URL plus its border, and as tall as the code, the
        // URL and the border; nothing of the text beneath shows through it.
        let overlay_cells = (URL.len() + 2) * (19 + 1 + 2);
        assert_eq!(text.matches('#').count(), 80 * 24 - overlay_cells);
    }
}
