//! Writing a transcript: the Markdown and the JSON side by side, each 0600, each written to a
//! temporary file first and renamed into place (a full disk leaves the old file, or none,
//! never half of one). The default place is `transcripts/` under the data directory.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::markdown;
use super::model::Transcript;
use crate::paths::create_private_dir_all;

/// Where a transcript went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub markdown: PathBuf,
    pub json: PathBuf,
}

/// The default path (the Markdown's; the JSON goes beside it) for a transcript exported at
/// `now_ms`: `<data dir>/transcripts/transcript-YYYYMMDD-HHMMSS.md`.
pub fn default_path(data_dir: &Path, now_ms: i64) -> PathBuf {
    let t = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    data_dir.join("transcripts").join(format!(
        "transcript-{:04}{:02}{:02}-{:02}{:02}{:02}.md",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// The two files for a path the user gave: `x.md` and `x.json` for `x`, `x.md` or `x.json`.
pub fn paths_for(path: &Path) -> Written {
    let stem = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("json") => {
            path.with_extension("")
        }
        _ => path.to_path_buf(),
    };
    let with = |ext: &str| {
        let mut s = stem.clone().into_os_string();
        s.push(".");
        s.push(ext);
        PathBuf::from(s)
    };
    Written {
        markdown: with("md"),
        json: with("json"),
    }
}

/// Writes `t` (stamped with `now_ms`) as Markdown and JSON for `path`. The error is a
/// sentence for the status line.
pub fn write(t: &Transcript, path: &Path, now_ms: i64) -> Result<Written, String> {
    let t = t.exported(now_ms);
    let out = paths_for(path);
    if out.markdown.file_name().is_none() {
        return Err(format!("{} names no file", path.display()));
    }
    if let Some(dir) = out.markdown.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir_all(dir).map_err(|e| {
            format!(
                "cannot create the folder {}: {}",
                dir.display(),
                io_reason(&e)
            )
        })?;
    }
    let json = serde_json::to_vec_pretty(&t.to_json())
        .map_err(|e| format!("cannot encode the transcript: {e}"))?;
    write_private(&out.markdown, markdown::render(&t).as_bytes())?;
    write_private(&out.json, &json)?;
    Ok(out)
}

/// `bytes` into `path`, 0600, through a temporary file renamed into place.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = {
        let mut s = path.as_os_str().to_owned();
        s.push(format!(".tmp-{}", std::process::id()));
        PathBuf::from(s)
    };
    let result = (|| -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        crate::paths::narrow_to_owner(&tmp);
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {}", path.display(), io_reason(&e))
    })
}

/// An IO error as a reader understands it.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => "permission denied (a read-only or another user's folder)".into(),
        K::ReadOnlyFilesystem => "the file system is read-only".into(),
        K::StorageFull => "the disk is full".into(),
        K::NotADirectory | K::AlreadyExists => {
            "a file of that name is in the way of a folder".into()
        }
        K::IsADirectory => "that path is a folder".into(),
        K::NotFound => "a folder on the way does not exist".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::model::TranscriptTarget;

    fn transcript() -> Transcript {
        Transcript::new(
            TranscriptTarget {
                kind: "embedded".into(),
                user_pool_id: "us-east-1_x".into(),
                client_id: "c".into(),
                region: "us-east-1".into(),
                endpoint: "http://127.0.0.1:1/".into(),
                client_secret: false,
            },
            0,
        )
    }

    #[test]
    fn both_files_are_written_private_beside_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let w = write(&transcript(), &dir.path().join("a/b/run.md"), 5_000).unwrap();
        assert_eq!(w.markdown, dir.path().join("a/b/run.md"));
        assert_eq!(w.json, dir.path().join("a/b/run.json"));
        let md = std::fs::read_to_string(&w.markdown).unwrap();
        assert!(md.starts_with("# cognito-tui transcript"), "{md}");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&w.json).unwrap()).unwrap();
        assert_eq!(json["format"], crate::transcript::model::FORMAT);
        assert_eq!(json["exported_at_ms"], 5_000);
        #[cfg(unix)]
        for p in [&w.markdown, &w.json] {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", p.display());
        }
        assert_eq!(paths_for(Path::new("x.json")).markdown, Path::new("x.md"));
        assert_eq!(paths_for(Path::new("x")).json, Path::new("x.json"));
        assert!(
            default_path(Path::new("/d"), 0).starts_with("/d/transcripts"),
            "under the data dir"
        );
    }

    #[test]
    fn a_path_that_cannot_be_written_is_a_sentence_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, "x").unwrap();
        let err = write(&transcript(), &file.join("t.md"), 0).unwrap_err();
        assert!(err.starts_with("cannot create the folder"), "{err}");
        assert!(
            err.ends_with("a file of that name is in the way of a folder"),
            "{err}"
        );
        // Nothing half-written is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
