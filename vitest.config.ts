import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles: ['test/setup.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.slow.test.ts'],
          testTimeout: 30_000
        }
      },
      {
        test: {
          name: 'slow',
          setupFiles: ['test/setup.ts'],
          include: ['test/**/*.slow.test.ts'],
          testTimeout: 600_000
        }
      }
    ]
  }
})
