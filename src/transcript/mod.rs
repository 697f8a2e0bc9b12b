//! Transcript export: a session's events as one typed record (`model`), narrated as Markdown
//! (`markdown`) and written with its JSON form (`file`).

mod file;
mod markdown;
mod model;

pub use file::{Written, default_path, paths_for, write};
pub use markdown::render as render_markdown;
pub use model::{Entry, FORMAT, MAX_ENTRIES, Tool, Transcript, TranscriptTarget, redact_body};
