-- lease-renew.lua: extend a lease only if the caller still owns it (its token is the stored value).
local leaseKey = KEYS[1]
local token    = ARGV[1]
local ttlMs    = ARGV[2]

if redis.call('GET', leaseKey) == token then
  return redis.call('PEXPIRE', leaseKey, ttlMs)
end
return 0
