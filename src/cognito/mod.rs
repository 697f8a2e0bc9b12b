//! The Cognito wire client: typed operations over `application/x-amz-json-1.1`.

pub mod exchange;
