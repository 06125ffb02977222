import type { Log } from '../publish/log.js'

/** The CLI's log: plain lines on the terminal. */
export const terminalLog: Log = {
  info: message => console.log(message),
  notice: message => console.log(`notice: ${message}`),
  warning: (message, where) => {
    const at = where?.file
      ? `${where.file}${where.startLine ? `:${where.startLine}` : ''}: `
      : ''
    const title = where?.title ? `${where.title}: ` : ''
    console.error(`warning: ${at}${title}${message}`)
  },
  group: async (name, work) => {
    console.log(`== ${name}`)
    return work()
  },
  // the terminal is the user's own: nothing to hide it from
  mask: () => undefined,
  debug: message => {
    if (process.env.DPA_DEBUG === '1') console.error(`debug: ${message}`)
  }
}
