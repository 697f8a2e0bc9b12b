#!/usr/bin/env python3
"""Custom auth with a question and answer: DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse in one script (it reads `triggerSource`).

The question is public (ChallengeParameters.QUESTION), the answer private; answers are
compared without regard to case or surrounding spaces. One right answer signs the user in,
three wrong ones fail the sign-in. Configure all three triggers with
  cmd:python3 examples/triggers/question_answer.py
Standard library only.
"""
import hashlib
import json
import sys

QUESTIONS = [
    ("What is the capital of France?", "paris"),
    ("How many sides does a hexagon have?", "6"),
    ("What colour do you get by mixing blue and yellow?", "green"),
]
MAX_TRIES = 3


def pick(username):
    i = hashlib.sha256(username.encode()).digest()[0] % len(QUESTIONS)
    return QUESTIONS[i]


def define(event):
    req, resp = event["request"], event["response"]
    session = req.get("session") or []
    resp.update(challengeName=None, issueTokens=False, failAuthentication=False)
    customs = [s for s in session if s.get("challengeName") == "CUSTOM_CHALLENGE"]
    if req.get("userNotFound"):
        resp["failAuthentication"] = True
    elif session and session[-1].get("challengeName") == "SRP_A":
        resp["challengeName"] = "PASSWORD_VERIFIER"
    elif session and session[-1].get("challengeName") == "PASSWORD_VERIFIER" and not session[-1].get("challengeResult"):
        resp["failAuthentication"] = True
    elif customs and customs[-1].get("challengeResult"):
        resp["issueTokens"] = True
    elif len(customs) >= MAX_TRIES:
        resp["failAuthentication"] = True
    else:
        resp["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def create(event):
    question, answer = pick(event["userName"])
    event["response"] = {
        "publicChallengeParameters": {"QUESTION": question},
        "privateChallengeParameters": {"answer": answer},
        "challengeMetadata": "QUESTION",
    }
    return event


def verify(event):
    req = event["request"]
    expected = (req.get("privateChallengeParameters") or {}).get("answer", "")
    given = (req.get("challengeAnswer") or "").strip().lower()
    event["response"] = {"answerCorrect": bool(expected) and given == expected}
    return event


def main():
    event = json.load(sys.stdin)
    source = event.get("triggerSource", "")
    handlers = {
        "DefineAuthChallenge": define,
        "CreateAuthChallenge": create,
        "VerifyAuthChallengeResponse": verify,
    }
    for prefix, handler in handlers.items():
        if source.startswith(prefix):
            json.dump(handler(event), sys.stdout)
            return
    print(f"question_answer.py does not handle {source}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()
