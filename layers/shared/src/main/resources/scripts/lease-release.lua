-- lease-release.lua: delete a lease only if the caller still owns it; a lease that expired and was taken by
-- another worker is left alone.
local leaseKey = KEYS[1]
local token    = ARGV[1]

if redis.call('GET', leaseKey) == token then
  return redis.call('DEL', leaseKey)
end
return 0
