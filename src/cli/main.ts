/** Entry point of the `agentmsg` command (see ./program.ts). */
import { main } from './program.js'

const code = await main(process.argv, {
  out: (line) => { process.stdout.write(line + '\n') },
  err: (line) => { process.stderr.write(line + '\n') },
  tty: process.stderr.isTTY,
  status: (text) => { process.stderr.write('\r\x1b[K' + (text ?? '')) }
})
process.exitCode = code
