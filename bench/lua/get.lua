-- GET the URL, with the session cookie given as the first script argument (if any).
-- Anything but a 200 (a redirect to the sign-in page, say) is counted as unexpected.
threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  if args[1] and args[1] ~= "" then
    wrk.headers["Cookie"] = args[1]
  end
end

function response(status, headers, body)
  if status ~= 200 then
    unexpected = unexpected + 1
  end
end
