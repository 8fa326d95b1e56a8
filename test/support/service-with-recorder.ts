import 'reflect-metadata';
import { createApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { exitWithStartupFailure } from '../../src/startup-failure.js';
import { RecorderModule, RecordingSubscriber } from './stream-recorder.feature.js';

/**
 * The service as main.ts runs it, plus the test subscription 'recorder', which records what it
 * receives in test_stream_received through its transaction: for the tests that kill instances.
 */
async function main(): Promise<void> {
  RecordingSubscriber.recordInTable = true;
  RecordingSubscriber.delayMs = Number(process.env.RECORDER_DELAY_MS ?? '0');
  const config = AppConfig.fromEnv();
  const app = await createApp(config, { imports: [RecorderModule] });
  await app.listen(config.port, config.host);
}

main().catch(exitWithStartupFailure);
