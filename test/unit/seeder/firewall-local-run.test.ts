import { describe, expect, test } from 'vitest'
import { localRunner } from '../../../seeder/firewall/local-run.js'

// The agent's RunCommand, checked with harmless commands: the firewall tools themselves only ever run
// inside the integration tests' namespaces.
describe('localRunner', () => {
  const run = localRunner()

  test.each<[string, string[], string | undefined, { exitCode: number; stdout: string }]>([
    [
      'passes input and keeps output exact',
      ['sh', '-c', 'cat; printf "\\n"'],
      'table x {}',
      { exitCode: 0, stdout: 'table x {}\n' },
    ],
    ['reports a non-zero exit', ['sh', '-c', 'exit 3'], undefined, { exitCode: 3, stdout: '' }],
    ['gives stdin at EOF without input', ['cat'], undefined, { exitCode: 0, stdout: '' }],
    [
      'reports a signal as 128 + its number',
      ['sh', '-c', 'kill -9 $$'],
      undefined,
      { exitCode: 137, stdout: '' },
    ],
    [
      'reports a missing command as 127, like sh',
      ['no-such-command-fanout'],
      undefined,
      { exitCode: 127, stdout: '' },
    ],
  ])('%s', async (_why, argv, input, expected) => {
    const result = await run(argv, input === undefined ? {} : { input })
    expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual(expected)
  })

  test('kills a command that outlives its timeout', async () => {
    const result = await localRunner(200)(['sleep', '10'])
    expect(result.exitCode).toBe(137)
  })
})
