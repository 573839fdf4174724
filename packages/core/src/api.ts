/**
 * REST routes a flow declares in `configureApi()`. Plain data: the app server
 * turns them into HTTP routes, validates bodies and calls the handlers.
 */
import type { ZodType, output } from "zod";

/** HTTP methods a route can answer. */
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What a handler receives beside the validated body. */
export interface ApiRequest {
  /** Path parameters: `/models/:id` gives `{ id }`. */
  params: Record<string, string>;
  /** Query string parameters (the last value of each). */
  query: Record<string, string>;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
}

/**
 * A route handler. A method of the flow (`this.predict`) runs in the flow's
 * loop and may change state; any other function runs in the server. The
 * return value is sent as JSON (a `Response` is sent as it is); throw an
 * `HttpError` for a chosen status.
 */
export type ApiHandler<B = unknown> = (body: B, request: ApiRequest) => unknown;

/** Options of a route. */
export interface RouteOptions<S extends ZodType | undefined = undefined> {
  /** A zod schema the JSON body must match; the handler gets the parsed value. */
  body?: S;
  /** One line for the API listing. */
  description?: string;
}

type BodyOf<S> = S extends ZodType ? output<S> : unknown;

/** A REST route of a flow. Use {@link Get}, {@link Post}, {@link Put} or {@link Delete}. */
export abstract class ApiRoute<S extends ZodType | undefined = ZodType | undefined> {
  abstract readonly method: HttpMethod;
  readonly route: string;
  readonly handler: ApiHandler<BodyOf<S>>;
  readonly body: S | undefined;
  readonly description: string | undefined;

  constructor(route: string, handler: ApiHandler<BodyOf<S>>, options: RouteOptions<S> = {}) {
    if (typeof route !== "string" || !route.startsWith("/")) {
      throw new TypeError(`${new.target.name}: the route must be a path starting with "/", got ${JSON.stringify(route)}.`);
    }
    if (typeof handler !== "function") {
      throw new TypeError(`${new.target.name}("${route}"): the handler must be a function, such as this.predict.`);
    }
    this.route = route;
    this.handler = handler;
    this.body = options.body;
    this.description = options.description;
  }
}

/**
 * A GET route.
 * @example
 * configureApi() { return [new L.Get("/models", this.listModels)]; }
 */
export class Get<S extends ZodType | undefined = undefined> extends ApiRoute<S> {
  readonly method = "GET";
}

/**
 * A POST route whose JSON body is validated with zod before the handler runs.
 * @example
 * configureApi() {
 *   return [new L.Post("/predict", this.predict, { body: z.object({ text: z.string() }) })];
 * }
 */
export class Post<S extends ZodType | undefined = undefined> extends ApiRoute<S> {
  readonly method = "POST";
}

/** A PUT route; see {@link Post}. */
export class Put<S extends ZodType | undefined = undefined> extends ApiRoute<S> {
  readonly method = "PUT";
}

/** A DELETE route; see {@link Get}. */
export class Delete<S extends ZodType | undefined = undefined> extends ApiRoute<S> {
  readonly method = "DELETE";
}
