#!/bin/sh
# PostConfirmation: appends the event (one JSON line: triggerSource, userName, userAttributes;
# no secrets) to $COGNITO_TUI_TRIGGER_LOG (default: the system temp directory's
# cognito-tui-confirmations.log) and answers the event unchanged, as a Lambda does.
# Configure with  cmd:sh examples/triggers/post_confirmation.sh
event=$(cat)
log=${COGNITO_TUI_TRIGGER_LOG:-${TMPDIR:-/tmp}/cognito-tui-confirmations.log}
printf '%s\n' "$event" >> "$log"
printf '%s' "$event"
