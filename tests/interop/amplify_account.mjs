// Amplify JS v6 (npm `aws-amplify@6`, unchanged) manages the signed-in user's account against
// `cognito-tui serve`: signUp with autoSignIn → confirmSignUp → autoSignIn → updateUserAttributes
// on the email (CONFIRM_ATTRIBUTE_WITH_CODE, the code in the outbox) → confirmUserAttribute →
// sendUserAttributeVerificationCode → updatePassword → signIn with the new password →
// deleteUserAttributes → deleteUser (then the user is gone); and passwordless sign-up (no
// password, USER_AUTH auto sign-in).
//
// Environment: POOL_ENDPOINT (no trailing slash), POOL_ID, CLIENT_ID (the demo client).
//
// Prints one "ok: ..." line per check and "ALL OK" at the end; on the first failure prints
// "FAIL: ..." and exits 1. Never prints passwords, codes or tokens.
import { Amplify } from 'aws-amplify';
import {
  autoSignIn,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  deleteUserAttributes,
  fetchUserAttributes,
  getCurrentUser,
  sendUserAttributeVerificationCode,
  signIn,
  signOut,
  signUp,
  updatePassword,
  updateUserAttributes,
} from 'aws-amplify/auth';

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

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: POOL_ID,
      userPoolClientId: CLIENT_ID,
      userPoolEndpoint: ENDPOINT,
      loginWith: { username: true, email: false },
    },
  },
});

async function outboxEntries(username, purpose) {
  const entries = await (await fetch(`${ENDPOINT}/_local/outbox`)).json();
  return entries.filter((x) => x.username === username && x.purpose === purpose);
}

// The newest code of `purpose` for `username`, newer than `after` entries.
async function outboxEntry(username, purpose, after) {
  const list = await outboxEntries(username, purpose);
  if (list.length <= after) fail(`no new ${purpose} code for ${username} in the outbox`);
  return list[list.length - 1];
}

async function expectError(what, fn, name) {
  try {
    await fn();
  } catch (e) {
    if (e.name !== name) fail(`${what}: expected ${name}, got ${e.name}: ${e.message}`);
    return;
  }
  fail(`${what}: expected ${name}, but it succeeded`);
}

async function signedUp(username, password) {
  const attrs = { email: `${username}@example.org` };
  const r = await signUp({
    username,
    ...(password ? { password } : {}),
    options: { userAttributes: attrs, autoSignIn: password ? true : { authFlowType: 'USER_AUTH' } },
  });
  if (r.nextStep.signUpStep !== 'CONFIRM_SIGN_UP') fail(`signUp: ${JSON.stringify(r.nextStep)}`);
  const code = (await outboxEntry(username, 'SIGN_UP', 0)).code;
  const c = await confirmSignUp({ username, confirmationCode: code });
  if (c.nextStep.signUpStep !== 'COMPLETE_AUTO_SIGN_IN') fail(`confirmSignUp: ${JSON.stringify(c.nextStep)}`);
  const a = await autoSignIn();
  if (!a.isSignedIn) fail(`autoSignIn: ${JSON.stringify(a.nextStep)}`);
}

try {
  const username = `acct-${Math.random().toString(36).slice(2, 10)}`;
  const password = `Acct-${Math.random().toString(36).slice(2, 10)}7!`;
  await signedUp(username, password);
  ok('signUp, confirmSignUp, autoSignIn');

  // updateUserAttributes on the email: a code goes to the new address.
  const newEmail = `${username}-new@example.org`;
  const sent = (await outboxEntries(username, 'VERIFY_EMAIL')).length;
  const out = await updateUserAttributes({ userAttributes: { email: newEmail, nickname: 'acct' } });
  const step = out.email?.nextStep;
  if (out.email?.isUpdated !== false || step?.updateAttributeStep !== 'CONFIRM_ATTRIBUTE_WITH_CODE')
    fail(`updateUserAttributes email: ${JSON.stringify(out.email)}`);
  if (step.codeDeliveryDetails?.attributeName !== 'email' || step.codeDeliveryDetails?.deliveryMedium !== 'EMAIL')
    fail(`updateUserAttributes codeDeliveryDetails: ${JSON.stringify(step.codeDeliveryDetails)}`);
  if (out.nickname?.isUpdated !== true || out.nickname?.nextStep?.updateAttributeStep !== 'DONE')
    fail(`updateUserAttributes nickname: ${JSON.stringify(out.nickname)}`);
  const entry = await outboxEntry(username, 'VERIFY_EMAIL', sent);
  if (entry.destination !== newEmail) fail('the code did not go to the new email');
  let attrs = await fetchUserAttributes();
  if (attrs.email !== newEmail || attrs.email_verified !== 'false' || attrs.nickname !== 'acct')
    fail(`fetchUserAttributes after the update: email_verified=${attrs.email_verified}`);
  ok('updateUserAttributes on the email: CONFIRM_ATTRIBUTE_WITH_CODE, the code in the outbox');

  await expectError(
    'confirmUserAttribute with a wrong code',
    () => confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: entry.code === '000000' ? '111111' : '000000' }),
    'CodeMismatchException',
  );
  await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: entry.code });
  attrs = await fetchUserAttributes();
  if (attrs.email !== newEmail || attrs.email_verified !== 'true') fail('confirmUserAttribute: email not verified');
  await expectError(
    'confirmUserAttribute with the used code',
    () => confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: entry.code }),
    'ExpiredCodeException',
  );
  ok('confirmUserAttribute with the outbox code (a wrong one and a used one refused)');

  const resent = await sendUserAttributeVerificationCode({ userAttributeKey: 'email' });
  if (resent.attributeName !== 'email' || resent.deliveryMedium !== 'EMAIL')
    fail(`sendUserAttributeVerificationCode: ${JSON.stringify(resent)}`);
  ok('sendUserAttributeVerificationCode');

  // updatePassword, then the new password signs in and the old one does not.
  const newPassword = `${password}x`;
  await expectError(
    'updatePassword with a wrong old password',
    () => updatePassword({ oldPassword: `${password}wrong`, newPassword }),
    'NotAuthorizedException',
  );
  await updatePassword({ oldPassword: password, newPassword });
  await signOut();
  await expectError('signIn with the old password', () => signIn({ username, password }), 'NotAuthorizedException');
  const s = await signIn({ username, password: newPassword });
  if (!s.isSignedIn) fail(`signIn with the new password: ${JSON.stringify(s.nextStep)}`);
  ok('updatePassword; the new password signs in, the old one is refused');

  await deleteUserAttributes({ userAttributeKeys: ['nickname'] });
  attrs = await fetchUserAttributes();
  if ('nickname' in attrs) fail('deleteUserAttributes: nickname still there');
  ok('deleteUserAttributes');

  await deleteUser();
  let signedOut = false;
  try {
    await getCurrentUser();
  } catch {
    signedOut = true;
  }
  if (!signedOut) fail('deleteUser: still signed in');
  await expectError('signIn after deleteUser', () => signIn({ username, password: newPassword }), 'UserNotFoundException');
  ok('deleteUser: signed out, and the user is gone');

  // Passwordless sign-up: no password, the code confirms, USER_AUTH auto sign-in.
  const nopass = `nopw-${Math.random().toString(36).slice(2, 10)}`;
  await signedUp(nopass, null);
  const me = await getCurrentUser();
  if (me.username !== nopass) fail(`passwordless getCurrentUser: ${me.username}`);
  await deleteUser();
  ok('passwordless signUp, confirmSignUp, autoSignIn (USER_AUTH)');

  console.log('ALL OK');
  // Amplify keeps timers (the auto sign-in listener) that would hold the process open.
  process.exit(0);
} catch (e) {
  fail(`${e.name}: ${e.message}`);
}
