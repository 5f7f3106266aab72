/**
 * argv prefix that runs a TypeScript file with node and tsx's loader, resolved to an absolute URL
 * here, so it works from any working directory, inside any namespace (no npx, no extra process).
 */
export const TSX_NODE: readonly string[] = ['node', '--import', import.meta.resolve('tsx')]
