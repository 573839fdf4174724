/**
 * zod's English messages for schemas built with `zod/mini`, which, unlike
 * `zod`, sets no locale of its own (its issues would all read "Invalid
 * input"). A locale the app chose itself (`z.config(z.locales.de())`) is kept.
 */
import { z } from "zod/mini";

/** Sets zod's English messages unless a locale is already set. */
export function useZodMessages(): void {
  if (!z.config().localeError) z.config(z.locales.en());
}
