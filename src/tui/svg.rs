//! Renders a ratatui `Buffer` (e.g. a `TestBackend`'s) to SVG, cell by cell with its
//! colours and emphasis, so screenshots come from the app's own rendering.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const FONT_SIZE: f32 = 14.0;
const BG: &str = "#1e1f29";
const FG: &str = "#e6e6e6";

/// A colour as CSS hex; `None` for `Reset` (the default).
fn css(c: Color) -> Option<String> {
    let named = |s: &str| Some(s.to_string());
    match c {
        Color::Reset => None,
        Color::Black => named("#1e1f29"),
        Color::Red => named("#ff5555"),
        Color::Green => named("#50fa7b"),
        Color::Yellow => named("#f1fa8c"),
        Color::Blue => named("#6272e4"),
        Color::Magenta => named("#ff79c6"),
        Color::Cyan => named("#8be9fd"),
        Color::Gray => named("#bfbfbf"),
        Color::DarkGray => named("#6c7086"),
        Color::LightRed => named("#ff6e6e"),
        Color::LightGreen => named("#69ff94"),
        Color::LightYellow => named("#ffffa5"),
        Color::LightBlue => named("#8b9bff"),
        Color::LightMagenta => named("#ff92df"),
        Color::LightCyan => named("#a4ffff"),
        Color::White => named("#ffffff"),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => {
            let v = i.saturating_mul(10);
            Some(format!("#{v:02x}{v:02x}{v:02x}"))
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell's (foreground, background) with REVERSED applied.
fn colours(cell: &ratatui::buffer::Cell) -> (Option<String>, Option<String>) {
    let (mut fg, mut bg) = (css(cell.fg), css(cell.bg));
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
        fg = Some(fg.unwrap_or_else(|| BG.to_string()));
        bg = Some(bg.unwrap_or_else(|| FG.to_string()));
    }
    (fg, bg)
}

/// The whole buffer as a standalone SVG document.
pub fn buffer_to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let w = area.width as f32 * CELL_W;
    let h = area.height as f32 * CELL_H;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    let _ = write!(
        out,
        r#"<rect width="100%" height="100%" fill="{BG}"/><g font-family="DejaVu Sans Mono, monospace" font-size="{FONT_SIZE}" xml:space="preserve">"#
    );
    for y in 0..area.height {
        let py = y as f32 * CELL_H;
        // Backgrounds first, one rectangle per run of equal colour (no seams between cells).
        let mut run: Option<(u16, String)> = None;
        for x in 0..=area.width {
            let bg = if x < area.width {
                colours(&buf[(area.x + x, area.y + y)]).1
            } else {
                None
            };
            let same = matches!((&run, &bg), (Some((_, a)), Some(b)) if a == b);
            if !same {
                if let Some((start, colour)) = run.take() {
                    let px = start as f32 * CELL_W;
                    let w = (x - start) as f32 * CELL_W;
                    let _ = write!(
                        out,
                        r#"<rect x="{px}" y="{py}" width="{w}" height="{CELL_H}" fill="{colour}" shape-rendering="crispEdges"/>"#
                    );
                }
                run = bg.map(|b| (x, b));
            }
        }
        for x in 0..area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let sym = cell.symbol();
            if sym.trim().is_empty() {
                continue;
            }
            let fg = colours(cell).0.unwrap_or_else(|| FG.to_string());
            let px = x as f32 * CELL_W;
            let mut attrs = String::new();
            if cell.modifier.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if cell.modifier.contains(Modifier::ITALIC) {
                attrs.push_str(r#" font-style="italic""#);
            }
            if cell.modifier.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            if cell.modifier.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            let ty = py + CELL_H * 0.78;
            let _ = write!(
                out,
                r#"<text x="{px}" y="{ty}" fill="{fg}"{attrs}>{}</text>"#,
                escape(sym)
            );
        }
    }
    out.push_str("</g></svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn cells_become_text_with_colours() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "a<b", Style::new().fg(Color::Red).bg(Color::Blue));
        let svg = buffer_to_svg(&buf);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r##"fill="#ff5555">a</text>"##));
        assert!(svg.contains("&lt;"));
        assert!(svg.contains(r##"fill="#6272e4""##));
    }
}
