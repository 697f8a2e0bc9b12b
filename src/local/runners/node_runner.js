// cognito-tui's Node runner for Lambda triggers (embedded in the binary, run by `node -e`).
// argv: <module path> <export name>. The event arrives on stdin; the answer goes to stdout as
// one line `<marker><json>`, where the marker comes from COGNITO_TUI_MARKER. Everything the
// handler prints (console.log included) goes to stderr, so it cannot corrupt the answer.
'use strict';
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { randomUUID } = require('crypto');

const out = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);

const marker = process.env.COGNITO_TUI_MARKER || '';
const timeoutMs = Number(process.env.COGNITO_TUI_TIMEOUT_MS || 5000);
const deadline = Date.now() + timeoutMs;
const [modulePath, exportName] = process.argv.slice(1);

function answer(obj) {
  out(marker + JSON.stringify(obj) + '\n', () => process.exit(0));
}
function failed(type, err) {
  const message = err && err.message !== undefined ? String(err.message) : String(err);
  answer({ error: { type: (err && err.name) || type, message } });
}

async function load(file) {
  const abs = path.resolve(file);
  if (abs.endsWith('.mjs')) return import(pathToFileURL(abs).href);
  try {
    return require(abs);
  } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(abs).href);
    throw e;
  }
}

async function main() {
  const event = JSON.parse(fs.readFileSync(0, 'utf8'));
  let mod;
  try {
    mod = await load(modulePath);
  } catch (e) {
    return failed('Runtime.ImportModuleError', e);
  }
  const fn = mod && (mod[exportName] || (mod.default && mod.default[exportName]));
  if (typeof fn !== 'function') {
    return failed('Runtime.HandlerNotFound', {
      name: 'Runtime.HandlerNotFound',
      message: `${path.basename(modulePath)}.${exportName} is undefined or not exported`,
    });
  }
  const functionName = process.env.COGNITO_TUI_FUNCTION || 'trigger';
  const region = event.region || 'us-east-1';
  const result = await new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, res) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(res);
    };
    const context = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
      memoryLimitInMB: '128',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'cognito-tui',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done,
      succeed: (r) => done(null, r),
      fail: (e) => done(e),
    };
    let ret;
    try {
      ret = fn(event, context, done);
    } catch (e) {
      return done(e);
    }
    if (ret && typeof ret.then === 'function') {
      ret.then((r) => done(null, r), (e) => done(e === undefined ? new Error('undefined') : e));
    } else if (fn.length < 3) {
      done(null, ret);
    }
  });
  answer({ ok: result === undefined ? null : result });
}

main().catch((e) => failed('Error', e));
