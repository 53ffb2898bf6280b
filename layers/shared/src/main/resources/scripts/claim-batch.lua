-- claim-batch.lua: claim.lua for many reservations of one sale in one call (the confirmer's SQS batch). Each id is
-- decided as claim.lua decides it, in the order given, and gets its own answer:
--   CLAIMED / RECLAIMED (reservation JSON): HELD and live, or already CLAIMED (a redelivery): now CLAIMED, its id moved
--                                           from the holds to the claims sorted set, scored by the claim deadline;
--   HOLD_EXPIRED (reservation JSON):        HELD past its deadline (server clock): never claimed;
--   NOT_CLAIMABLE (status):                 CONFIRMED, EXPIRED or CANCELLED: never claimed;
--   UNKNOWN (''):                           not in Redis. The caller restores a lost hold from its message one by one
--                                           (claim.lua), a rare path kept out of this script;
--   DUPLICATE (''):                         the id came earlier in the same call (the caller sends each id once).
-- The writes of all claimed ids go out as one HSET, one ZREM and one ZADD.
local holdsKey       = KEYS[1]  -- fs:{sale}:holds   zset id -> hold deadline (ms)
local claimsKey      = KEYS[2]  -- fs:{sale}:claims  zset id -> claim deadline (ms)
local reservationKey = KEYS[3]  -- fs:{sale}:res     hash id -> reservation JSON

local claimMs = tonumber(ARGV[1])
-- ARGV[2..]: the reservation ids, each once

local ids = {}
for i = 2, #ARGV do
  ids[#ids + 1] = ARGV[i]
end
if #ids == 0 then
  return {}
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local raws = redis.call('HMGET', reservationKey, unpack(ids))
local reply = {}
local records = {}  -- id, JSON, id, JSON, ... for one HSET
local moved = {}    -- ids leaving the holds set
local scored = {}   -- deadline, id, deadline, id, ... for one ZADD
local seen = {}
for i, id in ipairs(ids) do
  local raw = raws[i]
  if seen[id] then
    reply[#reply + 1] = 'DUPLICATE'
    reply[#reply + 1] = ''
  elseif not raw then
    reply[#reply + 1] = 'UNKNOWN'
    reply[#reply + 1] = ''
  else
    local r = cjson.decode(raw)
    local again = r.status == 'CLAIMED'
    if r.status == 'HELD' and tonumber(r.expires) <= now then
      reply[#reply + 1] = 'HOLD_EXPIRED'
      reply[#reply + 1] = raw
    elseif r.status ~= 'HELD' and not again then
      reply[#reply + 1] = 'NOT_CLAIMABLE'
      reply[#reply + 1] = r.status
    else
      r.status = 'CLAIMED'
      r.claimed = now
      local encoded = cjson.encode(r)
      records[#records + 1] = id
      records[#records + 1] = encoded
      moved[#moved + 1] = id
      scored[#scored + 1] = now + claimMs
      scored[#scored + 1] = id
      reply[#reply + 1] = again and 'RECLAIMED' or 'CLAIMED'
      reply[#reply + 1] = encoded
    end
  end
  seen[id] = true
end

if #records > 0 then
  redis.call('HSET', reservationKey, unpack(records))
  redis.call('ZREM', holdsKey, unpack(moved))
  redis.call('ZADD', claimsKey, unpack(scored))
  local ttl = redis.call('PTTL', reservationKey)
  if ttl > 0 then
    redis.call('PEXPIRE', claimsKey, ttl)
  end
end
return reply
