#!/usr/bin/env bash
# Where reserve.lua's Redis time goes (issue 15 item 2): the script as it is, against variants with one part taken
# out, a script with the same commands and none of the logic, the empty call and the throughput benchmark's minimal
# script. Each is run by redis-benchmark (8 connections, every call a new buyer and key) on a scratch Redis started
# here on a free loopback port and stopped by its PID; the figure is Redis's own usec_per_call for EVALSHA
# (INFO commandstats), the median over the rounds.
#
#   scripts/reserve-script-cost.sh [calls per run, default 100000] [rounds, default 3]
#
# Needs redis-server, redis-cli and redis-benchmark (Redis 7). About 10 s per variant and round.
set -euo pipefail

calls=${1:-100000}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
script=${RESERVE_LUA:-"$root/layers/shared/src/main/resources/scripts/reserve.lua"}  # another version, to compare
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
trap 'kill "$(cat "$work/redis.pid")" 2>/dev/null; rm -rf "$work"' EXIT

# A variant: reserve.lua without the lines matching each pattern (fixed strings); fails if a pattern matches nothing,
# so a change to reserve.lua cannot silently turn a variant into the full script.
without() {
    local out=$1; shift
    cp "$script" "$out"
    for pattern in "$@"; do
        grep -qF -- "$pattern" "$out" || { echo "reserve.lua has no line with: $pattern" >&2; exit 1; }
        grep -vF -- "$pattern" "$out" > "$out.tmp" && mv "$out.tmp" "$out"
    done
}

cp "$script" "$work/full.lua"
without "$work/no-expiries.lua" "redis.call('PEXPIREAT'"
without "$work/no-holds-zset.lua" "redis.call('ZADD', holdsKey"
# The new hold's token: the call and its three-line refusal in step 3 (a key seen before keeps its own).
python3 - "$script" "$work/no-token-bucket.lua" <<'EOF'
import sys
s = open(sys.argv[1]).read()
step = "-- 3. The buyer's token bucket.\nlocal wait = takeToken()\nif wait then\n  return {'RATE_LIMITED', wait}\nend\n"
if step not in s:
    sys.exit("reserve.lua's step 3 is not where this script expects it")
open(sys.argv[2], "w").write(s.replace(step, ""))
EOF
# The idempotency key's mapping (read, written, expired): with ids derived from (sale, buyer, key) the record is found
# under the id alone, so for a new hold this variant answers the same (the other scripts still write the mapping).
python3 - "$script" "$work/no-key-mapping.lua" <<'EOF'
import sys
s = open(sys.argv[1]).read()
for old, new in [
    ("local priorId = redis.call('HGET', idempotencyKey, idemField)", "local priorId = nil"),
    ("redis.call('HSET', idempotencyKey, idemField, newId)\n", ""),
    ("redis.call('PEXPIREAT', idempotencyKey, expireAt)\n", ""),
]:
    if old not in s:
        sys.exit("reserve.lua has no: " + old)
    s = s.replace(old, new)
open(sys.argv[2], "w").write(s)
EOF
# The commands a new hold runs, in order, with no checks, no branches and no JSON: what the commands alone cost.
cat > "$work/commands-only.lua" <<'EOF'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000
local field = ARGV[2] .. '\n' .. ARGV[3]
redis.call('HGET', KEYS[5], field)
redis.call('HGET', KEYS[4], ARGV[1])
redis.call('HMGET', KEYS[1], 'start', 'end', 'limit', 'max', 'admission')
redis.call('GET', KEYS[7])
redis.call('SET', KEYS[7], '4 ' .. now, 'PX', 2000)
redis.call('HGET', KEYS[6], ARGV[2])
redis.call('GET', KEYS[2])
local left = redis.call('DECRBY', KEYS[2], 1)
redis.call('HSET', KEYS[4], ARGV[1], '{"id":"' .. ARGV[1] .. '","buyer":"' .. ARGV[2]
  .. '","qty":1,"status":"HELD","created":' .. now .. ',"expires":' .. (now + 600000) .. ',"key":"' .. ARGV[3] .. '"}')
redis.call('HSET', KEYS[5], field, ARGV[1])
redis.call('HINCRBY', KEYS[6], ARGV[2], 1)
redis.call('ZADD', KEYS[3], now + 600000, ARGV[1])
redis.call('PEXPIREAT', KEYS[4], now + 86400000)
redis.call('PEXPIREAT', KEYS[5], now + 86400000)
redis.call('PEXPIREAT', KEYS[6], now + 86400000)
redis.call('PEXPIREAT', KEYS[3], now + 86400000)
return {'HELD', 'record', left}
EOF
# The throughput benchmark's limit: check, decrement, record (RedisBaselines.MinimalScript's shape).
cat > "$work/minimal.lua" <<'EOF'
local left = tonumber(redis.call('GET', KEYS[2]) or '0')
if left < 1 then return 0 end
redis.call('DECRBY', KEYS[2], 1)
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
return 1
EOF
echo "return 1" > "$work/empty.lua"

variants=(full no-token-bucket no-holds-zset no-expiries no-key-mapping commands-only minimal empty)

run() {
    local name=$1
    redis-cli -p "$port" flushall >/dev/null
    local now
    now=$(date +%s%3N)
    redis-cli -p "$port" hset 'fs:{s}:meta' start $((now - 60000)) end $((now + 3600000)) limit 1000000 max 10 \
        admission open stock 100000000 >/dev/null
    redis-cli -p "$port" set 'fs:{s}:stock' 100000000 >/dev/null
    local sha
    sha=$(redis-cli -p "$port" script load "$(cat "$work/$name.lua")")
    redis-cli -p "$port" config resetstat >/dev/null
    # reserve.lua's keys and arguments: hold 10 min, burst 10 at 5/s, retention 1 day, re-send 5 s, no ticket
    redis-benchmark -p "$port" -n "$calls" -c 8 -r 1000000000 -q evalsha "$sha" 9 \
        'fs:{s}:meta' 'fs:{s}:stock' 'fs:{s}:holds' 'fs:{s}:res' 'fs:{s}:idem' 'fs:{s}:units' \
        'fs:{s}:bucket:b__rand_int__' 'fs:{s}:resent' 'fs:{s}:q:admits' \
        'id__rand_int__' 'b__rand_int__' 'k__rand_int__' 1 600000 10 5 86400000 5000 absent 0 0 >/dev/null
    redis-cli -p "$port" info commandstats | tr ',' '\n' | grep -A3 '^cmdstat_evalsha' \
        | sed -n 's/^usec_per_call=//p'
}

declare -A figures
for round in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
        figures[$v]="${figures[$v]:-} $(run "$v")"
    done
    echo "round $round of $rounds done" >&2
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
full=$(echo "${figures[full]}" | median)
echo "reserve.lua's Redis time by part: $(date -u +%FT%TZ), Redis $(redis-server --version | cut -d' ' -f3 | cut -d= -f2),"\
    "$calls calls per run, $rounds rounds, median µs per call (each round's figures)"
printf '| %-16s | %8s | %8s | %s |\n' variant "µs/call" "vs full" "rounds"
echo '|------------------|---------:|---------:|---|'
for v in "${variants[@]}"; do
    m=$(echo "${figures[$v]}" | median)
    printf '| %-16s | %8.1f | %7.2fx | %s |\n' "$v" "$m" "$(echo "$m / $full" | bc -l)" "${figures[$v]# }"
done
