import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import jest from 'eslint-plugin-jest'
import prettier from 'eslint-config-prettier'
import { layersConfig } from './scripts/layers.mjs'

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'lib/',
      'coverage/',
      'node_modules/',
      '.bench/',
      // V8's natives syntax (--allow-natives-syntax), not JavaScript
      'test/fixtures/node/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            '*.js',
            'scripts/*.mjs',
            'scripts/stack/*.mjs',
            'test/fixtures/credential-helper/*.mjs'
          ],
          // the scripts beside the TypeScript project (none is type-checked: see below)
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 20
        },
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_' }
      ]
    }
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' }
    }
  },
  {
    // stand-ins for the docker CLI and buildx, linted without types (the default
    // project takes at most 8 files)
    files: [
      'test/fixtures/fake-docker/*.mjs',
      'test/fixtures/buildx-check/*.mjs',
      'scripts/stack/git-http.mjs'
    ],
    languageOptions: { parserOptions: { projectService: false } }
  },
  {
    files: ['test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-conditional-expect': 'error'
    }
  },
  ...layersConfig,
  prettier,
  {
    // comments and strings wrap at 100 columns, as prettier wraps code at 80 (STYLE 16);
    // after prettier's config, which turns max-len off
    files: ['src/**/*.ts'],
    rules: {
      'max-len': [
        'error',
        { code: 100, ignoreRegExpLiterals: true, ignoreUrls: true }
      ]
    }
  }
)
