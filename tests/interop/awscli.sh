#!/usr/bin/env bash
# The AWS CLI (PyPI `awscli`, unchanged) against `cognito-tui serve` with --endpoint-url.
#
# Environment: POOL_ENDPOINT (base URL of the server), dummy AWS credentials and AWS_REGION
# (the embedded pool checks no signature; never pass real ones).
#
# Creates its own pool and app client, so it does not depend on the demo data. Prints one
# "ok: ..." line per check and "ALL OK" at the end; on the first failure prints "FAIL: ..." and
# exits 1. Never prints passwords or tokens.
set -euo pipefail

: "${POOL_ENDPOINT:?POOL_ENDPOINT is required}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Also to stderr, so a failure inside $(...) is still seen.
fail() { echo "FAIL: $*" >&2; echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# cog OP ARGS... : runs `aws cognito-idp OP`, JSON on stdout; a failure is fatal and shows stderr.
cog() {
  local op=$1; shift
  if ! aws cognito-idp "$op" --endpoint-url "$POOL_ENDPOINT" --output json "$@" >"$WORK/out" 2>"$WORK/err"; then
    fail "aws cognito-idp $op failed: $(tail -n 3 "$WORK/err")"
  fi
  cat "$WORK/out"
}

# cog_err CODE MESSAGE OP ARGS... : the call must fail with exactly this error code and message.
cog_err() {
  local code=$1 message=$2 op=$3; shift 3
  if aws cognito-idp "$op" --endpoint-url "$POOL_ENDPOINT" --output json "$@" >"$WORK/out" 2>"$WORK/err"; then
    fail "aws cognito-idp $op succeeded, expected $code"
  fi
  # The CLI names the operation in its model's spelling (AdminSetUserMFAPreference), so only
  # the code and the message are compared.
  local line prefix="An error occurred ($code) when calling the " suffix=" operation: $message"
  while IFS= read -r line; do
    line="${line#"${line%%[![:space:]]*}"}"
    if [[ "$line" == "$prefix"* && "$line" == *"$suffix" ]]; then
      return 0
    fi
  done <"$WORK/err"
  fail "aws cognito-idp $op: expected $code \"$message\", got [$(tail -n 3 "$WORK/err")]"
}

# js EXPR : evaluates a Python expression over the JSON on stdin bound to `d`.
js() { python3 -c "import json,sys; d=json.load(sys.stdin); v=($1); print(v if not isinstance(v,(dict,list,bool)) else json.dumps(v))"; }

# outbox_code USER PURPOSE : the newest code the pool "sent" to USER of $POOL for PURPOSE.
outbox_code() {
  python3 -c "
import json, sys, urllib.request
entries = json.load(urllib.request.urlopen('$POOL_ENDPOINT/_local/outbox', timeout=10))
codes = [e['code'] for e in entries if e['pool_id'] == '$POOL' and e['username'] == '$1' and e['purpose'] == '$2']
print(codes[-1] if codes else '')"
}

# expect WHAT GOT WANT
expect() { [ "$2" = "$3" ] || fail "$1: expected [$3], got [$2]"; }

aws --version >/dev/null 2>&1 || fail "aws is not installed"

# 1. A pool and an app client.
pool_json=$(cog create-user-pool --pool-name interop-cli \
  --auto-verified-attributes email \
  --policies 'PasswordPolicy={MinimumLength=10,RequireUppercase=true,RequireLowercase=true,RequireNumbers=true,RequireSymbols=false}')
POOL=$(js 'd["UserPool"]["Id"]' <<<"$pool_json")
[[ "$POOL" =~ ^us-east-1_[0-9a-zA-Z]+$ ]] || fail "pool id $POOL does not look like <region>_<id>"
expect "created pool name" "$(js 'd["UserPool"]["Name"]' <<<"$pool_json")" "interop-cli"
ok "create-user-pool"

desc=$(cog describe-user-pool --user-pool-id "$POOL")
expect "described pool id" "$(js 'd["UserPool"]["Id"]' <<<"$desc")" "$POOL"
expect "minimum length" "$(js 'd["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"]' <<<"$desc")" "10"
expect "auto-verified" "$(js 'd["UserPool"]["AutoVerifiedAttributes"]' <<<"$desc")" '["email"]'
expect "arn" "$(js 'd["UserPool"]["Arn"].startswith("arn:aws:cognito-idp:us-east-1:")' <<<"$desc")" "true"
ok "describe-user-pool"

client_json=$(cog create-user-pool-client --user-pool-id "$POOL" --client-name cli-client \
  --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH ALLOW_USER_SRP_AUTH)
CLIENT=$(js 'd["UserPoolClient"]["ClientId"]' <<<"$client_json")
expect "client secret" "$(js '"ClientSecret" in d["UserPoolClient"]' <<<"$client_json")" "false"
ok "create-user-pool-client"

# A second client without USER_PASSWORD_AUTH, to see the flow refused.
SRP_ONLY=$(cog create-user-pool-client --user-pool-id "$POOL" --client-name srp-only \
  --explicit-auth-flows ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH | js 'd["UserPoolClient"]["ClientId"]')

cdesc=$(cog describe-user-pool-client --user-pool-id "$POOL" --client-id "$CLIENT")
expect "client name" "$(js 'd["UserPoolClient"]["ClientName"]' <<<"$cdesc")" "cli-client"
expect "client flows" "$(js 'sorted(d["UserPoolClient"]["ExplicitAuthFlows"])' <<<"$cdesc")" \
  '["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]'
ok "describe-user-pool-client"

pools=$(cog list-user-pools --max-results 60)
expect "pool listed" "$(js "[p['Name'] for p in d['UserPools'] if p['Id']=='$POOL']" <<<"$pools")" '["interop-cli"]'
clients=$(cog list-user-pool-clients --user-pool-id "$POOL")
expect "clients listed" "$(js 'sorted(c["ClientName"] for c in d["UserPoolClients"])' <<<"$clients")" '["cli-client", "srp-only"]'
ok "list-user-pools and list-user-pool-clients"

cog_err ResourceNotFoundException "User pool us-east-1_nothere does not exist." \
  describe-user-pool --user-pool-id us-east-1_nothere
ok "describe-user-pool of a missing pool: ResourceNotFoundException"

# 2. Sign-up: the pool's own policy applies; then admin-confirm.
PW='Cli-Passw0rd-1'
cog_err InvalidPasswordException "Password did not conform with policy: Password not long enough" \
  sign-up --client-id "$CLIENT" --username carl --password 'Short1Aa'
signup=$(cog sign-up --client-id "$CLIENT" --username carl --password "$PW" \
  --user-attributes Name=email,Value=carl@cli.example.org Name=name,Value=Carl)
expect "UserConfirmed" "$(js 'd["UserConfirmed"]' <<<"$signup")" "false"
expect "delivery" "$(js 'd["CodeDeliveryDetails"]["DeliveryMedium"]' <<<"$signup")" "EMAIL"
cog sign-up --client-id "$CLIENT" --username cleo --password "$PW" \
  --user-attributes Name=email,Value=cleo@cli.example.org >/dev/null
cog sign-up --client-id "$CLIENT" --username zed --password "$PW" \
  --user-attributes Name=email,Value=zed@other.example.org >/dev/null
cog_err UsernameExistsException "User already exists" \
  sign-up --client-id "$CLIENT" --username carl --password "$PW"
ok "sign-up (policy enforced, duplicates refused)"

cog_err UserNotConfirmedException "User is not confirmed." \
  initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$PW"
expect "status before" "$(cog admin-get-user --user-pool-id "$POOL" --username carl | js 'd["UserStatus"]')" "UNCONFIRMED"
cog admin-confirm-sign-up --user-pool-id "$POOL" --username carl >/dev/null
got=$(cog admin-get-user --user-pool-id "$POOL" --username carl)
expect "status after" "$(js 'd["UserStatus"]' <<<"$got")" "CONFIRMED"
expect "enabled" "$(js 'd["Enabled"]' <<<"$got")" "true"
expect "attributes" "$(js '{a["Name"]: a["Value"] for a in d["UserAttributes"]}["name"]' <<<"$got")" "Carl"
ok "admin-confirm-sign-up and admin-get-user"

CODE=$(outbox_code cleo SIGN_UP)
[ -n "$CODE" ] || fail "no SIGN_UP code for cleo in the outbox"
cog confirm-sign-up --client-id "$CLIENT" --username cleo --confirmation-code "$CODE" >/dev/null
cog_err NotAuthorizedException "User cannot be confirmed. Current status is CONFIRMED" \
  confirm-sign-up --client-id "$CLIENT" --username cleo --confirmation-code "$CODE"
expect "cleo verified" "$(cog admin-get-user --user-pool-id "$POOL" --username cleo \
  | js '{a["Name"]: a["Value"] for a in d["UserAttributes"]}.get("email_verified")')" "true"
ok "confirm-sign-up with the outbox code verifies the email"

# 3. initiate-auth with USER_PASSWORD_AUTH: tokens come back.
auth=$(cog initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$PW")
expect "token type" "$(js 'd["AuthenticationResult"]["TokenType"]' <<<"$auth")" "Bearer"
expect "expires in" "$(js 'd["AuthenticationResult"]["ExpiresIn"]' <<<"$auth")" "3600"
expect "all three tokens" "$(js 'all(d["AuthenticationResult"].get(k) for k in ("AccessToken","IdToken","RefreshToken"))' <<<"$auth")" "true"
ACCESS=$(js 'd["AuthenticationResult"]["AccessToken"]' <<<"$auth")
REFRESH=$(js 'd["AuthenticationResult"]["RefreshToken"]' <<<"$auth")
expect "get-user" "$(cog get-user --access-token "$ACCESS" | js 'd["Username"]')" "carl"
ok "initiate-auth USER_PASSWORD_AUTH and get-user"

refreshed=$(cog initiate-auth --client-id "$CLIENT" --auth-flow REFRESH_TOKEN_AUTH --auth-parameters "REFRESH_TOKEN=$REFRESH")
expect "refreshed access" "$(js 'bool(d["AuthenticationResult"]["AccessToken"])' <<<"$refreshed")" "true"
ok "initiate-auth REFRESH_TOKEN_AUTH"

cog_err NotAuthorizedException "Incorrect username or password." \
  initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=Wrong-Passw0rd"
cog_err UserNotFoundException "User does not exist." \
  initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=nobody,PASSWORD=$PW"
cog_err InvalidParameterException "USER_PASSWORD_AUTH flow not enabled for this client" \
  initiate-auth --client-id "$SRP_ONLY" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$PW"
ok "wrong password, unknown user and a disabled flow refused"

# 4. list-users with filters (the CLI pages with --page-size through PaginationToken).
names() { js 'sorted(u["Username"] for u in d["Users"])'; }
expect "email prefix" "$(cog list-users --user-pool-id "$POOL" --filter 'email ^= "c"' | names)" '["carl", "cleo"]'
expect "email exact" "$(cog list-users --user-pool-id "$POOL" --filter 'email = "zed@other.example.org"' | names)" '["zed"]'
expect "status filter" "$(cog list-users --user-pool-id "$POOL" --filter 'cognito:user_status = "UNCONFIRMED"' | names)" '["zed"]'
expect "paged" "$(cog list-users --user-pool-id "$POOL" --page-size 1 | names)" '["carl", "cleo", "zed"]'
expect "one page" "$(cog list-users --user-pool-id "$POOL" --limit 2 --no-paginate | js 'len(d["Users"]), bool(d.get("PaginationToken"))')" "(2, True)"
ok "list-users with filters and paging"

# 5. Disable, enable, global sign-out, set password, delete.
cog admin-disable-user --user-pool-id "$POOL" --username carl >/dev/null
expect "disabled" "$(cog admin-get-user --user-pool-id "$POOL" --username carl | js 'd["Enabled"]')" "false"
cog_err NotAuthorizedException "User is disabled." \
  initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$PW"
expect "disabled filter" "$(cog list-users --user-pool-id "$POOL" --filter 'status = "Disabled"' | names)" '["carl"]'
ok "admin-disable-user: sign-in refused with \"User is disabled.\""

cog admin-enable-user --user-pool-id "$POOL" --username carl >/dev/null
auth=$(cog initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$PW")
ACCESS=$(js 'd["AuthenticationResult"]["AccessToken"]' <<<"$auth")
REFRESH=$(js 'd["AuthenticationResult"]["RefreshToken"]' <<<"$auth")
ok "admin-enable-user: sign-in works again"

cog admin-user-global-sign-out --user-pool-id "$POOL" --username carl >/dev/null
cog_err NotAuthorizedException "Access Token has been revoked" get-user --access-token "$ACCESS"
cog_err NotAuthorizedException "Refresh Token has been revoked" \
  initiate-auth --client-id "$CLIENT" --auth-flow REFRESH_TOKEN_AUTH --auth-parameters "REFRESH_TOKEN=$REFRESH"
ok "admin-user-global-sign-out revokes access and refresh tokens"

NEWPW='Cli-Newpassw0rd-2'
cog admin-set-user-password --user-pool-id "$POOL" --username carl --password "$NEWPW" --permanent >/dev/null
cog_err NotAuthorizedException "Incorrect username or password." \
  initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$PW"
cog initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=carl,PASSWORD=$NEWPW" \
  | js '"AuthenticationResult" in d' | grep -qx true || fail "sign-in with the new password failed"
ok "admin-set-user-password --permanent"

created=$(cog admin-create-user --user-pool-id "$POOL" --username dora --temporary-password 'Temp-Passw0rd-9' \
  --message-action SUPPRESS --user-attributes Name=email,Value=dora@cli.example.org Name=email_verified,Value=true)
expect "created status" "$(js 'd["User"]["UserStatus"]' <<<"$created")" "FORCE_CHANGE_PASSWORD"
challenge=$(cog initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=dora,PASSWORD=Temp-Passw0rd-9")
expect "challenge" "$(js 'd["ChallengeName"]' <<<"$challenge")" "NEW_PASSWORD_REQUIRED"
SESSION=$(js 'd["Session"]' <<<"$challenge")
answered=$(cog respond-to-auth-challenge --client-id "$CLIENT" --challenge-name NEW_PASSWORD_REQUIRED \
  --session "$SESSION" --challenge-responses "USERNAME=dora,NEW_PASSWORD=Dora-Passw0rd-10")
expect "after new password" "$(js 'bool(d["AuthenticationResult"]["AccessToken"])' <<<"$answered")" "true"
expect "dora confirmed" "$(cog admin-get-user --user-pool-id "$POOL" --username dora | js 'd["UserStatus"]')" "CONFIRMED"
cog_err UsernameExistsException "User account already exists" \
  admin-create-user --user-pool-id "$POOL" --username dora --message-action SUPPRESS
ok "admin-create-user, then NEW_PASSWORD_REQUIRED answered with respond-to-auth-challenge"

# 6. forgot-password with the outbox code, change-password.
# carl was confirmed by an admin: his email is not verified, so no code can reach him.
cog_err InvalidParameterException "Cannot reset password for the user as there is no registered/verified email or phone_number" \
  forgot-password --client-id "$CLIENT" --username carl
fp=$(cog forgot-password --client-id "$CLIENT" --username cleo)
expect "forgot delivery" "$(js 'd["CodeDeliveryDetails"]["DeliveryMedium"]' <<<"$fp")" "EMAIL"
CODE=$(outbox_code cleo FORGOT_PASSWORD)
[ -n "$CODE" ] || fail "no FORGOT_PASSWORD code in the outbox"
WRONG=$([ "$CODE" = "000000" ] && echo 111111 || echo 000000)
cog_err CodeMismatchException "Invalid verification code provided, please try again." \
  confirm-forgot-password --client-id "$CLIENT" --username cleo --confirmation-code "$WRONG" --password 'Cleo-Passw0rd-3'
cog confirm-forgot-password --client-id "$CLIENT" --username cleo --confirmation-code "$CODE" --password 'Cleo-Passw0rd-3' >/dev/null
cauth=$(cog initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=cleo,PASSWORD=Cleo-Passw0rd-3")
CACCESS=$(js 'd["AuthenticationResult"]["AccessToken"]' <<<"$cauth")
cog change-password --access-token "$CACCESS" --previous-password 'Cleo-Passw0rd-3' --proposed-password 'Cleo-Passw0rd-4' >/dev/null
cog initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=cleo,PASSWORD=Cleo-Passw0rd-4" \
  | js '"AuthenticationResult" in d' | grep -qx true || fail "sign-in after change-password failed"
ok "forgot-password / confirm-forgot-password with the outbox code, change-password"

# 7. admin-reset-user-password: sign-in then needs the reset code from the outbox.
cog admin-reset-user-password --user-pool-id "$POOL" --username cleo >/dev/null
expect "reset status" "$(cog admin-get-user --user-pool-id "$POOL" --username cleo | js 'd["UserStatus"]')" "RESET_REQUIRED"
cog_err PasswordResetRequiredException "Password reset required for the user" \
  initiate-auth --client-id "$CLIENT" --auth-flow USER_PASSWORD_AUTH --auth-parameters "USERNAME=cleo,PASSWORD=Cleo-Passw0rd-4"
CODE=$(outbox_code cleo FORGOT_PASSWORD)
cog confirm-forgot-password --client-id "$CLIENT" --username cleo --confirmation-code "$CODE" --password 'Cleo-Passw0rd-5' >/dev/null
expect "after reset" "$(cog admin-get-user --user-pool-id "$POOL" --username cleo | js 'd["UserStatus"]')" "CONFIRMED"
ok "admin-reset-user-password, then confirm-forgot-password with the outbox code"

# 8. MFA settings: the pool's, then a user's.
cog set-user-pool-mfa-config --user-pool-id "$POOL" --mfa-configuration OPTIONAL \
  --software-token-mfa-configuration Enabled=true >/dev/null
mfa=$(cog get-user-pool-mfa-config --user-pool-id "$POOL")
expect "pool MFA" "$(js 'd["MfaConfiguration"]' <<<"$mfa")" "OPTIONAL"
expect "pool TOTP" "$(js 'd["SoftwareTokenMfaConfiguration"]["Enabled"]' <<<"$mfa")" "true"
expect "described MFA" "$(cog describe-user-pool --user-pool-id "$POOL" | js 'd["UserPool"]["MfaConfiguration"]')" "OPTIONAL"
cog_err InvalidParameterException "User has not verified software token mfa" \
  admin-set-user-mfa-preference --user-pool-id "$POOL" --username cleo --software-token-mfa-settings Enabled=true,PreferredMfa=true
ok "set-user-pool-mfa-config, get-user-pool-mfa-config, admin-set-user-mfa-preference"

cog admin-delete-user --user-pool-id "$POOL" --username zed >/dev/null
cog_err UserNotFoundException "User does not exist." admin-get-user --user-pool-id "$POOL" --username zed
expect "after delete" "$(cog list-users --user-pool-id "$POOL" | names)" '["carl", "cleo", "dora"]'
ok "admin-delete-user"

# 9. Server-side sign-in: admin-initiate-auth, and a challenge answered with
# admin-respond-to-auth-challenge.
ADMIN_CLIENT=$(cog create-user-pool-client --user-pool-id "$POOL" --client-name admin-client \
  --explicit-auth-flows ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH | js 'd["UserPoolClient"]["ClientId"]')
aauth=$(cog admin-initiate-auth --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT" \
  --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters "USERNAME=cleo,PASSWORD=Cleo-Passw0rd-5")
expect "admin sign-in" "$(js 'bool(d["AuthenticationResult"]["AccessToken"])' <<<"$aauth")" "true"
cog_err InvalidParameterException "Auth flow not enabled for this client" \
  admin-initiate-auth --user-pool-id "$POOL" --client-id "$SRP_ONLY" \
  --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters "USERNAME=cleo,PASSWORD=Cleo-Passw0rd-5"
cog_err NotAuthorizedException "Incorrect username or password." \
  admin-initiate-auth --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT" \
  --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters "USERNAME=cleo,PASSWORD=Wrong-Passw0rd"
ok "admin-initiate-auth ADMIN_USER_PASSWORD_AUTH"

cog admin-create-user --user-pool-id "$POOL" --username eve --temporary-password 'Temp-Passw0rd-8' \
  --message-action SUPPRESS >/dev/null
achallenge=$(cog admin-initiate-auth --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT" \
  --auth-flow ADMIN_USER_PASSWORD_AUTH --auth-parameters "USERNAME=eve,PASSWORD=Temp-Passw0rd-8")
expect "admin challenge" "$(js 'd["ChallengeName"]' <<<"$achallenge")" "NEW_PASSWORD_REQUIRED"
ASESSION=$(js 'd["Session"]' <<<"$achallenge")
aanswered=$(cog admin-respond-to-auth-challenge --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT" \
  --challenge-name NEW_PASSWORD_REQUIRED --session "$ASESSION" \
  --challenge-responses "USERNAME=eve,NEW_PASSWORD=Eve-Passw0rd-11")
expect "after admin answer" "$(js 'bool(d["AuthenticationResult"]["IdToken"])' <<<"$aanswered")" "true"
expect "eve confirmed" "$(cog admin-get-user --user-pool-id "$POOL" --username eve | js 'd["UserStatus"]')" "CONFIRMED"
ok "admin-respond-to-auth-challenge NEW_PASSWORD_REQUIRED"

# 10. update-user-pool-client, then the teardown every suite does.
cog update-user-pool-client --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT" --client-name admin-renamed \
  --explicit-auth-flows ALLOW_ADMIN_USER_PASSWORD_AUTH --callback-urls '["https://app.example.org/cb"]' \
  --allowed-o-auth-flows code --allowed-o-auth-scopes openid email \
  --allowed-o-auth-flows-user-pool-client --supported-identity-providers COGNITO >/dev/null
udesc=$(cog describe-user-pool-client --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT")
expect "renamed" "$(js 'd["UserPoolClient"]["ClientName"]' <<<"$udesc")" "admin-renamed"
expect "callback URLs" "$(js 'd["UserPoolClient"]["CallbackURLs"]' <<<"$udesc")" '["https://app.example.org/cb"]'
expect "OAuth scopes" "$(js 'd["UserPoolClient"]["AllowedOAuthScopes"]' <<<"$udesc")" '["openid", "email"]'
ok "update-user-pool-client"

cog delete-user-pool-client --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT" >/dev/null
cog_err ResourceNotFoundException "User pool client $ADMIN_CLIENT does not exist." \
  describe-user-pool-client --user-pool-id "$POOL" --client-id "$ADMIN_CLIENT"
ok "delete-user-pool-client"
cog delete-user-pool --user-pool-id "$POOL" >/dev/null
cog_err ResourceNotFoundException "User pool $POOL does not exist." describe-user-pool --user-pool-id "$POOL"
ok "delete-user-pool"

echo "ALL OK"
