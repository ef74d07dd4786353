/** Entry point of `npm run cli` and the `ghostnet` bin. */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
