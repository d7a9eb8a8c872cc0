import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleRunner, imageMemoryFlags, startBundledRunner, type Runner } from '../../bench/bundle-runner';

/**
 * The bench's memory figure is the "RSS with no heap cap" only if the batch process it measures
 * runs without one: a NODE_OPTIONS heap cap in the shell or CI that runs the bench must not reach it.
 */
describe('bench batch process', () => {
  let bundle: Awaited<ReturnType<typeof bundleRunner>>;
  const started: Runner[] = [];
  const saved = process.env.NODE_OPTIONS;

  beforeAll(async () => {
    bundle = await bundleRunner();
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
    for (const r of started) await r.stop();
    bundle?.remove();
  });

  it('runs with no heap cap even when the bench process has one in NODE_OPTIONS, and with exactly the cap it is given', async () => {
    process.env.NODE_OPTIONS = '--max-old-space-size=16';
    const uncapped = await startBundledRunner(bundle.file, []);
    started.push(uncapped);
    const capped = await startBundledRunner(bundle.file, ['--max-old-space-size=100']);
    started.push(capped);
    // node's default limit (old space from the machine's memory, plus the young generation) is far
    // above the 256 MB target on any machine that can run the suite; the limit counts the young
    // generation on top of --max-old-space-size
    expect(uncapped.heapLimitMb).toBeGreaterThan(512);
    expect(capped.heapLimitMb).toBeGreaterThanOrEqual(100);
    expect(capped.heapLimitMb).toBeLessThan(uncapped.heapLimitMb - 200);
  });

  it("runs with the image's node memory flags: a young generation far smaller than node's default, no old-space cap", async () => {
    const flags = imageMemoryFlags();
    expect(flags.some((f) => f.startsWith('--max-old-space-size'))).toBe(false);
    // the limit is the old space plus the young generation (3 semi-spaces): with 16 MB semi-spaces, 48 MB
    // (node's default is up to 64 MB each on a machine with memory to spare)
    const asImage = await startBundledRunner(bundle.file, ['--max-old-space-size=1000', ...flags]);
    started.push(asImage);
    expect(asImage.heapLimitMb).toBeGreaterThanOrEqual(1000);
    expect(asImage.heapLimitMb).toBeLessThanOrEqual(1000 + 3 * 16 + 1);
    expect(imageMemoryFlags('FROM x\nENTRYPOINT ["node", "--max-semi-space-size=8", "--enable-source-maps", "main.mjs"]\n')).toEqual(['--max-semi-space-size=8']);
  });
});
