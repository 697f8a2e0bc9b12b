// amazon-cognito-identity-js (unchanged, from npm) against `cognito-tui serve`.
//
// Environment:
//   POOL_ENDPOINT   base URL of the server, e.g. http://127.0.0.1:41234 (no trailing slash)
//   POOL_ID, CLIENT_ID, DEMO_USER, DEMO_PASSWORD
//
// Prints one "ok: ..." line per check and "ALL OK" at the end; on the first failure prints
// "FAIL: ..." and exits 1. Never prints passwords or tokens.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from 'amazon-cognito-identity-js';

function env(name) {
  const v = process.env[name];
  if (!v) fail(`missing environment variable ${name}`);
  return v;
}

function fail(msg) {
  console.log(`FAIL: ${msg}`);
  process.exit(1);
}

const ok = (msg) => console.log(`ok: ${msg}`);

const ENDPOINT = env('POOL_ENDPOINT').replace(/\/$/, '');
const POOL_ID = env('POOL_ID');
const CLIENT_ID = env('CLIENT_ID');
const USER = env('DEMO_USER');
const PASSWORD = env('DEMO_PASSWORD');

// The package appends nothing to the endpoint: it POSTs to it as given.
const pool = new CognitoUserPool({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: `${ENDPOINT}/` });

function user(name) {
  return new CognitoUser({ Username: name, Pool: pool });
}

function authenticate(u, password) {
  return new Promise((resolve, reject) => {
    u.authenticateUser(new AuthenticationDetails({ Username: u.getUsername(), Password: password }), {
      onSuccess: (session) => resolve(session),
      onFailure: (err) => reject(err),
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      mfaRequired: () => reject(new Error('unexpected SMS_MFA')),
      totpRequired: () => reject(new Error('unexpected SOFTWARE_TOKEN_MFA')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
      mfaSetup: () => reject(new Error('unexpected MFA_SETUP')),
      selectMFAType: () => reject(new Error('unexpected SELECT_MFA_TYPE')),
    });
  });
}

const call = (fn) => new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));

function request(operation, params) {
  return call((cb) => pool.client.request(operation, params, cb));
}

async function expectError(promise, code, message) {
  let result;
  try {
    result = await promise;
  } catch (e) {
    if (e.code !== code) fail(`expected ${code}, got ${e.code}: ${e.message}`);
    if (message !== undefined && e.message !== message) {
      fail(`expected message ${JSON.stringify(message)}, got ${JSON.stringify(e.message)}`);
    }
    return e;
  }
  fail(`expected ${code}, but the call succeeded (${typeof result})`);
}

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

try {
  // 1. The default flow (USER_SRP_AUTH → PASSWORD_VERIFIER) with the demo user.
  const alice = user(USER);
  const session = await authenticate(alice, PASSWORD);
  if (!session.isValid()) fail('the session from authenticateUser is not valid');
  const access = session.getAccessToken();
  const id = session.getIdToken();
  if (id.decodePayload()['cognito:username'] !== USER) fail(`ID token names ${id.decodePayload()['cognito:username']}`);
  if (access.decodePayload().token_use !== 'access' || access.decodePayload().client_id !== CLIENT_ID) {
    fail('access token claims are not Cognito\'s');
  }
  if (id.decodePayload().aud !== CLIENT_ID) fail('ID token aud is not the client id');
  if (!session.getRefreshToken().getToken()) fail('no refresh token');
  ok('SRP sign-in (authenticateUser, USER_SRP_AUTH)');

  // 2. getUserAttributes (GetUser with the access token).
  const attrs = await call((cb) => alice.getUserAttributes(cb));
  const byName = Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]));
  if (!byName.sub || byName.sub !== id.decodePayload().sub) fail('GetUser sub differs from the ID token sub');
  if (byName.email !== `${USER}@example.com`) fail(`unexpected email attribute ${byName.email}`);
  ok('getUserAttributes');

  // 3. refreshSession (REFRESH_TOKEN_AUTH): new tokens, same origin.
  await new Promise((r) => setTimeout(r, 1100)); // so iat differs
  const refreshed = await call((cb) => alice.refreshSession(session.getRefreshToken(), cb));
  const newAccess = refreshed.getAccessToken();
  if (newAccess.getJwtToken() === access.getJwtToken()) fail('refreshSession returned the same access token');
  if (newAccess.getIssuedAt() <= access.getIssuedAt()) fail('refreshed access token is not newer');
  if (newAccess.decodePayload().origin_jti !== access.decodePayload().origin_jti) fail('origin_jti changed on refresh');
  if (refreshed.getRefreshToken().getToken() !== session.getRefreshToken().getToken()) {
    fail('the package should keep the refresh token when none comes back');
  }
  ok('refreshSession');

  // 4. getSession from the package's storage returns the refreshed session.
  const stored = await call((cb) => alice.getSession(cb));
  if (stored.getAccessToken().getJwtToken() !== newAccess.getJwtToken()) fail('getSession did not return the cached session');
  ok('getSession from storage');

  // 5. globalSignOut, then the old access token is refused by GetUser.
  const oldAccess = newAccess.getJwtToken();
  await new Promise((resolve, reject) => alice.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  ok('globalSignOut');
  await expectError(request('GetUser', { AccessToken: oldAccess }), 'NotAuthorizedException', 'Access Token has been revoked');
  await expectError(request('GetUser', { AccessToken: access.getJwtToken() }), 'NotAuthorizedException', 'Access Token has been revoked');
  ok('old access tokens refused by GetUser after globalSignOut');
  await expectError(
    call((cb) => user(USER).refreshSession(session.getRefreshToken(), cb)),
    'NotAuthorizedException',
    'Refresh Token has been revoked',
  );
  ok('refresh token refused after globalSignOut');

  // 6. A wrong password is rejected with Cognito's error (SRP and USER_PASSWORD_AUTH).
  await expectError(authenticate(user(USER), `${PASSWORD}x`), 'NotAuthorizedException', 'Incorrect username or password.');
  const pwUser = user(USER);
  pwUser.setAuthenticationFlowType('USER_PASSWORD_AUTH');
  await expectError(authenticate(pwUser, `${PASSWORD}y`), 'NotAuthorizedException', 'Incorrect username or password.');
  ok('wrong password rejected (SRP and USER_PASSWORD_AUTH)');
  const pwOk = user(USER);
  pwOk.setAuthenticationFlowType('USER_PASSWORD_AUTH');
  const pwSession = await authenticate(pwOk, PASSWORD);
  if (pwSession.getIdToken().decodePayload()['cognito:username'] !== USER) fail('USER_PASSWORD_AUTH signed in someone else');
  ok('USER_PASSWORD_AUTH sign-in');

  // 7. An unknown user (the demo client is LEGACY): UserNotFoundException.
  await expectError(authenticate(user('nobody-here-' + Date.now()), PASSWORD), 'UserNotFoundException', 'User does not exist.');
  ok('unknown user rejected');

  // 8. signUp → code from the outbox → confirmRegistration → SRP sign-in.
  const name = `ijs-${Math.random().toString(36).slice(2, 10)}`;
  const newPassword = `Ijs-${Math.random().toString(36).slice(2, 10)}9!`;
  const signUp = await call((cb) =>
    pool.signUp(name, newPassword, [new CognitoUserAttribute({ Name: 'email', Value: `${name}@example.org` })], null, cb),
  );
  if (signUp.userConfirmed !== false || !signUp.userSub) fail('signUp result lacks userConfirmed=false or userSub');
  if (signUp.codeDeliveryDetails?.DeliveryMedium !== 'EMAIL') fail('signUp did not report an EMAIL delivery');
  await expectError(authenticate(user(name), newPassword), 'UserNotConfirmedException', 'User is not confirmed.');
  const outbox = await (await fetch(`${ENDPOINT}/_local/outbox`)).json();
  const entry = outbox.filter((e) => e.username === name && e.purpose === 'SIGN_UP').pop();
  if (!entry) fail('no sign-up code in the outbox');
  await expectError(
    call((cb) => user(name).confirmRegistration(entry.code === '000000' ? '111111' : '000000', true, cb)),
    'CodeMismatchException',
    'Invalid verification code provided, please try again.',
  );
  const confirmed = await call((cb) => user(name).confirmRegistration(entry.code, true, cb));
  if (confirmed !== 'SUCCESS') fail(`confirmRegistration answered ${JSON.stringify(confirmed)}`);
  const fresh = await authenticate(user(name), newPassword);
  if (claims(fresh.getIdToken().getJwtToken()).email_verified !== true) fail('email not verified after confirmation');
  ok('signUp, confirmRegistration with the outbox code, sign in');

  console.log('ALL OK');
} catch (e) {
  fail(`${e && e.code ? e.code + ': ' : ''}${e && e.message ? e.message : e}`);
}
