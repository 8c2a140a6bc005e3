/**
 * Summarise a V8 CPU profile (from `npm run bench -- dm --phase-prof DIR`):
 * self time by function and by file (or package), and inclusive time of this
 * project's functions, as shares of all samples.
 *
 * usage: npx tsx scripts/bench/dm-prof.ts DIR/B.cpuprofile [--top N]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

const [file, ...rest] = process.argv.slice(2)
if (file == null) {
  console.error('usage: dm-prof.ts <file.cpuprofile> [--top N]')
  process.exit(2)
}
const topAt = rest.indexOf('--top')
const top = topAt >= 0 ? Number(rest[topAt + 1]) : 40
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map(n => [n.id, n]))

/** Where a frame lives: a package name, a file of this project, or a V8 pseudo-frame. */
function place (url: string): string {
  if (url === '') return '(native)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg != null) return pkg[1]!
  const own = /\/(src|scripts)\/(.*)$/.exec(url)
  if (own != null) return `${own[1]}/${own[2]}`
  return url.replace(/^node:/, 'node:')
}

const selfUs = new Map<number, number>()
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0
  total += dt
  selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + dt)
}
const byFunction = new Map<string, number>()
const byPlace = new Map<string, number>()
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame
  const where = place(url)
  const fn = `${functionName === '' ? '(anonymous)' : functionName}  ${where}${url === '' ? '' : `:${lineNumber + 1}`}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  byPlace.set(where, (byPlace.get(where) ?? 0) + us)
}
// inclusive: each sample counts once for every function on its stack
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const label = (id: number): string => {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame
  return `${functionName === '' ? '(anonymous)' : functionName}  ${place(url)}${url === '' ? '' : `:${lineNumber + 1}`}`
}
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  const seen = new Set<string>()
  for (let at: number | undefined = id; at != null; at = parent.get(at)) {
    const key = label(at)
    if (seen.has(key)) continue
    seen.add(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + us)
  }
}
// inclusive by file or package: each sample counts once for every place on its stack
const inclusivePlace = new Map<string, number>()
for (const [id, us] of selfUs) {
  const seen = new Set<string>()
  for (let at: number | undefined = id; at != null; at = parent.get(at)) {
    const key = place(byId.get(at)!.callFrame.url)
    if (seen.has(key)) continue
    seen.add(key)
    inclusivePlace.set(key, (inclusivePlace.get(key) ?? 0) + us)
  }
}
const pct = (us: number): string => `${(100 * us / total).toFixed(1).padStart(5)} %`
const list = (m: Map<string, number>, n: number): void => {
  for (const [k, us] of [...m].sort((x, y) => y[1] - x[1]).slice(0, n)) console.log(`${pct(us)}  ${k}`)
}
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`)
console.log('\nself time by function:')
list(byFunction, top)
console.log('\nself time by file or package:')
list(byPlace, 25)
console.log('\ninclusive time by file or package:')
list(inclusivePlace, 30)
console.log('\ninclusive time by function (this project\'s code and named native frames):')
list(new Map([...inclusive].filter(([k]) => k.includes('src/') || k.includes('(native)'))), top)
