// `npm run docs`: regenerate the configuration table in docs/configuration.md and .env.example
// from the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_TABLE_PAGE, renderEnvExample, withConfigTable } from '../core/config/docs';

writeFileSync(CONFIG_TABLE_PAGE, withConfigTable(readFileSync(CONFIG_TABLE_PAGE, 'utf8')));
writeFileSync('.env.example', renderEnvExample());
console.log(`${CONFIG_TABLE_PAGE} configuration table and .env.example updated`);
