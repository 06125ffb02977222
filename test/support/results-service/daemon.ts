/**
 * The results service stand-in as a daemon of the stack
 * (scripts/stack/lib/results-service.sh bundles this file with esbuild and
 * runs it): `node daemon.mjs <host> <port>` serves ./tenants.ts's control API
 * there until SIGTERM or SIGINT.
 */
import { startTenantServer } from './tenants.js'

const [host = '127.0.0.1', port = '5007'] = process.argv.slice(2)
const server = await startTenantServer(host, Number(port))
console.log(
  `${new Date().toISOString()} results service stand-in on ${server.url}`
)

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    console.log(`${new Date().toISOString()} ${signal}: closing`)
    void server.close().then(() => process.exit(0))
  })
