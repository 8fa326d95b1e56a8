import { BadRequestException } from '@nestjs/common';
import { DtoValidationPipe } from '../../src/common/validation.js';
import { AppendEventDto } from '../../src/event-store/http/append-event.dto.js';
import { StageCompletedDto } from '../../src/onboarding/http/stage-completed.dto.js';

const pipe = new DtoValidationPipe();
const asBody = (metatype: unknown) => ({ type: 'body' as const, metatype: metatype as never });

describe('DtoValidationPipe', () => {
  it('hands free-form objects through untouched: the very object, never walked or copied', async () => {
    const eventData = { nested: { deep: [1, 2, 3] }, anything: 'goes' };
    const eventMetadata = { why: 'audit' };
    const dto = (await pipe.transform(
      { eventType: 'T', aggregateId: 1, aggregateType: 'A', eventData, eventMetadata },
      asBody(AppendEventDto),
    )) as AppendEventDto;
    expect(dto).toBeInstanceOf(AppendEventDto);
    expect(dto.eventData).toBe(eventData);
    expect(dto.eventMetadata).toBe(eventMetadata);
    expect(dto.aggregateId).toBe('1');
  });

  it('hands nested free-form objects through untouched too', async () => {
    const properties = { colour: 'blue' };
    const businessContext = { region: 'EU' };
    const dto = (await pipe.transform(
      {
        onboardingId: 1,
        leadId: 'l',
        workflowId: 1,
        workflowName: 'w',
        completedStageId: 1,
        completedStageName: 's',
        stageCategory: 'c',
        completionRate: 10,
        isFinalStage: false,
        responsibleTeam: 't',
        assigneeName: 'a',
        source: 'x',
        businessContext,
        relatedEntity: {
          entityType: 'S',
          entityId: '1',
          entityName: 'n',
          entityStatus: 'ok',
          properties,
        },
      },
      asBody(StageCompletedDto),
    )) as StageCompletedDto;
    expect(dto.businessContext).toBe(businessContext);
    expect(dto.relatedEntity?.properties).toBe(properties);
  });

  it('still refuses a free-form field that is not an object, by name', async () => {
    await expect(
      pipe.transform(
        { eventType: 'T', aggregateId: 1, aggregateType: 'A', eventData: [1, 2] },
        asBody(AppendEventDto),
      ),
    ).rejects.toThrow('eventData must be an object');
  });

  it('refuses unknown fields by their own name, nested ones by path', async () => {
    const error = await pipe
      .transform(
        {
          eventType: 'T',
          aggregateId: 1,
          aggregateType: 'A',
          eventData: {},
          constructor: 1,
          valueOf: 2,
        },
        asBody(AppendEventDto),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).message).toBe(
      'property constructor should not exist; property valueOf should not exist',
    );
  });
});
