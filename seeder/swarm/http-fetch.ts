import http from 'node:http'

/**
 * The agent's `fetch`, swapped in by the bundler (interventions.ts) for `cross-fetch-ponyfill`.
 * The only fetch an agent makes is an announce to the transfer's own tracker, a plain-HTTP GET with a
 * short bencoded answer. Node's global fetch would load its built-in undici (and compile its WASM
 * parser) for it, 25-30 ms in front of the source's first announce and again in front of every
 * target's; the ponyfill's node-fetch fallback added 100 KiB to the bundle. This does that GET with
 * `node:http` and refuses anything else, which no code path of ours asks for (web seeds, torrent URLs
 * and blocklists are all off).
 */
export interface FetchResponse {
  status: number
  body: { on(event: 'error', listener: (err: Error) => void): void }
  arrayBuffer(): Promise<ArrayBuffer>
}

export default function fetch(
  url: string,
  opts: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<FetchResponse> {
  const parsed = new URL(url)
  if (parsed.protocol !== 'http:') {
    return Promise.reject(new Error(`the agent fetches only http: URLs, not ${parsed.protocol}`))
  }
  return new Promise((resolve, reject) => {
    const request = http.get(parsed, { headers: opts.headers ?? {}, signal: opts.signal }, (response) => {
      const chunks: Buffer[] = []
      const body = new Promise<ArrayBuffer>((done, fail) => {
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const all = Buffer.concat(chunks)
          done(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer)
        })
        response.on('error', fail)
      })
      // A body that fails before anyone asks for it must not be an unhandled rejection.
      body.catch(() => {})
      resolve({
        status: response.statusCode ?? 0,
        body: { on: (event, listener) => response.on(event, listener) },
        arrayBuffer: () => body,
      })
    })
    request.on('error', reject)
  })
}
