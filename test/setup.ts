/**
 * Runs in every test file (vitest.config.ts `setupFiles`): after the file's
 * own hooks (its nodes are stopped by then), the temp dirs it made with
 * `tempDir()` are removed.
 */
import { afterAll } from 'vitest'
import { removeTempDirs } from './temp-dirs.js'

afterAll(removeTempDirs)
