-- due.lua: the ids in a deadline-scored sorted set (holds or claims) whose deadline has passed by the server clock,
-- earliest first, at most `limit`. Read-only.
local deadlinesKey = KEYS[1]  -- fs:{sale}:holds or fs:{sale}:claims

local limit = tonumber(ARGV[1])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', deadlinesKey, '-inf', now, 'LIMIT', 0, limit)
