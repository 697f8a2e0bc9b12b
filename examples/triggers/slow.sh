#!/bin/sh
# A trigger that never answers in time: the pool kills it after 5 seconds and answers
#   UnexpectedLambdaException "<Trigger> invocation failed due to error Socket timeout while
#   invoking Lambda function."
cat > /dev/null
sleep 30
