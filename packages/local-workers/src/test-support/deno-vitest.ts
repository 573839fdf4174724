/**
 * The part of vitest's API the executor conformance suite uses, for Deno
 * (where vitest does not load): `node:test`'s describe/it and hooks, and
 * vitest's own `expect` (@vitest/expect on chai). Deno is pointed here by
 * deno-vitest.json's import map.
 */
import * as chai from "chai";
import { GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState, type ExpectStatic } from "@vitest/expect";
import * as nodeTest from "node:test";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect`. */
export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as ExpectStatic;
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;
setState({ assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null }, expect);

type Body = () => void | Promise<void>;

/** `it(name, fn, timeout)`, as vitest takes it. */
export const it = Object.assign((name: string, fn: Body, timeout?: number) => nodeTest.it(name, { timeout }, fn), {
  skip: (name: string, fn: Body) => nodeTest.it.skip(name, fn),
});
export const describe = (name: string, fn: () => void) => nodeTest.describe(name, fn);
export const beforeEach = (fn: Body) => nodeTest.beforeEach(fn);
export const afterEach = (fn: Body) => nodeTest.afterEach(fn);
