#!/usr/bin/env python3
"""Latency of a record fed alone to `cordon check -` on a pipe (docs/performance.md).
Run from the repository root after `cargo build --release`: python3 seeds/tools/latency.py [jsonl|csv]."""
import subprocess, time, json, sys, os
fmt = sys.argv[1] if len(sys.argv) > 1 else "jsonl"
cmd = [os.environ.get("CORDON", "target/release/cordon"), "check", "--rules", "rules/us/ear", "--input-format", fmt, "--format", "jsonl", "-"]
env = dict(os.environ, CORDON_NO_STATE="1")
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, bufsize=0)
time.sleep(1.5)  # rules and lists loaded
if fmt == "csv":
    p.stdin.write(b"id,date,flow,origin,destination,hs_code,eccn,seller,buyer,seller_country,buyer_country\n")
lat = []
for i in range(30):
    if fmt == "jsonl":
        rec = json.dumps({"id": f"L{i}", "date": "2026-01-10", "flow": "export", "origin": "US", "destination": "CN", "hs_code": "8542.31",
                          "eccn": ["3A001.a.1"], "seller": "US Chip Co", "buyer": "Huawei Technologies Co. Ltd." if i % 2 else "Acme Ltd",
                          "buyer_country": "CN", "seller_country": "US"}) + "\n"
    else:
        rec = f"L{i},2026-01-10,export,US,CN,8542.31,3A001.a.1,US Chip Co,{'Huawei Technologies Co. Ltd.' if i % 2 else 'Acme Ltd'},US,CN\n"
    t0 = time.perf_counter()
    p.stdin.write(rec.encode())
    line = p.stdout.readline()
    lat.append((time.perf_counter() - t0) * 1000)
    assert json.loads(line)["id"] == f"L{i}", line
    time.sleep(0.05)
p.stdin.close(); p.wait()
lat.sort()
print(f"{fmt}: n={len(lat)} p50={lat[len(lat)//2]:.2f} ms p90={lat[int(len(lat)*0.9)]:.2f} ms max={lat[-1]:.2f} ms")
