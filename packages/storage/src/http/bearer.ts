import { createHash, timingSafeEqual } from "node:crypto";

/**
 * An `authorize` hook for `storageRoutes` that accepts `Authorization: Bearer <token>`
 * and nothing else, compared in constant time.
 *
 * @example
 * app.route("/storage", storageRoutes({ root, authorize: bearerToken(token) }));
 */
export function bearerToken(token: string): (request: Request) => boolean {
  if (token.length < 16) throw new Error("[storage] [routes] a bearer token must be at least 16 characters; use a random one");
  const want = createHash("sha256").update(`Bearer ${token}`).digest();
  return (request) => {
    const got = createHash("sha256").update(request.headers.get("authorization") ?? "").digest();
    return timingSafeEqual(got, want);
  };
}
