-- lend.lua: a bucket of a sale split into several gives units to another bucket whose buyer is short, and journals it.
-- Runs on the donor; accept.lua on the recipient finishes the transfer. Between the two the units are "in transfer":
-- on neither counter, in the donor's journal only (StockTransfers.repair replays accept.lua for old entries).
-- 'lend' gives up to ARGV[3] units of what the donor has available (none below zero: a deficit is not lent).
-- 'replay' takes exactly ARGV[3] units for a transfer the recipient accepted but this bucket has no record of (a failover
-- lost the lend): the counter may go below zero, a deficit paid back first by what comes back, as reconciliation does.
-- A transfer id already journalled is never applied twice.
-- 'cancel' undoes this bucket's lend of the transfer before any accept, when no replica acknowledged it in time and the
-- caller refuses rather than use it (REDIS_WAIT_ON_TIMEOUT=refuse): units and allotment back, the journal entry gone.
local metaKey  = KEYS[1]  -- fs:{sale#b}:meta   hash: allot (units assigned to this bucket)
local stockKey = KEYS[2]  -- fs:{sale#b}:stock  available units
local lentKey  = KEYS[3]  -- fs:{sale#b}:lent   hash transfer id -> "<to> <units> <ms>"

local id     = ARGV[1]
local to     = ARGV[2]
local want   = tonumber(ARGV[3])
local mode   = ARGV[4]   -- 'lend', 'replay' or 'cancel'

local ttl = redis.call('PTTL', metaKey)
if ttl < 0 then
  return {'NOT_LOADED', 0}
end
local prior = redis.call('HGET', lentKey, id)
if mode == 'cancel' then
  if not prior then
    return {'NONE', 0}
  end
  local sep = string.find(prior, ' ', 1, true)
  local rest = string.sub(prior, sep + 1)
  local back = tonumber(string.sub(rest, 1, string.find(rest, ' ', 1, true) - 1))
  redis.call('INCRBY', stockKey, back)
  redis.call('HINCRBY', metaKey, 'allot', back)
  redis.call('HDEL', lentKey, id)
  return {'CANCELLED', back}
end
if prior then
  local sep = string.find(prior, ' ', 1, true)
  local rest = string.sub(prior, sep + 1)
  return {'ALREADY', tonumber(string.sub(rest, 1, string.find(rest, ' ', 1, true) - 1))}
end
local give = want
if mode == 'lend' then
  give = math.min(want, math.max(0, tonumber(redis.call('GET', stockKey) or '0')))
  if give == 0 then
    return {'NONE', 0}
  end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('DECRBY', stockKey, give)
redis.call('HINCRBY', metaKey, 'allot', -give)
redis.call('HSET', lentKey, id, to .. ' ' .. give .. ' ' .. now)
redis.call('PEXPIRE', lentKey, ttl)
return {'LENT', give}
