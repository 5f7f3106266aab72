import { onTestFinished } from 'vitest'
import WebTorrent from 'webtorrent'

/** A webtorrent client that looks for no peers on its own, destroyed when the test ends. */
export function quietClient(peerId?: string): WebTorrent {
  const client = new WebTorrent({
    ...(peerId === undefined ? {} : { peerId }),
    dht: false,
    lsd: false,
    utPex: false,
    natUpnp: false,
    natPmp: false,
    torrentPort: 0,
  })
  onTestFinished(() => new Promise<void>((resolve) => client.destroy(() => resolve())))
  return client
}
