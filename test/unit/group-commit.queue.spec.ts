import {
  GroupCommitQueue,
  QueueFullError,
} from '../../src/event-store/writing/group-commit.queue.js';

/** A fake database: records each batch, refuses the item 'bad', or drops the connection. */
function fakeDatabase(failure?: { code: string }) {
  const batches: string[][] = [];
  const flush = (items: string[]) => {
    batches.push(items);
    if (failure) return Promise.reject(Object.assign(new Error('down'), failure));
    if (items.includes('bad')) return Promise.reject(new Error('value refused'));
    return Promise.resolve(items.map((item) => `ok:${item}`));
  };
  return { batches, flush };
}

describe('GroupCommitQueue', () => {
  it('writes items submitted together in one batch and settles each with its own result', async () => {
    const db = fakeDatabase();
    const queue = new GroupCommitQueue({ ...db, maxBatch: 100, maxConcurrent: 1, maxQueued: 1000 });
    const results = await Promise.all(['a', 'b', 'c'].map((item) => queue.submit(item)));
    expect(results).toEqual(['ok:a', 'ok:b', 'ok:c']);
    expect(db.batches).toEqual([['a', 'b', 'c']]);
  });

  it('bounds a batch by weight as well as by count, and never leaves a heavy item behind', async () => {
    const db = fakeDatabase();
    const queue = new GroupCommitQueue({
      ...db,
      maxBatch: 100,
      maxConcurrent: 1,
      maxQueued: 1000,
      maxBatchWeight: 10,
      weight: (item: string) => item.length,
    });
    const items = ['aaaa', 'bbbb', 'cccc', 'x'.repeat(25), 'd'];
    await Promise.all(items.map((item) => queue.submit(item)));
    expect(db.batches).toEqual([['aaaa', 'bbbb'], ['cccc'], ['x'.repeat(25)], ['d']]);
  });

  it('fails only the refused item of a batch and commits the others', async () => {
    const db = fakeDatabase();
    const queue = new GroupCommitQueue({ ...db, maxBatch: 100, maxConcurrent: 1, maxQueued: 1000 });
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'bad', 'c'].map((item) => queue.submit(item)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(db.batches.at(-1)).toEqual(['c']);
  });

  it('rejects a whole batch at once when the connection fails, without splitting it', async () => {
    const db = fakeDatabase({ code: 'ECONNREFUSED' });
    const queue = new GroupCommitQueue({ ...db, maxBatch: 100, maxConcurrent: 1, maxQueued: 1000 });
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((item) => queue.submit(item)));
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(db.batches).toEqual([['a', 'b', 'c']]);
  });

  it('retries a batch that hit a deadlock', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<string, string>({
      flush: (items) => {
        calls += 1;
        return calls === 1
          ? Promise.reject(Object.assign(new Error('deadlock'), { code: '40P01' }))
          : Promise.resolve(items);
      },
      maxBatch: 100,
      maxConcurrent: 1,
      maxQueued: 1000,
    });
    expect(await queue.submit('a')).toBe('a');
    expect(calls).toBe(2);
  });

  it('when full, makes submitters wait, or tells them at once with whenFull reject', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const flush = async (items: string[]) => {
      await gate;
      return items;
    };
    const waiting = new GroupCommitQueue({ flush, maxBatch: 1, maxConcurrent: 1, maxQueued: 1 });
    const rejecting = new GroupCommitQueue({
      flush,
      maxBatch: 1,
      maxConcurrent: 1,
      maxQueued: 1,
      whenFull: 'reject',
    });
    const first = [waiting.submit('a'), rejecting.submit('a')];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [waiting.submit('b'), rejecting.submit('b')];
    const third = [waiting.submit('c'), rejecting.submit('c')];
    await expect(third[1]).rejects.toBeInstanceOf(QueueFullError);
    release();
    expect(await Promise.all([...first, second[0], second[1], third[0]])).toEqual([
      'a',
      'a',
      'b',
      'b',
      'c',
    ]);
  });
});
