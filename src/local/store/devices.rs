//! Devices a user signed in from (device tracking): the device key, its group key, the SRP
//! verifier its ConfirmDevice gave (salt and verifier only: the device password never reaches
//! the pool), its name and whether it is remembered.

use rusqlite::{Connection, OptionalExtension, params};

use crate::local::error::ApiResult;

/// One device as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_key: String,
    pub pool_id: String,
    pub username: String,
    pub group_key: String,
    pub name: Option<String>,
    /// Hex of the verifier's salt and of the verifier, once ConfirmDevice gave them.
    pub salt: Option<String>,
    pub verifier: Option<String>,
    pub remembered: bool,
    pub created: i64,
    pub modified: i64,
    pub last_auth: Option<i64>,
}

impl DeviceRow {
    /// Whether ConfirmDevice registered the device's verifier (only then can it sign in).
    pub fn confirmed(&self) -> bool {
        self.salt.is_some() && self.verifier.is_some()
    }
}

const DEVICE_COLS: &str = "device_key, pool_id, username, group_key, name, salt, verifier, \
                           remembered, created, modified, last_auth";

fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        device_key: r.get(0)?,
        pool_id: r.get(1)?,
        username: r.get(2)?,
        group_key: r.get(3)?,
        name: r.get(4)?,
        salt: r.get(5)?,
        verifier: r.get(6)?,
        remembered: r.get(7)?,
        created: r.get(8)?,
        modified: r.get(9)?,
        last_auth: r.get(10)?,
    })
}

/// Stores a new (not yet confirmed) device.
pub fn insert_device(conn: &Connection, d: &DeviceRow) -> ApiResult<()> {
    conn.execute(
        &format!("INSERT INTO devices ({DEVICE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            d.device_key,
            d.pool_id,
            d.username,
            d.group_key,
            d.name,
            d.salt,
            d.verifier,
            d.remembered,
            d.created,
            d.modified,
            d.last_auth
        ],
    )?;
    Ok(())
}

/// Writes back a device's name, verifier, remembered status and dates.
pub fn update_device(conn: &Connection, d: &DeviceRow) -> ApiResult<()> {
    conn.execute(
        "UPDATE devices SET name = ?2, salt = ?3, verifier = ?4, remembered = ?5, modified = ?6, \
         last_auth = ?7 WHERE device_key = ?1",
        params![
            d.device_key,
            d.name,
            d.salt,
            d.verifier,
            d.remembered,
            d.modified,
            d.last_auth
        ],
    )?;
    Ok(())
}

/// A device of this user in this pool (another user's device reads as unknown).
pub fn get_device(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    device_key: &str,
) -> ApiResult<Option<DeviceRow>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {DEVICE_COLS} FROM devices WHERE device_key = ?1 AND pool_id = ?2 AND username = ?3"
            ),
            params![device_key, pool_id, username],
            device_from_row,
        )
        .optional()?)
}

/// A user's confirmed devices in the order they were first seen, after the position `after` (the
/// `created` time and key of the last device of the previous page), at most `limit`.
pub fn list_devices(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    after: Option<(i64, &str)>,
    limit: usize,
) -> ApiResult<Vec<DeviceRow>> {
    let (created, key) = after.unwrap_or((i64::MIN, ""));
    let mut st = conn.prepare(&format!(
        "SELECT {DEVICE_COLS} FROM devices WHERE pool_id = ?1 AND username = ?2 \
         AND verifier IS NOT NULL AND (created > ?3 OR (created = ?3 AND device_key > ?4)) \
         ORDER BY created, device_key LIMIT ?5"
    ))?;
    let rows = st.query_map(
        params![pool_id, username, created, key, limit as i64],
        device_from_row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Forgets all but the `keep` newest devices of a user that were never confirmed (a client
/// that ignores NewDeviceMetadata would otherwise add one a sign-in, without end).
pub fn prune_unconfirmed(
    conn: &Connection,
    pool_id: &str,
    username: &str,
    keep: usize,
) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM devices WHERE pool_id = ?1 AND username = ?2 AND verifier IS NULL \
         AND device_key NOT IN (SELECT device_key FROM devices WHERE pool_id = ?1 \
         AND username = ?2 AND verifier IS NULL ORDER BY created DESC, device_key DESC LIMIT ?3)",
        params![pool_id, username, keep as i64],
    )?;
    Ok(())
}

/// Forgets one device. Returns whether it was there.
pub fn forget_device(conn: &Connection, device_key: &str) -> ApiResult<bool> {
    Ok(conn.execute(
        "DELETE FROM devices WHERE device_key = ?1",
        params![device_key],
    )? > 0)
}

/// Forgets every device of a user (the user is being deleted).
pub fn forget_user_devices(conn: &Connection, pool_id: &str, username: &str) -> ApiResult<()> {
    conn.execute(
        "DELETE FROM devices WHERE pool_id = ?1 AND username = ?2",
        params![pool_id, username],
    )?;
    Ok(())
}
