-- Appended to every bench script: one JSON line the runner reads back.
function done(summary, latency, requests)
  local errors = summary.errors
  local wrong = 0
  -- Scripts that check their responses (submit.lua) keep `threads` and `unexpected`.
  if threads then
    for _, thread in ipairs(threads) do
      wrong = wrong + (tonumber(thread:get("unexpected")) or 0)
    end
  end
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"unexpected": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout, wrong))
end
