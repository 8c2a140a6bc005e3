/**
 * `npm run bench -- <name> [flags]`: runs one benchmark and prints one JSON line.
 * Benchmarks live in scripts/bench/<name>.ts and export `run(args)`.
 */
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<Record<string, unknown>> }>> = {
  crypto: async () => import('./bench/crypto.js'),
  den: async () => import('./bench/den.js'),
  dm: async () => import('./bench/dm.js'),
  relay: async () => import('./bench/relay.js')
}

const [name, ...args] = process.argv.slice(2)
const load = name == null ? undefined : benches[name]
if (load == null) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [flags]`)
  process.exit(2)
}
const result = await (await load()).run(args)
console.log(JSON.stringify(result))
