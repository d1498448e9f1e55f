/** Runs `total` indexed tasks with at most `concurrency` in flight, as that many clients would. */
export async function runPool(concurrency: number, total: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker));
}
