/** Types of source-rules.mjs, for TypeScript tests that use it. */
export interface Finding {
  line: number;
  message: string;
}
export function blank(source: string, strings?: boolean): string;
export function importsOf(source: string): { specifier: string; line: number }[];
export function impurities(source: string): Finding[];
export function enums(source: string): Finding[];
export function sourceFiles(dir: string, options?: { tests?: boolean }): string[];
export function checkPurity(srcDir: string, base?: string): string[];
export function checkEnums(srcDir: string, base?: string): string[];
