-- GET the URL, with the session cookie given as the first script argument (if any).
function init(args)
  if args[1] and args[1] ~= "" then
    wrk.headers["Cookie"] = args[1]
  end
end
