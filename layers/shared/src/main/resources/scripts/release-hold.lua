-- release-hold.lua: return one HELD reservation's units to stock, atomically.
-- Used when the confirmation message could not be sent (CANCELLED, the idempotency key is forgotten so the
-- buyer may retry with it) and by the release job for holds past their deadline (EXPIRED, only if expired).
-- A reservation that is not HELD (claimed, confirmed, already released) is never touched.
local stockKey       = KEYS[1]  -- fs:{sale}:stock
local holdsKey       = KEYS[2]  -- fs:{sale}:holds
local reservationKey = KEYS[3]  -- fs:{sale}:res
local idempotencyKey = KEYS[4]  -- fs:{sale}:idem
local unitsKey       = KEYS[5]  -- fs:{sale}:units

local id            = ARGV[1]
local finalStatus   = ARGV[2]   -- EXPIRED or CANCELLED
local onlyIfExpired = ARGV[3] == '1'
local forgetKey     = ARGV[4] == '1'

local raw = redis.call('HGET', reservationKey, id)
if not raw then
  return {'UNKNOWN'}
end
local r = cjson.decode(raw)
if r.status ~= 'HELD' then
  return {'NOT_HELD', r.status}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if onlyIfExpired and tonumber(r.expires) > now then
  return {'NOT_EXPIRED', r.expires}
end

local quantity = tonumber(r.qty)
local remaining = redis.call('INCRBY', stockKey, quantity)
redis.call('ZREM', holdsKey, id)
if redis.call('HINCRBY', unitsKey, r.buyer, -quantity) <= 0 then
  redis.call('HDEL', unitsKey, r.buyer)
end
if forgetKey then
  redis.call('HDEL', idempotencyKey, r.buyer .. '\n' .. r.key)
end
r.status = finalStatus
r.released = now
redis.call('HSET', reservationKey, id, cjson.encode(r))
return {'RELEASED', remaining}
