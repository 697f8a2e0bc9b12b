"""UserMigration: a plain Lambda handler, unchanged from what you would deploy.

Brings users of a legacy user store into the pool the first time they sign in
(USER_PASSWORD_AUTH: Amplify's authFlowType 'USER_PASSWORD_AUTH') or ask for a password
reset. The "legacy store" here is a dict; a real one would call your old database or API.
Raising an exception refuses the sign-in (UserLambdaValidationException "UserMigration failed
with error <message>.").

Configure with  python:/abs/path/examples/triggers/user_migration.py#lambda_handler
"""

LEGACY_USERS = {
    "legacy-lee": {"password": "LegacyPassw0rd!", "email": "lee@legacy.example"},
}


def lambda_handler(event, context):
    user = LEGACY_USERS.get(event["userName"])
    if user is None:
        raise Exception("Unknown user")
    source = event["triggerSource"]
    if source == "UserMigration_Authentication":
        if event["request"]["password"] != user["password"]:
            raise Exception("Bad password")
        event["response"]["finalUserStatus"] = "CONFIRMED"
    elif source != "UserMigration_ForgotPassword":
        return event
    print("migrating", event["userName"], "via", source)
    event["response"]["userAttributes"] = {
        "email": user["email"],
        "email_verified": "true",
    }
    event["response"]["messageAction"] = "SUPPRESS"
    return event
