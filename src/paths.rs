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
            std::fs::create_dir_all(dir)
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
