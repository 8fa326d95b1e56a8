import { setTimeout } from 'node:timers/promises';

export interface BatchesResult {
  readonly rows: number;
  readonly batches: number;
}

/**
 * Runs batch after batch (each its own short statement) until one comes back short of `batchSize`
 * or `proceed` says stop (a shutdown). Background work (the sweeps) rests as long as its batch
 * took after each one: half the database's time stays with ingest, which in the benchmark kept
 * more of its throughput while retention ran.
 */
export async function inBatches(
  batch: () => Promise<number>,
  {
    batchSize,
    proceed,
    background = false,
  }: { batchSize: number; proceed?: () => boolean; background?: boolean },
): Promise<BatchesResult> {
  let rows = 0;
  let batches = 0;
  for (;;) {
    const started = performance.now();
    const n = await batch();
    rows += n;
    batches += 1;
    if (n < batchSize || !(proceed?.() ?? true)) return { rows, batches };
    if (background) await setTimeout(performance.now() - started);
  }
}
