import { EventBus } from '@nestjs/cqrs';
import { OnboardingStageCompletedEvent } from '../../src/onboarding/onboarding-stage-completed.event.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('shutdown', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('waits for handlers already running before the database closes', async () => {
    const app = await startTestApp(db.url);
    const events = Array.from(
      { length: 50 },
      (_, i) =>
        new OnboardingStageCompletedEvent({
          tenantId: 't',
          onboardingId: i + 1,
          leadId: 'l',
          workflowId: 1,
          workflowName: 'w',
          completedStageId: 1,
          completedStageName: 's',
          stageCategory: 'c',
          completionRate: 10,
          isFinalStage: false,
          responsibleTeam: 'r',
          assigneeName: 'a',
          source: 'test',
        }),
    );
    const bus = app.get(EventBus);
    for (const event of events) bus.publish(event);
    await app.close();

    const { rows } = await db.query<{ processed: string; legacy: string }>(
      `select (select count(*) from ff_events where event_status = 'Processed') as processed,
              (select count(*) from ff_stage_completion_log) as legacy`,
    );
    expect(rows[0]).toEqual({ processed: '50', legacy: '50' });
  });
});
