import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Cluster, clusterUnavailableReason, createCluster } from '../helpers/cluster.js'
import { leftoversOn, runFanout } from '../helpers/run-fanout.js'

const reason = clusterUnavailableReason()
const HOSTS = ['h0', 'h1', 'h2', 'tiny']

/**
 * Every check that fails before data moves: one line per problem, exit 255, and no host changed —
 * no file in any target directory, no agent shipped, no process left.
 */
describe.skipIf(reason !== undefined)(
  `checks before any data moves${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let cluster: Cluster

    beforeAll(async () => {
      cluster = await createCluster(HOSTS.map((name) => ({ name, diskMiB: name === 'tiny' ? 24 : 160 })))
      const made = await cluster.exec('h0', ['sh', '-c', 'head -c 41943040 /dev/urandom > /srv/payload.bin'])
      expect(made.exitCode).toBe(0)
      await cluster.exec('h2', ['mkdir', '/srv/has-it'])
      await cluster.exec('h2', ['sh', '-c', 'echo old > /srv/has-it/payload.bin'])
    })
    afterAll(async () => {
      await cluster?.destroy()
    })

    async function expectNothingChanged(): Promise<void> {
      for (const host of ['h1', 'tiny']) {
        expect((await cluster.exec(host, ['ls', '-A', '/srv'])).stdout, host).toBe('')
      }
      const h2 = await cluster.exec('h2', ['find', '/srv', '-mindepth', '1'])
      expect(h2.stdout.trim().split('\n').sort()).toEqual(['/srv/has-it', '/srv/has-it/payload.bin'])
      expect((await cluster.exec('h2', ['cat', '/srv/has-it/payload.bin'])).stdout.trim()).toBe('old')
      for (const host of HOSTS) expect(await leftoversOn(cluster, host), host).toEqual([])
    }

    test.each([
      {
        what: 'the destination name exists on one target',
        args: ['h0:/srv/payload.bin', 'h1:/srv', 'h2:/srv/has-it'],
        lines: [/^fanout: h2:\/srv\/has-it: payload\.bin already exists in the target directory/],
      },
      {
        what: 'a target directory is missing',
        args: ['h0:/srv/payload.bin', 'h1:/srv/nope'],
        lines: [/^fanout: h1:\/srv\/nope: target directory does not exist$/],
      },
      {
        what: 'a target is a file',
        args: ['h0:/srv/payload.bin', 'h2:/srv/has-it/payload.bin'],
        lines: [/^fanout: h2:\/srv\/has-it\/payload\.bin: target is a regular file, not a directory$/],
      },
      {
        what: 'the source is missing',
        args: ['h0:/srv/missing', 'h1:/srv'],
        lines: [/^fanout: h0:\/srv\/missing: source does not exist$/],
      },
      {
        what: 'one target has too little space',
        args: ['h0:/srv/payload.bin', 'h1:/srv', 'tiny:/srv'],
        lines: [/^fanout: tiny:\/srv: not enough space: .* free, .* needed$/],
      },
      {
        what: 'several problems at once, each on its own line',
        args: ['h0:/srv/payload.bin', 'h1:/srv/nope', 'h2:/srv/has-it', 'tiny:/srv'],
        lines: [
          /^fanout: h1:\/srv\/nope: /,
          /^fanout: h2:\/srv\/has-it: /,
          /^fanout: tiny:\/srv: not enough space/,
        ],
      },
    ])('$what', async ({ args, lines }) => {
      const run = await runFanout(cluster, args)
      expect(run.exitCode, run.stderr).toBe(255)
      const printed = run.stderr.trim().split('\n')
      expect(printed).toHaveLength(lines.length)
      for (const [i, pattern] of lines.entries()) expect(printed[i]).toMatch(pattern)
      expect(run.stdout).toBe('')
      await expectNothingChanged()
    })

    test('an unreachable host is reported as such, and the others are left untouched', async () => {
      await cluster.stopSsh('tiny')
      const run = await runFanout(cluster, ['h0:/srv/payload.bin', 'h1:/srv', 'tiny:/srv'])
      expect(run.exitCode, run.stderr).toBe(255)
      expect(run.stderr.trim()).toMatch(/^fanout: tiny:\/srv: .*(refused|unreachable)/i)
      await expectNothingChanged()
    })
  },
)
