-- settle-claim.lua: make Redis follow the database's decision for a CLAIMED reservation, atomically.
--   CONFIRMED: the order is durable; the units stay counted for the buyer.
--   EXPIRED:   the reservation was released in the database; the buyer's units are freed and, unless the database
--              refused the order for lack of stock (returnStock=0), the units go back to available stock.
-- Idempotent: settling to the status it already has does nothing. A reservation in any other state is left alone
-- and reported (CONFLICT): Redis lost a write, or a bug; the invariant checker will say which.
-- In every case the id leaves the claims sorted set, which only ever lists CLAIMED reservations.
local stockKey       = KEYS[1]  -- fs:{sale}:stock   available units
local claimsKey      = KEYS[2]  -- fs:{sale}:claims  zset id -> claim deadline (ms)
local reservationKey = KEYS[3]  -- fs:{sale}:res     hash id -> reservation JSON
local unitsKey       = KEYS[4]  -- fs:{sale}:units   hash buyer -> units held/claimed/confirmed

local id          = ARGV[1]
local target      = ARGV[2]   -- CONFIRMED or EXPIRED
local returnStock = ARGV[3] == '1'

if target ~= 'CONFIRMED' and target ~= 'EXPIRED' then
  return redis.error_reply('settle-claim: target must be CONFIRMED or EXPIRED, was ' .. tostring(target))
end

local raw = redis.call('HGET', reservationKey, id)
redis.call('ZREM', claimsKey, id)
if not raw then
  return {'UNKNOWN'}
end
local r = cjson.decode(raw)
if r.status == target then
  return {'ALREADY', r.status}
end
if r.status ~= 'CLAIMED' then
  return {'CONFLICT', r.status}
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if target == 'EXPIRED' then
  local quantity = tonumber(r.qty)
  if returnStock then
    redis.call('INCRBY', stockKey, quantity)
  end
  if redis.call('HINCRBY', unitsKey, r.buyer, -quantity) <= 0 then
    redis.call('HDEL', unitsKey, r.buyer)
  end
  r.released = now
else
  r.confirmed = now
end
r.status = target
redis.call('HSET', reservationKey, id, cjson.encode(r))
return {'SETTLED', r.status}
