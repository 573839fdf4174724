/**
 * Serves files from a folder to the network. A path from a request never
 * leaves the folder: `..`, encoded slashes, NUL bytes and symbolic links that
 * point outside it are refused.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
};

function notFound(what: string): Response {
  return new Response(`not found: ${what}`, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** Splits a raw URL path into decoded segments, or undefined when one is unsafe. */
export function safeSegments(rawPath: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of rawPath.split("/")) {
    if (raw === "" || raw === ".") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === ".." || seg === "." || /[\/\\\0]/.test(seg) || /^[a-zA-Z]:/.test(seg)) return undefined;
    out.push(seg);
  }
  return out;
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Answers with the file at `rawPath` (a raw, still percent-encoded URL path)
 * under `root`; a folder answers with its `index.html`.
 */
export async function serveFile(root: string, rawPath: string): Promise<Response> {
  const segments = safeSegments(rawPath);
  if (!segments) return new Response("refused: the path leaves the served folder", { status: 400 });
  let realRoot: string;
  try {
    realRoot = await realpath(resolve(root));
  } catch {
    return notFound(rawPath);
  }
  let file = resolve(realRoot, ...segments);
  if (!inside(realRoot, file)) return new Response("refused: the path leaves the served folder", { status: 400 });
  try {
    file = await realpath(file);
    if (!inside(realRoot, file)) return notFound(rawPath);
    let info = await stat(file);
    if (info.isDirectory()) {
      file = await realpath(resolve(file, "index.html"));
      if (!inside(realRoot, file)) return notFound(rawPath);
      info = await stat(file);
    }
    if (!info.isFile()) return notFound(rawPath);
    const body = await readFile(file);
    const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    return new Response(body, { headers: { "content-type": type, "cache-control": "no-cache", "x-content-type-options": "nosniff" } });
  } catch {
    return notFound(rawPath);
  }
}
