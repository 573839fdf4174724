/**
 * What the laptop and every host share: a network namespace, one address on
 * the instance's bridge, and a link that can be cut and restored.
 */
import { TestHostsClosedError } from "./errors.ts";
import { setLink } from "./network.ts";

/** State shared by one instance's machines: whether it was closed. */
export interface InstanceState {
  closed: boolean;
  readonly bridgeNs: string;
}

/** A machine of the harness: the laptop or a host. */
export abstract class Machine {
  /** Its name: "laptop", or the host's name (its SSH alias). */
  readonly name: string;
  /** Its network namespace (for `ip netns exec`). */
  readonly namespace: string;
  /** Its IPv4 address on the instance's /24, reachable only from the instance's namespaces. */
  readonly address: string;
  /** The bridge end of its veth pair, in the bridge's namespace. */
  readonly link: string;
  /** @internal */
  protected readonly state: InstanceState;
  #cut = false;

  /** @internal */
  constructor(state: InstanceState, name: string, namespace: string, address: string, link: string) {
    this.state = state;
    this.name = name;
    this.namespace = namespace;
    this.address = address;
    this.link = link;
  }

  /** Whether its link is cut. */
  get isCut(): boolean {
    return this.#cut;
  }

  /**
   * Cuts its link (`ip link set <link> down` on the bridge end). Its packets
   * are dropped: new connections time out, open ones stall and resume after
   * {@link restore} unless an end gives up first. Its own address stays.
   */
  async cut(): Promise<void> {
    this.assertOpen("cut()");
    await setLink(this.state.bridgeNs, this.link, "down");
    this.#cut = true;
  }

  /**
   * Brings its link back up. As on a real network, a peer whose ARP for this
   * machine failed during the cut may get one "No route to host" right after;
   * the next attempt goes through.
   */
  async restore(): Promise<void> {
    this.assertOpen("restore()");
    await setLink(this.state.bridgeNs, this.link, "up");
    this.#cut = false;
  }

  /** @internal */
  protected assertOpen(what: string): void {
    if (this.state.closed) throw new TestHostsClosedError(`${this.name}: ${what}`);
  }
}
