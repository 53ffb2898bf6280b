-- claim.lua: take a reservation for confirmation, atomically: HELD -> CLAIMED, only while the hold is live
-- (deadline not passed, by the server clock). Its id moves from the holds sorted set to the claims sorted set,
-- scored by the claim deadline, after which the release job may settle it through the database fence.
-- A reservation that is already CLAIMED is claimed again with a fresh deadline: that is a redelivery after a
-- confirmer died, and the database fence (not Redis) decides between it and the release job, so it is safe.
-- Anything else (CONFIRMED, EXPIRED, CANCELLED, an expired HELD hold, an unknown id) is never claimed.
local holdsKey       = KEYS[1]  -- fs:{sale}:holds   zset id -> hold deadline (ms)
local claimsKey      = KEYS[2]  -- fs:{sale}:claims  zset id -> claim deadline (ms)
local reservationKey = KEYS[3]  -- fs:{sale}:res     hash id -> reservation JSON

local id      = ARGV[1]
local claimMs = tonumber(ARGV[2])

local raw = redis.call('HGET', reservationKey, id)
if not raw then
  return {'UNKNOWN'}
end
local r = cjson.decode(raw)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local again = r.status == 'CLAIMED'
if r.status == 'HELD' then
  if tonumber(r.expires) <= now then
    return {'HOLD_EXPIRED', raw}
  end
elseif not again then
  return {'NOT_CLAIMABLE', r.status}
end

r.status = 'CLAIMED'
r.claimed = now
local encoded = cjson.encode(r)
redis.call('HSET', reservationKey, id, encoded)
redis.call('ZREM', holdsKey, id)
redis.call('ZADD', claimsKey, now + claimMs, id)
local ttl = redis.call('PTTL', reservationKey)
if ttl > 0 then
  redis.call('PEXPIRE', claimsKey, ttl)
end
if again then
  return {'RECLAIMED', encoded}
end
return {'CLAIMED', encoded}
