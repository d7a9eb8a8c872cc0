/** Counters a run reports (flat numbers, stored on the run record). */
export class RunStats {
  private readonly values: Record<string, number> = {};

  inc(key: string, by = 1): void {
    this.values[key] = (this.values[key] ?? 0) + by;
  }

  set(key: string, value: number): void {
    this.values[key] = value;
  }

  get(key: string): number {
    return this.values[key] ?? 0;
  }

  toJSON(): Record<string, number> {
    return { ...this.values };
  }
}
