/**
 * A gate that lets at most `count` tasks run at once; the others wait their turn, first come first
 * served. For steps that are cheap one at a time but choke the machine all at once.
 */
export function slots(count: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  return async (task) => {
    if (running >= count) await new Promise<void>((turn) => waiting.push(turn))
    else running++
    try {
      return await task()
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = waiting.shift()
      if (next === undefined) running--
      else next()
    }
  }
}
