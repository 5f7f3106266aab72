import { describe, expect, test } from 'vitest'
import { PIPELINE_MAX_BYTES, pipelineLength } from '../../../seeder/policy/pipeline.js'

const BLOCK = 128 * 1024

describe('pipelineLength', () => {
  test('two blocks plus the given seconds at the current rate', () => {
    expect(pipelineLength(0, 1, BLOCK)).toBe(2)
    expect(pipelineLength(12.5e6, 0.5, BLOCK)).toBe(2 + Math.ceil((0.5 * 12.5e6) / BLOCK))
  })

  test('never more than PIPELINE_MAX_BYTES in flight, however fast the wire', () => {
    expect(pipelineLength(125e6, 1, BLOCK)).toBe(PIPELINE_MAX_BYTES / BLOCK)
    expect(pipelineLength(1.25e9, 1, BLOCK) * BLOCK).toBeLessThanOrEqual(PIPELINE_MAX_BYTES)
  })

  test("the peer's reqq lowers it; a reqq that is not a positive number is ignored", () => {
    expect(pipelineLength(125e6, 1, BLOCK, 10)).toBe(10)
    expect(pipelineLength(125e6, 1, BLOCK, 0)).toBe(64)
    expect(pipelineLength(125e6, 1, BLOCK, 'many')).toBe(64)
  })
})
