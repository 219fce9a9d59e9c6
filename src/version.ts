/** dns-headroom's version, read once from package.json (two levels up from src/ and from dist/). */
import { readFileSync } from './builtins.ts';

/** The package version, as in package.json. */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
