// Work over a long list spread across animation frames. A thousand-account
// list cannot restyle all its rows in one frame without a visible stall
// (0.2-0.3 ms a row, timed in the running app), so the list hands such work to
// a queue that does so many items a frame.

/** Runs a callback at the next frame: requestAnimationFrame, or a stand-in in tests. */
export type NextFrame = (callback: () => void) => void;

const animationFrame: NextFrame = (callback) => {
  requestAnimationFrame(() => callback());
};

/**
 * Items waiting for work, done `perFrame` at a time, one batch a frame, in
 * the order they came.
 */
export class FrameQueue<T> {
  private items: T[] = [];
  private at = 0;
  private scheduled = false;
  /** Frames to let pass before the next batch. */
  private waitFrames = 0;

  /**
   * @param perFrame the most items one frame takes
   * @param work does the work for one frame's batch
   * @param drained called after the frame that took the last item
   * @param nextFrame how to wait for a frame
   */
  constructor(
    private readonly perFrame: number,
    private readonly work: (batch: T[]) => void,
    private readonly drained: () => void = () => undefined,
    private readonly nextFrame: NextFrame = animationFrame,
  ) {}

  /**
   * Drops the items still waiting and queues these instead, starting after
   * `waitFrames` frames.
   */
  replace(items: T[], waitFrames = 0): void {
    this.items = items;
    this.at = 0;
    this.waitFrames = waitFrames;
    this.schedule();
  }

  /** Queues these items behind those waiting, none before `waitFrames` frames pass. */
  push(items: T[], waitFrames = 0): void {
    this.waitFrames = Math.max(this.waitFrames, waitFrames);
    if (this.at > 0) {
      this.items = this.items.slice(this.at);
      this.at = 0;
    }
    this.items = this.items.concat(items);
    this.schedule();
  }

  /** How many items still wait. */
  get pending(): number {
    return this.items.length - this.at;
  }

  private schedule(): void {
    if (this.scheduled || this.pending === 0) {
      return;
    }
    this.scheduled = true;
    this.nextFrame(() => {
      this.scheduled = false;
      this.runFrame();
    });
  }

  private runFrame(): void {
    if (this.pending === 0) {
      return;
    }
    if (this.waitFrames > 0) {
      this.waitFrames -= 1;
      this.schedule();
      return;
    }
    const batch = this.items.slice(this.at, this.at + this.perFrame);
    this.at += batch.length;
    if (this.pending === 0) {
      this.items = [];
      this.at = 0;
    }
    this.work(batch);
    if (this.pending === 0) {
      this.drained();
    }
    this.schedule();
  }
}
