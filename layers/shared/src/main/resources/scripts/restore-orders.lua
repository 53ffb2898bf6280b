-- restore-orders.lua: give Redis back what a failover may have taken from confirmed orders: the reservation record
-- (CONFIRMED, or CANCELLED for an order cancelled since) and its idempotency key's mapping, so a replay of the key answers the order instead of taking a new hold.
-- Only fills what is missing: a record or mapping Redis has is never touched (a HELD or CLAIMED record of an ordered
-- reservation is settled by the release job or a redelivery, through the database). Counters are sync-sale.lua's,
-- but for meta.confirmed, which counts the units of every CONFIRMED record written.
-- The record's hold deadline is not kept in the database: a restored record shows its creation time as its deadline.
local reservationKey = KEYS[1]  -- fs:{sale}:res   hash id -> reservation JSON
local idempotencyKey = KEYS[2]  -- fs:{sale}:idem  hash "buyer\nkey" -> reservation id
local metaKey        = KEYS[3]  -- fs:{sale}:meta  hash: ..., confirmed (units in CONFIRMED records)

local expireAt = tonumber(ARGV[1])  -- epoch ms after which the sale's keys may go
-- ARGV[2..]: id, buyer, key, quantity, created (ms), status ('CONFIRMED' or 'CANCELLED') for each order

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local records, mappings, units = 0, 0, 0
for i = 2, #ARGV, 6 do
  local id, buyer, key = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call('HEXISTS', reservationKey, id) == 0 then
    local created = tonumber(ARGV[i + 4])
    local status = ARGV[i + 5]
    redis.call('HSET', reservationKey, id, cjson.encode({
      id = id, buyer = buyer, qty = tonumber(ARGV[i + 3]), status = status,
      created = created, expires = created, key = key, confirmed = now, restored = now
    }))
    records = records + 1
    if status == 'CONFIRMED' then
      units = units + tonumber(ARGV[i + 3])
    end
  end
  mappings = mappings + redis.call('HSETNX', idempotencyKey, buyer .. '\n' .. key, id)
end
if records > 0 then
  redis.call('PEXPIREAT', reservationKey, expireAt)
end
if units > 0 then
  redis.call('HINCRBY', metaKey, 'confirmed', units)
end
if mappings > 0 then
  redis.call('PEXPIREAT', idempotencyKey, expireAt)
end
return {records, mappings}
