#!/usr/bin/env python3
"""Custom auth with a one-time code: DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse in one script (it reads `triggerSource`).

A script cannot reach the pool's outbox, so the code is "delivered" to a file:
$COGNITO_TUI_CODE_DIR/<userPoolId>_<userName>.code (default: the system temp directory's
cognito-tui-codes/). The challenge parameters tell the user where to look (CODE_FILE).

Configure all three triggers with the same command, e.g.
  cmd:python3 examples/triggers/one_time_code.py
With CUSTOM_AUTH + SRP_A the password is checked first (PASSWORD_VERIFIER). Three wrong
answers fail the sign-in. Standard library only.
"""
import json
import os
import secrets
import sys
import tempfile

MAX_TRIES = 3


def define(event):
    req, resp = event["request"], event["response"]
    session = req.get("session") or []
    resp.update(challengeName=None, issueTokens=False, failAuthentication=False)
    if req.get("userNotFound"):
        resp["failAuthentication"] = True
    elif not session:
        resp["challengeName"] = "CUSTOM_CHALLENGE"
    else:
        last = session[-1]
        name, ok = last.get("challengeName"), bool(last.get("challengeResult"))
        if name == "SRP_A":
            resp["challengeName"] = "PASSWORD_VERIFIER"
        elif name == "PASSWORD_VERIFIER" and ok:
            resp["challengeName"] = "CUSTOM_CHALLENGE"
        elif name == "CUSTOM_CHALLENGE" and ok:
            resp["issueTokens"] = True
        elif name == "CUSTOM_CHALLENGE" and sum(
            1 for s in session if s.get("challengeName") == "CUSTOM_CHALLENGE"
        ) < MAX_TRIES:
            resp["challengeName"] = "CUSTOM_CHALLENGE"
        else:
            resp["failAuthentication"] = True
    return event


def code_file(event):
    folder = os.environ.get("COGNITO_TUI_CODE_DIR") or os.path.join(
        tempfile.gettempdir(), "cognito-tui-codes"
    )
    os.makedirs(folder, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in event["userName"])
    return os.path.join(folder, f"{event['userPoolId']}_{name}.code")


def create(event):
    req = event["request"]
    previous = [s for s in (req.get("session") or []) if s.get("challengeName") == "CUSTOM_CHALLENGE"]
    meta = (previous[-1].get("challengeMetadata") or "") if previous else ""
    if meta.startswith("CODE-"):
        code = meta[len("CODE-"):]  # a retry: the code already sent stays valid
    else:
        code = f"{secrets.randbelow(1_000_000):06d}"
    path = code_file(event)
    if not req.get("userNotFound"):
        with open(path, "w") as f:
            f.write(code + "\n")
    event["response"] = {
        "publicChallengeParameters": {"DELIVERY": "file", "CODE_FILE": path},
        "privateChallengeParameters": {"answer": code},
        "challengeMetadata": f"CODE-{code}",
    }
    return event


def verify(event):
    req = event["request"]
    expected = (req.get("privateChallengeParameters") or {}).get("answer")
    given = (req.get("challengeAnswer") or "").strip()
    event["response"] = {"answerCorrect": bool(expected) and secrets.compare_digest(given, expected)}
    return event


def main():
    event = json.load(sys.stdin)
    source = event.get("triggerSource", "")
    if source.startswith("DefineAuthChallenge"):
        event = define(event)
    elif source.startswith("CreateAuthChallenge"):
        event = create(event)
    elif source.startswith("VerifyAuthChallengeResponse"):
        event = verify(event)
    else:
        print(f"one_time_code.py does not handle {source}", file=sys.stderr)
        sys.exit(1)
    json.dump(event, sys.stdout)


if __name__ == "__main__":
    main()
