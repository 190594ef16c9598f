// The package version, inlined at build time so bundles do not read package.json at run time.
import pkg from '../package.json';

export const VERSION: string = pkg.version;
