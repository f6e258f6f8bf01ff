/** A clock tests move by hand, so TTL tests never sleep. */
export class ManualClock {
  constructor(private current = 1_700_000_000_000) {}

  readonly now = (): number => this.current;

  advance(ms: number): void {
    this.current += ms;
  }
}
