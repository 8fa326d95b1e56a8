/** The shapes of the API answers the console reads (see /docs-json). */
export interface StoredEvent {
  id: number | string;
  eventId: string;
  eventType: string;
  eventVersion: string;
  eventTimestamp: string;
  aggregateId: number | string;
  aggregateType: string;
  eventSource: string;
  eventData: unknown;
  eventMetadata: {
    handlers?: Record<
      string,
      { status: string; attempts: number; lastRunAt?: string; durationMs?: number; error?: string }
    >;
    [key: string]: unknown;
  };
  eventDescription: string | null;
  eventStatus: 'Published' | 'Processed' | 'Failed' | 'Retry';
  processCount: number;
  lastProcessedAt: string | null;
  errorMessage: string | null;
  relatedEntityId: number | string | null;
  relatedEntityType: string | null;
  eventTags: string[];
  requiresRetry: boolean;
  nextRetryAt: string | null;
  maxRetryCount: number;
  tenantId: string;
  isValid: boolean;
  createDate: string;
  createBy: string;
  modifyDate: string;
  modifyBy: string;
}

export interface EventPage {
  items: StoredEvent[];
  total: number;
  totalIsExact: boolean;
  pageIndex: number;
  pageSize: number;
  totalPages: number;
  nextCursor: string | null;
}

export interface Statistics {
  days: number;
  total: number;
  byStatus: Record<string, number>;
  byType: { eventType: string; total: number; failed: number; dead: number }[];
  successRate: number;
  errorRate: number;
  retriesMade: number;
  deadEvents: number;
  processingTimeMs: { average: number | null; p95: number | null };
  storage: { totalBytes: number };
}

export interface Timeline {
  bucket: 'hour' | 'day';
  points: { at: string; total: number; processed: number; failed: number }[];
}

export interface FailureGroup {
  handler: string;
  cause: string;
  events: number;
  retrying: number;
  dead: number;
  firstSeen: string | null;
  lastSeen: string | null;
  nextRetryAt: string | null;
  eventTypes: string[];
  sampleError: string;
  sampleEventId: string;
}

export interface Session {
  keysRequired: boolean;
  signedIn: boolean;
  tenantId?: string;
  operator?: boolean;
  problem?: string;
}

export interface SignedInSession {
  keysRequired: boolean;
  tenantId: string;
  operator: boolean;
}

export interface Subscription {
  name: string;
  eventTypes: string[] | null;
  tenantId: string | null;
  cursor: string;
  lagEvents: number;
  lagSeconds: number;
  owner: string | null;
  state: 'running' | 'idle';
  parked: number;
  delivered: number;
  lastDeliveredAt: string | null;
  lastError: string | null;
}

export interface ParkedEvent {
  subscription: string;
  eventId: string;
  attempts: number;
  error: string;
  parkedAt: string;
}
