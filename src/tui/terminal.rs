//! Entering and leaving the full-screen terminal (alternate screen, raw mode, bracketed
//! paste). The terminal is restored when the guard
//! drops, on `restore()`, and from a panic hook chained in front of the previous one (so
//! the panic message is printed on a sane terminal).
//!
//! A panic on another thread (an actor task) while the UI owns the terminal does not end
//! the UI: its message goes to the log instead of being printed over the screen, and the UI
//! reports the actor as stopped when its channel closes.

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

use crossterm::ExecutableCommand;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

static HOOK: Once = Once::new();
/// True while the UI owns the terminal.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that draws.
static UI_THREAD: Mutex<Option<ThreadId>> = Mutex::new(None);

fn on_ui_thread() -> bool {
    UI_THREAD
        .lock()
        .map(|t| *t == Some(std::thread::current().id()))
        .unwrap_or(true)
}

/// Leaves bracketed paste, raw mode and the alternate screen; safe to call more than once.
pub fn restore_terminal() -> io::Result<()> {
    let mut out = io::stdout();
    let _ = out.execute(DisableBracketedPaste);
    let _ = out.execute(crossterm::cursor::Show);
    let _ = out.execute(LeaveAlternateScreen);
    disable_raw_mode()
}

/// Installs (once) a panic hook that restores the terminal, then runs the previous hook.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ACTIVE.load(Ordering::SeqCst) && !on_ui_thread() {
                tracing::error!("panic on a background thread: {info}");
                return;
            }
            if ACTIVE.swap(false, Ordering::SeqCst) {
                let _ = restore_terminal();
            }
            previous(info);
        }));
    });
}

/// Puts `text` on the terminal's clipboard with OSC 52 (supported by most terminals and by
/// tmux with `set-clipboard on`; it travels over SSH).
pub fn copy_osc52(text: &str) -> io::Result<()> {
    copy_osc52_to(&mut io::stdout(), text)
}

/// The OSC 52 sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{b64}\x07")
}

/// Writes the OSC 52 sequence for `text` to `out` (the terminal backend's writer, so it
/// goes out in order with the frames) and flushes.
pub fn copy_osc52_to<W: io::Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    active: bool,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        if let Ok(mut t) = UI_THREAD.lock() {
            *t = Some(std::thread::current().id());
        }
        enable_raw_mode()?;
        let mut out = io::stdout();
        if let Err(e) = out.execute(EnterAlternateScreen) {
            let _ = disable_raw_mode();
            return Err(e);
        }
        // A paste arrives as one event (not thousands of keys): it goes into the focused
        // field at once, and its letters and line breaks are never taken for commands.
        if let Err(e) = out.execute(EnableBracketedPaste) {
            let _ = restore_terminal();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(out)) {
            Ok(t) => t,
            Err(e) => {
                let _ = restore_terminal();
                return Err(e);
            }
        };
        ACTIVE.store(true, Ordering::SeqCst);
        Ok(Self {
            terminal,
            active: true,
        })
    }

    pub fn restore(&mut self) -> io::Result<()> {
        if self.active {
            self.active = false;
            ACTIVE.store(false, Ordering::SeqCst);
            restore_terminal()?;
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.restore();
    }
}
