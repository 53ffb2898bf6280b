-- settle.lua: make Redis follow the database's decision for a reservation still HELD or CLAIMED, atomically.
--   CONFIRMED: the order is durable; the units stay counted for the buyer.
--   CANCELLED: its buyer cancelled it before it was confirmed (a release BUYER_CANCELLED): as EXPIRED, units back always,
--              and the record keeps the reason (a replay of its key answers it; it is never taken again).
--   EXPIRED:   the reservation was released in the database; the buyer's units are freed and its units go back to
--              available stock: always when its hold or claim expired ('always'); when the database refused the order
--              (sold out or over the buyer's limit: Redis had handed out units it did not have, after lost writes), only
--              if the last reconciliation counted the reservation as held ('if-counted': created no later than
--              meta.reconciled). Before a reconciliation the counter still carries what the lost writes over-credited,
--              and a refused reservation's units are that excess; after one, the counter is exact (possibly negative)
--              and counts them as held.
-- A HELD reservation is settled by the release job once its hold expired (the database decides whether an order was
-- written for it: Redis may have lost the claim in a failover); a CLAIMED one by its confirmer or the release job.
-- Idempotent: settling to the status it already has does nothing (a CANCELLED one counts as EXPIRED: both gave their
-- units back). A reservation in any other state is left alone and reported (CONFLICT): Redis lost a write, or a bug;
-- the invariant checker will say which. In every case the id leaves the holds and claims sorted sets, which only
-- ever list reservations the database has not decided.
-- An unknown id with a record to restore (a hold Redis lost, decided by the database from its message after the hold's
-- deadline) is written back with the decided status, and its key mapped to it, so that a replay of the key answers the
-- outcome; counters are left to reconciliation (the lost hold's units were never counted here, or were counted by a
-- reconciliation since), except meta.confirmed, which counts the units of every CONFIRMED record written.
local stockKey       = KEYS[1]  -- fs:{sale}:stock   available units
local holdsKey       = KEYS[2]  -- fs:{sale}:holds   zset id -> hold deadline (ms)
local claimsKey      = KEYS[3]  -- fs:{sale}:claims  zset id -> claim deadline (ms)
local reservationKey = KEYS[4]  -- fs:{sale}:res     hash id -> reservation JSON
local unitsKey       = KEYS[5]  -- fs:{sale}:units   hash buyer -> units held/claimed/confirmed
local metaKey        = KEYS[6]  -- fs:{sale}:meta    hash: ..., reconciled (ms, when sync-sale.lua last set the counter),
                                --                   confirmed (units in CONFIRMED records)
local idempotencyKey = KEYS[7]  -- fs:{sale}:idem    hash "buyer\nkey" -> reservation id

local id          = ARGV[1]
local target      = ARGV[2]   -- CONFIRMED, EXPIRED or CANCELLED
local refund      = ARGV[3]   -- EXPIRED and CANCELLED: 'always' or 'if-counted'
local lost        = ARGV[4]   -- '' or the reservation's JSON, to restore if Redis does not have it

if target ~= 'CONFIRMED' and target ~= 'EXPIRED' and target ~= 'CANCELLED' then
  return redis.error_reply('settle: target must be CONFIRMED, EXPIRED or CANCELLED, was ' .. tostring(target))
end
local released = target ~= 'CONFIRMED'

local raw = redis.call('HGET', reservationKey, id)
redis.call('ZREM', holdsKey, id)
redis.call('ZREM', claimsKey, id)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not raw then
  if lost == '' then
    return {'UNKNOWN'}
  end
  local r = cjson.decode(lost)
  r.status = target
  r.restored = now
  if released then r.released = now else r.confirmed = now end
  if target == 'CANCELLED' then r.reason = 'BUYER_CANCELLED' end
  redis.call('HSET', reservationKey, id, cjson.encode(r))
  redis.call('HSETNX', idempotencyKey, r.buyer .. '\n' .. r.key, id)
  -- the record may be the first of its keys again: they expire with the sale, as its counter does
  local ttl = redis.call('PTTL', stockKey)
  if ttl > 0 then
    redis.call('PEXPIRE', reservationKey, ttl)
    redis.call('PEXPIRE', idempotencyKey, ttl)
  end
  if target == 'CONFIRMED' then
    redis.call('HINCRBY', metaKey, 'confirmed', tonumber(r.qty))
  end
  return {'RESTORED', target}
end
local r = cjson.decode(raw)
if r.status == target or (released and (r.status == 'CANCELLED' or r.status == 'EXPIRED')) then
  return {'ALREADY', r.status}
end
if r.status ~= 'CLAIMED' and r.status ~= 'HELD' then
  return {'CONFLICT', r.status}
end

if released then
  local quantity = tonumber(r.qty)
  local counted = tonumber(redis.call('HGET', metaKey, 'reconciled') or '0') >= tonumber(r.created)
  if refund == 'always' or (refund == 'if-counted' and counted) then
    redis.call('INCRBY', stockKey, quantity)
  end
  if redis.call('HINCRBY', unitsKey, r.buyer, -quantity) <= 0 then
    redis.call('HDEL', unitsKey, r.buyer)
  end
  r.released = now
  if target == 'CANCELLED' then r.reason = 'BUYER_CANCELLED' end
else
  r.confirmed = now
  redis.call('HINCRBY', metaKey, 'confirmed', tonumber(r.qty))
end
r.status = target
redis.call('HSET', reservationKey, id, cjson.encode(r))
return {'SETTLED', r.status}
