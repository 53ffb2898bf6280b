-- settle-batch.lua: settle.lua for many reservations of one sale in one call (the confirmer's SQS batch, after its
-- database transaction). Each id is settled as settle.lua settles it (see there for the refund rule), in the order
-- given, and gets its own answer {code, status}: SETTLED, ALREADY, CONFLICT, or UNKNOWN (not in Redis: the caller
-- restores a lost record one by one with settle.lua, a rare path kept out of this script). Every id leaves the holds
-- and claims sets. An id that comes twice is settled once (the second answers ALREADY).
-- The writes go out aggregated: one HSET of the records, one INCRBY of the stock, one HINCRBY per buyer, one of
-- meta.confirmed (units in CONFIRMED records, see sync-sale.lua).
local stockKey       = KEYS[1]  -- fs:{sale}:stock   available units
local holdsKey       = KEYS[2]  -- fs:{sale}:holds   zset id -> hold deadline (ms)
local claimsKey      = KEYS[3]  -- fs:{sale}:claims  zset id -> claim deadline (ms)
local reservationKey = KEYS[4]  -- fs:{sale}:res     hash id -> reservation JSON
local unitsKey       = KEYS[5]  -- fs:{sale}:units   hash buyer -> units held/claimed/confirmed
local metaKey        = KEYS[6]  -- fs:{sale}:meta    hash: ..., reconciled (ms, when sync-sale.lua last set the counter),
                                --                   confirmed (units in CONFIRMED records)

-- ARGV: triples id, target (CONFIRMED or EXPIRED), refund (EXPIRED only: 'always' or 'if-counted'; else '')
if #ARGV == 0 then
  return {}
end
if #ARGV % 3 ~= 0 then
  return redis.error_reply('settle-batch: ARGV must be (id, target, refund) triples, got ' .. #ARGV .. ' values')
end
local ids, targets, refunds = {}, {}, {}
for i = 1, #ARGV, 3 do
  local target = ARGV[i + 1]
  if target ~= 'CONFIRMED' and target ~= 'EXPIRED' then
    return redis.error_reply('settle-batch: target must be CONFIRMED or EXPIRED, was ' .. tostring(target))
  end
  ids[#ids + 1] = ARGV[i]
  targets[#targets + 1] = target
  refunds[#refunds + 1] = ARGV[i + 2]
end

local raws = redis.call('HMGET', reservationKey, unpack(ids))
redis.call('ZREM', holdsKey, unpack(ids))
redis.call('ZREM', claimsKey, unpack(ids))
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local reconciled = nil

local reply = {}
local records = {}   -- id, JSON, ... for one HSET
local refunded = 0   -- units back to available stock
local confirmedUnits = 0
local buyers = {}    -- buyer -> units freed
local seen = {}
for i, id in ipairs(ids) do
  local raw = raws[i]
  local target = targets[i]
  if seen[id] then
    reply[#reply + 1] = 'ALREADY'
    reply[#reply + 1] = target
  elseif not raw then
    reply[#reply + 1] = 'UNKNOWN'
    reply[#reply + 1] = ''
  else
    local r = cjson.decode(raw)
    if r.status == target or (target == 'EXPIRED' and r.status == 'CANCELLED') then
      reply[#reply + 1] = 'ALREADY'
      reply[#reply + 1] = r.status
    elseif r.status ~= 'CLAIMED' and r.status ~= 'HELD' then
      reply[#reply + 1] = 'CONFLICT'
      reply[#reply + 1] = r.status
    else
      if target == 'EXPIRED' then
        local quantity = tonumber(r.qty)
        if reconciled == nil then
          reconciled = tonumber(redis.call('HGET', metaKey, 'reconciled') or '0')
        end
        local counted = reconciled >= tonumber(r.created)
        if refunds[i] == 'always' or (refunds[i] == 'if-counted' and counted) then
          refunded = refunded + quantity
        end
        buyers[r.buyer] = (buyers[r.buyer] or 0) + quantity
        r.released = now
      else
        r.confirmed = now
        confirmedUnits = confirmedUnits + tonumber(r.qty)
      end
      r.status = target
      records[#records + 1] = id
      records[#records + 1] = cjson.encode(r)
      reply[#reply + 1] = 'SETTLED'
      reply[#reply + 1] = target
    end
  end
  seen[id] = true
end

if refunded > 0 then
  redis.call('INCRBY', stockKey, refunded)
end
for buyer, units in pairs(buyers) do
  if redis.call('HINCRBY', unitsKey, buyer, -units) <= 0 then
    redis.call('HDEL', unitsKey, buyer)
  end
end
if #records > 0 then
  redis.call('HSET', reservationKey, unpack(records))
end
if confirmedUnits > 0 then
  redis.call('HINCRBY', metaKey, 'confirmed', confirmedUnits)
end
return reply
