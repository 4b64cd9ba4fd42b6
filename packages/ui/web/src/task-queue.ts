/**
 * At most `limit` tasks at once, the rest in the order they were queued. The compare view's
 * charts load through one: ten curves asked at once share the server's CPU and all come late,
 * two at a time the first chart is drawn as soon as its own curves are ready.
 */
export function taskQueue(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = () => {
    if (running >= limit) return;
    const start = waiting.shift();
    if (start) start();
  };
  return function run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        if (signal?.aborted) {
          reject(new DOMException('aborted', 'AbortError'));
          next();
          return;
        }
        running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
  };
}
