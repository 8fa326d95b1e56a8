/** Who writes and when: every claim and settle stamps last_processed_at or the modify columns. */
export interface ClaimStamp {
  readonly now: Date;
  readonly actor: string;
}
