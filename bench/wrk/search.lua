-- wrk script for bench/run load (LoadBench --generator wrk): the same search requests as the Java
-- load generator and the embedded cells, optionally with a share of single-point upserts.
--
--   wrk -t1 -c8 -d10s --latency -s bench/wrk/search.lua http://127.0.0.1:PORT -- \
--       COLLECTION QUERIES_FILE UPSERT_PERCENT ID_PREFIX DIM
--
-- QUERIES_FILE holds one search body (JSON) a line, written by LoadBench; each request picks one
-- at random (a fixed seed per wrk thread). An upsert carries a new id, ID_PREFIX .. thread .. "-"
-- .. n, and a Gaussian vector made here from the same seeded generator. done() prints one
-- machine-readable line per figure (prefix "wrk-result"), which LoadBench reads.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

local searches = {}
local upsert_path
local upsert_percent = 0
local id_prefix
local dim
upserts = 0 -- a global, so done() can read it with thread:get

function init(args)
  local collection, file = args[1], args[2]
  upsert_percent = tonumber(args[3] or "0")
  id_prefix = args[4] or "new-"
  dim = tonumber(args[5] or "0")
  math.randomseed(1000 + index)
  local search_path = "/collections/" .. collection .. "/points/search"
  upsert_path = "/collections/" .. collection .. "/points"
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(file) do
    if #line > 0 then
      searches[#searches + 1] = wrk.format("POST", search_path, headers, line)
    end
  end
  if #searches == 0 then
    error("no search bodies in " .. file)
  end
end

-- A standard normal number (Box-Muller), as the Java side draws its vectors.
local function gaussian()
  local u = 1 - math.random() -- (0, 1]
  return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * math.random())
end

-- Formatting 384 numbers an upsert with string.format costs wrk about 300 µs of CPU, which it
-- would take from the server on the shared cores. Instead each thread formats 4,096 Gaussian
-- numbers once; an upsert's vector is 384 independent draws from that table: still a new,
-- (practically) unique Gaussian-looking vector every time, at a fraction of the cost.
local normals = {}
local parts = {}

local function upsert()
  if #normals == 0 then
    for i = 1, 4096 do
      normals[i] = string.format("%.6g", gaussian())
    end
  end
  for i = 1, dim do
    parts[i] = normals[math.random(4096)]
  end
  local id = id_prefix .. index .. "-" .. upserts
  upserts = upserts + 1
  local body = '{"points":[{"id":"' .. id .. '","vector":[' .. table.concat(parts, ",") .. ']}]}'
  return wrk.format("PUT", upsert_path, { ["Content-Type"] = "application/json" }, body)
end

function request()
  if upsert_percent > 0 and math.random(100) <= upsert_percent then
    return upsert()
  end
  return searches[math.random(#searches)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk-result requests %d\n", summary.requests))
  io.write(string.format("wrk-result duration_us %d\n", summary.duration))
  io.write(string.format("wrk-result errors %d %d %d %d %d\n", e.connect, e.read, e.write, e.status, e.timeout))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("wrk-result p%s_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("wrk-result max_us %d\n", latency.max))
  for _, t in ipairs(threads) do
    io.write(string.format("wrk-result upserts %d %d\n", t:get("index"), t:get("upserts")))
  end
end
