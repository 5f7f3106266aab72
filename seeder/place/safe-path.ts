import { join } from 'node:path'

/**
 * Joins a manifest path under `root`, refusing anything that could step outside it. The manifest
 * comes from our own source agent over SSH, but a target must not trust it to write anywhere else.
 */
export function safeJoin(root: string, relPath: string): string {
  if (relPath === '') return root
  const parts = relPath.split('/')
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.includes('\0')) {
      throw new Error(`unsafe path in manifest: ${JSON.stringify(relPath)}`)
    }
  }
  return join(root, ...parts)
}
