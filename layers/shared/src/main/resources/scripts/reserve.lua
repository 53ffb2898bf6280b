-- reserve.lua: take a hold on a sale's stock for one buyer, atomically, in one round trip.
-- Order of checks: idempotent replay -> sale loaded and window -> per-order max -> token bucket
--                  -> per-buyer limit -> stock; then decrement, record the hold with its deadline.
-- Every key shares the sale's hash tag, so the script runs on one cluster slot.
-- Times come from the Redis server clock (TIME), never from the caller.
local metaKey        = KEYS[1]  -- fs:{sale}:meta   hash: start, end, limit, max, stock
local stockKey       = KEYS[2]  -- fs:{sale}:stock  available units
local holdsKey       = KEYS[3]  -- fs:{sale}:holds  zset reservation id -> hold deadline (ms)
local reservationKey = KEYS[4]  -- fs:{sale}:res    hash reservation id -> reservation JSON
local idempotencyKey = KEYS[5]  -- fs:{sale}:idem   hash "buyer\nkey" -> reservation id
local unitsKey       = KEYS[6]  -- fs:{sale}:units  hash buyer -> units held/claimed/confirmed
local rateKey        = KEYS[7]  -- fs:{sale}:rate:<buyer>  token bucket: tokens, ts

local newId        = ARGV[1]
local buyer        = ARGV[2]
local requestKey   = ARGV[3]
local quantity     = tonumber(ARGV[4])
local holdMs       = tonumber(ARGV[5])
local rateBurst    = tonumber(ARGV[6])
local ratePerSec   = tonumber(ARGV[7])
local retentionMs  = tonumber(ARGV[8])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- 1. Idempotent replay: the same buyer and key return the same reservation, whatever its status now.
local idemField = buyer .. '\n' .. requestKey
local priorId = redis.call('HGET', idempotencyKey, idemField)
if priorId then
  local prior = redis.call('HGET', reservationKey, priorId)
  if prior then
    if tonumber(cjson.decode(prior).qty) ~= quantity then
      return {'KEY_CONFLICT', prior}
    end
    return {'REPLAY', prior, tonumber(redis.call('GET', stockKey) or '0')}
  end
  redis.call('HDEL', idempotencyKey, idemField)
end

-- 2. The sale is loaded and open.
local meta = redis.call('HMGET', metaKey, 'start', 'end', 'limit', 'max')
if not meta[1] then
  return {'UNKNOWN_SALE'}
end
local startMs, endMs = tonumber(meta[1]), tonumber(meta[2])
local limit, maxPerOrder = tonumber(meta[3]), tonumber(meta[4])
if now < startMs then
  return {'NOT_STARTED', startMs}
end
if now >= endMs then
  return {'ENDED', endMs}
end
if quantity > maxPerOrder then
  return {'ORDER_MAX', maxPerOrder}
end

-- 3. The buyer's token bucket (burst rateBurst, refilled at ratePerSec).
local bucket = redis.call('HMGET', rateKey, 'tokens', 'ts')
local tokens = tonumber(bucket[1]) or rateBurst
local last = tonumber(bucket[2]) or now
if now > last then
  tokens = math.min(rateBurst, tokens + (now - last) * ratePerSec / 1000)
  last = now
end
local bucketTtl = math.ceil(rateBurst * 1000 / ratePerSec) + 1000
if tokens < 1 then
  redis.call('HSET', rateKey, 'tokens', tostring(tokens), 'ts', last)
  redis.call('PEXPIRE', rateKey, bucketTtl)
  return {'RATE_LIMITED', math.ceil((1 - tokens) * 1000 / ratePerSec)}
end
redis.call('HSET', rateKey, 'tokens', tostring(tokens - 1), 'ts', last)
redis.call('PEXPIRE', rateKey, bucketTtl)

-- 4. Per-buyer limit, counting units held, claimed and confirmed.
local owned = tonumber(redis.call('HGET', unitsKey, buyer) or '0')
if owned + quantity > limit then
  return {'LIMIT', limit, owned}
end

-- 5. Stock.
local available = tonumber(redis.call('GET', stockKey) or '0')
if available < quantity then
  return {'SOLD_OUT', available}
end
local remaining = redis.call('DECRBY', stockKey, quantity)
local deadline = now + holdMs
local record = cjson.encode({
  id = newId, buyer = buyer, qty = quantity, status = 'HELD',
  created = now, expires = deadline, key = requestKey
})
redis.call('HSET', reservationKey, newId, record)
redis.call('HSET', idempotencyKey, idemField, newId)
redis.call('HINCRBY', unitsKey, buyer, quantity)
redis.call('ZADD', holdsKey, deadline, newId)
local expireAt = endMs + retentionMs
redis.call('PEXPIREAT', reservationKey, expireAt)
redis.call('PEXPIREAT', idempotencyKey, expireAt)
redis.call('PEXPIREAT', unitsKey, expireAt)
redis.call('PEXPIREAT', holdsKey, expireAt)
return {'HELD', record, remaining}
