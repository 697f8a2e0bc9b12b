//! The embedded Cognito-compatible user pool.
