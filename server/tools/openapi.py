#!/usr/bin/env python3
"""Writes server/src/main/resources/openapi.json: byhand's REST API, which is Qdrant's (1.x) with
byhand's extensions. Run from the repository root after changing a route; ServerApiTest checks that
every route is described."""
import json, os

R = lambda name: {"$ref": "#/components/schemas/" + name}
def ok(schema, desc="ok"):
    return {"description": desc, "content": {"application/json": {"schema": {
        "type": "object", "required": ["result", "status", "time"],
        "properties": {"result": schema, "status": {"type": "string", "enum": ["ok"]},
                       "time": {"type": "number", "description": "seconds spent"}}}}}}
ERR = {"description": "error", "content": {"application/json": {"schema": R("ErrorResponse")}}}
def op(summary, result, body=None, read=True, params=()):
    o = {"summary": summary, "responses": {"200": ok(result), "4XX": ERR, "503": ERR}}
    if body is not None:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        o["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
    o["x-byhand-access"] = "read" if read else "admin"
    return o
N = ("name",)
UPDATE = R("UpdateResult")
TRUE = {"type": "boolean"}
paths = {
 "/": {"get": {"summary": "Qdrant's version answer (clients check compatibility); the web page is at /dashboard/",
               "security": [], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": R("VersionInfo")}}}}}},
 "/healthz": {"get": {"summary": "liveness; `degraded` with failed collections counted", "security": [], "responses": {"200": ok({"type": "object"})}}},
 "/metrics": {"get": {"summary": "Prometheus text", "responses": {"200": {"description": "text/plain"}}}},
 "/openapi.json": {"get": {"summary": "this description", "security": [], "responses": {"200": {"description": "this document"}}}},
 "/collections": {"get": op("list collections (a quarantined one with status failed and its reason)", R("CollectionsResponse"))},
 "/collections/{name}": {
   "put": op("create a collection", TRUE, R("CreateCollection"), False, N),
   "get": op("collection info (Qdrant's CollectionInfo plus byhand's figures)", R("CollectionInfo"), None, True, N),
   "delete": op("delete a collection", TRUE, None, False, N)},
 "/collections/{name}/exists": {"get": op("whether a collection exists", {"type": "object", "required": ["exists"], "properties": {"exists": TRUE}}, None, True, N)},
 "/collections/{name}/index": {"put": op("create a payload index", UPDATE, R("CreateFieldIndex"), False, N)},
 "/collections/{name}/index/{key}": {"delete": op("delete a payload index", UPDATE, None, False, ("name", "key"))},
 "/collections/{name}/points": {
   "put": op("upsert points (`points` or `batch`)", UPDATE, R("PointInsertOperations"), False, N),
   "post": op("retrieve points by id", {"type": "array", "items": R("Record")}, R("PointRequest"), True, N)},
 "/collections/{name}/points/{id}": {"get": op("one point (`?with_vector=false` leaves out its vector)", R("Record"), None, True, ("name", "id"))},
 "/collections/{name}/points/delete": {"post": op("delete points by `points` (ids) or `filter`", UPDATE, R("PointsSelector"), False, N)},
 "/collections/{name}/points/payload": {
   "post": op("set payload keys of points (`points` or `filter`)", UPDATE, R("SetPayload"), False, N),
   "put": op("overwrite payloads (`points` or `filter`)", UPDATE, R("SetPayload"), False, N)},
 "/collections/{name}/points/payload/delete": {"post": op("delete payload keys", UPDATE, R("DeletePayload"), False, N)},
 "/collections/{name}/points/payload/clear": {"post": op("clear payloads", UPDATE, R("PointsSelector"), False, N)},
 "/collections/{name}/points/count": {"post": op("count points (always exact)", {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}}, R("CountRequest"), True, N)},
 "/collections/{name}/points/scroll": {"post": op("page through points in id order", R("ScrollResult"), R("ScrollRequest"), True, N)},
 "/collections/{name}/points/search": {"post": op("search by vector (or by text: byhand extension)", {"type": "array", "items": R("ScoredPoint")}, R("SearchRequest"), True, N)},
 "/collections/{name}/points/search/batch": {"post": op("several searches", {"type": "array", "items": {"type": "array", "items": R("ScoredPoint")}}, {"type": "object", "required": ["searches"], "properties": {"searches": {"type": "array", "maxItems": 100, "items": R("SearchRequest")}}}, True, N)},
 "/collections/{name}/points/query": {"post": op("the Query API: nearest points to a vector, a point id or {nearest}", R("QueryResponse"), R("QueryRequest"), True, N)},
 "/collections/{name}/points/query/batch": {"post": op("several queries", {"type": "array", "items": R("QueryResponse")}, {"type": "object", "required": ["searches"], "properties": {"searches": {"type": "array", "maxItems": 100, "items": R("QueryRequest")}}}, True, N)},
 "/collections/{name}/explain": {"post": op("byhand extension: a text query's path through the encoder, by hand", {"type": "object"}, {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}, "k": {"type": "integer", "minimum": 1, "maximum": 20}}}, True, N)},
 "/collections/{name}/snapshots": {
   "post": op("create a snapshot", R("SnapshotDescription"), None, False, N),
   "get": op("list snapshots", {"type": "array", "items": R("SnapshotDescription")}, None, True, N)},
 "/collections/{name}/snapshots/{snapshot}": {"delete": op("delete a snapshot", TRUE, None, False, ("name", "snapshot"))},
 "/collections/{name}/snapshots/{snapshot}/restore": {"post": op("byhand extension: restore a snapshot as a collection", R("CollectionInfo"), {"type": "object", "required": ["collection"], "properties": {"collection": {"type": "string"}}}, False, ("name", "snapshot"))},
}
ID = {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 18446744073709551615}, {"type": "string", "maxLength": 256, "description": "a UUID (Qdrant); byhand takes any string"}],
      "description": "answered in the type it was given: an integer as a number, a UUID as a string"}
VEC = {"type": "array", "maxItems": 4096, "items": {"type": "number"}}
WITH_PAYLOAD = {"description": "true, false, [keys], {include: [keys]} or {exclude: [keys]}",
                "oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}, {"type": "object"}]}
WITH_VECTOR = {"oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}]}
PARAMS = {"type": "object", "properties": {"hnsw_ef": {"type": "integer", "maximum": 4096}, "exact": {"type": "boolean"}}}
SEARCH_COMMON = {"limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10, "description": "limit + offset <= 1000"},
  "offset": {"type": "integer", "minimum": 0, "default": 0}, "filter": R("Filter"), "params": PARAMS,
  "with_payload": WITH_PAYLOAD, "with_vector": WITH_VECTOR,
  "score_threshold": {"type": "number", "description": "Cosine and Dot: at least this score; Euclid: at most this distance"},
  "text": {"type": "string", "description": "byhand extension: a query text, embedded by the collection's encoder"}}
schemas = {
 "ErrorResponse": {"type": "object", "required": ["status", "time"], "properties": {
   "status": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"},
     "code": {"type": "string", "description": "byhand: bad_request, unauthorized, forbidden, not_found, conflict, too_large, unsupported_media_type, timeout, unavailable, collection_failed, internal"},
     "field": {"type": ["string", "null"], "description": "byhand: the request field to change"}}},
   "time": {"type": "number"}}},
 "VersionInfo": {"type": "object", "required": ["title", "version"], "properties": {"title": {"type": "string"}, "version": {"type": "string"}, "byhand": {"type": ["string", "null"]}}},
 "UpdateResult": {"type": "object", "required": ["status"], "properties": {"operation_id": {"type": "integer"}, "status": {"type": "string", "enum": ["completed"]}}},
 "CollectionsResponse": {"type": "object", "required": ["collections"], "properties": {"collections": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "status": {"type": "string"}, "failure": {"type": "string"}, "reason": {"type": "string"}}}}}},
 "VectorParams": {"type": "object", "required": ["size", "distance"], "properties": {"size": {"type": "integer", "minimum": 1, "maximum": 4096}, "distance": {"type": "string", "enum": ["Cosine", "Dot", "Euclid"]}, "hnsw_config": R("HnswConfig"), "on_disk": {"type": "boolean"}, "datatype": {"type": "string", "enum": ["float32"]}}},
 "HnswConfig": {"type": "object", "properties": {"m": {"type": "integer", "minimum": 2}, "ef_construct": {"type": "integer"}, "full_scan_threshold": {"type": "integer", "description": "accepted, ignored"}}},
 "CreateCollection": {"type": "object", "description": "Qdrant's create body. shard_number, replication_factor, write_consistency_factor, on_disk_payload, optimizers_config, wal_config, strict_mode_config, metadata are accepted and ignored; quantization_config, sparse_vectors and init_from are refused.",
   "properties": {"vectors": {"description": "{size, distance} or one named vector {name: {size, distance}}", "oneOf": [R("VectorParams"), {"type": "object", "maxProperties": 1, "additionalProperties": R("VectorParams")}]},
     "hnsw_config": R("HnswConfig"),
     "encoder": {"type": "string", "description": "byhand extension: embed texts with this encoder (minilm, minilm-q, bge-small, e5-small, seed); vectors may then be left out"},
     "durability": {"type": "string", "enum": ["sync", "interval"], "description": "byhand extension"}, "sync_interval_ms": {"type": "integer", "description": "byhand extension"}}},
 "CollectionInfo": {"type": "object", "required": ["status", "optimizer_status", "segments_count", "config", "payload_schema"], "properties": {
   "status": {"type": "string"}, "optimizer_status": {"type": "string"}, "segments_count": {"type": "integer"}, "points_count": {"type": "integer"},
   "indexed_vectors_count": {"type": "integer"}, "config": {"type": "object"}, "payload_schema": {"type": "object", "additionalProperties": {"type": "object", "properties": {"data_type": {"type": "string"}, "points": {"type": "integer"}}}},
   "name": {"type": "string"}, "encoder": {"type": ["string", "null"]}, "durability": {"type": "string"}, "wal_bytes": {"type": "integer"}}},
 "CreateFieldIndex": {"type": "object", "required": ["field_name", "field_schema"], "properties": {"field_name": {"type": "string"}, "field_schema": {"description": "keyword, integer, float or bool, or {type: …}", "oneOf": [{"type": "string"}, {"type": "object"}]}}},
 "PointStruct": {"type": "object", "required": ["id"], "properties": {"id": ID, "vector": {"description": "an array, or one named vector {name: [...]}", "oneOf": [VEC, {"type": "object"}]}, "payload": {"type": ["object", "null"], "description": "at most 1 MiB"}, "text": {"type": "string", "description": "byhand extension: embedded by the collection's encoder"}}},
 "PointInsertOperations": {"type": "object", "description": "exactly one of points or batch; at most 10,000 points", "properties": {"points": {"type": "array", "maxItems": 10000, "items": R("PointStruct")}, "batch": {"type": "object", "required": ["ids"], "properties": {"ids": {"type": "array", "items": ID}, "vectors": {"type": "array", "items": VEC}, "payloads": {"type": "array", "items": {"type": ["object", "null"]}}}}}},
 "PointRequest": {"type": "object", "required": ["ids"], "properties": {"ids": {"type": "array", "maxItems": 10000, "items": ID}, "with_payload": WITH_PAYLOAD, "with_vector": WITH_VECTOR}},
 "PointsSelector": {"type": "object", "description": "exactly one of points (ids) or filter", "properties": {"points": {"type": "array", "maxItems": 10000, "items": ID}, "filter": R("Filter")}},
 "SetPayload": {"type": "object", "required": ["payload"], "properties": {"payload": {"type": "object"}, "points": {"type": "array", "items": ID}, "filter": R("Filter")}},
 "DeletePayload": {"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": {"type": "string"}}, "points": {"type": "array", "items": ID}, "filter": R("Filter")}},
 "CountRequest": {"type": "object", "properties": {"filter": R("Filter"), "exact": {"type": "boolean"}}},
 "ScrollRequest": {"type": "object", "properties": {"offset": ID, "limit": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}, "filter": R("Filter"), "with_payload": WITH_PAYLOAD, "with_vector": WITH_VECTOR}},
 "Record": {"type": "object", "required": ["id"], "properties": {"id": ID, "payload": {"type": ["object", "null"]}, "vector": VEC}},
 "ScrollResult": {"type": "object", "required": ["points"], "properties": {"points": {"type": "array", "items": R("Record")}, "next_page_offset": {"description": "the offset of the next page; null on the last", "oneOf": [ID, {"type": "null"}]}}},
 "ScoredPoint": {"type": "object", "required": ["id", "version", "score"], "properties": {"id": ID, "version": {"type": "integer"}, "score": {"type": "number", "description": "Cosine and Dot: similarity, descending; Euclid: distance, ascending"}, "payload": {"type": ["object", "null"]}, "vector": VEC}},
 "SearchRequest": {"type": "object", "description": "vector or text (byhand extension)", "properties": dict(SEARCH_COMMON, vector={"description": "an array or {name, vector}", "oneOf": [VEC, {"type": "object"}]})},
 "QueryRequest": {"type": "object", "description": "query or text (byhand extension)", "properties": dict(SEARCH_COMMON, query={"description": "a vector, a point id (its vector is the query) or {nearest: vector or id}", "oneOf": [VEC, ID, {"type": "object", "properties": {"nearest": {}}}]}, using={"type": "string", "description": "the vector name (byhand keeps one vector a point)"})},
 "QueryResponse": {"type": "object", "required": ["points"], "properties": {"points": {"type": "array", "items": R("ScoredPoint")}}},
 "SnapshotDescription": {"type": "object", "required": ["name", "size"], "properties": {"name": {"type": "string"}, "creation_time": {"type": ["string", "null"]}, "size": {"type": "integer"}, "checksum": {"type": ["string", "null"]}}},
 "Filter": {"type": "object", "description": "Qdrant's filter: must / should / must_not of conditions {key, match: {value | any}}, {key, range: {gt, gte, lt, lte}}, {exists|is_null: {key}}, {has_id: [ids]}; dotted keys reach nested fields. Numbers compare exactly. At most 1,024 conditions, each group counted; groups nested at most 32 deep; at most 10,000 values in all any and has_id lists together.",
   "properties": {"must": {"type": "array", "items": {"type": "object"}}, "should": {"type": "array", "items": {"type": "object"}}, "must_not": {"type": "array", "items": {"type": "object"}}}},
}
doc = {"openapi": "3.1.0",
 "info": {"title": "byhand vector database", "version": "0.1.0",
   "description": "byhand speaks Qdrant's REST API (1.x): Qdrant's clients and their RAG integrations work unchanged. Answers are {\"result\", \"status\": \"ok\", \"time\"}; errors are {\"status\": {\"error\", \"code\", \"field\"}, \"time\"} with 400, 401, 403, 404, 409, 413, 415 or 503. Writes are durable when acknowledged and answer {operation_id, status: \"completed\"}. Send an API key in the header api-key (or Authorization: Bearer) when the server has keys. Limits: body 64 MiB, 10,000 points or ids a request, 100 searches a batch, limit + offset <= 1000, hnsw_ef <= 4096, JSON nested at most 32 deep, payload 1 MiB, id 256 bytes, dimension 4096; a search, count, scroll or write by filter has 10 s. byhand extensions: text queries (text) and encoders, explain, snapshot restore by name, durability."},
 "components": {"securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "api-key"}}, "schemas": schemas},
 "security": [{"apiKey": []}], "paths": paths}
out = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "openapi.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
