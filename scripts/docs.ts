// `npm run docs`: regenerate the README's configuration table and .env.example from the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withConfigTable } from '../core/config/docs';

const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', withConfigTable(readme));
writeFileSync('.env.example', renderEnvExample());
console.log('README.md configuration table and .env.example updated');
