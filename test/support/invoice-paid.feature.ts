import { Module } from '@nestjs/common';
import { EventsHandler } from '@nestjs/cqrs';
import { EventStoreModule } from '../../src/event-store/event-store.module.js';
import type { EventMapping } from '../../src/event-store/event-mapping.js';
import { EventProcessingHandler } from '../../src/event-store/handlers/event-processing.handler.js';

/** A second event type, owned by a module outside the store, as another team would add one. */
export class InvoicePaidEvent {
  constructor(
    readonly eventId: string,
    readonly tenantId: string,
    readonly invoiceId: number,
    readonly amount: number,
  ) {}
}

export const invoicePaidMapping: EventMapping<InvoicePaidEvent> = {
  eventClass: InvoicePaidEvent,
  eventType: 'InvoicePaid',
  toEnvelope: (event) => ({
    eventId: event.eventId,
    eventType: 'InvoicePaid',
    eventVersion: '1.0',
    eventTimestamp: new Date(),
    aggregateId: String(event.invoiceId),
    aggregateType: 'Invoice',
    eventSource: 'Billing',
    eventData: { ...event },
    eventMetadata: {},
    eventDescription: `invoice ${event.invoiceId} paid`,
    eventTags: ['billing'],
    tenantId: event.tenantId,
  }),
  fromData: (data) =>
    new InvoicePaidEvent(
      data.eventId as string,
      data.tenantId as string,
      data.invoiceId as number,
      data.amount as number,
    ),
};

/**
 * Fails for negative amounts until a test says the ledger is fixed; counts its runs so tests can
 * tell what ran.
 */
@EventsHandler(InvoicePaidEvent)
export class LedgerHandler extends EventProcessingHandler<InvoicePaidEvent> {
  readonly eventClass = InvoicePaidEvent;
  readonly name = 'ledger';
  static runs = 0;
  static fixed = false;

  process(event: InvoicePaidEvent): Promise<void> {
    LedgerHandler.runs += 1;
    if (event.amount < 0 && !LedgerHandler.fixed)
      return Promise.reject(new Error(`ledger refuses amount ${event.amount}`));
    return Promise.resolve();
  }
}

/** Hangs for invoice 999 until released: shows that a hanging handler delays no other. */
@EventsHandler(InvoicePaidEvent)
export class ReceiptHandler extends EventProcessingHandler<InvoicePaidEvent> {
  readonly eventClass = InvoicePaidEvent;
  readonly name = 'receipt';
  static release: () => void = () => undefined;
  static runs = 0;

  process(event: InvoicePaidEvent): Promise<void> {
    ReceiptHandler.runs += 1;
    if (event.invoiceId !== 999) return Promise.resolve();
    return new Promise((resolve) => (ReceiptHandler.release = resolve));
  }
}

@Module({
  imports: [EventStoreModule.forFeature(invoicePaidMapping)],
  providers: [LedgerHandler, ReceiptHandler],
})
export class InvoiceModule {}
