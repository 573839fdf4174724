/**
 * Folder names for works and apps: a dotted work name (`root.notebooks.alice`)
 * becomes one folder name, any character outside `[A-Za-z0-9._-]` written as
 * `%XX`, so that no name (a Dict key with a `/`) can reach outside its folder.
 */

/** The folder name of a work or app name. */
export function workKey(name: string): string {
  if (name === "") throw new TypeError("a work or app name cannot be empty");
  const key = [...new TextEncoder().encode(name)]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9._-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
  return /^\.+$/.test(key) ? key.replace(/\./g, "%2E") : key;
}

/** The work name of a folder made by {@link workKey}, or undefined for other names. */
export function workOfKey(key: string): string | undefined {
  if (!/^(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+$/.test(key) || key.startsWith(".")) return undefined;
  try {
    return decodeURIComponent(key);
  } catch {
    return undefined;
  }
}
