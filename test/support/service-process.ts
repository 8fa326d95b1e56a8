import { spawn, type ChildProcess } from 'node:child_process';

/** The service as a separate process (src/main.ts, as `npm start` runs it). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the service logs that it is up. */
  readonly ready: Promise<void>;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startService(env: NodeJS.ProcessEnv, readyTimeoutMs = 60_000): ServiceProcess {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'src/main.ts'],
    {
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service not up within ${readyTimeoutMs} ms:\n${output}`)),
      readyTimeoutMs,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('flowflex-events is up')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it was up:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    ready,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
