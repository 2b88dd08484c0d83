-- wrk script for `cordon serve` (docs/performance.md, benches/serve-load.sh):
--   wrk -t2 -c16 -d15s -s benches/serve-post.lua http://127.0.0.1:PORT
-- against a server started as CORDON_API_KEY=k cordon serve --rules rules --store …
-- Each request is one record with an id of its own; at the end it prints the
-- percentiles wrk's --latency leaves out (p99.9) and the 2xx count, as JSON.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer k"
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("prefix", string.format("%d-%d", os.time(), threads))
end
request = function()
  counter = counter + 1
  local body = string.format('{"id":"W%s-%d","date":"2018-05-01","origin":"CN","destination":"HK","hs_code":"8471.30","seller":"ACME Ltd","buyer":"Test Buyer Ltd","seller_country":"SG","buyer_country":"SG","description":"computers"}', prefix, counter)
  return wrk.format(nil, "/v1/check", nil, body)
end
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('{"requests":%d,"non_2xx":%d,"socket_errors":%d,"seconds":%.3f,"rps":%.0f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
