-- wrk script for `cordon serve` (docs/performance.md): wrk -t2 -c16 -d15s --latency -s benches/serve-post.lua http://127.0.0.1:PORT
-- with the server started as CORDON_API_KEY=k cordon serve --rules rules --log /tmp/load.db --addr 127.0.0.1:0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer k"
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"id":"W%d","date":"2018-05-01","origin":"CN","destination":"HK","hs_code":"8471.30","seller":"ACME Ltd","buyer":"Test Buyer Ltd","seller_country":"SG","buyer_country":"SG","description":"computers"}', counter)
  return wrk.format(nil, "/v1/check", nil, body)
end
