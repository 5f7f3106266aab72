import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Plugin } from 'esbuild'
import type { BundleChange, Intervention, TextEdit } from './interventions.js'

/**
 * The bundle half of interventions.ts: an esbuild plugin that patches, replaces and redirects as the
 * registry says. Each edit must find its text exactly once, and `unapplied()` names every
 * intervention that found nothing to change, so a dependency that moved or renamed a file fails the
 * build instead of silently shipping without the change.
 */
export function interventionsPlugin(
  root: string,
  interventions: readonly Intervention[],
): { plugin: Plugin; unapplied(): string[] } {
  const applied = new Map(interventions.map((i) => [i.name, 0]))
  const count = (name: string) => applied.set(name, (applied.get(name) ?? 0) + 1)
  const withBundle = interventions.flatMap((i) =>
    i.bundle === undefined ? [] : [{ ...i, bundle: i.bundle }],
  )
  const plugin: Plugin = {
    name: 'fanout-interventions',
    setup(build) {
      for (const { name, bundle } of withBundle) {
        if (bundle.kind !== 'redirect') continue
        const importer = bundle.importer === undefined ? undefined : new RegExp(bundle.importer)
        build.onResolve({ filter: new RegExp(bundle.specifier) }, (args) => {
          if (importer !== undefined && !importer.test(args.importer)) return undefined
          count(name)
          return { path: join(root, bundle.to) }
        })
      }
      for (const [file, changes] of byFile(withBundle)) {
        build.onLoad({ filter: new RegExp(file) }, async (args) => {
          let text = await readFile(args.path, 'utf8')
          for (const { name, bundle } of changes) {
            text = applyChange(text, bundle, args.path)
            count(name)
          }
          return { contents: text, loader: 'js' }
        })
      }
    },
  }
  return { plugin, unapplied: () => [...applied].filter(([, n]) => n === 0).map(([name]) => name) }
}

type FileChange = Exclude<BundleChange, { kind: 'redirect' }>

/** Patches and replacements grouped by the file they match: esbuild loads a file once. */
function byFile(
  interventions: readonly { name: string; bundle: BundleChange }[],
): Map<string, { name: string; bundle: FileChange }[]> {
  const files = new Map<string, { name: string; bundle: FileChange }[]>()
  for (const { name, bundle } of interventions) {
    if (bundle.kind === 'redirect') continue
    files.set(bundle.file, [...(files.get(bundle.file) ?? []), { name, bundle }])
  }
  return files
}

/** A dependency's text with one change made; refuses an edit whose text is not there exactly once. */
function applyChange(text: string, change: FileChange, path: string): string {
  if (change.kind === 'replace') return change.contents
  return change.edits.reduce((patched, edit) => applyEdit(patched, edit, path), text) + (change.append ?? '')
}

function applyEdit(text: string, { from, to }: TextEdit, path: string): string {
  if (text.split(from).length !== 2) throw new Error(`${path} changed: "${from}" not found once`)
  return text.replace(from, () => to)
}
