/** UTF-8 through the Web-standard codecs every runtime has (the core's lib typings do not declare them). */
interface Codecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(bytes: Uint8Array): string };
}

const codecs = globalThis as unknown as Codecs;

/** The UTF-8 bytes of `text`. */
export function encodeUtf8(text: string): Uint8Array {
  return new codecs.TextEncoder().encode(text);
}

/** The text of UTF-8 `bytes`; throws on malformed bytes. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new codecs.TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
