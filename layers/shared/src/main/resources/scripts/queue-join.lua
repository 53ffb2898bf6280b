-- queue-join.lua: give a buyer their place in a ticketed sale's queue, atomically: one place per buyer, in arrival
-- order, positions 1, 2, 3... without gaps (the list's length is the last position given). Joining again answers the
-- same position and writes nothing.
-- Times come from the Redis server clock (TIME).
local metaKey      = KEYS[1]  -- fs:{sale}:meta     hash: start, end, admission
local lineKey      = KEYS[2]  -- fs:{sale}:q:line   list of buyers in arrival order
local positionsKey = KEYS[3]  -- fs:{sale}:q:pos    hash buyer -> position

local buyer       = ARGV[1]
local leadMs      = tonumber(ARGV[2])  -- the queue opens this long before the sale starts
local retentionMs = tonumber(ARGV[3])  -- the queue's keys are kept this long after the sale ends

-- Reply: JOINED, position, 1 when this call gave it (0: the buyer had it already)
--        UNKNOWN_SALE | NOT_TICKETED | NOT_OPEN, opensAt (ms) | ENDED, endsAt (ms)
local known = redis.call('HGET', positionsKey, buyer)
if known then
  return {'JOINED', tonumber(known), 0}
end
local meta = redis.call('HMGET', metaKey, 'start', 'end', 'admission')
if not meta[1] then
  return {'UNKNOWN_SALE'}
end
if meta[3] ~= 'ticketed' then
  return {'NOT_TICKETED'}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local startMs, endMs = tonumber(meta[1]), tonumber(meta[2])
if now < startMs - leadMs then
  return {'NOT_OPEN', startMs - leadMs}
end
if now >= endMs then
  return {'ENDED', endMs}
end
local position = redis.call('RPUSH', lineKey, buyer)
redis.call('HSET', positionsKey, buyer, position)
redis.call('PEXPIREAT', lineKey, endMs + retentionMs)
redis.call('PEXPIREAT', positionsKey, endMs + retentionMs)
return {'JOINED', position, 1}
