/**
 * Quoting for the POSIX shell on a host, the only thing a host is assumed to
 * have besides sshd.
 */

/** `value` as one single-quoted shell word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A remote path as a shell word: `~/x` and relative paths are under the
 * login's home folder (commands start there), absolute paths stay.
 */
export function remotePathWord(path: string): string {
  if (path === "~") return '"$HOME"';
  if (path.startsWith("~/")) return `"$HOME"/${shellQuote(path.slice(2))}`;
  return shellQuote(path);
}
