/** The name an entry has in the stream's tar: the payload's own name, then its path inside it. */
export function tarName(payloadName: string, relPath: string): string {
  return relPath === '' ? payloadName : `${payloadName}/${relPath}`
}
