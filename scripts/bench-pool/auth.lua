-- wrk: USER_PASSWORD_AUTH for USERS users in turn (user0 .. user{USERS-1}), each thread
-- starting at its own offset. CLIENT_ID, PASSWORD and USERS come from the environment.
local client = os.getenv("CLIENT_ID")
local password = os.getenv("PASSWORD")
local users = tonumber(os.getenv("USERS") or "100")
local counter = 0
local thread_no = 0

function setup(thread)
  thread:set("id", thread_no)
  thread_no = thread_no + 1
end

function init(args)
  counter = (id or 0) * 37
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.InitiateAuth"
end

function request()
  local name = "user" .. (counter % users)
  counter = counter + 1
  local body = '{"ClientId":"' .. client .. '","AuthFlow":"USER_PASSWORD_AUTH",'
    .. '"AuthParameters":{"USERNAME":"' .. name .. '","PASSWORD":"' .. password .. '"}}'
  return wrk.format(nil, "/", nil, body)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.1f %.2f %.2f %d\n", summary.requests,
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end
