-- sync-sale.lua: write a sale's definition from the database and set (or, in 'init' mode, create if absent) its
-- available-stock counter to  stock - sold - units still held in Redis, and each buyer's units counter to  units in
-- their orders + units they still hold in Redis, atomically.
--
-- The caller holds the sale's database row lock (SELECT ... FOR NO KEY UPDATE) while this runs, so no order or release
-- can commit between its read of `sold` and this script: `sold` is exact at the moment the script runs. Everything on
-- the Redis side (holds taken, holds returned, claims settled) is read here, in the same atomic step that writes the
-- counter, so a reservation racing this script is counted either before it (in the holds it left behind) or after
-- it (as a change applied to the new value), never both or neither. See docs/lifecycle.md.
local metaKey        = KEYS[1]  -- fs:{sale}:meta
local stockKey       = KEYS[2]  -- fs:{sale}:stock   available units
local holdsKey       = KEYS[3]  -- fs:{sale}:holds   zset of HELD ids
local claimsKey      = KEYS[4]  -- fs:{sale}:claims  zset of CLAIMED ids
local reservationKey = KEYS[5]  -- fs:{sale}:res     hash id -> reservation JSON
local unitsKey       = KEYS[6]  -- fs:{sale}:units   hash buyer -> units held/claimed/confirmed
local idempotencyKey = KEYS[7]  -- fs:{sale}:idem    hash "buyer\nkey" -> reservation id

local mode        = ARGV[1]             -- 'init': create the counter only if absent; 'reconcile': always set it
local stock       = tonumber(ARGV[2])   -- total units (database)
local sold        = tonumber(ARGV[3])   -- units in orders (database, exact under the row lock)
local startMs     = ARGV[4]
local endMs       = ARGV[5]
local limit       = ARGV[6]
local maxPerOrder = ARGV[7]
local expireAt    = ARGV[8]             -- epoch ms after which the sale's keys may go
local admission   = ARGV[9]             -- 'open' or 'ticketed'
local buckets     = tonumber(ARGV[10])  -- the sale's buckets; in a sale of several, this is one of them
local share       = ARGV[11]            -- this bucket's share of the stock: its allotment when it has none yet
-- A bucket of a sale in several is set to  allot - sold - held  instead, where allot (meta) is the units assigned to
-- it (its share, plus units received, minus units lent: lend.lua and accept.lua keep it with the counter, atomically)
-- and sold the units in orders of the buyers whose home it is.
-- ARGV[12] = n, ARGV[13..12+n]: ids of reservations HELD or CLAIMED when the caller looked that the database has already
-- ordered (counted in `sold`): not counted again as held. A released one still counts as held: settle.lua returns its
-- units when Redis follows (a refused one too, because this script stamps meta.reconciled after its creation).
-- ARGV[13+n] = m, then m (id, reason) pairs: orders the database cancelled (their units are out of `sold`) whose return
-- to Redis was not recorded as done (a crash between the database and return-units.lua, or a record that was not
-- CONFIRMED then). A CONFIRMED record among them becomes CANCELLED here, off its buyer's count and meta.confirmed; its
-- units are in the counter this script sets, so none are added: they return once, here or in return-units.lua,
-- whichever runs first (each only touches a CONFIRMED record). The caller passes none in 'init' mode (a kept counter
-- must not lose the units the flip takes off the buyers).
-- ARGV[14+n+2m] = '1' to set the buyers' counts too, then buyer, units pairs: each buyer's units in orders (database,
-- exact under the row lock). With the units still held here they make each buyer's count, which a failover may have
-- left short or long. '0': the counts are left as they are (the caller asks for them only once the counter was wrong).
local decided = {}
local n = tonumber(ARGV[12])
for i = 13, 12 + n do
  decided[ARGV[i]] = true
end
local m = tonumber(ARGV[13 + n])
local followed = {}  -- cancelled orders whose records are CANCELLED (or gone) after this script
local finished = 0   -- units of the cancelled orders whose return this script finished (their records flipped here)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 14 + n, 13 + n + 2 * m, 2 do
  local id = ARGV[i]
  local raw = redis.call('HGET', reservationKey, id)
  if not raw then
    followed[#followed + 1] = id
  else
    local r = cjson.decode(raw)
    if r.status == 'CONFIRMED' then
      if redis.call('HINCRBY', unitsKey, r.buyer, -tonumber(r.qty)) <= 0 then
        redis.call('HDEL', unitsKey, r.buyer)
      end
      if redis.call('HEXISTS', metaKey, 'confirmed') == 1 then
        redis.call('HINCRBY', metaKey, 'confirmed', -tonumber(r.qty))
      end
      finished = finished + tonumber(r.qty)
      r.status = 'CANCELLED'
      r.reason = ARGV[i + 1]
      r.cancelled = now
      redis.call('HSET', reservationKey, id, cjson.encode(r))
      followed[#followed + 1] = id
    elseif r.status == 'CANCELLED' then
      followed[#followed + 1] = id
    end
  end
end
local setCounts = ARGV[14 + n + 2 * m] == '1'
local owned = {}
for i = 15 + n + 2 * m, #ARGV, 2 do
  owned[ARGV[i]] = tonumber(ARGV[i + 1])
end

redis.call('HSET', metaKey, 'stock', stock, 'start', startMs, 'end', endMs, 'limit', limit, 'max', maxPerOrder,
  'admission', admission, 'buckets', buckets)
local assigned = stock
if buckets > 1 then
  redis.call('HSETNX', metaKey, 'allot', share)
  assigned = tonumber(redis.call('HGET', metaKey, 'allot'))
end
redis.call('PEXPIREAT', metaKey, expireAt)
-- Every key of the sale that exists expires with it: reserve.lua sets their expiry only when it creates one of them,
-- so a key another script created (a hold restored after a failover) gets its expiry here, at the latest.
for _, key in ipairs({holdsKey, claimsKey, reservationKey, unitsKey, idempotencyKey}) do
  redis.call('PEXPIREAT', key, expireAt)
end

local current = redis.call('GET', stockKey)
if current and mode == 'init' then
  redis.call('PEXPIREAT', stockKey, expireAt)
  return {'KEPT', tonumber(current), tonumber(current), 0, 0, 0, followed, finished}
end

local held = 0
local orderedHere = 0  -- units of reservations the database ordered that Redis still shows HELD or CLAIMED
local function count(set, status)
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    local raw = redis.call('HGET', reservationKey, id)
    if raw then
      local r = cjson.decode(raw)
      if r.status == status then
        if decided[id] then
          orderedHere = orderedHere + tonumber(r.qty)
        else
          held = held + tonumber(r.qty)
          owned[r.buyer] = (owned[r.buyer] or 0) + tonumber(r.qty)
        end
      end
    end
  end
end
count(holdsKey, 'HELD')
count(claimsKey, 'CLAIMED')

-- Units in CONFIRMED records: meta.confirmed, kept by every script that writes one (settle, settle-batch,
-- restore-orders). Counted from the records when it is missing (a sale loaded by an earlier version) and in the
-- second pass (setCounts), which runs only after evidence of lost writes, so any drift ends there.
local confirmed = redis.call('HGET', metaKey, 'confirmed')
if setCounts or not confirmed then
  confirmed = 0
  for _, raw in ipairs(redis.call('HVALS', reservationKey)) do
    local r = cjson.decode(raw)
    if r.status == 'CONFIRMED' then
      confirmed = confirmed + tonumber(r.qty)
    end
  end
  redis.call('HSET', metaKey, 'confirmed', confirmed)
else
  confirmed = tonumber(confirmed)
end
-- Units the database sold that Redis has no record of (not 0: a failover lost confirmed reservations). The stock
-- counter alone cannot show it: once the excess units the promoted node handed out were refused by the database (they
-- are not refunded before a reconciliation), the counter is right again while the orders' records stay lost.
local unrecorded = sold - confirmed - orderedHere

-- Below zero when Redis handed out more than the stock (a failover lost writes): the counter keeps the deficit, so
-- nothing is reservable until the excess holds are decided. Whatever they become pays the deficit back first: holds
-- that expire return their units, and so do claims the database refuses (settle.lua: this stamp is after their
-- creation), so the counter ends exact instead of over-crediting every unit that comes back.
local target = assigned - sold - held
redis.call('SET', stockKey, target)
redis.call('HSET', metaKey, 'reconciled', now)
redis.call('PEXPIREAT', stockKey, expireAt)

-- Each buyer's count: units in orders plus units held or claimed here; fields that say otherwise are corrected.
local corrected = 0
local counted = setCounts and redis.call('HGETALL', unitsKey) or {}
if not setCounts then
  owned = {}
end
for i = 1, #counted, 2 do
  local buyer, units = counted[i], tonumber(counted[i + 1])
  local want = owned[buyer] or 0
  if units ~= want then
    corrected = corrected + 1
    if want > 0 then
      redis.call('HSET', unitsKey, buyer, want)
    else
      redis.call('HDEL', unitsKey, buyer)
    end
  end
  owned[buyer] = nil
end
for buyer, want in pairs(owned) do
  if want > 0 then
    corrected = corrected + 1
    redis.call('HSET', unitsKey, buyer, want)
  end
end
if corrected > 0 then
  redis.call('PEXPIREAT', unitsKey, expireAt)
end

-- A return finished here moves the counter by its units: that is the cancellation, not evidence of lost writes.
if not current then
  return {'CREATED', -1, target, held, corrected, unrecorded, followed, finished}
end
if tonumber(current) + finished == target then
  return {'UNCHANGED', tonumber(current), target, held, corrected, unrecorded, followed, finished}
end
return {'RECONCILED', tonumber(current), target, held, corrected, unrecorded, followed, finished}
