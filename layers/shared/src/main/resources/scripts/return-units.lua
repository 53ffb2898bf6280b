-- return-units.lua: Redis follows the database's cancellation of orders (docs/payment.md), atomically: each record that
-- still counts the units (CONFIRMED, or HELD/CLAIMED when the confirmer has not settled it yet: its order was written
-- and cancelled in between) becomes CANCELLED with the reason, its units go back to the stock counter and off the
-- buyer's count, its id leaves the holds and claims sets, and meta.confirmed (units in CONFIRMED records) goes down by
-- a CONFIRMED one's. Once per reservation: a record that is CANCELLED already (reconciliation followed first, or this
-- ran before) is not touched, so a retry never returns units twice; the confirmer's late settle to CONFIRMED finds it
-- CANCELLED and changes nothing.
local reservationKey = KEYS[1]  -- fs:{sale}:res    hash id -> reservation JSON
local stockKey       = KEYS[2]  -- fs:{sale}:stock  available units
local unitsKey       = KEYS[3]  -- fs:{sale}:units  hash buyer -> units held/claimed/confirmed
local metaKey        = KEYS[4]  -- fs:{sale}:meta   hash: ..., confirmed
local holdsKey       = KEYS[5]  -- fs:{sale}:holds  zset of HELD ids
local claimsKey      = KEYS[6]  -- fs:{sale}:claims zset of CLAIMED ids

local reason = ARGV[1]          -- BUYER_CANCELLED or PAYMENT_EXPIRED
-- ARGV[2..]: reservation ids whose orders the database cancelled

-- Reply: units returned now, the stock counter after, then one word per id: RETURNED (now), DONE (CANCELLED before),
-- MISSING (no record: lost in a failover; reconciliation's counter is computed from the database), or the status the
-- record has when it is neither (EXPIRED: not expected for an order; left to reconciliation).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local returned = 0
local confirmedReturned = 0
local answers = {}
local records = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local raw = redis.call('HGET', reservationKey, id)
  if not raw then
    answers[#answers + 1] = 'MISSING'
  else
    local r = cjson.decode(raw)
    if r.status == 'CONFIRMED' or r.status == 'HELD' or r.status == 'CLAIMED' then
      local quantity = tonumber(r.qty)
      returned = returned + quantity
      if r.status == 'CONFIRMED' then
        confirmedReturned = confirmedReturned + quantity
      else
        redis.call('ZREM', holdsKey, id)
        redis.call('ZREM', claimsKey, id)
      end
      if redis.call('HINCRBY', unitsKey, r.buyer, -quantity) <= 0 then
        redis.call('HDEL', unitsKey, r.buyer)
      end
      r.status = 'CANCELLED'
      r.reason = reason
      r.cancelled = now
      records[#records + 1] = id
      records[#records + 1] = cjson.encode(r)
      answers[#answers + 1] = 'RETURNED'
    elseif r.status == 'CANCELLED' then
      answers[#answers + 1] = 'DONE'
    else
      answers[#answers + 1] = r.status
    end
  end
end
local remaining = tonumber(redis.call('GET', stockKey) or '0')
if returned > 0 then
  redis.call('HSET', reservationKey, unpack(records))
  remaining = redis.call('INCRBY', stockKey, returned)
end
if confirmedReturned > 0 then
  redis.call('HINCRBY', metaKey, 'confirmed', -confirmedReturned)
end
local reply = {returned, remaining}
for i = 1, #answers do
  reply[#reply + 1] = answers[i]
end
return reply
