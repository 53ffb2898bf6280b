-- claim.lua: take a reservation for confirmation, atomically: HELD -> CLAIMED, only while the hold is live
-- (deadline not passed, by the server clock). Its id moves from the holds sorted set to the claims sorted set,
-- scored by the claim deadline, after which the release job may settle it through the database fence.
-- A reservation that is already CLAIMED is claimed again with a fresh deadline: that is a redelivery after a
-- confirmer died, and the database fence (not Redis) decides between it and the release job, so it is safe.
-- Anything else (CONFIRMED, EXPIRED, CANCELLED, an expired HELD hold, an unknown id) is never claimed.
-- An unknown id with a hold to restore (the confirmation message's copy of a hold Redis lost in a failover) is written
-- back as CLAIMED while the hold is live, with what reserve.lua had applied: its units off the stock counter and on the
-- buyer's count, its key mapped to it. The database fence then decides it like any other claim.
local holdsKey       = KEYS[1]  -- fs:{sale}:holds   zset id -> hold deadline (ms)
local claimsKey      = KEYS[2]  -- fs:{sale}:claims  zset id -> claim deadline (ms)
local reservationKey = KEYS[3]  -- fs:{sale}:res     hash id -> reservation JSON
local stockKey       = KEYS[4]  -- fs:{sale}:stock   available units
local idempotencyKey = KEYS[5]  -- fs:{sale}:idem    hash "buyer\nkey" -> reservation id
local unitsKey       = KEYS[6]  -- fs:{sale}:units   hash buyer -> units held/claimed/confirmed

local id      = ARGV[1]
local claimMs = tonumber(ARGV[2])
local lost    = ARGV[3]  -- '' or the hold's reservation JSON (status HELD), to restore if Redis does not have it

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local raw = redis.call('HGET', reservationKey, id)
if not raw then
  if lost == '' then
    return {'UNKNOWN'}
  end
  local r = cjson.decode(lost)
  if r.id ~= id or r.status ~= 'HELD' or tonumber(r.expires) <= now then
    return {'UNKNOWN'}
  end
  local quantity = tonumber(r.qty)
  r.status = 'CLAIMED'
  r.claimed = now
  r.restored = now
  local encoded = cjson.encode(r)
  redis.call('HSET', reservationKey, id, encoded)
  redis.call('DECRBY', stockKey, quantity)
  redis.call('HINCRBY', unitsKey, r.buyer, quantity)
  redis.call('HSETNX', idempotencyKey, r.buyer .. '\n' .. r.key, id)
  redis.call('ZADD', claimsKey, now + claimMs, id)
  -- the restored hold's keys may be new again: they expire with the sale, as its counter does
  local ttl = redis.call('PTTL', stockKey)
  if ttl > 0 then
    for _, key in ipairs({reservationKey, unitsKey, idempotencyKey, claimsKey}) do
      redis.call('PEXPIRE', key, ttl)
    end
  end
  return {'RESTORED', encoded}
end
local r = cjson.decode(raw)

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
