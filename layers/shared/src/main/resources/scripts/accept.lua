-- accept.lua: a bucket of a sale split into several takes the units another bucket lent it (lend.lua), once per
-- transfer id: the original call and a repair's replay (StockTransfers.repair) may both arrive, in either order.
local metaKey     = KEYS[1]  -- fs:{sale#b}:meta      hash: allot
local stockKey    = KEYS[2]  -- fs:{sale#b}:stock     available units
local receivedKey = KEYS[3]  -- fs:{sale#b}:received  hash transfer id -> "<from> <units>"

local id    = ARGV[1]
local from  = ARGV[2]
local units = tonumber(ARGV[3])

local ttl = redis.call('PTTL', metaKey)
if ttl < 0 then
  return {'NOT_LOADED', 0}
end
if redis.call('HEXISTS', receivedKey, id) == 1 then
  return {'ALREADY', tonumber(redis.call('GET', stockKey) or '0')}
end
local now = redis.call('INCRBY', stockKey, units)
redis.call('HINCRBY', metaKey, 'allot', units)
redis.call('HSET', receivedKey, id, from .. ' ' .. units)
redis.call('PEXPIRE', receivedKey, ttl)
return {'ACCEPTED', now}
