/** Entry point of `npm run cli` and the `ghostnet` bin. */
import { main } from './main.ts';

// `ghostnet ... | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
