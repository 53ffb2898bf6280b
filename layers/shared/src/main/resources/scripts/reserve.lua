-- reserve.lua: take a hold on a sale's stock for one buyer, atomically, in one round trip.
-- The reservation id is derived from (sale, buyer, key) by the caller (ReservationIds), so a key always names one
-- reservation: when Redis lost the key's mapping (a failover), the reservation under that id is found again and the
-- mapping restored; only a CANCELLED hold (its confirmation was never queued) is taken again under the same id, not a
-- cancelled order.
-- Order of checks: a key seen before: token bucket -> the same reservation (a replay) or a key conflict;
--                  a new key: sale loaded and window -> per-order max -> admission (a ticketed sale) -> token bucket
--                  -> per-buyer limit -> stock; then decrement, record the hold with its deadline.
-- Every key shares the hash tag of the buyer's home bucket (the sale's own tag when it has one bucket), so the script
-- runs on one cluster slot. In a sale split into buckets, SOLD_OUT means this bucket lacks the units: the caller moves
-- units here from the others (StockTransfers) and calls again.
-- Times come from the Redis server clock (TIME), never from the caller.
local metaKey        = KEYS[1]  -- fs:{sale}:meta   hash: start, end, limit, max, stock
local stockKey       = KEYS[2]  -- fs:{sale}:stock  available units (negative: a deficit left by reconciliation)
local holdsKey       = KEYS[3]  -- fs:{sale}:holds  zset reservation id -> hold deadline (ms)
local reservationKey = KEYS[4]  -- fs:{sale}:res    hash reservation id -> reservation JSON
local idempotencyKey = KEYS[5]  -- fs:{sale}:idem   hash "buyer\nkey" -> reservation id
local unitsKey       = KEYS[6]  -- fs:{sale}:units  hash buyer -> units held/claimed/confirmed
local rateKey        = KEYS[7]  -- fs:{sale}:bucket:<buyer>  token bucket: "<tokens> <ms>"
local resentKey      = KEYS[8]  -- fs:{sale}:resent hash reservation id -> when a replay last re-sent its confirmation (ms)
local admitsKey      = KEYS[9]  -- fs:{sale}:q:admits zset buyer -> ticket deadline (ms): admitted, not yet decided

local newId        = ARGV[1]  -- the key's reservation id
local buyer        = ARGV[2]
local requestKey   = ARGV[3]
local quantity     = tonumber(ARGV[4])
local holdMs       = tonumber(ARGV[5])
local rateBurst    = tonumber(ARGV[6])
local ratePerSec   = tonumber(ARGV[7])
local retentionMs  = tonumber(ARGV[8])
local resendMs     = tonumber(ARGV[9])  -- a replay re-sends a live hold's confirmation at most once per this
local ticket       = ARGV[10]           -- the caller's check of the buyer's ticket: absent, valid, expired, invalid
local ticketEnds   = tonumber(ARGV[11]) -- the ticket's expiry (ms), checked again here on the clock that lapses admits
local tokenTaken   = ARGV[12] == '1'    -- a second attempt after units moved to this bucket: the first paid the token

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- The buyer's token bucket (burst rateBurst, refilled at ratePerSec): nil when a token was taken, else the wait in ms.
-- One string "<tokens> <ms>" with its expiry: a read and a write per attempt (a hash took three commands).
local function takeToken()
  if tokenTaken then
    return nil
  end
  local bucket = redis.call('GET', rateKey)
  local tokens, last = rateBurst, now
  if bucket then
    local sep = string.find(bucket, ' ', 1, true)
    tokens = tonumber(string.sub(bucket, 1, sep - 1))
    last = tonumber(string.sub(bucket, sep + 1))
  end
  if now > last then
    tokens = math.min(rateBurst, tokens + (now - last) * ratePerSec / 1000)
    last = now
  end
  local wait = nil
  if tokens < 1 then
    wait = math.ceil((1 - tokens) * 1000 / ratePerSec)
  else
    tokens = tokens - 1
  end
  redis.call('SET', rateKey, tokens .. ' ' .. last, 'PX', math.ceil(rateBurst * 1000 / ratePerSec) + 1000)
  return wait
end

local function available()
  return math.max(0, tonumber(redis.call('GET', stockKey) or '0'))
end

-- 1. A key seen before returns the same reservation, whatever its status now. Replays spend tokens like any attempt.
--    Reply: REPLAY, record, remaining, resend (1: the caller re-sends the confirmation), expired (1: HELD but past
--    its deadline; the release job will return it).
local idemField = buyer .. '\n' .. requestKey
local priorId = redis.call('HGET', idempotencyKey, idemField)
local prior = priorId and redis.call('HGET', reservationKey, priorId)
if not prior then
  local same = redis.call('HGET', reservationKey, newId)
  local found = same and cjson.decode(same)
  -- a cancelled order (its record has the cancellation's reason) keeps its key: the database has its order
  if found and (found.status ~= 'CANCELLED' or found.reason) then
    priorId, prior = newId, same
    redis.call('HSET', idempotencyKey, idemField, newId)
    local ttl = redis.call('PTTL', reservationKey)
    if ttl > 0 and redis.call('PTTL', idempotencyKey) < 0 then
      redis.call('PEXPIRE', idempotencyKey, ttl)
    end
  elseif priorId then
    redis.call('HDEL', idempotencyKey, idemField)
  end
end
if prior then
  local wait = takeToken()
  if wait then
    return {'RATE_LIMITED', wait}
  end
  local r = cjson.decode(prior)
  if tonumber(r.qty) ~= quantity then
    return {'KEY_CONFLICT', prior}
  end
  if r.status ~= 'HELD' then
    return {'REPLAY', prior, available(), 0, 0}
  end
  if tonumber(r.expires) <= now then
    return {'REPLAY', prior, available(), 0, 1}
  end
  -- A live hold: its first confirmation may have been lost with the first attempt (it died between hold and send).
  local resent = tonumber(redis.call('HGET', resentKey, priorId))
  if resent and now - resent < resendMs then
    return {'REPLAY', prior, available(), 0, 0}
  end
  redis.call('HSET', resentKey, priorId, now)
  redis.call('PEXPIRE', resentKey, holdMs + resendMs)
  return {'REPLAY', prior, available(), 1, 0}
end

-- 2. The sale is loaded and open.
local meta = redis.call('HMGET', metaKey, 'start', 'end', 'limit', 'max', 'admission')
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
local ticketed = meta[5] == 'ticketed'
if ticketed and ticket ~= 'valid' then
  return {'NOT_ADMITTED', ticket}
end
if ticketed and now >= ticketEnds then
  return {'NOT_ADMITTED', 'expired'}
end

-- 3. The buyer's token bucket.
local wait = takeToken()
if wait then
  return {'RATE_LIMITED', wait}
end

-- 4. Per-buyer limit, counting units held, claimed and confirmed.
local owned = tonumber(redis.call('HGET', unitsKey, buyer) or '0')
if owned + quantity > limit then
  return {'LIMIT', limit, owned}
end

-- 5. Stock.
local left = available()
if left < quantity then
  return {'SOLD_OUT', left}
end
-- The sale's keys expire with it (its end + the retention). They keep their expiry once set, so it is set only when
-- one of them is new: one EXISTS on every hold instead of four PEXPIREATs (the holds set goes whenever its last hold
-- is claimed or released). A key another script created without one gets it at the next reconcile (sync-sale.lua).
local keysNew = redis.call('EXISTS', reservationKey, idempotencyKey, unitsKey, holdsKey) < 4
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
if keysNew then
  local expireAt = endMs + retentionMs
  redis.call('PEXPIREAT', reservationKey, expireAt)
  redis.call('PEXPIREAT', idempotencyKey, expireAt)
  redis.call('PEXPIREAT', unitsKey, expireAt)
  redis.call('PEXPIREAT', holdsKey, expireAt)
end
if ticketed then
  -- The admitted buyer has decided: the waiting room's bound counts their hold in the stock now, not as a ticket.
  redis.call('ZREM', admitsKey, buyer)
end
return {'HELD', record, remaining}
