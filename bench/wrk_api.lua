-- wrk script for bench/api_load.py: rotates between the case list and several case
-- details, sends the API key, and prints one JSON line (p50/p95/p99, requests/s,
-- non-2xx and socket errors) in done(). Paths and key come from the environment.

local key = os.getenv("SADA_BENCH_KEY")
local paths = {}
for path in string.gmatch(os.getenv("SADA_BENCH_PATHS") or "/api/v1/cases/", "[^,]+") do
  paths[#paths + 1] = path
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  counter = id -- each thread starts somewhere else in the rotation
  non2xx = 0
  responses = 0
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, {
    ["Authorization"] = "Bearer " .. key,
    ["Accept"] = "application/json",
    ["X-Forwarded-Proto"] = "https",
  })
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local seen = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    seen = seen + thread:get("responses")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"non_2xx": %d, "responses_seen": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    bad, seen, e.connect + e.read + e.write + e.timeout))
end
