import { say } from '../lib/copy-run.js'
import type { StreamParams, StreamSection } from './options.js'
import type { SectionReport } from './section-report.js'
import { checksumSection } from './sections/checksum.js'
import { compressSection } from './sections/compress.js'
import { shapedSection } from './sections/shaped.js'
import { unshapedSection } from './sections/unshaped.js'

const RUNNERS: Record<StreamSection, (params: StreamParams) => Promise<SectionReport>> = {
  shaped: shapedSection,
  unshaped: unshapedSection,
  compress: compressSection,
  checksum: checksumSection,
}

/**
 * Runs one section. A section that fails as a whole (its cluster could not be made, its payload
 * not written) becomes a report saying why, so the sections after it still run.
 */
export async function runSection(name: StreamSection, params: StreamParams): Promise<SectionReport> {
  say(`section ${name}`)
  try {
    return await RUNNERS[name](params)
  } catch (err) {
    const why = String(err).slice(0, 800)
    say(`section ${name} FAILED: ${why}`)
    return {
      title: `${name} (failed)`,
      lines: [`The section failed: ${why}`],
      goals: [`- ${name}: **section failed**`],
    }
  }
}
