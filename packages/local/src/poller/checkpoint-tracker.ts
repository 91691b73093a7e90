/**
 * Tracks, for one shard, which records read so far are finished. Batches finish out of order under a
 * parallelization factor; the checkpoint only moves past a sequence number once every record before
 * it on the shard is finished too.
 */
export class CheckpointTracker {
  /** Records in read (= sequence) order, from the oldest unfinished one. */
  private readonly order: string[] = [];
  private head = 0;
  private readonly finished = new Set<string>();
  private last: string | undefined;

  /** The last sequence number such that it and everything before it is finished. */
  get checkpoint(): string | undefined {
    return this.last;
  }

  /** Records read but not finished yet. */
  get outstanding(): number {
    return this.order.length - this.head - this.finished.size;
  }

  add(sequenceNumber: string): void {
    this.order.push(sequenceNumber);
  }

  /** Marks records finished; returns true when the checkpoint moved. */
  finish(sequenceNumbers: Iterable<string>): boolean {
    for (const sequenceNumber of sequenceNumbers) this.finished.add(sequenceNumber);
    let moved = false;
    while (this.head < this.order.length) {
      const next = this.order[this.head];
      if (next === undefined || !this.finished.has(next)) break;
      this.finished.delete(next);
      this.last = next;
      this.head += 1;
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    return moved;
  }
}
