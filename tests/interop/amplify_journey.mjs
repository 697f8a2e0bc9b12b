// Amplify JS v6 (npm `aws-amplify@6`, unchanged) against `cognito-tui serve` through
// `Auth.Cognito.userPoolEndpoint`: the issue 5 journey, TOTP MFA included, then custom auth,
// choice-based sign-in (USER_AUTH) and MFA selection.
//
// Environment:
//   POOL_ENDPOINT   base URL of the server, e.g. http://127.0.0.1:41234 (no trailing slash)
//   POOL_ID, CLIENT_ID, CUSTOM_CLIENT_ID (the custom-auth / USER_AUTH demo client)
//   DEMO_USER, DEMO_PASSWORD (a confirmed demo user), MFA_CHOICE_USER (SMS, TOTP and email MFA)
//
// Prints one "ok: ..." line per check and "ALL OK" at the end; on the first failure prints
// "FAIL: ..." and exits 1. Never prints passwords or tokens.
import { Amplify } from 'aws-amplify';
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  setUpTOTP,
  signOut,
  signUp,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { createHmac } from 'node:crypto';

function fail(msg) {
  console.log(`FAIL: ${msg}`);
  process.exit(1);
}

function env(name) {
  const v = process.env[name];
  if (!v) fail(`missing environment variable ${name}`);
  return v;
}

const ok = (msg) => console.log(`ok: ${msg}`);

const ENDPOINT = env('POOL_ENDPOINT').replace(/\/$/, '');
const POOL_ID = env('POOL_ID');
const CLIENT_ID = env('CLIENT_ID');
const CUSTOM_CLIENT_ID = env('CUSTOM_CLIENT_ID');
const DEMO_USER = env('DEMO_USER');
const DEMO_PASSWORD = env('DEMO_PASSWORD');
const MFA_CHOICE_USER = env('MFA_CHOICE_USER');


configure(CLIENT_ID);

// A storage the test can read, so it can replay tokens Amplify has dropped.
const store = new Map();
cognitoUserPoolsTokenProvider.setKeyValueStorage({
  setItem: async (k, v) => void store.set(k, v),
  getItem: async (k) => (store.has(k) ? store.get(k) : null),
  removeItem: async (k) => void store.delete(k),
  clear: async () => store.clear(),
});

function storedRefreshToken() {
  for (const [k, v] of store) if (k.endsWith('.refreshToken')) return v;
  return null;
}

// One raw Cognito call, to check what the pool answers for tokens Amplify no longer holds.
async function raw(operation, body) {
  const r = await fetch(`${ENDPOINT}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

async function expectRefused(operation, body, type, message) {
  const r = await raw(operation, body);
  if (r.status !== 400 || r.body.__type !== type || r.body.message !== message) {
    fail(`${operation}: expected 400 ${type} "${message}", got ${r.status} ${JSON.stringify(r.body)}`);
  }
}

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) from a base32 secret, `skew` steps from now.
function totp(secretBase32, skew = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) fail(`the TOTP secret is not base32 (${ch})`);
    bits += i.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + skew));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

async function outboxEntries(username, purpose) {
  const entries = await (await fetch(`${ENDPOINT}/_local/outbox`)).json();
  return entries.filter((x) => x.username === username && x.purpose === purpose);
}

// The newest code of `purpose` for `username`; with `after`, one newer than that many entries.
async function outboxCode(username, purpose = 'SIGN_UP', after = -1) {
  const list = await outboxEntries(username, purpose);
  if (list.length === 0 || list.length <= after) fail(`no new ${purpose} code for ${username} in the outbox`);
  return list[list.length - 1].code;
}

async function outboxCount(username, purpose) {
  return (await outboxEntries(username, purpose)).length;
}

function configure(clientId) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: POOL_ID,
        userPoolClientId: clientId,
        userPoolEndpoint: ENDPOINT,
        loginWith: { username: true, email: false },
      },
    },
  });
}

function expectStep(what, r, step) {
  if (r.nextStep.signInStep !== step) fail(`${what}: expected ${step}, got ${JSON.stringify(r.nextStep)}`);
}

try {
  const username = `amp-${Math.random().toString(36).slice(2, 10)}`;
  const password = `Amp-${Math.random().toString(36).slice(2, 10)}7!`;

  // 1. signUp with autoSignIn → CONFIRM_SIGN_UP.
  let r = await signUp({
    username,
    password,
    options: { userAttributes: { email: `${username}@example.org` }, autoSignIn: true },
  });
  if (r.isSignUpComplete || r.nextStep.signUpStep !== 'CONFIRM_SIGN_UP') fail(`signUp: ${JSON.stringify(r.nextStep)}`);
  if (r.nextStep.codeDeliveryDetails?.deliveryMedium !== 'EMAIL') fail('signUp: no EMAIL code delivery');
  ok('signUp with autoSignIn: CONFIRM_SIGN_UP');

  // 2. confirmSignUp with the outbox code → COMPLETE_AUTO_SIGN_IN → autoSignIn.
  r = await confirmSignUp({ username, confirmationCode: await outboxCode(username) });
  if (!r.isSignUpComplete || r.nextStep.signUpStep !== 'COMPLETE_AUTO_SIGN_IN') fail(`confirmSignUp: ${JSON.stringify(r.nextStep)}`);
  r = await autoSignIn();
  if (!r.isSignedIn || r.nextStep.signInStep !== 'DONE') fail(`autoSignIn: ${JSON.stringify(r.nextStep)}`);
  const me = await getCurrentUser();
  if (me.username !== username) fail(`getCurrentUser: ${me.username}`);
  const attrs = await fetchUserAttributes();
  if (attrs.email !== `${username}@example.org` || attrs.email_verified !== 'true') fail('fetchUserAttributes: email not verified');
  ok('confirmSignUp with the outbox code, autoSignIn, getCurrentUser, fetchUserAttributes');

  // 3. fetchAuthSession({forceRefresh}) refreshes (GetTokensFromRefreshToken).
  const before = (await fetchAuthSession()).tokens;
  await new Promise((res) => setTimeout(res, 1100));
  const after = (await fetchAuthSession({ forceRefresh: true })).tokens;
  if (!after?.accessToken || after.accessToken.toString() === before.accessToken.toString()) fail('forceRefresh returned the same access token');
  if (after.accessToken.payload.origin_jti !== before.accessToken.payload.origin_jti) fail('origin_jti changed on refresh');
  if (after.idToken.payload['cognito:username'] !== username) fail('refreshed ID token names someone else');
  ok('fetchAuthSession forceRefresh');

  // 4. signOut (local): RevokeToken; the refresh token and its access tokens stop working.
  const refresh = storedRefreshToken();
  if (!refresh) fail(`Amplify stored no refresh token (keys: ${[...store.keys()].map((k) => k.split('.').pop())})`);
  const access = after.accessToken.toString();
  await signOut();
  if ((await fetchAuthSession()).tokens) fail('tokens remain after signOut');
  await expectRefused('GetTokensFromRefreshToken', { ClientId: CLIENT_ID, RefreshToken: refresh }, 'NotAuthorizedException', 'Refresh Token has been revoked');
  await expectRefused('GetUser', { AccessToken: access }, 'NotAuthorizedException', 'Access Token has been revoked');
  ok('signOut revokes the refresh token and its access tokens');

  // 5. signIn with the default SRP flow; a wrong password is rejected.
  try {
    await signIn({ username, password: `${password}x` });
    fail('a wrong password was accepted');
  } catch (e) {
    if (e.name !== 'NotAuthorizedException' || e.message !== 'Incorrect username or password.') fail(`wrong password: ${e.name}: ${e.message}`);
  }
  ok('wrong password rejected: NotAuthorizedException "Incorrect username or password."');
  r = await signIn({ username, password });
  if (!r.isSignedIn || r.nextStep.signInStep !== 'DONE') fail(`signIn: ${JSON.stringify(r.nextStep)}`);
  ok('signIn (default USER_SRP_AUTH)');

  // 6. TOTP: setUpTOTP → verifyTOTPSetup → updateMFAPreference; the next signIn asks for a code.
  const setup = await setUpTOTP();
  const uri = setup.getSetupUri('cognito-tui-interop').toString();
  if (!uri.startsWith('otpauth://totp/') || !uri.includes(`secret=${setup.sharedSecret}`)) fail(`setUpTOTP URI: ${uri.split('?')[0]}`);
  try {
    await verifyTOTPSetup({ code: totp(setup.sharedSecret) === '000000' ? '111111' : '000000' });
    fail('verifyTOTPSetup accepted a wrong code');
  } catch (e) {
    if (e.name !== 'EnableSoftwareTokenMFAException' && e.name !== 'CodeMismatchException') fail(`wrong TOTP at setup: ${e.name}: ${e.message}`);
  }
  await verifyTOTPSetup({ code: totp(setup.sharedSecret) });
  await updateMFAPreference({ totp: 'PREFERRED' });
  await signOut();
  r = await signIn({ username, password });
  if (r.isSignedIn || r.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') fail(`signIn with TOTP: ${JSON.stringify(r.nextStep)}`);
  // The next time step's code: the setup code's step may count as used.
  r = await confirmSignIn({ challengeResponse: totp(setup.sharedSecret, 1) });
  if (!r.isSignedIn || r.nextStep.signInStep !== 'DONE') fail(`confirmSignIn: ${JSON.stringify(r.nextStep)}`);
  ok('setUpTOTP, verifyTOTPSetup, updateMFAPreference; signIn answers CONFIRM_SIGN_IN_WITH_TOTP_CODE; confirmSignIn');

  // 7. signOut global: the old access token is refused by GetUser.
  const globalAccess = (await fetchAuthSession()).tokens.accessToken.toString();
  await signOut({ global: true });
  await expectRefused('GetUser', { AccessToken: globalAccess }, 'NotAuthorizedException', 'Access Token has been revoked');
  ok('signOut global: the old access token is refused by GetUser');

  // 8. USER_PASSWORD_AUTH, and an unconfirmed user gets CONFIRM_SIGN_UP.
  r = await signIn({ username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  if (r.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') fail(`USER_PASSWORD_AUTH: ${JSON.stringify(r.nextStep)}`);
  try {
    await confirmSignIn({ challengeResponse: totp(setup.sharedSecret, 1) === '000000' ? '111111' : '000000' });
    fail('confirmSignIn accepted a wrong TOTP code');
  } catch (e) {
    if (e.name !== 'CodeMismatchException') fail(`wrong TOTP at sign-in: ${e.name}: ${e.message}`);
  }
  ok('a wrong TOTP code is rejected with CodeMismatchException');
  const pending = `amp-${Math.random().toString(36).slice(2, 10)}`;
  await signUp({ username: pending, password, options: { userAttributes: { email: `${pending}@example.org` } } });
  r = await signIn({ username: pending, password });
  if (r.isSignedIn || r.nextStep.signInStep !== 'CONFIRM_SIGN_UP') fail(`unconfirmed signIn: ${JSON.stringify(r.nextStep)}`);
  ok('USER_PASSWORD_AUTH asks for TOTP too; an unconfirmed user gets CONFIRM_SIGN_UP');

  // 9. Custom auth (issue 3) with the custom-auth demo client and its built-in trigger, which
  //    sends a one-time code through the outbox (purpose CUSTOM_CHALLENGE).
  await signOut();
  configure(CUSTOM_CLIENT_ID);
  let sent = await outboxCount(DEMO_USER, 'CUSTOM_CHALLENGE');
  r = await signIn({ username: DEMO_USER, options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
  expectStep('CUSTOM_WITHOUT_SRP', r, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  if (typeof r.nextStep.additionalInfo !== 'object') fail('custom challenge: no additionalInfo');
  const customCode = await outboxCode(DEMO_USER, 'CUSTOM_CHALLENGE', sent);
  r = await confirmSignIn({ challengeResponse: customCode === '000000' ? '111111' : '000000' });
  expectStep('a wrong custom answer (the trigger allows retries)', r, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  r = await confirmSignIn({ challengeResponse: customCode });
  if (!r.isSignedIn) fail(`custom answer: ${JSON.stringify(r.nextStep)}`);
  if ((await getCurrentUser()).username !== DEMO_USER) fail('CUSTOM_WITHOUT_SRP signed in someone else');
  ok('CUSTOM_WITHOUT_SRP: custom challenge, a wrong answer retried, the outbox code signs in');
  await signOut();
  sent = await outboxCount(DEMO_USER, 'CUSTOM_CHALLENGE');
  r = await signIn({ username: DEMO_USER, password: DEMO_PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
  expectStep('CUSTOM_WITH_SRP', r, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  r = await confirmSignIn({ challengeResponse: await outboxCode(DEMO_USER, 'CUSTOM_CHALLENGE', sent) });
  if (!r.isSignedIn) fail(`CUSTOM_WITH_SRP answer: ${JSON.stringify(r.nextStep)}`);
  ok('CUSTOM_WITH_SRP: SRP, then the custom challenge');
  await signOut();

  // 10. Choice-based sign-in (USER_AUTH): preferred EMAIL_OTP, preferred PASSWORD_SRP, and the
  //     SELECT_CHALLENGE step (CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION).
  sent = await outboxCount(DEMO_USER, 'EMAIL_OTP');
  r = await signIn({ username: DEMO_USER, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  expectStep('USER_AUTH EMAIL_OTP', r, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  if (r.nextStep.codeDeliveryDetails?.deliveryMedium !== 'EMAIL') fail('EMAIL_OTP: no EMAIL code delivery');
  r = await confirmSignIn({ challengeResponse: await outboxCode(DEMO_USER, 'EMAIL_OTP', sent) });
  if (!r.isSignedIn) fail(`EMAIL_OTP answer: ${JSON.stringify(r.nextStep)}`);
  ok('USER_AUTH with preferred EMAIL_OTP and the outbox code');
  await signOut();
  r = await signIn({
    username: DEMO_USER,
    password: DEMO_PASSWORD,
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' },
  });
  if (!r.isSignedIn) fail(`USER_AUTH PASSWORD_SRP: ${JSON.stringify(r.nextStep)}`);
  ok('USER_AUTH with preferred PASSWORD_SRP');
  await signOut();
  r = await signIn({ username: DEMO_USER, options: { authFlowType: 'USER_AUTH' } });
  expectStep('USER_AUTH without a preference', r, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  const offered = r.nextStep.availableChallenges ?? [];
  for (const c of ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']) {
    if (!offered.includes(c)) fail(`SELECT_CHALLENGE does not offer ${c}: ${offered}`);
  }
  r = await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
  expectStep('SELECT_CHALLENGE PASSWORD_SRP', r, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
  r = await confirmSignIn({ challengeResponse: DEMO_PASSWORD });
  if (!r.isSignedIn) fail(`SELECT_CHALLENGE password: ${JSON.stringify(r.nextStep)}`);
  await signOut();
  sent = await outboxCount(DEMO_USER, 'EMAIL_OTP');
  r = await signIn({ username: DEMO_USER, options: { authFlowType: 'USER_AUTH' } });
  expectStep('USER_AUTH without a preference', r, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  r = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  expectStep('SELECT_CHALLENGE EMAIL_OTP', r, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  r = await confirmSignIn({ challengeResponse: await outboxCode(DEMO_USER, 'EMAIL_OTP', sent) });
  if (!r.isSignedIn) fail(`SELECT_CHALLENGE EMAIL_OTP answer: ${JSON.stringify(r.nextStep)}`);
  ok('USER_AUTH SELECT_CHALLENGE: the first-factor selection answered with PASSWORD_SRP, then with EMAIL_OTP');
  await signOut();

  // 11. MFA selection: `mfa-choice` has SMS, TOTP and email MFA and prefers none.
  configure(CLIENT_ID);
  r = await signIn({ username: MFA_CHOICE_USER, password: DEMO_PASSWORD });
  expectStep('mfa-choice signIn', r, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
  const allowed = [...(r.nextStep.allowedMFATypes ?? [])].sort().join(',');
  if (allowed !== 'EMAIL,SMS,TOTP') fail(`allowedMFATypes: ${allowed}`);
  r = await confirmSignIn({ challengeResponse: 'TOTP' });
  expectStep('MFA selection TOTP', r, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  const choiceSecret = await outboxCode(MFA_CHOICE_USER, 'TOTP_SECRET');
  r = await confirmSignIn({ challengeResponse: totp(choiceSecret) });
  if (!r.isSignedIn) fail(`MFA selection TOTP code: ${JSON.stringify(r.nextStep)}`);
  await signOut();
  sent = await outboxCount(MFA_CHOICE_USER, 'MFA');
  r = await signIn({ username: MFA_CHOICE_USER, password: DEMO_PASSWORD });
  expectStep('mfa-choice signIn', r, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
  r = await confirmSignIn({ challengeResponse: 'EMAIL' });
  expectStep('MFA selection EMAIL', r, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  r = await confirmSignIn({ challengeResponse: await outboxCode(MFA_CHOICE_USER, 'MFA', sent) });
  if (!r.isSignedIn) fail(`MFA selection email code: ${JSON.stringify(r.nextStep)}`);
  ok('CONTINUE_SIGN_IN_WITH_MFA_SELECTION: TOTP chosen and answered, then EMAIL chosen and answered');
  await signOut();

  console.log('ALL OK');
  // Amplify keeps an auto-sign-in timer (3 minutes) alive after signUp: do not wait for it.
  process.exit(0);
} catch (e) {
  fail(`${e?.name ?? 'Error'}: ${e?.message ?? e}`);
}
