//! What the auth actor keeps on disk: the tokens (`TokenStore`) and the remembered devices'
//! keys (`DeviceStore`), each in a 0600 file of the state directory, bound to the endpoint,
//! pool and client that issued them and restored only there.

use std::path::{Path, PathBuf};

use super::machine::DeviceKeys;
use super::session::Tokens;
use crate::config::Target;

/// The tokens file: `<state_dir>/tokens-<client id>.json`, mode 0600. The tokens are saved
/// with the endpoint, pool and client they were issued by, and restored only there.
pub struct TokenStore {
    path: PathBuf,
    bound: Binding,
}

/// Where a saved session was issued.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Binding {
    endpoint: String,
    user_pool_id: String,
    client_id: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedFile {
    #[serde(flatten)]
    bound: Binding,
    tokens: Tokens,
}

/// What the tokens file holds for this target.
#[derive(Debug, PartialEq)]
pub enum Saved {
    None,
    Here(Tokens),
    /// A session issued by another endpoint, pool or client (described in `place`).
    Elsewhere {
        username: String,
        place: String,
    },
}

impl TokenStore {
    pub fn new(dir: &Path, target: &Target) -> Self {
        let safe: String = target
            .client_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        Self {
            path: dir.join(format!("tokens-{safe}.json")),
            bound: Binding {
                endpoint: target.endpoint.trim_end_matches('/').to_string(),
                user_pool_id: target.user_pool_id.clone(),
                client_id: target.client_id.clone(),
            },
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Saved {
        let Ok(bytes) = std::fs::read(&self.path) else {
            return Saved::None;
        };
        match serde_json::from_slice::<SavedFile>(&bytes) {
            Ok(f) if f.bound == self.bound => Saved::Here(f.tokens),
            Ok(f) => Saved::Elsewhere {
                username: f.tokens.username(),
                place: format!("{} (pool {})", f.bound.endpoint, f.bound.user_pool_id),
            },
            Err(e) => {
                tracing::warn!(path = %self.path.display(), "ignoring an unreadable tokens file: {e}");
                Saved::None
            }
        }
    }

    pub fn save(&self, tokens: Option<&Tokens>) {
        let result = match tokens {
            None => match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Some(t) => self.write(t),
        };
        if let Err(e) = result {
            tracing::warn!(path = %self.path.display(), "cannot update the tokens file: {e}");
        }
    }

    fn write(&self, t: &Tokens) -> std::io::Result<()> {
        let saved = SavedFile {
            bound: self.bound.clone(),
            tokens: t.clone(),
        };
        write_private(
            &self.path,
            &serde_json::to_vec(&saved).map_err(std::io::Error::other)?,
        )
    }
}

/// The devices file: `<state_dir>/devices-<client id>.json`, mode 0600, the keys of the devices
/// this client keeps (Amplify's deviceKey, deviceGroupKey and randomPasswordKey), bound to the
/// endpoint, pool and client like the tokens, and kept across sign-outs as Amplify keeps them.
pub struct DeviceStore {
    path: PathBuf,
    bound: Binding,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedDevice {
    username: String,
    device_key: String,
    group_key: String,
    /// The device password (the file is the one place it is written).
    password: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct DevicesFile {
    #[serde(flatten)]
    bound: Binding,
    devices: Vec<SavedDevice>,
}

impl DeviceStore {
    pub fn new(dir: &Path, target: &Target) -> Self {
        let tokens = TokenStore::new(dir, target);
        let name = tokens
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("tokens-.json")
            .replacen("tokens-", "devices-", 1);
        Self {
            path: dir.join(name),
            bound: tokens.bound,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The devices kept for this endpoint, pool and client (none for another's file).
    pub fn load(&self) -> Vec<DeviceKeys> {
        let Ok(bytes) = std::fs::read(&self.path) else {
            return Vec::new();
        };
        match serde_json::from_slice::<DevicesFile>(&bytes) {
            Ok(f) if f.bound == self.bound => f
                .devices
                .into_iter()
                .map(|d| DeviceKeys {
                    username: d.username,
                    device_key: d.device_key,
                    group_key: d.group_key,
                    password: d.password.into(),
                })
                .collect(),
            Ok(_) => Vec::new(),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), "ignoring an unreadable devices file: {e}");
                Vec::new()
            }
        }
    }

    pub fn save(&self, devices: &[DeviceKeys]) {
        let file = DevicesFile {
            bound: self.bound.clone(),
            devices: devices
                .iter()
                .map(|d| SavedDevice {
                    username: d.username.clone(),
                    device_key: d.device_key.clone(),
                    group_key: d.group_key.clone(),
                    password: d.password.expose().to_string(),
                })
                .collect(),
        };
        let result = serde_json::to_vec(&file)
            .map_err(std::io::Error::other)
            .and_then(|bytes| write_private(&self.path, &bytes));
        if let Err(e) = result {
            tracing::warn!(path = %self.path.display(), "cannot update the devices file: {e}");
        }
    }
}

/// Writes `bytes` to `path` through a 0600 temporary file and a rename.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
