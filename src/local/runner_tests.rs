use serde_json::json;

use super::*;

fn event() -> Value {
    json!({
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": "us-east-1",
        "userPoolId": "us-east-1_p",
        "userName": "alice",
        "callerContext": {"awsSdkVersion": "x", "clientId": "c"},
        "request": {"userAttributes": {"email": "alice@example.com"}},
        "response": {},
    })
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn values_name_commands_node_modules_and_python_files() {
    assert_eq!(
        Runner::parse("cmd: python3 x.py"),
        Some(Runner::Command("python3 x.py"))
    );
    assert_eq!(
        Runner::parse("/opt/t.sh --flag"),
        Some(Runner::Command("/opt/t.sh --flag"))
    );
    assert_eq!(Runner::parse("cmd:   "), None);
    assert_eq!(
        Runner::parse("node:/srv/fn/index.js#preToken"),
        Some(Runner::Node {
            module: "/srv/fn/index.js",
            export: "preToken"
        })
    );
    assert_eq!(
        Runner::parse("node:./index.mjs"),
        Some(Runner::Node {
            module: "./index.mjs",
            export: "handler"
        })
    );
    assert_eq!(
        Runner::parse("python:/srv/fn.py"),
        Some(Runner::Python {
            file: "/srv/fn.py",
            export: "lambda_handler"
        })
    );
    assert_eq!(Runner::parse("python:/srv/fn.py#bad name"), None);
    assert_eq!(Runner::parse("node:#handler"), None);
    assert_eq!(
        Runner::parse("arn:aws:lambda:us-east-1:123456789012:function:f"),
        None
    );
}

#[test]
fn node_handlers_async_callback_and_noisy_give_their_event_back() {
    let dir = tempfile::tempdir().unwrap();
    let asynchronous = write(
        &dir,
        "async.js",
        "exports.handler = async (event, context) => {\n\
           console.log('noise on stdout', JSON.stringify(event));\n\
           process.stdout.write('more noise\\n');\n\
           event.response.autoConfirmUser = context.getRemainingTimeInMillis() > 0\n\
             && context.functionName === 'PreSignUp' && typeof context.awsRequestId === 'string';\n\
           return event;\n\
         };",
    );
    let r = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &asynchronous,
            export: "handler",
        },
        &event(),
    )
    .unwrap();
    assert_eq!(r.get("autoConfirmUser"), Some(&json!(true)));

    let callback = write(
        &dir,
        "cb.js",
        "exports.pre = function (event, context, callback) {\n\
           setTimeout(() => { event.response.autoVerifyEmail = true; callback(null, event); }, 10);\n\
         };",
    );
    let r = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &callback,
            export: "pre",
        },
        &event(),
    )
    .unwrap();
    assert_eq!(r.get("autoVerifyEmail"), Some(&json!(true)));

    let esm = write(
        &dir,
        "esm.mjs",
        "export const handler = async (event) => ({...event, response: {autoConfirmUser: true}});",
    );
    let r = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &esm,
            export: "handler",
        },
        &event(),
    )
    .unwrap();
    assert_eq!(r.get("autoConfirmUser"), Some(&json!(true)));
}

#[test]
fn node_failures_are_cognitos_errors() {
    let dir = tempfile::tempdir().unwrap();
    let throws = write(
        &dir,
        "throws.js",
        "exports.handler = async () => { throw new Error('Email domain not allowed'); };",
    );
    let e = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &throws,
            export: "handler",
        },
        &event(),
    )
    .unwrap_err();
    assert_eq!(e.kind.as_str(), "UserLambdaValidationException");
    assert_eq!(
        e.message,
        "PreSignUp failed with error Email domain not allowed."
    );

    let cb_err = write(
        &dir,
        "cberr.js",
        "exports.handler = (e, c, cb) => cb(new Error('nope'));",
    );
    let e = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &cb_err,
            export: "handler",
        },
        &event(),
    )
    .unwrap_err();
    assert_eq!(e.message, "PreSignUp failed with error nope.");

    let missing = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &throws,
            export: "other",
        },
        &event(),
    )
    .unwrap_err();
    assert_eq!(missing.kind.as_str(), "UserLambdaValidationException");
    assert!(
        missing.message.contains("throws.js.other is undefined"),
        "{}",
        missing.message
    );

    let bad = write(
        &dir,
        "bad.js",
        "exports.handler = async () => 'not an event';",
    );
    let e = run_blocking(
        "PreSignUp",
        Runner::Node {
            module: &bad,
            export: "handler",
        },
        &event(),
    )
    .unwrap_err();
    assert_eq!(e.kind.as_str(), "InvalidLambdaResponseException");
}

#[test]
fn python_handlers_sync_async_and_noisy_give_their_event_back() {
    let dir = tempfile::tempdir().unwrap();
    let sync = write(
        &dir,
        "fn.py",
        "def lambda_handler(event, context):\n\
         \x20   print('noise', event['userName'])\n\
         \x20   assert context.get_remaining_time_in_millis() > 0\n\
         \x20   event['response']['autoConfirmUser'] = context.function_name == 'PreSignUp'\n\
         \x20   return event\n",
    );
    let r = run_blocking(
        "PreSignUp",
        Runner::Python {
            file: &sync,
            export: "lambda_handler",
        },
        &event(),
    )
    .unwrap();
    assert_eq!(r.get("autoConfirmUser"), Some(&json!(true)));

    let asynchronous = write(
        &dir,
        "afn.py",
        "async def handler(event, context):\n\
         \x20   event['response']['autoVerifyEmail'] = True\n\
         \x20   return event\n",
    );
    let r = run_blocking(
        "PreSignUp",
        Runner::Python {
            file: &asynchronous,
            export: "handler",
        },
        &event(),
    )
    .unwrap();
    assert_eq!(r.get("autoVerifyEmail"), Some(&json!(true)));

    let raises = write(
        &dir,
        "raises.py",
        "def lambda_handler(event, context):\n    raise Exception('User not allowed')\n",
    );
    let e = run_blocking(
        "PreSignUp",
        Runner::Python {
            file: &raises,
            export: "lambda_handler",
        },
        &event(),
    )
    .unwrap_err();
    assert_eq!(e.kind.as_str(), "UserLambdaValidationException");
    assert_eq!(e.message, "PreSignUp failed with error User not allowed.");
}
