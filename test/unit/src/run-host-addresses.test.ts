import { describe, expect, test } from 'vitest'
import { parseEndpoint } from '../../../src/core/endpoint.js'
import type { TransferPlan } from '../../../src/core/plan.js'
import type { Executor } from '../../../src/exec/executor.js'
import { localDataAddress } from '../../../src/run/host-addresses.js'
import { HostPool } from '../../../src/run/host-pool.js'

/** Where each host's connection arrived, and this machine's end of it (none through a jump host). */
const HOSTS: Record<string, { dataAddress: string; localAddress: string | undefined }> = {
  direct: { dataAddress: '10.0.0.5', localAddress: '10.0.0.1' },
  jumped: { dataAddress: '10.0.1.5', localAddress: undefined },
}

/** An executor that is already connected and runs nothing: only its addresses matter here. */
function connectedTo(host: string): Executor {
  const addresses = HOSTS[host]
  if (addresses === undefined) throw new Error(`no host ${host}`)
  const nothing = () => {
    throw new Error('not run here')
  }
  return { host, ...addresses, connect: async () => {}, run: nothing, spawn: nothing, close: async () => {} }
}

function plan(source: string, targets: string[]): TransferPlan {
  const endpoint = (spec: string) => parseEndpoint(spec, '/work')
  return { transferId: 't', source: endpoint(source), targets: targets.map(endpoint), name: 'data' }
}

describe('localDataAddress', () => {
  const deps = () => ({
    pool: new HostPool(async (e) => connectedTo(e.host ?? '')),
    signal: new AbortController().signal,
  })

  test.each([
    ['every endpoint local', plan('/data', ['/t']), '127.0.0.1'],
    ['a host reached directly', plan('/data', ['direct:/t']), '10.0.0.1'],
    [
      'the first host reached directly, after one through a jump host',
      plan('/data', ['jumped:/t', 'direct:/t']),
      '10.0.0.1',
    ],
  ])('%s', async (_name, transfer, address) => {
    expect(await localDataAddress(transfer, deps())).toBe(address)
  })

  test('only hosts through a jump host: a USAGE error, as this machine’s address is unknown', async () => {
    await expect(localDataAddress(plan('/data', ['jumped:/t']), deps())).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/ProxyJump/),
    })
  })
})
