/**
 * ghostnet CLI: convert checkpoints, classify and evaluate images, dump logits and Ghost-module
 * similarities. One module per command (commands/); every failure prints one line and exits non-zero.
 */
import { parseArgs } from 'node:util';
import type { NodeBackend } from '../node/backend.ts';
import { OPTIONS, UsageError, type Command, type Values } from './common.ts';
import { classify } from './commands/classify.ts';
import { convert } from './commands/convert.ts';
import { evaluate } from './commands/eval.ts';
import { features } from './commands/features.ts';
import { fetchImagenet } from './commands/fetch-imagenet.ts';
import { ghostFit } from './commands/ghost-fit.ts';
import { labTrain } from './commands/lab-train.ts';
import { logits } from './commands/logits.ts';
import { teach } from './commands/teach.ts';

/** The commands, in the order the usage lists them. */
const COMMANDS: Record<string, Command> = {
  convert,
  classify,
  eval: evaluate,
  logits,
  features,
  'fetch-imagenet': fetchImagenet,
  'ghost-fit': ghostFit,
  teach,
  'lab-train': labTrain,
};

const USAGE = `usage: ghostnet <command> ...
${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}
options: --backend wasm|cpu (default wasm)`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const values = parsed.values as Values;
  const [name, ...positionals] = parsed.positionals;
  if (values.help || !name) {
    process.stdout.write(USAGE + '\n');
    return name || values.help ? 0 : 2;
  }
  const backend = (values.backend ?? 'wasm') as NodeBackend;
  try {
    if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${values.backend}"`);
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError(`unknown command "${name}"`);
    await command.run({ positionals, values, backend });
    return 0;
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    process.stderr.write(`error: ${msg}\n`);
    if (e instanceof UsageError) process.stderr.write(USAGE + '\n');
    return e instanceof UsageError ? 2 : 1;
  }
}
