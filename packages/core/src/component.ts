/**
 * The machinery shared by flows, works and the Dict/List structures: each
 * component object is a Proxy over its own instance, so that assigning a
 * public field validates it as state and records the change, assigning a
 * component attaches it as a child, and nested values are tracked.
 */
import { ComponentError, ReservedFieldError } from "./errors.ts";
import type { ComponentContext } from "./component-context.ts";
import { currentOrigin } from "./origin.ts";
import { encodeState, stateEquals, toStateValue } from "./state-value.ts";
import { track, type TrackingOwner } from "./tracking.ts";
import type { VarOp } from "./var-ops.ts";

/** The kinds of components. */
export type ComponentKind = "flow" | "work" | "dict" | "list";

/** Symbol under which every component exposes its {@link ComponentCore}. */
export const CORE = Symbol.for("lit-app.core");

/** Returns the core of a component object, or undefined for anything else. */
export function coreOf(value: unknown): ComponentCore | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const core = (value as { [CORE]?: unknown })[CORE];
  return core instanceof ComponentCore ? core : undefined;
}

/** True when `key` names a public state field. */
export function isPublicKey(key: string | symbol): key is string {
  return typeof key === "string" && !key.startsWith("_");
}

/** The framework's own record of one component. */
export class ComponentCore implements TrackingOwner {
  readonly kind: ComponentKind;
  readonly className: string;
  /** The object behind the proxy: holds the component's fields. */
  readonly fields: Record<string, unknown>;
  /** The component as users see it. */
  readonly proxy: object;
  parent: ComponentCore | undefined;
  key: string | undefined;
  context: ComponentContext | undefined;
  /** Set on the root of an app. */
  rootName: string | undefined;
  readonly children = new Map<string, ComponentCore>();
  readonly reserved: ReadonlySet<string>;
  private cachedName: string | undefined;

  /**
   * @param wrap false for containers (Dict, List), whose objects need no field
   *   tracking: the object itself is then the public one, carrying its core.
   */
  constructor(kind: ComponentKind, target: object, className: string, reserved: ReadonlySet<string>, wrap = true) {
    this.kind = kind;
    this.className = className;
    this.fields = target as Record<string, unknown>;
    this.reserved = reserved;
    if (wrap) {
      this.proxy = new Proxy(target, this.handler());
    } else {
      this.proxy = target;
      Object.defineProperty(target, CORE, { value: this });
    }
  }

  /** Dotted name: `root`, `root.workA`, `root.notebooks.alice`. */
  get name(): string {
    if (this.cachedName) return this.cachedName;
    let name: string;
    if (this.parent) name = `${this.parent.name}.${this.key}`;
    else if (this.rootName) name = this.rootName;
    else return this.className;
    if (this.context) this.cachedName = name;
    return name;
  }

  get label(): string {
    return this.name;
  }

  /** Every component below this one, depth first. */
  *descendants(): Generator<ComponentCore> {
    for (const child of this.children.values()) {
      yield child;
      yield* child.descendants();
    }
  }

  record(op: VarOp): void {
    this.context?.record(this, op);
  }

  /** Binds this subtree to its context (when an app is built, or a child attached). */
  bind(context: ComponentContext | undefined): void {
    this.context = context;
    this.cachedName = undefined;
    for (const child of this.children.values()) child.bind(context);
  }

  attachChild(key: string, child: ComponentCore): void {
    if (this.children.get(key) === child) return;
    if (key.includes(".")) {
      throw new ComponentError(
        "E_CHILD_KEY",
        `${this.name}: the key "${key}" contains a dot; component names are dotted paths, so a child's key cannot contain "." (use "-" or "_").`,
      );
    }
    if (key === "") throw new ComponentError("E_CHILD_KEY", `${this.name}: a child's key cannot be empty.`);
    if (child.parent || child.rootName) {
      throw new ComponentError(
        "E_ALREADY_ATTACHED",
        `${child.className} is already attached as ${child.name}; it cannot also be attached as ${this.name}.${key}. ` +
          `A component has one place in the tree: create a new instance for each place.`,
      );
    }
    for (let p: ComponentCore | undefined = this; p; p = p.parent) {
      if (p === child) {
        throw new ComponentError("E_ALREADY_ATTACHED", `${this.name}.${key}: a component cannot be attached inside itself.`);
      }
    }
    if (this.children.has(key)) this.detachChild(key);
    child.parent = this;
    child.key = key;
    this.children.set(key, child);
    child.bind(this.context);
    this.context?.attached(child);
  }

  detachChild(key: string): ComponentCore | undefined {
    const child = this.children.get(key);
    if (!child) return undefined;
    this.children.delete(key);
    this.context?.detached(child);
    child.bind(undefined);
    child.parent = undefined;
    child.key = undefined;
    return child;
  }

  /** Runs a handler-level field write; shared by `set` and class field definitions. */
  writeField(key: string, value: unknown): boolean {
    if (this.reserved.has(key)) {
      throw new ReservedFieldError(
        `${this.name}: "${key}" is a ${this.kind === "work" ? "LightningWork" : "LightningFlow"} property and cannot be used as a field name; rename the field.`,
      );
    }
    const child = coreOf(value);
    if (child && (child.kind === "flow" || child.kind === "work" || child.kind === "dict" || child.kind === "list")) {
      this.attachChild(key, child);
      this.fields[key] = value;
      return true;
    }
    if (this.children.has(key)) {
      this.detachChild(key);
      delete this.fields[key];
      if (value === undefined || value === null) {
        if (value === null) this.fields[key] = null;
        return true;
      }
    }
    const copy = toStateValue(value, { component: this.name, path: [key], owner: this });
    const fields = this.fields;
    const had = Object.prototype.hasOwnProperty.call(fields, key) && fields[key] !== undefined;
    if (copy === undefined) {
      fields[key] = undefined;
      if (had) this.record({ op: "remove", path: [key] });
      return true;
    }
    if (had && stateEquals(fields[key], copy)) return true;
    fields[key] = copy;
    this.record({ op: had ? "replace" : "add", path: [key], value: encodeState(copy) });
    return true;
  }

  /** Hook for works: what `component.run` reads as from a flow. */
  protected runForFlow(): unknown {
    return undefined;
  }

  private handler(): ProxyHandler<object> {
    const core = this;
    return {
      get(target, key, receiver) {
        if (key === CORE) return core;
        if (key === "run" && core.kind === "work" && currentOrigin() === "flow") return core.runForFlow();
        const value = Reflect.get(target, key, receiver);
        if (!isPublicKey(key) || value === null || typeof value !== "object") return value;
        if (core.children.has(key) || !Object.prototype.hasOwnProperty.call(target, key)) return value;
        const proto = Object.getPrototypeOf(value);
        if (Array.isArray(value) || proto === Object.prototype || proto === null) return track(core, [key], value);
        return value;
      },
      set(target, key, value, receiver) {
        if (!isPublicKey(key)) return Reflect.set(target, key, value, receiver);
        const accessor = findAccessor(target, key);
        if (accessor && (accessor.set || !core.reserved.has(key))) return Reflect.set(target, key, value, receiver);
        return core.writeField(key, value);
      },
      defineProperty(target, key, desc) {
        if (!isPublicKey(key) || !("value" in desc)) return Reflect.defineProperty(target, key, desc);
        return core.writeField(key, desc.value);
      },
      deleteProperty(target, key) {
        if (!isPublicKey(key)) return Reflect.deleteProperty(target, key);
        if (core.children.has(key)) core.detachChild(key);
        else if ((target as Record<string, unknown>)[key] !== undefined) core.record({ op: "remove", path: [key] });
        return Reflect.deleteProperty(target, key);
      },
    };
  }
}

function findAccessor(target: object, key: string): PropertyDescriptor | undefined {
  if (Object.prototype.hasOwnProperty.call(target, key)) return undefined;
  for (let p = Object.getPrototypeOf(target); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const desc = Object.getOwnPropertyDescriptor(p, key);
    if (desc) return desc.get || desc.set ? desc : undefined;
  }
  return undefined;
}

/** The names of a base class's own prototype members, which fields may not shadow. */
export function reservedNames(proto: object, extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor"), ...extra]);
}
