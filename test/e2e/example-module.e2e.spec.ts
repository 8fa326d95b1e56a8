import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventsClient } from '../../examples/http-client/events-client.js';
import { CustomerNotifier } from '../../examples/order-shipped/customer-notifier.js';
import { OrderShippedModule } from '../../examples/order-shipped/order-shipped.module.js';
import { ShippingService } from '../../examples/order-shipped/shipping.service.js';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

/** examples/order-shipped, the module docs/adding-an-event-type.md walks through, works as shown. */
describe('the OrderShipped example module', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.url, { LOG_LEVEL: 'warn' }, { imports: [OrderShippedModule] });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('stores a published OrderShippedEvent with its envelope, runs its handler and marks it Processed', async () => {
    const eventId = app.get(ShippingService).ship('acme', 5001, 'DHL', 'JD0146');
    const event = await waitFor(async () => {
      const response = await app.inject({
        url: `/api/events/${eventId}`,
        headers: { 'x-tenant-id': 'acme' },
      });
      const body = response.json<{ eventStatus?: string }>();
      return body.eventStatus === 'Processed' ? body : undefined;
    }, 'the shipped order to be processed');
    expect(event).toMatchObject({
      eventType: 'OrderShipped',
      aggregateType: 'Order',
      aggregateId: 5001,
      eventSource: 'Shipping',
      eventTags: ['shipping', 'dhl'],
      eventDescription: 'order 5001 shipped with DHL',
      eventMetadata: {
        correlationId: 'order-5001',
        handlers: { 'notify-customer': { status: 'succeeded', attempts: 1 } },
      },
      tenantId: 'acme',
    });
    expect(app.get(CustomerNotifier).sent).toEqual([
      { orderId: 5001, text: 'Your order 5001 is on its way: DHL JD0146' },
    ]);
  });

  it('finds the event by its tags and its aggregate', async () => {
    const byTag = await app.inject({
      url: '/api/events?tags=shipping,dhl',
      headers: { 'x-tenant-id': 'acme' },
    });
    expect(byTag.json<{ total: number }>().total).toBe(1);
    const byOrder = await app.inject({
      url: '/api/events/aggregates/Order/5001',
      headers: { 'x-tenant-id': 'acme' },
    });
    expect(byOrder.json<unknown[]>()).toHaveLength(1);
  });

  it('appends and reads with the fetch client of examples/http-client, retries included', async () => {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const client = new EventsClient(base, { tenant: 'globex' });
    const event = {
      eventId: 'fetch-1',
      eventType: 'CustomerNoted',
      aggregateType: 'Customer',
      aggregateId: '9007199254740993',
      eventData: { note: 'from fetch' },
    };
    expect(await client.append(event)).toMatchObject({
      replayed: false,
      event: { eventId: 'fetch-1', aggregateId: '9007199254740993' },
    });
    expect((await client.append(event)).replayed).toBe(true);
    await client.append({ ...event, eventId: 'fetch-2' });
    const ids: string[] = [];
    for await (const stored of client.aggregate('Customer', '9007199254740993'))
      ids.push(stored.eventId);
    expect(ids).toEqual(['fetch-1', 'fetch-2']);
  });
});
