// The byhand web page: lists collections, searches one, and shows the query's path through the
// encoder (tokens → token vectors → pooled → index vector) and the dot products of the top hits.
"use strict";

const $ = (id) => document.getElementById(id);
const SHOWN = 8; // numbers shown per vector: enough to see them differ, short enough to read

$("key").value = localStorage.getItem("byhand.key") || "";

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("key").value.trim();
  if (key) h["api-key"] = key;
  return h;
}

async function call(method, path, body) {
  const res = await fetch(path, { method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) {
    const e = (json && typeof json.status === "object" && json.status) || {};
    throw new Error(`${res.status} ${e.code}: ${e.error}${e.field ? " (" + e.field + ")" : ""}`);
  }
  return json.result;
}

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function vec(v) {
  const head = v.slice(0, SHOWN).map((x) => x.toFixed(4)).join(", ");
  return `[${head}${v.length > SHOWN ? ", … (" + v.length + " numbers)" : ""}]`;
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function step(title, text) {
  const div = document.createElement("div");
  div.className = "step";
  const h = document.createElement("h3");
  h.textContent = title;
  const pre = document.createElement("pre");
  pre.textContent = text;
  div.append(h, pre);
  $("steps").appendChild(div);
}

async function loadCollections() {
  try {
    const r = await call("GET", "/collections");
    const sel = $("collection");
    sel.innerHTML = "";
    for (const c of r.collections) {
      const o = document.createElement("option");
      o.value = o.textContent = c.name;
      if (c.status === "failed") {
        // Quarantined: it failed to open; an admin drops it or restores a snapshot over it.
        o.textContent = `${c.name} (failed: ${c.reason})`;
        o.disabled = true;
      }
      sel.appendChild(o);
    }
    status(r.collections.length ? "" : "No collections yet: create one with byhand db create.");
  } catch (e) {
    status(e.message, true);
  }
}

async function search(ev) {
  ev.preventDefault();
  localStorage.setItem("byhand.key", $("key").value.trim());
  const name = $("collection").value;
  const text = $("query").value.trim();
  const k = Math.max(1, Math.min(20, parseInt($("k").value, 10) || 5));
  if (!name || !text) {
    status("Pick a collection and type a query.", true);
    return;
  }
  status("Searching…");
  const tbody = $("results").querySelector("tbody");
  tbody.innerHTML = "";
  $("steps").innerHTML = "";
  try {
    const info = await call("GET", "/collections/" + encodeURIComponent(name));
    if (info.status === "failed") {
      status(`Collection ${name} failed to open: ${info.reason}`, true);
      return;
    }
    if (info.encoder) {
      const x = await call("POST", `/collections/${encodeURIComponent(name)}/explain`, { text, k });
      show(tbody, x.hits);
      step("[2] tokens", x.tokens.join("  "));
      step("[3] token vectors (encoder output, one per token)",
        x.token_vectors.map((v, i) => `${x.tokens[i].padEnd(12)} ${vec(v)}`).join("\n"));
      step("[4] pooled (mean of the token vectors)", vec(x.pooled));
      step(`[5] index vector (what is searched; metric ${x.metric})`, vec(x.index_vector));
      step("[9] dot products with the top results: q · v = Σ qᵢ vᵢ",
        x.hits.map((h) => {
          const terms = x.index_vector.slice(0, 3).map((q, i) => `${q.toFixed(3)}×${h.vector[i].toFixed(3)}`).join(" + ");
          return `${h.id.padEnd(12)} ${terms} + … = ${h.dot.toFixed(4)}   (score ${h.score.toFixed(4)})`;
        }).join("\n"));
    } else {
      status("This collection has no encoder, so it cannot be searched by text here.", true);
      return;
    }
    status(`${tbody.children.length} results`);
  } catch (e) {
    status(e.message, true);
  }
}

function show(tbody, hits) {
  hits.forEach((h, i) => {
    const tr = document.createElement("tr");
    tr.className = "hit";
    cell(tr, String(i + 1));
    cell(tr, h.id, "id");
    cell(tr, h.score.toFixed(4), "num score");
    const td = cell(tr, "");
    const pre = document.createElement("pre");
    pre.textContent = JSON.stringify(h.payload);
    td.appendChild(pre);
    tbody.appendChild(tr);
  });
}

$("search").addEventListener("submit", search);
$("key").addEventListener("change", loadCollections);
loadCollections();
