/**
 * The GHCR packages API stand-in as a daemon of the stack (scripts/stack/lib/ghcr.sh bundles
 * this file with esbuild and runs it): `node daemon.mjs <host> <port> <config.json>` serves
 * ./packages-api.ts there until SIGTERM or SIGINT.
 */
import { readFileSync } from 'node:fs'
import { type PackagesConfig, startPackagesApi } from './packages-api.js'

const [host = '127.0.0.1', port = '5009', configFile = ''] =
  process.argv.slice(2)
const config = JSON.parse(readFileSync(configFile, 'utf8')) as PackagesConfig
const { server, url } = await startPackagesApi(config, host, Number(port))
console.log(`${new Date().toISOString()} GHCR packages API stand-in on ${url}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    console.log(`${new Date().toISOString()} ${signal}: closing`)
    server.close(() => process.exit(0))
  })
