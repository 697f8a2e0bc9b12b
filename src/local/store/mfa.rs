//! MFA settings: the methods each pool offers (`pool_mfa`; the ON / OPTIONAL / OFF switch stays
//! in the pool's config as `MfaConfiguration`) and each user's methods, preference and software
//! token (`user_mfa`, per user *sub*, so a re-created user starts clean).

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pools::PoolRow;
use crate::local::error::{ApiError, ApiResult};

/// The MFA method names, in the order Cognito lists them.
pub const SMS_MFA: &str = "SMS_MFA";
pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub const EMAIL_OTP: &str = "EMAIL_OTP";
/// Which MFA methods a pool offers (its MfaConfiguration is in the pool's own config).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMfa {
    pub sms_enabled: bool,
    #[serde(default)]
    pub sms_authentication_message: Option<String>,
    #[serde(default)]
    pub sms_configuration: Option<Value>,
    pub totp_enabled: bool,
    pub email_enabled: bool,
    #[serde(default)]
    pub email_message: Option<String>,
    #[serde(default)]
    pub email_subject: Option<String>,
}

/// The pool's MFA methods. A pool never configured (made before MFA existed here, or by
/// CreateUserPool) offers TOTP when its MfaConfiguration is not OFF, nothing otherwise.
pub fn pool_mfa(conn: &Connection, pool: &PoolRow) -> ApiResult<PoolMfa> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT config FROM pool_mfa WHERE pool_id = ?1",
            params![pool.pool_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match stored.and_then(|s| serde_json::from_str(&s).ok()) {
        Some(c) => c,
        None => PoolMfa {
            totp_enabled: pool.config.mfa_configuration != "OFF",
            ..PoolMfa::default()
        },
    })
}

pub fn has_pool_mfa_row(conn: &Connection, pool_id: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM pool_mfa WHERE pool_id = ?1",
            params![pool_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn put_pool_mfa(conn: &Connection, pool_id: &str, c: &PoolMfa) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO pool_mfa (pool_id, config) VALUES (?1, ?2)",
        params![
            pool_id,
            serde_json::to_string(c).map_err(|e| ApiError::internal(e.to_string()))?
        ],
    )?;
    Ok(())
}

/// One user's MFA methods, preference and software token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserMfa {
    pub sms: bool,
    pub email: bool,
    pub totp: bool,
    pub preferred: Option<String>,
    /// Base32 secret of the verified software token.
    pub totp_secret: Option<String>,
    /// Base32 secret from AssociateSoftwareToken (AccessToken) awaiting VerifySoftwareToken.
    pub pending_secret: Option<String>,
    pub device_name: Option<String>,
    /// The last TOTP step accepted (a code is accepted once).
    pub last_step: Option<i64>,
}

impl UserMfa {
    /// The methods the user has turned on, in Cognito's order.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.sms {
            out.push(SMS_MFA);
        }
        if self.totp {
            out.push(SOFTWARE_TOKEN_MFA);
        }
        if self.email {
            out.push(EMAIL_OTP);
        }
        out
    }
}

pub fn user_mfa(conn: &Connection, pool_id: &str, sub: &str) -> ApiResult<UserMfa> {
    Ok(conn
        .query_row(
            "SELECT sms_enabled, email_enabled, totp_enabled, preferred, totp_secret, \
             pending_secret, device_name, last_step FROM user_mfa WHERE pool_id = ?1 AND sub = ?2",
            params![pool_id, sub],
            |r| {
                Ok(UserMfa {
                    sms: r.get::<_, i64>(0)? != 0,
                    email: r.get::<_, i64>(1)? != 0,
                    totp: r.get::<_, i64>(2)? != 0,
                    preferred: r.get(3)?,
                    totp_secret: r.get(4)?,
                    pending_secret: r.get(5)?,
                    device_name: r.get(6)?,
                    last_step: r.get(7)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn put_user_mfa(conn: &Connection, pool_id: &str, sub: &str, m: &UserMfa) -> ApiResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO user_mfa (pool_id, sub, sms_enabled, email_enabled, totp_enabled, \
         preferred, totp_secret, pending_secret, device_name, last_step) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            pool_id,
            sub,
            m.sms as i64,
            m.email as i64,
            m.totp as i64,
            m.preferred,
            m.totp_secret,
            m.pending_secret,
            m.device_name,
            m.last_step
        ],
    )?;
    Ok(())
}
