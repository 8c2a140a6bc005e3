/**
 * A transport whose connections are adjusted before they are upgraded:
 * `prepare` runs on each raw connection the transport dials or accepts,
 * through the upgrader the transport is given (nothing global is patched).
 * Used by `tcp.ts` and `websockets.ts` to make one send leave as one write
 * or one WebSocket message.
 */
import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'

/** `upgrader` itself, except that the connections it upgrades are prepared first. */
function preparingUpgrader (upgrader: Upgrader, prepare: (connection: MultiaddrConnection) => void): Upgrader {
  return new Proxy(upgrader, {
    get (target, property) {
      if (property === 'upgradeInbound' || property === 'upgradeOutbound') {
        const upgrade = target[property].bind(target) as (connection: MultiaddrConnection, options: unknown) => Promise<unknown>
        return async (connection: MultiaddrConnection, options: unknown) => {
          prepare(connection)
          return await upgrade(connection, options)
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      // the upgrader's methods use its private fields: called on it, not on this proxy
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** The transport factory `factory`, whose connections go through `prepare` before their upgrade. */
export function withPreparedConnections<C> (factory: (components: C) => Transport, prepare: (connection: MultiaddrConnection) => void): (components: C) => Transport {
  return (components) => {
    const transport = factory(components)
    const dial = transport.dial.bind(transport)
    transport.dial = async (address, options) => await dial(address, { ...options, upgrader: preparingUpgrader(options.upgrader, prepare) })
    const createListener = transport.createListener.bind(transport)
    transport.createListener = (options) => createListener({ ...options, upgrader: preparingUpgrader(options.upgrader, prepare) })
    return transport
  }
}
