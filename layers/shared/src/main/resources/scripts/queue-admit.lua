-- queue-admit.lua: move a ticketed sale's admission forward, then answer the gate and (when a buyer is given) that
-- buyer's place, atomically, in one round trip. Every queue route calls it, so admission advances while anyone waits.
--
-- Admission tied to stock: positions are admitted in queue order while
--     admitted-but-undecided buyers  <  floor(available units x factor)
-- and at most ratePerSec per second (a token bucket holding at most one second's worth). An admitted buyer is
-- undecided until they take a hold (reserve.lua takes them out) or their ticket's deadline passes (taken out here: they
-- lose their turn). Holds that are released return units, so admission resumes by itself; when no unit is available
-- nobody is admitted and every waiting buyer reads SOLD_OUT.
-- Times come from the Redis server clock (TIME), the one reserve.lua checks ticket deadlines on.
local metaKey      = KEYS[1]  -- fs:{sale}:meta      hash: start, end, admission
local stockKey     = KEYS[2]  -- fs:{sale}:stock     available units
local lineKey      = KEYS[3]  -- fs:{sale}:q:line    list of buyers in arrival order
local positionsKey = KEYS[4]  -- fs:{sale}:q:pos     hash buyer -> position
local admitsKey    = KEYS[5]  -- fs:{sale}:q:admits  zset buyer -> ticket deadline (ms): admitted, undecided
local gateKey      = KEYS[6]  -- fs:{sale}:q:gate    hash: upto (positions admitted), at (rate clock, ms)
local unitsKey     = KEYS[7]  -- fs:{sale}:units     hash buyer -> units held/claimed/confirmed
local pollKey      = KEYS[8]  -- fs:{sale}:q:poll:<buyer>  the buyer's token bucket for place reads: "<tokens> <ms>"

local buyer       = ARGV[1]             -- '' for the gate only
local factor      = tonumber(ARGV[2])   -- admitted-but-undecided buyers per available unit
local ratePerSec  = tonumber(ARGV[3])   -- at most this many admissions per second
local ticketMs    = tonumber(ARGV[4])   -- an admitted buyer's ticket lasts this long
local retentionMs = tonumber(ARGV[5])   -- the queue's keys are kept this long after the sale ends
local pollRate    = tonumber(ARGV[6])   -- a buyer's place reads per second, sustained (0: no limit)
local pollBurst   = tonumber(ARGV[7])   -- and at once

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

-- A buyer reading their own place faster than pollRate (after a burst) is answered RATE_LIMITED with the wait, before
-- any admission work: the place is where each buyer's polls reach Redis (the gate is the same for all, and cached).
if buyer ~= '' and pollRate > 0 then
  local bucket = redis.call('GET', pollKey)
  local tokens, last = pollBurst, now
  if bucket then
    local sep = string.find(bucket, ' ', 1, true)
    tokens = tonumber(string.sub(bucket, 1, sep - 1))
    last = tonumber(string.sub(bucket, sep + 1))
  end
  if now > last then
    tokens = math.min(pollBurst, tokens + (now - last) * pollRate / 1000)
    last = now
  end
  if tokens < 1 then
    return {'RATE_LIMITED', math.ceil((1 - tokens) * 1000 / pollRate)}
  end
  redis.call('SET', pollKey, (tokens - 1) .. ' ' .. last, 'PX', math.ceil(pollBurst * 1000 / pollRate) + 1000)
end

redis.call('ZREMRANGEBYSCORE', admitsKey, '-inf', now)
local available = math.max(0, tonumber(redis.call('GET', stockKey) or '0'))
local joined = redis.call('LLEN', lineKey)
local gate = redis.call('HMGET', gateKey, 'upto', 'at')
local upto = tonumber(gate[1] or '0')
local undecided = redis.call('ZCARD', admitsKey)
local bound = math.floor(available * factor)
local admitted = 0

if now >= startMs and now < endMs and upto < joined and undecided < bound then
  -- The rate's clock: one admission moves it 1000/ratePerSec ms on; it never lags more than a second behind now.
  local at = math.max(tonumber(gate[2] or '0'), now - 1000)
  local allowance = math.floor((now - at) * ratePerSec / 1000)
  local n = math.min(bound - undecided, allowance, joined - upto)
  if n > 0 then
    local deadline = now + ticketMs
    for _, b in ipairs(redis.call('LRANGE', lineKey, upto, upto + n - 1)) do
      redis.call('ZADD', admitsKey, deadline, b)
    end
    upto = upto + n
    undecided = undecided + n
    admitted = n
    redis.call('HSET', gateKey, 'upto', upto, 'at', string.format('%.3f', at + n * 1000 / ratePerSec))
    redis.call('PEXPIREAT', gateKey, endMs + retentionMs)
    redis.call('PEXPIREAT', admitsKey, endMs + retentionMs)
  end
end

-- Reply: state, position (0: none), upto, joined, available, undecided, bound, admitted now, deadline or start/end (ms)
local function reply(state, position, ms)
  return {state, position, upto, joined, available, undecided, bound, admitted, ms}
end
if now >= endMs then
  return reply('ENDED', 0, endMs)
end
if buyer == '' then
  return reply('GATE', 0, startMs)
end
local position = tonumber(redis.call('HGET', positionsKey, buyer) or '0')
if position == 0 then
  return reply('NOT_JOINED', 0, startMs)
end
if position <= upto then
  local deadline = redis.call('ZSCORE', admitsKey, buyer)
  if deadline then
    return reply('ADMITTED', position, tonumber(deadline))
  end
  -- Decided: a hold taken (the buyer owns units), or the ticket lapsed unused.
  if tonumber(redis.call('HGET', unitsKey, buyer) or '0') > 0 then
    return reply('USED', position, 0)
  end
  return reply('LAPSED', position, 0)
end
if available == 0 then
  return reply('SOLD_OUT', position, 0)
end
if now < startMs then
  return reply('WAITING', position, startMs)
end
return reply('WAITING', position, 0)
