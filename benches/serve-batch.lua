-- wrk script for `cordon serve`'s batch endpoint (benches/serve-load.sh): each
-- request is the body in $CORDON_BATCH_FILE (CSV), answered as JSON Lines.
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/csv"
wrk.headers["Authorization"] = "Bearer k"
local f = assert(io.open(os.getenv("CORDON_BATCH_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.path = "/v1/check/batch"
done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"non_2xx":%d,"seconds":%.3f,"p50_ms":%.1f,"p99_ms":%.1f}\n',
    summary.requests, summary.errors.status, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
