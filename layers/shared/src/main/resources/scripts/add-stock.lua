-- add-stock.lua: follow a stock increase committed (or about to be committed, under the sale's row lock) in the
-- database. Idempotent: a retry of the same increase finds meta.stock already at the new total and does nothing.
-- A sale that is not loaded is left alone (prewarm or the lazy loader will load the new total).
local metaKey  = KEYS[1]  -- fs:{sale}:meta
local stockKey = KEYS[2]  -- fs:{sale}:stock

local added    = tonumber(ARGV[1])
local newTotal = tonumber(ARGV[2])

local total = redis.call('HGET', metaKey, 'stock')
if not total then
  return {'NOT_LOADED'}
end
if tonumber(total) == newTotal then
  return {'ALREADY', tonumber(redis.call('GET', stockKey) or '0')}
end
redis.call('HSET', metaKey, 'stock', newTotal)
-- A bucket of a sale in several: the units are this bucket's (the caller adds them to bucket 0 and 0 to the others).
if redis.call('HEXISTS', metaKey, 'allot') == 1 then
  redis.call('HINCRBY', metaKey, 'allot', added)
end
local available = 0
if redis.call('EXISTS', stockKey) == 1 then
  available = redis.call('INCRBY', stockKey, added)
end
return {'ADDED', available}
