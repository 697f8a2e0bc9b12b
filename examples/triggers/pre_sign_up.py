#!/usr/bin/env python3
"""PreSignUp: auto-confirms sign-ups with an @example.com email (and marks that email
verified, so no code is sent), and refuses sign-ups from blocked.example: the message on
stderr plus a non-zero exit becomes Cognito's
  UserLambdaValidationException "PreSignUp failed with error <message>."
Everyone else signs up as usual (a confirmation code goes to the outbox).
Configure with  cmd:python3 examples/triggers/pre_sign_up.py
"""
import json
import sys

event = json.load(sys.stdin)
email = (event["request"].get("userAttributes") or {}).get("email", "").lower()
domain = email.rpartition("@")[2]
if domain == "blocked.example":
    print("Sign-ups from blocked.example are not allowed", file=sys.stderr)
    sys.exit(1)
if domain == "example.com":
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
json.dump(event, sys.stdout)
