/**
 * Commands a flow declares in `configureCommands()`: run against a running
 * app from another terminal as `lit <name> --key value`. Plain data: the app
 * server validates the arguments and calls the handler.
 */
import type { ZodType, output } from "zod";

/** Options of a command. */
export interface CommandOptions<S extends ZodType | undefined = undefined> {
  /** A zod schema the arguments (an object of `--key value` pairs) must match. */
  args?: S;
  /** One line shown by `lit --help` and in the command listing. */
  description?: string;
}

type ArgsOf<S> = S extends ZodType ? output<S> : Record<string, unknown>;

/** A command handler: a method of the flow runs in the flow's loop, any other function in the server. */
export type CommandHandler<A = Record<string, unknown>> = (args: A) => unknown;

const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * A command of a running app.
 * @example
 * configureCommands() {
 *   return [new L.Command("add-notebook", this.addNotebook, { args: z.object({ username: z.string() }) })];
 * }
 * // in a shell: lit add-notebook --username alice
 */
export class Command<S extends ZodType | undefined = undefined> {
  readonly name: string;
  readonly handler: CommandHandler<ArgsOf<S>>;
  readonly args: S | undefined;
  readonly description: string | undefined;

  constructor(name: string, handler: CommandHandler<ArgsOf<S>>, options: CommandOptions<S> = {}) {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new TypeError(
        `Command: the name ${JSON.stringify(name)} is not valid; use lower-case letters, digits and "-", starting with a letter (e.g. "add-notebook").`,
      );
    }
    if (typeof handler !== "function") {
      throw new TypeError(`Command("${name}"): the handler must be a function, such as this.addNotebook.`);
    }
    this.name = name;
    this.handler = handler;
    this.args = options.args;
    this.description = options.description;
  }
}
