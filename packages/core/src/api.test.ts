import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as L from "./index.ts";
import { TestApp } from "./testing/index.ts";

class Counter extends L.LightningWork {
  seen = 0;
  run(n: number) {
    this.seen = n;
  }
}

class Api extends L.LightningFlow {
  items: string[] = [];
  counter = new Counter({ parallel: true });
  run() {
    if (this.items.length) this.counter.run(this.items.length);
  }
  add(body: { item: string }) {
    this.items.push(body.item);
    return this.items.length;
  }
  override configureApi() {
    return [new L.Post("/api/items", this.add, { body: z.object({ item: z.string() }) }), new L.Get("/api/items", () => this.items)];
  }
  override configureCommands() {
    return [new L.Command("add-item", this.add, { args: z.object({ item: z.string() }), description: "adds" })];
  }
}

describe("routes, commands and frontends", () => {
  it("are plain data a server reads: method, route, handler, schema", () => {
    const flow = new Api();
    const [post, get] = flow.configureApi();
    expect([post!.method, post!.route, post!.handler === flow.add, post!.body instanceof z.ZodObject]).toEqual(["POST", "/api/items", true, true]);
    expect([get!.method, get!.body]).toEqual(["GET", undefined]);
    const [command] = flow.configureCommands();
    expect([command!.name, command!.description, command!.handler === flow.add]).toEqual(["add-item", "adds", true]);
    expect(new L.StaticWebFrontend(new URL("file:///srv/ui/")).dir).toBe("file:///srv/ui/");
    expect(new L.StaticWebFrontend("/srv/ui").dir).toBe("/srv/ui");
  });

  it("refuse bad definitions with a message that says what to write", () => {
    expect(() => new L.Post("predict", () => 1)).toThrow('Post: the route must be a path starting with "/", got "predict".');
    expect(() => new L.Get("/x", undefined as never)).toThrow('Get("/x"): the handler must be a function, such as this.predict.');
    expect(() => new L.Command("Add Item", () => 1)).toThrow(/the name "Add Item" is not valid; use lower-case letters, digits and "-"/);
    expect(() => new L.StaticWebFrontend("")).toThrow(/give the folder to serve/);
  });

  it("a flow has none by default, and the names cannot be used as fields", () => {
    class Plain extends L.LightningFlow {
      run() {}
    }
    expect([new Plain().configureApi(), new Plain().configureCommands()]).toEqual([undefined, undefined]);
    class Clash extends L.LightningFlow {
      override configureApi = 1 as never;
      run() {}
    }
    expect(() => new Clash()).toThrow(L.ReservedFieldError);
  });

  it("HttpError carries a status (400-599; anything else is 500)", () => {
    expect(new L.HttpError(404, "no such item").status).toBe(404);
    expect(new L.HttpError(200, "odd").status).toBe(500);
    expect(new L.HttpError(404, "x").code).toBe("E_HTTP");
  });
});

describe("AppEngine.runInLoop", () => {
  it("runs a handler as the flow: its changes re-run the flow and its work calls are sent", async () => {
    const t = new TestApp<Api>(new L.LightningApp(new Api()));
    await t.start();
    const before = t.passes;
    const result = t.engine.runInLoop(() => t.root.add({ item: "a" }));
    expect(result).toBe(1);
    await t.settle();
    expect(t.passes).toBeGreaterThan(before);
    expect(t.root.counter.seen).toBe(1);
    expect(t.changes).toContainEqual({ op: "add", path: "/components/root/vars/items/0", value: "a" });
  });

  it("a handler that changes nothing does not re-run the flow", async () => {
    const t = new TestApp<Api>(new L.LightningApp(new Api()));
    await t.start();
    const before = t.passes;
    expect(t.engine.runInLoop(() => t.root.items.length)).toBe(0);
    await t.settle();
    expect(t.passes).toBe(before);
  });

  it("refuses once the app has ended", async () => {
    const t = new TestApp<Api>(new L.LightningApp(new Api()));
    await t.start();
    await t.stop();
    expect(() => t.engine.runInLoop(() => 1)).toThrow("the app is stopped; its flows no longer run.");
  });
});
