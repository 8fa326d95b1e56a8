import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/common/free-port.js';

/** The service as a separate process (src/main.ts, as `npm start` runs it). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /**
   * Sends the signal and resolves with how the process ended: its exit code (0 after a graceful
   * shutdown), or the signal that ended it.
   */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/**
 * Starts the service on a free port and resolves once GET /health answers 200: whatever the log
 * level, readiness is what a load balancer would see.
 */
export async function startService(
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 60_000,
  { nodeArgs = [], entry = 'src/main.ts' }: { nodeArgs?: string[]; entry?: string } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', '@swc-node/register/esm-register', entry],
    {
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal)),
  );
  const service: ServiceProcess = {
    child,
    port,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`service exited with ${child.exitCode} before it was up:\n${output}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) return service;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`service not up within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
