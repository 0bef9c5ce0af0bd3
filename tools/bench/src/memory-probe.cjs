'use strict';
/**
 * Preloaded (`node --require`) into a `testio-mcp` process by the soak benchmark: on SIGUSR2 the main
 * thread prints one line with its memory figures, so the bench can sample the heap of another process
 * right after a cycle or a batch of calls. Nothing runs until the signal comes; product code never loads it.
 */
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  process.on('SIGUSR2', () => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    process.stderr.write(
      `bench-memory ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers })}\n`,
    );
  });
}
