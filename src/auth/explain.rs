//! Why a step or an error happened, for the rows that do not say it themselves, and the
//! glossary of Cognito's words that the help overlay and exported transcripts share.
//!
//! A transition carries its own explanation (the flow machine writes it when it takes the
//! step). An error carries Cognito's code and message; [`error_explanation`] turns the code
//! (and, for the codes Cognito reuses for several refusals, the start of Cognito's own
//! message) into one sentence on what it means and what to do. Nothing here reads text this
//! program wrote.

use super::events::AuthErrorView;
use crate::cognito::codes::ClientCode;

/// What Cognito says when a user is locked out after too many wrong passwords.
const LOCKOUT_MESSAGE: &str = "Password attempts exceeded";
/// The start of Cognito's answer to a stale or reused challenge Session.
const SESSION_MESSAGE: &str = "Invalid session for the user";

/// One sentence on what an error means and what to do about it, when there is more to say
/// than Cognito's message. `None` for a stale or reused Session: the row that names the
/// Session explains it.
pub fn error_explanation(e: &AuthErrorView) -> Option<&'static str> {
    let m = e.message.as_str();
    Some(match e.code.as_str() {
        "NotAuthorizedException" if m.starts_with(LOCKOUT_MESSAGE) => {
            "too many wrong passwords: Cognito locks this user's sign-in for a while (longer \
             after each further failure); wait, then sign in with the right password"
        }
        "NotAuthorizedException" if m.starts_with(SESSION_MESSAGE) => return None,
        "NotAuthorizedException" if m.starts_with("Incorrect username or password") => {
            "Cognito does not say which of the two was wrong; with PreventUserExistenceErrors \
             on, an unknown user gets this same answer, so it reveals nobody's account"
        }
        "NotAuthorizedException" if m.contains("disabled") => {
            "an administrator disabled this user (AdminDisableUser); nothing signs them in \
             until AdminEnableUser"
        }
        "NotAuthorizedException" if m.contains("revoked") => {
            "the token was revoked (RevokeToken at sign-out, or GlobalSignOut): sign in again"
        }
        "NotAuthorizedException" if m.contains("Refresh Token") => {
            "the refresh token is expired, revoked or unknown to this pool: sign in again"
        }
        "NotAuthorizedException" => {
            "Cognito refused the credentials, the token or the flow for this call (a flow the \
             app client does not allow is refused the same way)"
        }
        "UserNotFoundException" => {
            "no such user in this pool; Cognito says so only when PreventUserExistenceErrors \
             is off for the app client"
        }
        "CodeMismatchException" => {
            "the code is wrong: type it again. A sign-in keeps its Session for another try \
             (a few wrong tries spend it); a sign-up or reset code can also be sent anew"
        }
        "ExpiredCodeException" => {
            "the code is too old or already used: ask for a new one (an authenticator-app \
             code works once, the next 30-second code is fresh)"
        }
        "TooManyRequestsException" => {
            "rate limit: Cognito throttles each operation per pool (its quotas); wait a \
             moment and retry, as the AWS SDKs do with backoff"
        }
        "LimitExceededException" => {
            "a limit was reached (codes sent, password resets or attempts for this user in a \
             short time); wait before trying again"
        }
        "TooManyFailedAttemptsException" => {
            "too many wrong answers in a row: Cognito stops this user's attempts for a while"
        }
        "CodeDeliveryFailureException" => {
            "Cognito could not deliver the code (SMS or email failed); check the user's \
             address or number"
        }
        "InvalidPasswordException" => {
            "the password breaks the pool's password policy (length, character kinds) or \
             reuses a recent one; choose another"
        }
        "PasswordHistoryPolicyViolationException" => {
            "the new password is one of this user's recent passwords, which the pool forbids"
        }
        "UsernameExistsException" | "AliasExistsException" => {
            "the username, or an alias such as the email, already belongs to a user of this pool"
        }
        "UserNotConfirmedException" => {
            "the user has not confirmed the sign-up code yet (ConfirmSignUp)"
        }
        "PasswordResetRequiredException" => {
            "an administrator asked for a new password: reset it (ForgotPassword) first"
        }
        "EnableSoftwareTokenMFAException" => {
            "the authenticator-app code did not verify the new secret: check the device's \
             clock and type the current code; the setup stays open for another try"
        }
        "InvalidParameterException" => {
            "Cognito refused the shape or value of a parameter; its message says which"
        }
        "ResourceNotFoundException" => {
            "the user pool or app client does not exist at this endpoint and region: check \
             the ids"
        }
        "UserLambdaValidationException"
        | "UnexpectedLambdaException"
        | "InvalidLambdaResponseException" => {
            "a Lambda trigger of the pool refused the request or failed; the message is the \
             trigger's"
        }
        "NetworkError" => {
            "no answer: the endpoint could not be reached (name, connection or TLS); check \
             the endpoint and the network"
        }
        "Timeout" => "the server did not answer in time; nothing is known of the call's fate",
        "InvalidResponse" => {
            "the answer is not a Cognito answer (a proxy page, the wrong endpoint, a broken \
             server); the inspector shows it"
        }
        _ => return ClientCode::parse(&e.code).and_then(client_code_explanation),
    })
}

/// The client's own refusals (nothing was sent, or the answer could not be used); the codes
/// it shares with Cognito (`CodeMismatchException`, `InvalidResponse`) are explained above.
fn client_code_explanation(c: ClientCode) -> Option<&'static str> {
    Some(match c {
        ClientCode::Busy => {
            "one command at a time: wait for the running one, or send or drop the held request"
        }
        ClientCode::NothingHeld => "step mode holds nothing: submit a form first",
        ClientCode::EmptySignUpUsername
        | ClientCode::EmptyConfirmSignUpCode
        | ClientCode::EmptyResetPasswordUsername
        | ClientCode::EmptyConfirmResetPasswordCode
        | ClientCode::EmptySignInUsername
        | ClientCode::EmptySignInPassword
        | ClientCode::EmptyChallengeResponse
        | ClientCode::EmptyAccountInput => {
            "a field the call needs is empty; refused before anything was sent, as Amplify does"
        }
        ClientCode::UserAlreadyAuthenticated => {
            "a user is already signed in: sign out first (Amplify refuses a second sign-in)"
        }
        ClientCode::UserUnAuthenticated => {
            "the account calls carry a signed-in user's access token: sign in first"
        }
        ClientCode::AutoSignIn => "auto sign-in follows only a confirmed auto sign-in sign-up",
        ClientCode::SignIn => "no sign-in is waiting for an answer: sign in first",
        ClientCode::NoRefreshToken => "without a refresh token the session ends: sign in again",
        ClientCode::NotSent | ClientCode::ActorStopped => {
            "the app's own machinery failed; the log file says why"
        }
        _ => return None,
    })
}

/// Cognito's words, each with a short meaning: the help overlay's glossary and the terms
/// section of an exported transcript.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "Session",
        "an opaque value Cognito returns with a challenge; the answer must send it back. It \
         lives AuthSessionValidity (3 minutes by default) and answers one challenge once.",
    ),
    (
        "ChallengeName",
        "what Cognito asks next instead of tokens: PASSWORD_VERIFIER, SMS_MFA, \
         SOFTWARE_TOKEN_MFA, MFA_SETUP, NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE, …",
    ),
    (
        "ChallengeParameters",
        "public values sent with a challenge (where a code went, SRP_B, SALT, the MFA \
         choices); never secrets.",
    ),
    (
        "ChallengeResponses",
        "the answer to a challenge in RespondToAuthChallenge: a code, a new password, the SRP \
         proof; always with USERNAME.",
    ),
    (
        "nextStep",
        "Amplify's name for what the app must do next (CONFIRM_SIGN_UP, \
         CONFIRM_SIGN_IN_WITH_TOTP_CODE, DONE, …); the status pane shows each change.",
    ),
    (
        "USER_SRP_AUTH",
        "sign-in without sending the password: client and server prove they know it with \
         the SRP protocol (Amplify's default).",
    ),
    (
        "USER_PASSWORD_AUTH",
        "sign-in that sends the password itself (over TLS); the app client must allow it.",
    ),
    (
        "USER_AUTH",
        "choice-based sign-in: the user names a first factor (PREFERRED_CHALLENGE: password, \
         email or SMS code, passkey) or picks one from SELECT_CHALLENGE.",
    ),
    (
        "SRP_A / SRP_B",
        "the client's and the server's public SRP values (A = gᵃ mod N, B = k·v + gᵇ); \
         neither reveals the password.",
    ),
    (
        "SALT",
        "the user's random salt, stored with the password verifier v; x = H(salt ‖ H(pool ‖ \
         user ‖ \":\" ‖ password)).",
    ),
    (
        "SECRET_BLOCK",
        "an opaque blob from PASSWORD_VERIFIER that the client signs and sends back, tying \
         the proof to this sign-in.",
    ),
    (
        "PASSWORD_CLAIM_SIGNATURE",
        "the SRP proof: HMAC-SHA256 with the derived key K over pool name, user, \
         SECRET_BLOCK and TIMESTAMP.",
    ),
    (
        "SECRET_HASH",
        "Base64(HMAC-SHA256(client secret, username + client id)); needed when the app \
         client has a secret. Never shown.",
    ),
    (
        "MFA_SETUP",
        "the pool requires MFA and the user has none: set up an authenticator app \
         (AssociateSoftwareToken, VerifySoftwareToken) or email.",
    ),
    (
        "TOTP",
        "time-based one-time password from an authenticator app: a 6-digit code from a \
         shared secret and the clock, new every 30 s.",
    ),
    (
        "ID / access / refresh token",
        "the ID token says who the user is, the access token what they may do (it calls \
         GetUser, GlobalSignOut, …), the refresh token gets new ones.",
    ),
    (
        "origin_jti",
        "a claim tying an access token to the refresh token it came from; RevokeToken on \
         that refresh token revokes them all.",
    ),
    (
        "RevokeToken / GlobalSignOut",
        "sign-out: revoke one refresh token and its access tokens, or every token the user \
         holds anywhere.",
    ),
    (
        "PreventUserExistenceErrors",
        "an app client setting: when on, an unknown user gets the same answer as a wrong \
         password, so sign-in cannot be used to find out who has an account.",
    ),
    (
        "AuthSessionValidity",
        "minutes a challenge Session lives (3 to 15, default 3).",
    ),
    (
        "CodeDeliveryDetails",
        "where Cognito sent a code: the masked destination, EMAIL or SMS, and the attribute.",
    ),
    (
        "x-amzn-RequestId",
        "the id Cognito gives each call; quote it to AWS support.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str, message: &str) -> AuthErrorView {
        AuthErrorView {
            api: "signIn".into(),
            operation: Some("InitiateAuth".into()),
            code: code.into(),
            message: message.into(),
            request_id: None,
        }
    }

    #[test]
    fn lockouts_rate_limits_and_retries_are_explained() {
        let lock = error_explanation(&err("NotAuthorizedException", "Password attempts exceeded"));
        assert!(lock.unwrap().starts_with("too many wrong passwords"));
        let wrong = error_explanation(&err(
            "NotAuthorizedException",
            "Incorrect username or password.",
        ));
        assert!(wrong.unwrap().contains("PreventUserExistenceErrors"));
        let rate = error_explanation(&err("TooManyRequestsException", "Rate exceeded"));
        assert!(rate.unwrap().starts_with("rate limit"));
        let retry = error_explanation(&err("CodeMismatchException", "Invalid code"));
        assert!(retry.unwrap().contains("another try"));
        let busy = error_explanation(&err("Busy", "signIn is running"));
        assert!(busy.unwrap().contains("one command at a time"));
        // The Session row explains a stale Session; an unknown code has nothing to add.
        assert_eq!(
            error_explanation(&err(
                "NotAuthorizedException",
                "Invalid session for the user, session is expired."
            )),
            None
        );
        assert_eq!(error_explanation(&err("SomethingNewException", "x")), None);
    }

    #[test]
    fn the_glossary_names_the_terms_a_reader_meets() {
        for term in [
            "Session",
            "ChallengeParameters",
            "SECRET_BLOCK",
            "SRP_A / SRP_B",
            "SECRET_HASH",
            "origin_jti",
            "USER_AUTH",
            "PreventUserExistenceErrors",
        ] {
            assert!(GLOSSARY.iter().any(|(t, _)| *t == term), "{term}");
        }
    }
}
