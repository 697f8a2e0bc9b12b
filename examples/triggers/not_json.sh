#!/bin/sh
# A trigger whose output is not the event JSON: the pool answers
#   InvalidLambdaResponseException "Unrecognizable lambda output"
cat > /dev/null
echo "this is not JSON"
