import { spawn } from 'node:child_process';

/**
 * How to run a module of this repository in a child process: compiled (npm run bench runs dist/)
 * or, when the bench itself runs as TypeScript (its smoke test), through swc-node.
 */
export function nodeArgs(
  module: 'src/main' | `bench/workers/${string}`,
  heapMb?: number,
): string[] {
  const compiled = import.meta.url.endsWith('.js');
  return [
    ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []),
    ...(compiled
      ? [`dist/${module}.js`]
      : ['--import', '@swc-node/register/esm-register', `${module}.ts`]),
  ];
}

/** Runs a bench worker in a process of its own and returns the JSON it reports. */
export function runWorker<T>(worker: string, args: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs(`bench/workers/${worker}`, 256), JSON.stringify(args)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as T);
      else reject(new Error(`${worker} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}
