-- cancel-hold.lua: give back a HELD reservation whose confirmation could not be queued, atomically: CANCELLED, its
-- units back in stock and off the buyer's count, and its idempotency key forgotten so the buyer may retry with it.
-- A reservation that is not HELD (a confirmer claimed it, so its message did get through) is never touched.
local stockKey       = KEYS[1]  -- fs:{sale}:stock
local holdsKey       = KEYS[2]  -- fs:{sale}:holds
local reservationKey = KEYS[3]  -- fs:{sale}:res
local idempotencyKey = KEYS[4]  -- fs:{sale}:idem
local unitsKey       = KEYS[5]  -- fs:{sale}:units

local id = ARGV[1]

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

local quantity = tonumber(r.qty)
local remaining = redis.call('INCRBY', stockKey, quantity)
redis.call('ZREM', holdsKey, id)
if redis.call('HINCRBY', unitsKey, r.buyer, -quantity) <= 0 then
  redis.call('HDEL', unitsKey, r.buyer)
end
redis.call('HDEL', idempotencyKey, r.buyer .. '\n' .. r.key)
r.status = 'CANCELLED'
r.released = now
redis.call('HSET', reservationKey, id, cjson.encode(r))
return {'CANCELLED', math.max(0, remaining)}
