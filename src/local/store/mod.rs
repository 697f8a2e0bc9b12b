//! The SQLite store of the embedded pool: pools, app clients, users (SRP verifiers only, never
//! passwords), codes, the outbox, challenge state and refresh tokens. WAL mode: one writer whose
//! every use is one transaction, and read-only connections that never wait on it (`db.rs`).

use std::path::Path;

use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};

mod codes;
mod db;
mod groups;
mod mfa;
mod pools;
mod resources;
mod schema;
mod sessions;
#[cfg(test)]
mod tests;
mod users;

pub use codes::*;
pub use db::{Db, is_fault};
pub use groups::*;
pub use mfa::*;
pub use pools::*;
pub use resources::*;
pub use sessions::*;
pub use users::*;

/// Opens (creating if needed) the store at `path`.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::paths::create_private_dir_all(dir)?;
    }
    // The store holds SRP verifiers, TOTP secrets and codes: 0600, and SQLite gives its -wal
    // and -shm files the database file's mode. Files of an older version are narrowed too.
    crate::paths::ensure_private_file(path)?;
    for side in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(side);
        crate::paths::narrow_to_owner(Path::new(&p));
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    schema::create_and_migrate(&conn)?;
    Ok(conn)
}

/// The server-wide 32-byte key that authenticates SECRET_BLOCKs and derives simulated users;
/// created on first use and kept in the store.
pub fn server_key(conn: &Connection) -> anyhow::Result<[u8; 32]> {
    let existing: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = 'server_key'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(v) = existing
        && v.len() == 32
    {
        let mut k = [0u8; 32];
        k.copy_from_slice(&v);
        return Ok(k);
    }
    let mut k = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut k);
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('server_key', ?1)",
        params![k.to_vec()],
    )?;
    Ok(k)
}
