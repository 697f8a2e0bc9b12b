//! A QR code drawn with half-block characters: one terminal cell holds two modules, one
//! above the other, so a version-6 code (41 modules) with its quiet zone takes 45×23 cells.
//! Modules are black on white whatever the terminal's colours (scanners want dark on light).

use qrcode::{Color as Module, EcLevel, QrCode};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::tui::theme::Theme;

/// Light modules around the code. The standard asks for 4; 2 scans fine on a screen and
/// keeps an otpauth URI's code inside an 80×24 terminal.
pub const QUIET: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrGrid {
    /// Modules per side, without the quiet zone.
    pub modules: usize,
    dark: Vec<bool>,
}

impl QrGrid {
    /// Encodes `data` with the lowest error correction (the smallest code), or `None` when
    /// it is too long for any QR version.
    pub fn encode(data: &str) -> Option<Self> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
        let modules = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Module::Dark)
            .collect();
        Some(Self { modules, dark })
    }

    fn is_dark(&self, x: isize, y: isize) -> bool {
        let n = self.modules as isize;
        if x < 0 || y < 0 || x >= n || y >= n {
            return false;
        }
        self.dark[(y * n + x) as usize]
    }

    /// Columns needed, quiet zone included.
    pub fn cols(&self) -> u16 {
        (self.modules + 2 * QUIET) as u16
    }

    /// Rows needed (two modules per row), quiet zone included.
    pub fn rows(&self) -> u16 {
        (self.modules + 2 * QUIET).div_ceil(2) as u16
    }

    /// True when the code fits in `width` × `height` cells.
    pub fn fits(&self, width: u16, height: u16) -> bool {
        self.cols() <= width && self.rows() <= height
    }

    /// The code as lines of half blocks, black on white.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let style = Style::default().fg(Color::Black).bg(Color::White);
        let side = (self.modules + 2 * QUIET) as isize;
        let q = QUIET as isize;
        let mut out = Vec::with_capacity(self.rows() as usize);
        let mut y = 0;
        while y < side {
            let row: String = (0..side)
                .map(|x| {
                    let top = self.is_dark(x - q, y - q);
                    let bottom = self.is_dark(x - q, y + 1 - q);
                    match (top, bottom) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    }
                })
                .collect();
            out.push(Line::from(Span::styled(row, style)));
            y += 2;
        }
        out
    }
}

/// A TOTP setup's QR code over the whole terminal (Ctrl-V), or why it cannot be shown.
pub fn render_full(frame: &mut Frame, area: Rect, qr: Option<QrGrid>, t: &Theme) {
    frame.render_widget(Clear, area);
    let Some(q) = qr else {
        frame.render_widget(
            Paragraph::new("No TOTP setup step is shown (any key closes).").style(t.dim()),
            area,
        );
        return;
    };
    if !q.fits(area.width, area.height.saturating_sub(1)) {
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!(
                        "The QR code needs {}×{} cells; this terminal is {}×{}.",
                        q.cols(),
                        q.rows() + 1,
                        area.width,
                        area.height
                    ),
                    t.error(),
                ),
                Line::raw("Enlarge the terminal, or copy the URI (^Y, OSC 52) or the secret."),
                Line::styled("Any key closes.", t.dim()),
            ])
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let x = area.x + (area.width - q.cols()) / 2;
    let y = area.y + (area.height - 1 - q.rows()) / 2;
    frame.render_widget(
        Paragraph::new(q.lines()),
        Rect::new(x, y, q.cols(), q.rows()),
    );
    frame.render_widget(
        Line::styled(
            "Scan with an authenticator app · ^Y copies the URI · any key closes",
            t.dim(),
        ),
        Rect::new(area.x, y + q.rows(), area.width, 1),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> String {
        format!(
            "otpauth://totp/cognito-tui:totp-user?secret={}&issuer=cognito-tui",
            "A".repeat(52)
        )
    }

    #[test]
    fn an_otpauth_uri_fits_an_80x24_terminal() {
        let q = QrGrid::encode(&uri()).unwrap();
        assert!(
            q.cols() <= 80 && q.rows() <= 23,
            "{}x{}",
            q.cols(),
            q.rows()
        );
        let lines = q.lines();
        assert_eq!(lines.len(), q.rows() as usize);
        assert!(lines.iter().all(|l| l.width() == q.cols() as usize));
        // The quiet zone is light; the finder pattern's top-left corner is dark.
        let first: String = lines[0].spans[0].content.to_string();
        assert!(first.chars().all(|c| c == ' '));
        let finder_row: Vec<char> = lines[QUIET / 2].spans[0].content.chars().collect();
        assert_ne!(finder_row[QUIET], ' ');
    }

    #[test]
    fn decodes_back_to_the_same_modules() {
        // Each cell's glyph must encode exactly its two modules.
        let q = QrGrid::encode("hello").unwrap();
        let lines = q.lines();
        let n = q.modules as isize;
        for (row, line) in lines.iter().enumerate() {
            for (col, ch) in line.spans[0].content.chars().enumerate() {
                let (x, y) = (
                    col as isize - QUIET as isize,
                    2 * row as isize - QUIET as isize,
                );
                let expect = (q.is_dark(x, y), q.is_dark(x, y + 1));
                let got = match ch {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                assert_eq!(got, expect, "cell {col},{row} of {n}");
            }
        }
    }

    #[test]
    fn too_long_data_is_refused() {
        assert!(QrGrid::encode(&"x".repeat(8000)).is_none());
    }
}
