import { ApiProperty } from '@nestjs/swagger';
import type { ParkedRow } from '../store/parked-events.js';
import { encodeCursor } from '../stream-position.js';
import type { SubscriptionStatus } from '../subscriptions/subscriptions.service.js';

export class SubscriptionView {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], nullable: true, description: 'null: every event type' })
  eventTypes!: string[] | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'null: every tenant' })
  tenantId!: string | null;
  @ApiProperty({ description: 'the checkpoint: everything up to here has been handled' })
  cursor!: string;
  @ApiProperty({ description: 'events after the checkpoint it will receive (at most 100000)' })
  lagEvents!: number;
  @ApiProperty({ description: 'age in seconds of the oldest event not handled yet' })
  lagSeconds!: number;
  @ApiProperty({ type: 'string', nullable: true, description: 'the instance holding the lease' })
  owner!: string | null;
  @ApiProperty({
    enum: ['running', 'idle'],
    description: 'running: an instance holds a live lease',
  })
  state!: 'running' | 'idle';
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) leaseExpiresAt!:
    string | null;
  @ApiProperty() parked!: number;
  @ApiProperty({ description: 'events handled in all' }) delivered!: number;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) lastDeliveredAt!:
    string | null;
  @ApiProperty({ type: 'string', nullable: true }) lastError!: string | null;

  static from(status: SubscriptionStatus): SubscriptionView {
    const { subscription: row } = status;
    const live = row.leaseOwner !== null && (row.leaseExpiresAt?.getTime() ?? 0) > Date.now();
    return Object.assign(new SubscriptionView(), {
      name: status.name,
      eventTypes: status.eventTypes === null ? null : [...status.eventTypes],
      tenantId: status.tenantId,
      cursor: encodeCursor(row.position),
      lagEvents: status.lag.events,
      lagSeconds: Math.round(status.lag.seconds * 1000) / 1000,
      owner: live ? row.leaseOwner : null,
      state: live ? 'running' : 'idle',
      leaseExpiresAt: row.leaseExpiresAt?.toISOString() ?? null,
      parked: status.parked,
      delivered: Number(row.delivered),
      lastDeliveredAt: row.lastDeliveredAt?.toISOString() ?? null,
      lastError: row.lastError,
    });
  }
}

export class ParkedEventView {
  @ApiProperty() subscription!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty() error!: string;
  @ApiProperty({ format: 'date-time' }) parkedAt!: string;

  static from(row: ParkedRow): ParkedEventView {
    return Object.assign(new ParkedEventView(), {
      subscription: row.subscription,
      eventId: row.eventId,
      attempts: row.attempts,
      error: row.error,
      parkedAt: row.parkedAt.toISOString(),
    });
  }
}
