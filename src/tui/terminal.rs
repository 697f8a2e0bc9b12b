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

/// Runs the user's editor (`$VISUAL`, else `$EDITOR`) on `text` in a temporary `.json` file
/// (mode 0600, removed after), with the terminal handed over the way full-screen programs do
/// it: out of the alternate screen, raw mode and bracketed paste while the editor runs, then
/// back in and cleared so the next frame is drawn whole. The edited text, or why there is
/// none (no editor set, it could not start, it failed: the caller keeps its own text).
pub fn edit_externally(term: &mut TerminalGuard, text: &str) -> Result<String, String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .ok_or_else(|| {
            "No editor: set $EDITOR (or $VISUAL), e.g. EDITOR=vi; ^S sends the text here"
                .to_string()
        })?;
    let path = std::env::temp_dir().join(format!(
        "cognito-tui-request-{}-{}.json",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    write_private(&path, text).map_err(|e| format!("Cannot write {}: {e}", path.display()))?;
    let suspended = term.active;
    if suspended {
        let _ = restore_terminal();
    }
    // `sh -c` so an EDITOR with arguments ("code --wait") works as in git.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    if suspended {
        let _ = enable_raw_mode();
        let mut out = io::stdout();
        let _ = out.execute(EnterAlternateScreen);
        let _ = out.execute(EnableBracketedPaste);
        // A blank screen and two blank buffers: the next frame is drawn whole. (Not
        // `Terminal::clear`, which first asks the terminal where its cursor is and gives up
        // without clearing when the answer does not come back in time.)
        let _ = out.execute(crossterm::terminal::Clear(
            crossterm::terminal::ClearType::All,
        ));
        term.terminal.swap_buffers();
        term.terminal.swap_buffers();
    }
    let read = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    match status {
        Err(e) => Err(format!("The editor ({editor}) did not start: {e}")),
        Ok(s) if s.code() == Some(127) => Err(format!(
            "The editor ({editor}) was not found: set $EDITOR to one that is installed"
        )),
        Ok(s) if !s.success() => Err(format!("The editor ({editor}) failed ({s})")),
        Ok(_) => read.map_err(|e| format!("Cannot read the edited file back: {e}")),
    }
}

fn write_private(path: &std::path::Path, text: &str) -> io::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
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
