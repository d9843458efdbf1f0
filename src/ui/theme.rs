//! Colours and emphasis. With `NO_COLOR` every style keeps its emphasis (bold, reverse)
//! and drops its colour, so nothing is conveyed by colour alone.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn paint(&self, style: Style, color: Color) -> Style {
        if self.color { style.fg(color) } else { style }
    }

    pub fn title(&self) -> Style {
        self.paint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn tab_active(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn tab_inactive(&self) -> Style {
        self.paint(Style::new(), Color::Gray)
    }

    pub fn header(&self) -> Style {
        self.paint(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn open(&self) -> Style {
        self.paint(Style::new(), Color::Green)
    }

    pub fn closed(&self) -> Style {
        self.paint(Style::new().add_modifier(Modifier::DIM), Color::DarkGray)
    }

    /// Past the deadline and the grace: bold too, so it stands out without colour.
    pub fn overdue(&self) -> Style {
        self.paint(Style::new().add_modifier(Modifier::BOLD), Color::Red)
    }

    /// Past the deadline but still inside the grace period.
    pub fn in_grace(&self) -> Style {
        self.paint(Style::new(), Color::Yellow)
    }

    pub fn dim(&self) -> Style {
        self.paint(Style::new(), Color::DarkGray)
    }

    pub fn key(&self) -> Style {
        self.paint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub fn error(&self) -> Style {
        self.paint(Style::new().add_modifier(Modifier::BOLD), Color::Red)
    }

    pub fn label(&self) -> Style {
        self.paint(Style::new(), Color::Gray)
    }

    /// A text field; underlined so its extent shows without colour.
    pub fn input(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Indexed(236))
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }

    pub fn input_focused(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Indexed(238)).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        }
    }

    /// A file that arrived while the tab was open: unlike any lateness colour, and
    /// underlined so it shows without colour too.
    pub fn fresh(&self) -> Style {
        self.paint(
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Color::Cyan,
        )
    }
}
