/**
 * Waits for `work`, but no longer than `ms`: for teardown steps (webtorrent's, an HTTP server's) that
 * have no deadline of their own and must not keep an agent alive once its work is done. Whatever is
 * still open when the agent exits is closed by the kernel.
 */
export function atMost(ms: number, work: Promise<void> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return Promise.race([work ?? Promise.resolve(), deadline]).finally(() => clearTimeout(timer))
}
