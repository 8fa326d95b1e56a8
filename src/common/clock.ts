import { Injectable } from '@nestjs/common';

/** The time source of everything that schedules or stamps; tests replace it to move time. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
