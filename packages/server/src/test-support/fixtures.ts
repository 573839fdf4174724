/** Small apps the server tests serve. */
import * as L from "@lit-app/core";
import { z } from "zod";

/** A work that counts up to `target`, one step per call. */
export class Counter extends L.LightningWork {
  count = 0;
  run(target: number) {
    this.count = target;
  }
}

/** A flow with a list of requests, a counter work, an API route and commands. */
export class RequestsFlow extends L.LightningFlow {
  requests: { name: string; done?: boolean }[] = [];
  handled = 0;
  counter = new Counter({ parallel: true, cloudCompute: new L.CloudCompute("gpu") });
  private _seen = 0;

  run() {
    this.handled = this.requests.length;
    this.counter.run(this.requests.length);
  }

  addRequest(body: { name: string }) {
    this.requests = [...this.requests, { name: body.name }];
    return { queued: this.requests.length };
  }

  find(_body: unknown, request: L.ApiRequest) {
    const hit = this.requests.find((r) => r.name === request.params.name);
    if (!hit) throw new L.HttpError(404, `no request named "${request.params.name}"`);
    return hit;
  }

  clear(args: { keep: number }) {
    const removed = this.requests.length - args.keep;
    this.requests = this.requests.slice(0, args.keep);
    return { removed };
  }

  override configureApi() {
    return [
      new L.Post("/api/requests", this.addRequest, { body: z.object({ name: z.string().min(1) }) }),
      new L.Get("/api/requests/:name", this.find),
      new L.Get("/api/ping", () => ({ pong: true, seen: this._seen })),
      new L.Post("/api/boom", () => {
        throw new Error("the handler broke");
      }),
    ];
  }

  override configureCommands() {
    return [
      new L.Command("clear", this.clear, { args: z.object({ keep: z.number().int().min(0) }), description: "Drops requests after the first `keep`." }),
      new L.Command("count", () => this.requests.length),
    ];
  }
}
