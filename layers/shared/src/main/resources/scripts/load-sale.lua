-- load-sale.lua: put a sale's definition into Redis and, only if absent, its available-stock counter (of one bucket:
-- a sale in several is loaded one bucket at a time, each with its share).
-- A live counter is never overwritten here (reconciliation is a separate, deliberate step).
local metaKey  = KEYS[1]  -- fs:{sale}:meta
local stockKey = KEYS[2]  -- fs:{sale}:stock

local stock       = ARGV[1]
local startMs     = ARGV[2]
local endMs       = ARGV[3]
local limit       = ARGV[4]
local maxPerOrder = ARGV[5]
local expireAt    = ARGV[6]   -- epoch ms after which the sale's keys may go
local admission   = ARGV[7]   -- 'open' or 'ticketed' (reserve.lua then asks for a ticket)
local buckets     = tonumber(ARGV[8])  -- the sale's buckets; in a sale of several, this is one of them
local share       = ARGV[9]            -- this bucket's share of the stock (the whole stock with one bucket)

redis.call('HSET', metaKey, 'stock', stock, 'start', startMs, 'end', endMs, 'limit', limit, 'max', maxPerOrder,
  'admission', admission, 'buckets', buckets)
if buckets > 1 then
  redis.call('HSETNX', metaKey, 'allot', share)
end
redis.call('PEXPIREAT', metaKey, expireAt)
local created = redis.call('SET', stockKey, share, 'NX')
redis.call('PEXPIREAT', stockKey, expireAt)
if created then
  return 1
end
return 0
