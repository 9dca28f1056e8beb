-- POST the apply form, each request with its own prepared session (a completed draft)
-- and its own email address, so that no submit meets the duplicate rule.
-- Arguments: the file of session keys (one a line), the CSRF secret, a run tag, the
-- number of wrk threads, the session and CSRF cookie names.
local keys = {}
local secret, tag, session_cookie, csrf_cookie
local counter = 0
local offset, stride = 0, 1
threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    table.insert(keys, line)
  end
  secret, tag = args[2], args[3]
  offset = tonumber(wrk.thread:get("offset")) or 0
  stride = tonumber(args[4]) or 1
  session_cookie, csrf_cookie = args[5], args[6]
  unexpected = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  local index = offset + counter * stride + 1
  counter = counter + 1
  -- Past the prepared sessions the form is refused: counted as unexpected below.
  local key = keys[((index - 1) % #keys) + 1]
  local body = "csrfmiddlewaretoken=" .. secret ..
    "&full_name=Bench+Patient&email=bench-" .. tag .. "-" .. index .. "%40bench.example" ..
    "&phone=&contact_method=email&contact_time=any&consent_contact=on&consent_share=on"
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Cookie"] = session_cookie .. "=" .. key .. "; " .. csrf_cookie .. "=" .. secret
  return wrk.format(nil, nil, headers, body)
end

function response(status, headers, body)
  -- Success is the redirect to the confirmation page, nothing else.
  local location = headers["Location"] or headers["location"] or ""
  if status ~= 302 or not string.find(location, "/apply/done/", 1, true) then
    unexpected = unexpected + 1
  end
end
