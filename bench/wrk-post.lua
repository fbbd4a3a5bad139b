-- wrk script: POSTs one fixed JSON body and bounds each wrk thread in count as well as in time.
--   WRK_BODY_FILE     file holding the request body (written by run-server-bench.sh)
--   WRK_MAX_REQUESTS  answers after which a thread stops (default 1000000); -d bounds the time
local file = assert(io.open(assert(os.getenv("WRK_BODY_FILE"), "WRK_BODY_FILE not set"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

local max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "1000000")
local answered = 0

-- Defining response() costs wrk a little per answer; it is the only hook that can stop a thread.
function response(status, headers, body)
  answered = answered + 1
  if answered >= max_requests then
    wrk.thread:stop()
  end
end
