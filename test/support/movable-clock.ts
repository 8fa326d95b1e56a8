import type { INestApplication } from '@nestjs/common';
import { Clock } from '../../src/common/clock.js';

/** Stops the app's clock at `start` and lets the test move it: minutes pass without sleeping. */
export class MovableClock {
  private current: Date;

  constructor(app: INestApplication, start: Date) {
    this.current = start;
    app.get(Clock).now = () => new Date(this.current.getTime());
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(to: Date): void {
    this.current = new Date(to.getTime());
  }

  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
}
