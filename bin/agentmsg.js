#!/usr/bin/env node
/* global URL */
// The `agentmsg` command. From a clone (after `npm ci`) it runs the TypeScript
// source through tsx; from a package without tsx, the built files in dist/.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = new URL('../src/cli/main.ts', import.meta.url)
const built = new URL('../dist/src/cli/main.js', import.meta.url)

let tsx
try {
  tsx = await import('tsx/esm/api')
} catch {
  tsx = undefined
}
if (tsx != null && existsSync(fileURLToPath(source))) {
  tsx.register()
  await import(source.href)
} else {
  await import(built.href)
}
