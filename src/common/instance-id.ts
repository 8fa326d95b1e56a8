import { hostname } from 'node:os';

/** Names this process in processedBy/modify_by columns, so an operator can tell instances apart. */
export const INSTANCE_ID = `${hostname()}:${process.pid}`;

export const PROCESSOR_VERSION = '0.1.0';
