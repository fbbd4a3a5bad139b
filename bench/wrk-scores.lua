-- wrk script: GETs a random entity's score each request, bounded in count as well as in time.
--   WRK_PATH_PREFIX   path before the entity id, e.g. /v1/scores/churn/ (required)
--   WRK_ENTITIES      entity ids are 0 .. WRK_ENTITIES-1 (default 100000)
--   WRK_MAX_REQUESTS  answers after which a thread stops (default 1000000); -d bounds the time
local prefix = assert(os.getenv("WRK_PATH_PREFIX"), "WRK_PATH_PREFIX not set")
local entities = tonumber(os.getenv("WRK_ENTITIES") or "100000")
local max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "1000000")
local answered = 0

-- Each thread has its own Lua state: seed each differently.
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end

-- Building each request in Lua costs wrk a little; the ceiling pays the same.
function request()
  return wrk.format("GET", prefix .. math.random(0, entities - 1))
end

-- Defining response() costs wrk a little per answer; it is the only hook that can stop a thread.
function response(status, headers, body)
  answered = answered + 1
  if answered >= max_requests then
    wrk.thread:stop()
  end
end
