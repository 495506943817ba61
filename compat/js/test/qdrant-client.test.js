// Qdrant's own JS client and LangChain's Qdrant store, unchanged, against a byhand server.
// QdrantJsClientTest (server module) starts the server and runs `node --test` here with BYHAND_URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { QdrantClient } from "@qdrant/js-client-rest";
import { QdrantVectorStore } from "@langchain/qdrant";
import { SyntheticEmbeddings } from "@langchain/core/utils/testing";

const url = process.env.BYHAND_URL;
assert.ok(url, "BYHAND_URL must name the byhand server");

// Every warning the clients print (their version check among them) fails the run.
const warnings = [];
const warn = console.warn;
before(() => {
  console.warn = (...args) => {
    warnings.push(args.join(" "));
    warn(...args);
  };
});
after(() => {
  console.warn = warn;
});

const client = new QdrantClient({ url });

// The older search routes, which the 1.19 JS client no longer wraps (Python's still does).
async function post(path, body) {
  const res = await fetch(url + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  assert.equal(json.status, "ok");
  return json.result;
}
const C = "js_docs";
const uuid = "5c56c793-69f3-4fbf-87e6-c4bf54c28c26";

test("collections: create, list, exists, info", async () => {
  assert.equal(await client.createCollection(C, { vectors: { size: 4, distance: "Cosine" } }), true);
  const { collections } = await client.getCollections();
  assert.ok(collections.map((c) => c.name).includes(C));
  assert.deepEqual(await client.collectionExists(C), { exists: true });
  assert.deepEqual(await client.collectionExists("nope"), { exists: false });
  const info = await client.getCollection(C);
  assert.equal(info.status, "green");
  assert.equal(info.config.params.vectors.size, 4);
  assert.equal(info.config.params.vectors.distance, "Cosine");
  assert.equal(info.points_count, 0);
});

test("points: upsert with integer and UUID ids, retrieve, count", async () => {
  const points = [];
  for (let i = 1; i <= 25; i++) {
    points.push({ id: i, vector: [1, i / 25, 0, 0], payload: { n: i, color: i % 2 ? "red" : "blue" } });
  }
  points.push({ id: uuid, vector: [0, 0, 1, 0], payload: { n: 0, color: "green", nested: { x: 1 } } });
  const r = await client.upsert(C, { wait: true, points });
  assert.equal(r.status, "completed");
  const got = await client.retrieve(C, { ids: [3, uuid], with_vector: true });
  const ids = got.map((p) => p.id).sort((a, b) => String(a).localeCompare(String(b)));
  assert.deepEqual(ids, [3, uuid]); // in the type they were given
  assert.equal(got.find((p) => p.id === 3).payload.n, 3);
  assert.equal(got.find((p) => p.id === 3).vector.length, 4);
  assert.equal((await client.count(C, { exact: true })).count, 26);
  const red = { must: [{ key: "color", match: { value: "red" } }] };
  assert.equal((await client.count(C, { filter: red })).count, 13);
  // the batch form
  await client.upsert(C, { wait: true, batch: { ids: [100, 101], vectors: [[0, 1, 0, 0], [0, 1, 0.1, 0]], payloads: [{ n: 100 }, { n: 101 }] } });
  assert.equal((await client.count(C)).count, 28);
});

test("query and search with filters", async () => {
  const red = { must: [{ key: "color", match: { value: "red" } }] };
  const q = await client.query(C, { query: [1, 0, 0, 0], limit: 3, filter: red, with_payload: true });
  assert.equal(q.points.length, 3);
  for (const p of q.points) {
    assert.equal(p.payload.color, "red");
    assert.equal(typeof p.score, "number");
    assert.equal(typeof p.version, "number");
  }
  assert.equal(q.points[0].id, 1);
  const byId = await client.query(C, { query: uuid, limit: 1, with_payload: ["color"] });
  assert.equal(byId.points[0].id, uuid);
  assert.deepEqual(byId.points[0].payload, { color: "green" });
  const nested = await client.query(C, {
    query: { nearest: [0, 0, 1, 0] },
    filter: { must: [{ key: "nested.x", match: { value: 1 } }] },
    limit: 5,
  });
  assert.deepEqual(nested.points.map((p) => p.id), [uuid]);
  const s = await post(`/collections/${C}/points/search`, { vector: [1, 0, 0, 0], limit: 2, offset: 1, filter: { must_not: [{ has_id: [1] }] } });
  assert.equal(s.length, 2);
  assert.ok(!s.some((p) => p.id === 1 || p.id === 2)); // 1 filtered, 2 skipped by the offset
  const batch = await post(`/collections/${C}/points/search/batch`, { searches: [{ vector: [0, 1, 0, 0], limit: 1 }, { vector: [0, 0, 1, 0], limit: 1 }] });
  assert.deepEqual(batch.map((hits) => hits[0].id), [100, uuid]);
  const qb = await client.queryBatch(C, { searches: [{ query: [0, 1, 0, 0], limit: 1 }] });
  assert.equal(qb[0].points[0].id, 100);
});

test("scroll pages through every point exactly once", async () => {
  const seen = [];
  let offset = undefined;
  let pages = 0;
  do {
    const page = await client.scroll(C, { limit: 4, offset, with_payload: true });
    seen.push(...page.points.map((p) => p.id));
    offset = page.next_page_offset;
    pages++;
  } while (offset !== null && offset !== undefined);
  assert.ok(pages > 1);
  assert.equal(seen.length, 28);
  assert.equal(new Set(seen.map(String)).size, 28);
});

test("payload: set, overwrite, delete keys, clear; payload index", async () => {
  await client.setPayload(C, { points: [5], payload: { tag: "x" } });
  let [p] = await client.retrieve(C, { ids: [5] });
  assert.equal(p.payload.tag, "x");
  assert.equal(p.payload.n, 5);
  await client.setPayload(C, { filter: { must: [{ key: "n", range: { gte: 100 } }] }, payload: { big: true } });
  assert.equal((await client.count(C, { filter: { must: [{ key: "big", match: { value: true } }] } })).count, 2);
  await client.overwritePayload(C, { points: [5], payload: { only: 1 } });
  [p] = await client.retrieve(C, { ids: [5] });
  assert.deepEqual(p.payload, { only: 1 });
  await client.deletePayload(C, { points: [6], keys: ["color"] });
  [p] = await client.retrieve(C, { ids: [6] });
  assert.deepEqual(p.payload, { n: 6 });
  await client.clearPayload(C, { points: [7] });
  [p] = await client.retrieve(C, { ids: [7] });
  assert.deepEqual(p.payload, {});
  const idx = await client.createPayloadIndex(C, { field_name: "color", field_schema: "keyword", wait: true });
  assert.equal(idx.status, "completed");
  const info = await client.getCollection(C);
  assert.equal(info.payload_schema.color.data_type, "keyword");
  assert.equal((await client.count(C, { filter: { must: [{ key: "color", match: { value: "blue" } }] } })).count, 11);
});

test("delete by ids and by filter", async () => {
  await client.delete(C, { points: [1, uuid] });
  assert.equal((await client.retrieve(C, { ids: [1, uuid] })).length, 0);
  await client.delete(C, { filter: { must: [{ key: "big", match: { value: true } }] } });
  assert.equal((await client.count(C)).count, 24);
});

test("snapshots: create, list, delete", async () => {
  const snap = await client.createSnapshot(C);
  assert.ok(snap.name);
  assert.ok(snap.size > 0);
  const list = await client.listSnapshots(C);
  assert.deepEqual(list.map((s) => s.name), [snap.name]);
  assert.equal(await client.deleteSnapshot(C, snap.name), true);
  assert.deepEqual(await client.listSnapshots(C), []);
});

test("errors come back as Qdrant's", async () => {
  await assert.rejects(client.getCollection("missing"), (e) => e.status === 404);
  await assert.rejects(
    client.createCollection(C, { vectors: { size: 4, distance: "Cosine" } }),
    (e) => e.status === 409 && typeof e.data?.status?.error === "string",
  );
});

test("delete collection", async () => {
  assert.equal(await client.deleteCollection(C), true);
  assert.deepEqual(await client.collectionExists(C), { exists: false });
});

test("LangChain's QdrantVectorStore: fromTexts, similaritySearch, MMR, delete", async () => {
  const embeddings = new SyntheticEmbeddings({ vectorSize: 16 });
  const texts = [
    "Volcanoes erupt when magma rises through the crust.",
    "Glaciers carve valleys over thousands of years.",
    "Magma that reaches the surface is called lava.",
    "Tides are caused by the pull of the moon.",
  ];
  const metadatas = texts.map((_, i) => ({ source: "doc" + i, i }));
  const store = await QdrantVectorStore.fromTexts(texts, metadatas, embeddings, { url, collectionName: "lc_docs" });
  const hits = await store.similaritySearch(texts[2], 2);
  assert.equal(hits.length, 2);
  assert.equal(hits[0].pageContent, texts[2]);
  assert.equal(hits[0].metadata.source, "doc2");
  const filtered = await store.similaritySearch(texts[2], 4, { must: [{ key: "metadata.source", match: { value: "doc1" } }] });
  assert.deepEqual(filtered.map((d) => d.metadata.i), [1]);
  const mmr = await store.maxMarginalRelevanceSearch(texts[0], { k: 3, fetchK: 4, lambda: 0.5 });
  assert.equal(mmr.length, 3);
  assert.equal(mmr[0].pageContent, texts[0]);
  const stored = (await client.scroll("lc_docs", { limit: 10 })).points;
  assert.equal(stored.length, 4);
  await store.delete({ ids: stored.filter((p) => p.payload.metadata.i === 0).map((p) => p.id) });
  assert.equal((await client.count("lc_docs")).count, 3);
  await store.delete({ filter: { must: [{ key: "metadata.i", range: { gte: 2 } }] } });
  assert.equal((await client.count("lc_docs")).count, 1);
  await client.deleteCollection("lc_docs");
});

test("no client printed a warning", () => {
  assert.deepEqual(warnings, []);
});
