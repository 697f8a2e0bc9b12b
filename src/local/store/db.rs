//! The store's connections: one writer, every use of it one `BEGIN IMMEDIATE` transaction, and
//! a pool of read-only connections that WAL lets read while the writer writes.
//!
//! A writer waits a bounded time for the write lock, whether another thread of this process or
//! another process (a `sqlite3` shell, `seed-users`) holds it, and then answers
//! TooManyRequestsException: the error Cognito throttles with, which every AWS SDK retries
//! with back-off, where a 500 would be a fault.

use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::local::error::{ApiError, ApiResult, ErrorKind};

/// How long a writer waits for the write lock before answering TooManyRequestsException.
pub const WRITE_WAIT: Duration = Duration::from_secs(2);

/// Idle read connections kept open for the next reader.
const IDLE_READERS: usize = 8;

/// The writer and the readers of one store file.
pub struct Db {
    writer: Mutex<Connection>,
    /// The file readers open; `None` for a store without a file (readers use the writer).
    path: Option<String>,
    idle: Mutex<Vec<Connection>>,
    write_wait: Duration,
}

impl Db {
    /// Wraps the writer connection (opened by [`super::open`]); readers open the same file.
    pub fn new(writer: Connection) -> Self {
        let path = writer.path().filter(|p| !p.is_empty()).map(str::to_string);
        Self {
            writer: Mutex::new(writer),
            path,
            idle: Mutex::new(Vec::new()),
            write_wait: WRITE_WAIT,
        }
    }

    /// Runs `f` in one write transaction. It commits when `f` answers, also with a Cognito
    /// error (a failed sign-in counts its attempt), and rolls back on a fault (a storage
    /// error, a panic), so a request's writes land whole or not at all.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> ApiResult<T>) -> ApiResult<T> {
        let started = Instant::now();
        let mut conn = self
            .writer
            .try_lock_for(self.write_wait)
            .ok_or_else(ApiError::store_busy)?;
        let left = self.write_wait.saturating_sub(started.elapsed());
        conn.busy_timeout(left.max(Duration::from_millis(1)))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = f(&tx);
        match &result {
            Err(e) if is_fault(e) => tx.rollback()?,
            _ => tx.commit()?,
        }
        result
    }

    /// Runs `f` on a read-only connection, in one read transaction (a consistent snapshot);
    /// it never waits on a writer.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> ApiResult<T>) -> ApiResult<T> {
        let Some(path) = &self.path else {
            return self.write(f);
        };
        let conn = match self.idle.lock().pop() {
            Some(c) => c,
            None => open_reader(path)?,
        };
        conn.execute_batch("BEGIN DEFERRED")?;
        let result = f(&conn);
        // A read transaction has nothing to keep: ending it only releases the snapshot.
        let ended = conn.execute_batch("COMMIT");
        if ended.is_ok() {
            let mut idle = self.idle.lock();
            if idle.len() < IDLE_READERS {
                idle.push(conn);
            }
        }
        let value = result?;
        ended?;
        Ok(value)
    }
}

/// Errors after which nothing `f` wrote may stay: [`Db::write`] rolled back.
pub fn is_fault(e: &ApiError) -> bool {
    e.status() >= 500 || e.kind == ErrorKind::TooManyRequests
}

fn open_reader(path: &str) -> ApiResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(WRITE_WAIT)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}
