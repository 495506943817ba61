// LanceDB side of `bench/run ingest`: the same vectors, batches, k and queries as byhand's side.
// Usage: node ingest.mjs DATA.f32 QUERIES.f32 TOP10.i32 DIM
import * as lancedb from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Int32, Schema } from "apache-arrow";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [dataFile, queryFile, truthFile, dimText] = process.argv.slice(2);
const dim = Number(dimText);
const batch = 10_000;

function floats(file) {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

const data = floats(dataFile);
const queries = floats(queryFile);
const truthBytes = fs.readFileSync(truthFile);
const truth = new Int32Array(truthBytes.buffer, truthBytes.byteOffset, truthBytes.byteLength / 4);
const n = data.length / dim;
const q = queries.length / dim;

const schema = new Schema([
  new Field("id", new Int32(), false),
  new Field("vector", new FixedSizeList(dim, new Field("item", new Float32(), true)), false),
]);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lancedb-ingest-"));
const t0 = performance.now();
let db = await lancedb.connect(dir);
let table = null;
for (let from = 0; from < n; from += batch) {
  const count = Math.min(batch, n - from);
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = { id: from + i, vector: Array.from(data.subarray((from + i) * dim, (from + i + 1) * dim)) };
  }
  const arrow = lancedb.makeArrowTable(rows, { schema });
  if (table === null) {
    table = await db.createTable("bench", arrow, { mode: "overwrite" });
  } else {
    await table.add(arrow);
  }
  if ((from / batch) % 10 === 0) {
    const s = (performance.now() - t0) / 1000;
    process.stderr.write(`\rlancedb: ${from + count}/${n} points, ${Math.round((from + count) / s)} points/s   `);
  }
}
// LanceDB indexes after the data is in; the index build is part of its ingest time.
await table.createIndex("vector", {
  config: lancedb.Index.hnswSq({ distanceType: "cosine", m: 16, efConstruction: 100 }),
});
const ingestSeconds = (performance.now() - t0) / 1000;
process.stderr.write("\n");

const t1 = performance.now();
db = await lancedb.connect(dir);
table = await db.openTable("bench");
const openSeconds = (performance.now() - t1) / 1000;

async function search(i) {
  const v = Array.from(queries.subarray(i * dim, (i + 1) * dim));
  return table.query().nearestTo(v).distanceType("cosine").ef(100).limit(10).select(["id", "_distance"]).toArray();
}
for (let i = 0; i < Math.floor(q / 10); i++) {
  await search(i);
}
let hits = 0;
const s0 = performance.now();
for (let i = 0; i < q; i++) {
  const rows = await search(i);
  for (const r of rows) {
    for (let j = 0; j < 10; j++) {
      if (truth[i * 10 + j] === r.id) {
        hits++;
        break;
      }
    }
  }
}
const qps = q / ((performance.now() - s0) / 1000);
// VmHWM of this process's own address space: getrusage's maxRSS would include the memory of the
// JVM that started us (Linux keeps ru_maxrss across exec).
const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
const rssGiB = hwm ? (Number(hwm[1]) * 1024) / 1e9 : NaN;
const line = [
  "lancedb".padEnd(8),
  Math.round(n / ingestSeconds).toString().padStart(12),
  ingestSeconds.toFixed(1).padStart(10),
  "n/a".padStart(12),
  (rssGiB.toFixed(2) + "G").padStart(12),
  openSeconds.toFixed(1).padStart(10),
  (hits / (10 * q)).toFixed(3).padStart(10),
  Math.round(qps).toString().padStart(10),
].join(" ");
console.log(line);
fs.rmSync(dir, { recursive: true, force: true });
