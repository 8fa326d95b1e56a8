import { Injectable } from '@nestjs/common';

/** Where the example's handler sends its message; a real module would call a mail or SMS API. */
@Injectable()
export class CustomerNotifier {
  readonly sent: { orderId: number; text: string }[] = [];

  notify(orderId: number, text: string): Promise<void> {
    this.sent.push({ orderId, text });
    return Promise.resolve();
  }
}
