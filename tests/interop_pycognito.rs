//! pycognito (from PyPI, unchanged) signs in against `cognito-tui serve` with SRP, verifies the
//! tokens against the JWKS, and is rejected with a wrong password; also SECRET_HASH, refresh,
//! register/confirm with the outbox code and global sign-out.
//!
//! Needs python3 with pycognito (`pip install -r tests/interop/requirements.txt`). Without them
//! the test is skipped with a message, except under CI=true where it fails.

mod support;

use std::process::Command;
use std::time::Duration;

use support::peers::{
    assert_peer_passed, interop_dir, peer_available, peer_env, probe, run_with_limit,
};
use support::pool::serve;

#[test]
fn pycognito_srp_sign_in_and_wrong_password() {
    let ready = probe("python3", &["-c", "import pycognito, boto3"], None).map(|_| ());
    if !peer_available("interop_pycognito", ready) {
        return;
    }
    let served = serve();
    let mut cmd = Command::new("python3");
    cmd.arg(interop_dir().join("pycognito_signin.py"));
    peer_env(&mut cmd, &served.url);
    let out = run_with_limit(cmd, Duration::from_secs(180));
    assert_peer_passed(
        "pycognito",
        &out,
        &[
            "SRP sign-in, tokens verified against the JWKS",
            "GetUser with the access token",
            "refresh (REFRESH_TOKEN_AUTH)",
            "wrong password rejected",
            "SRP sign-in and refresh with SECRET_HASH",
            "wrong client secret rejected",
            "register, confirm with the outbox code, sign in",
            "global sign-out revokes the access token",
        ],
    );
}
