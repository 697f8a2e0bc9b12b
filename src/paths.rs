//! Where the app keeps its files: config, data (the embedded pool's SQLite file) and state (logs,
//! tokens). `directories::ProjectDirs` by default; `COGNITO_TUI_HOME` puts all three under one
//! folder (tests and CI use it so they never touch the user's real directories).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
}

impl Paths {
    /// Resolves the directories without creating them.
    pub fn resolve() -> anyhow::Result<Self> {
        if let Some(home) = std::env::var_os("COGNITO_TUI_HOME").filter(|h| !h.is_empty()) {
            return Ok(Self::under(Path::new(&home)));
        }
        let dirs = directories::ProjectDirs::from("dev", "cognito-tui", "cognito-tui").ok_or_else(
            || {
                anyhow::anyhow!(
                    "cannot find a home directory for cognito-tui's files; set COGNITO_TUI_HOME"
                )
            },
        )?;
        let state_dir = dirs
            .state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.data_local_dir().join("state"));
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            state_dir,
        })
    }

    /// All three under one folder.
    pub fn under(home: &Path) -> Self {
        Self {
            config_dir: home.join("config"),
            data_dir: home.join("data"),
            state_dir: home.join("state"),
        }
    }

    /// Creates the directories (0700 on Unix: they hold tokens and the pool's keys).
    pub fn create(&self) -> anyhow::Result<()> {
        for dir in [&self.config_dir, &self.data_dir, &self.state_dir] {
            create_private_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create directory {}: {e}", dir.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
        Ok(())
    }

    /// The embedded pool's SQLite file.
    pub fn local_db(&self) -> PathBuf {
        self.data_dir.join("local-pool.sqlite3")
    }

    /// The log file (the only place logs go: never the terminal the TUI draws on).
    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("cognito-tui.log")
    }
}

/// Creates `dir` and any missing parents, each new one 0700 on Unix (directories that already
/// exist keep their mode: `--db /tmp/x.db` must not change /tmp).
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Opens `path` for appending, creating it 0600 on Unix; an existing file is narrowed to 0600
/// (best effort: a file of another owner keeps its mode).
pub fn open_private_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    narrow_to_owner(path);
    Ok(file)
}

/// Makes sure `path` exists as a file only its owner can read and write: created 0600 when
/// missing, narrowed to 0600 when it exists (best effort, as [`open_private_append`]).
pub fn ensure_private_file(path: &Path) -> std::io::Result<()> {
    drop(open_private_append(path)?);
    Ok(())
}

/// Narrows an existing file to 0600 on Unix (best effort; nothing on other systems).
pub fn narrow_to_owner(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_puts_everything_below_home() {
        let p = Paths::under(Path::new("/tmp/x"));
        assert_eq!(p.local_db(), Path::new("/tmp/x/data/local-pool.sqlite3"));
        assert_eq!(p.log_file(), Path::new("/tmp/x/state/cognito-tui.log"));
    }
}
