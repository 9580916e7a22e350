// Short links, where the site offers them (the Cloudflare worker with a KV
// namespace, server/shortlink.go): the long link's fragment is kept under
// a short id at r/<id>. Elsewhere (the localhost server, a static host)
// the question gets no answer the page understands, and it keeps the long
// link without a word.

let offered = null; // a promise of whether the site keeps short links

function available() {
  if (!offered) {
    offered = fetch(new URL("r", document.baseURI), { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((a) => Boolean(a && a.shortLinks === true))
      .catch(() => false);
  }
  return offered;
}

// shortLink returns the short URL for a long link's fragment (without the
// "#"), with the long link's query (how the run is shown: view, controls,
// paused), or null where there is none: not offered, or refused (the
// answer says why, in words for the student).
export async function shortLink(fragment, search = "") {
  if (!(await available())) return { url: null, why: "" };
  try {
    const r = await fetch(new URL("r", document.baseURI), { method: "POST", body: fragment, headers: { "Content-Type": "text/plain" } });
    const a = await r.json();
    if (!r.ok || !a.path) return { url: null, why: a.error || "" };
    return { url: new URL(a.path + search, document.baseURI).href, why: "" };
  } catch {
    return { url: null, why: "" };
  }
}
