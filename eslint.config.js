import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The three floors (ARCHITECTURE.md): core/ at the bottom; runtime/ (the gateway) and lambda/ (the
// detector) on it, each knowing nothing of the other; src/ and bin/ (the CLI and everything it
// drives) on top. An import may only run down.
const above = {
  core: ['./runtime', './lambda', './src', './bin'],
  runtime: ['./lambda', './src', './bin'],
  lambda: ['./runtime', './src', './bin'],
  src: ['./bin'],
};
const outsideProduct = ['./test', './bench', './eval', './scripts'];
const layerZones = Object.entries(above).map(([floor, higher]) => ({
  target: `./${floor}`,
  from: [...higher, ...outsideProduct],
  message: `${floor}/ sits below what it imports here; see ARCHITECTURE.md for the floors.`,
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['core/**/*.ts', 'runtime/**/*.ts', 'lambda/**/*.ts', 'src/**/*.ts', 'bin/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
